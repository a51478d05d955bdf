=== args
preflight
--bucket-dir
@DATA@/preflight/fhir
--store
projects/my-project/locations/us/datasets/d/fhirStores/s
--content-structure
RESOURCE
gs://bkt/resources/**
=== stdout
info[access-unchecked]: the Cloud Healthcare Service Agent's access to gs://bkt was not checked: the objects come from a directory, not from the bucket, whose IAM policy was not read
preflight: 0 errors, 0 warnings, 1 info; 2 objects matched, 2 probed
=== stderr
=== exit
0
