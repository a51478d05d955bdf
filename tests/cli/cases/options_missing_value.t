=== args
ls
gs://example-archive/**
--listing
=== stdout
=== stderr
gcsplan ls: --listing needs a value
Try 'gcsplan ls --help'.
=== exit
2
