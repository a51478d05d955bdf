=== args
plan
--json
--summary-nodes=100001
--listing
@DATA@/example/listing.jsonl
gs://example-archive/**
=== stdout
=== stderr
gcsplan plan: --summary-nodes needs a number from 16 to 100000, not '100001'
Try 'gcsplan plan --help'.
=== exit
2
