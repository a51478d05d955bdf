=== args
preflight
--listing
@DATA@/preflight/fhir.jsonl
--store
projects/my-project/locations/us/datasets/d/fhirStores/s
--content-structure
ndjson
gs://bkt/**
=== stdout
=== stderr
gcsplan preflight: --content-structure is BUNDLE, RESOURCE, BUNDLE_PRETTY or RESOURCE_PRETTY, not 'ndjson'
Try 'gcsplan preflight --help'.
=== exit
2
