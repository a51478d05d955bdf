=== args
plan
--json
--output=
=== stdout
=== stderr
gcsplan plan: -o needs a file name (or - for stdout)
Try 'gcsplan plan --help'.
=== exit
2
