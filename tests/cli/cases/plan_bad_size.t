=== args
plan
--max-bytes
12Q
--listing
@DATA@/example/listing.jsonl
gs://example-archive/**
=== stdout
=== stderr
gcsplan plan: --max-bytes needs a size such as 500G, not '12Q'
Try 'gcsplan plan --help'.
=== exit
2
