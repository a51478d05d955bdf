=== args
preflight
--listing
@DATA@/preflight/fhir.jsonl
--content-structure
RESOURCE
gs://bkt/**
=== stdout
=== stderr
gcsplan preflight: --content-structure is for the store checks: give --store
Try 'gcsplan preflight --help'.
=== exit
2
