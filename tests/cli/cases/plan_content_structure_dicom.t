=== args
plan
--content-structure
BUNDLE
--store
projects/p/locations/l/datasets/d/dicomStores/s
--listing
@DATA@/example/listing.jsonl
gs://example-archive/**
=== stdout
=== stderr
gcsplan plan: --content-structure is for FHIR stores; --store names a DICOM store
Try 'gcsplan plan --help'.
=== exit
2
