=== args
preflight
--bucket-dir
@DATA@/preflight/fhir
--store
projects/my-project/locations/us/datasets/d/fhirStores/s
--content-structure
RESOURCE
gs://bkt/noid/**
=== stdout
error[fhir-missing-id]: 1 of 2 sampled objects hold resources without "id": fhirStores.import needs a client-supplied id on every resource, so those resources fail and their job ends with failures
    'noid/observations.ndjson'  (2 of 3 resources read without "id")
info[access-unchecked]: the Cloud Healthcare Service Agent's access to gs://bkt was not checked: the objects come from a directory, not from the bucket, whose IAM policy was not read
preflight: 1 error, 0 warnings, 1 info; 2 objects matched, 2 probed
=== stderr
=== exit
1
