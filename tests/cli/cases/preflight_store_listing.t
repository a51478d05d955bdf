=== args
preflight
--listing
@DATA@/preflight/fhir.jsonl
--store
projects/my-project/locations/us/datasets/d/fhirStores/s
gs://bkt/resources/**
=== stdout
info[probe-unavailable]: the store's content check needs the objects' contents: a listing file has none, so none of the 2 matched objects was read
info[access-unchecked]: the Cloud Healthcare Service Agent's access to gs://bkt was not checked: the objects come from a listing file, not from the bucket, whose IAM policy was not read
preflight: 0 errors, 0 warnings, 2 info; 2 objects matched
=== stderr
=== exit
0
