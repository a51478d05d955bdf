=== args
report
=== stdout
=== stderr
gcsplan report: a plan file is required (written by gcsplan plan --json)
Try 'gcsplan report --help'.
=== exit
2
