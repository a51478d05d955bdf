=== args
plan
--stall-bytes=64Q
--listing
@DATA@/example/listing.jsonl
gs://example-archive/**
=== stdout
=== stderr
gcsplan plan: --stall-bytes needs a size such as 64M, not '64Q'
Try 'gcsplan plan --help'.
=== exit
2
