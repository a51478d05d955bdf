=== args
preflight
--bucket-dir
@DATA@/preflight/fhir
--store
projects/my-project/locations/us/datasets/d/fhirStores/s
gs://bkt/resources/**
=== stdout
error[fhir-content-structure]: 2 of 2 sampled objects do not fit --content-structure BUNDLE (one Bundle per line): the import fails with "no bundle is found; if you intend to import individual resources, make sure you specify the appropriate ContentStructure in the request"
  kinds: NDJSON of resources 2
    'resources/patients-1.ndjson'  (NDJSON of resources)
    'resources/patients-2.ndjson'  (NDJSON of resources)
  hint: --content-structure RESOURCE
info[access-unchecked]: the Cloud Healthcare Service Agent's access to gs://bkt was not checked: the objects come from a directory, not from the bucket, whose IAM policy was not read
preflight: 1 error, 0 warnings, 1 info; 2 objects matched, 2 probed
=== stderr
=== exit
1
