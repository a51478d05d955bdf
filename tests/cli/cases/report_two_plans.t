=== args
report
a.json
b.json
=== stdout
=== stderr
gcsplan report: only one plan file is allowed
Try 'gcsplan report --help'.
=== exit
2
