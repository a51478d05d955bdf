=== args
preflight
--listing
@DATA@/preflight/fhir.jsonl
--store
projects/my-project/locations/us/datasets/d/dicomStores/s
--content-structure
RESOURCE
gs://bkt/**
=== stdout
=== stderr
gcsplan preflight: --content-structure is for FHIR stores; --store names a DICOM store
Try 'gcsplan preflight --help'.
=== exit
2
