=== args
ls
--stall-timeout
0
--listing
@DATA@/example/listing.jsonl
gs://example-archive/**
=== stdout
=== stderr
gcsplan ls: --stall-timeout is at least 1 second
Try 'gcsplan ls --help'.
=== exit
2
