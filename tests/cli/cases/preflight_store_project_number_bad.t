=== args
preflight
--listing
@DATA@/preflight/fhir.jsonl
--store
projects/my-project/locations/us/datasets/d/fhirStores/s
--project-number
12ab
gs://bkt/**
=== stdout
=== stderr
gcsplan preflight: --project-number needs a project number (digits), not '12ab'
Try 'gcsplan preflight --help'.
=== exit
2
