=== args
ls
-x
gs://example-archive/**
=== stdout
=== stderr
gcsplan ls: unknown option '-x'
Try 'gcsplan ls --help'.
=== exit
2
