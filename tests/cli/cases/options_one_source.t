=== args
ls
--listing
a
--bucket-dir
b
gs://bkt/x
=== stdout
=== stderr
gcsplan ls: give one source: --listing, --bucket-dir or --endpoint
Try 'gcsplan ls --help'.
=== exit
2
