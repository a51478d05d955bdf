=== args
preflight
--fail-on
sometimes
gs://bkt/**
=== stdin
=== stdout
=== stderr
gcsplan preflight: --fail-on is none, info, warning or error, not 'sometimes'
Try 'gcsplan preflight --help'.
=== exit
2
