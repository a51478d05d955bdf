=== args
preflight
--listing
@DATA@/preflight/fhir.jsonl
--store
projects/p/fhirStores/s
gs://bkt/**
=== stdout
=== stderr
gcsplan preflight: --store is projects/P/locations/L/datasets/D/dicomStores/S or .../fhirStores/S, not 'projects/p/fhirStores/s'
Try 'gcsplan preflight --help'.
=== exit
2
