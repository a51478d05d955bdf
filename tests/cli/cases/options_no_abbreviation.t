=== args
ls
--list
@DATA@/example/listing.jsonl
gs://example-archive/**
=== stdout
=== stderr
gcsplan ls: unknown option '--list'
Try 'gcsplan ls --help'.
=== exit
2
