=== args
plan
--format=curl
--store
projects/p/locations/l/datasets/d/hl7V2Stores/s
--listing
@DATA@/example/listing.jsonl
gs://example-archive/**
=== stdout
=== stderr
gcsplan plan: --store is projects/P/locations/L/datasets/D/dicomStores/S or .../fhirStores/S, not 'projects/p/locations/l/datasets/d/hl7V2Stores/s'
Try 'gcsplan plan --help'.
=== exit
2
