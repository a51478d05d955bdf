=== args
preflight
--json
--bucket-dir
@DATA@/preflight/fhir
--store
projects/my-project/locations/us/datasets/d/fhirStores/s
gs://bkt/undecided/**
=== stdout
{"uri":"gs://bkt/undecided/**","objects":1,"bytes":5534,"examined":0,"examined_prefix":null,"examined_capped":false,"probed":1,"store":{"name":"projects/my-project/locations/us/datasets/d/fhirStores/s","kind":"fhir","content_structure":"BUNDLE","sampled":1,"undecided":1,"access":{"verdict":"unknown","member":null,"project_number":null,"granted_by":null,"detail":"the objects come from a directory, not from the bucket, whose IAM policy was not read"}},"summary":{"error":0,"warning":0,"info":1},"findings":[{"code":"access-unchecked","severity":"info","count":1,"bytes":5534,"message":"the Cloud Healthcare Service Agent's access to gs://bkt was not checked: the objects come from a directory, not from the bucket, whose IAM policy was not read","hint":null,"kinds":[],"examples":[]}]}
=== stderr
=== exit
0
