=== args
preflight
--listing
@DATA@/preflight/fhir.jsonl
--store
projects/my-project/locations/us/datasets/d/fhirStores/s
--sample
257
gs://bkt/**
=== stdout
=== stderr
gcsplan preflight: --sample needs a number from 1 to 256, not '257'
Try 'gcsplan preflight --help'.
=== exit
2
