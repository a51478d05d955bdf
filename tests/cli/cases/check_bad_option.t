=== args
check
--frobnicate
gs://my-bucket/x
=== stdout
=== stderr
gcsplan check: unknown option '--frobnicate'
Try 'gcsplan check --help'.
=== exit
2
