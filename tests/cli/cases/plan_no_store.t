=== args
plan
--format=curl
--listing
@DATA@/example/listing.jsonl
gs://example-archive/**
=== stdout
=== stderr
gcsplan plan: --format=curl needs --store
Try 'gcsplan plan --help'.
=== exit
2
