=== args
plan
--content-structure
BUNDLE
--listing
@DATA@/example/listing.jsonl
gs://example-archive/**
=== stdout
=== stderr
gcsplan plan: --content-structure needs a FHIR store: --store projects/P/locations/L/datasets/D/fhirStores/S
Try 'gcsplan plan --help'.
=== exit
2
