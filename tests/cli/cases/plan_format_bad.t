=== args
plan
--format=pdf
--listing
@DATA@/example/listing.jsonl
gs://example-archive/**
=== stdout
=== stderr
gcsplan plan: --format is table, json, gcloud, curl or html, not 'pdf'
Try 'gcsplan plan --help'.
=== exit
2
