=== args
preflight
--json
--bucket-dir
@DATA@/preflight/fhir
--store
projects/my-project/locations/us/datasets/d/fhirStores/s
--content-structure
RESOURCE
gs://bkt/noid/**
=== stdout
{"uri":"gs://bkt/noid/**","objects":2,"bytes":591,"examined":0,"examined_prefix":null,"examined_capped":false,"probed":2,"store":{"name":"projects/my-project/locations/us/datasets/d/fhirStores/s","kind":"fhir","content_structure":"RESOURCE","sampled":2,"undecided":0,"access":{"verdict":"unknown","member":null,"project_number":null,"granted_by":null,"detail":"the objects come from a directory, not from the bucket, whose IAM policy was not read"}},"summary":{"error":1,"warning":0,"info":1},"findings":[{"code":"fhir-missing-id","severity":"error","count":1,"bytes":489,"message":"1 of 2 sampled objects hold resources without \"id\": fhirStores.import needs a client-supplied id on every resource, so those resources fail and their job ends with failures","hint":null,"kinds":[],"examples":[{"name":"noid/observations.ndjson","size":489,"detail":"2 of 3 resources read without \"id\""}]},{"code":"access-unchecked","severity":"info","count":2,"bytes":591,"message":"the Cloud Healthcare Service Agent's access to gs://bkt was not checked: the objects come from a directory, not from the bucket, whose IAM policy was not read","hint":null,"kinds":[],"examples":[]}]}
=== stderr
=== exit
1
