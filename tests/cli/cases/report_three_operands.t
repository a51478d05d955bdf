=== args
report
a.json
b.journal
c.json
=== stdout
=== stderr
gcsplan report: one plan file and at most one journal are allowed
Try 'gcsplan report --help'.
=== exit
2
