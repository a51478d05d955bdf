=== args
match
gs://my-bucket/a
gs://my-bucket/b
=== stdout
=== stderr
gcsplan match: only one URI is allowed
Try 'gcsplan match --help'.
=== exit
2
