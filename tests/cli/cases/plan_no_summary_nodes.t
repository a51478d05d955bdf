=== args
plan
--json
--no-summary
--summary-nodes
100
--listing
@DATA@/example/listing.jsonl
gs://example-archive/**
=== stdout
=== stderr
gcsplan plan: --summary-nodes sizes the summary that --no-summary leaves out
Try 'gcsplan plan --help'.
=== exit
2
