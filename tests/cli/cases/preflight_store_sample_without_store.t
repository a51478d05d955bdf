=== args
preflight
--listing
@DATA@/preflight/fhir.jsonl
--sample
5
gs://bkt/**
=== stdout
=== stderr
gcsplan preflight: --sample is for the store checks: give --store
Try 'gcsplan preflight --help'.
=== exit
2
