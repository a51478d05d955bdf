=== args
check
=== stdout
=== stderr
gcsplan check: at least one URI is required
Try 'gcsplan check --help'.
=== exit
2
