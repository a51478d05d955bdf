=== args
preflight
--listing
@DATA@/preflight/fhir.jsonl
--store
projects/my-project/locations/us/datasets/d/fhirStores/s
--probe
gs://bkt/**
=== stdout
=== stderr
gcsplan preflight: --probe reads DICOM files; a FHIR store's objects are sampled (--sample)
Try 'gcsplan preflight --help'.
=== exit
2
