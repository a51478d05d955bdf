=== args
plan
--format=curl
--store
projects/p/locations/l/datasets/d/fhirStores/f
--content-structure
RESOURCE_PRETTY
--api-endpoint
http://127.0.0.1:9
--no-preflight
--max-objects
40
--listing
@DATA@/example/listing.jsonl
gs://example-archive/studies/2020/**.dcm
=== stdout
curl -sS --fail-with-body -X POST -H "Authorization: Bearer $(gcloud auth print-access-token)" -H 'Content-Type: application/json; charset=utf-8' --data-binary '{"contentStructure":"RESOURCE_PRETTY","gcsSource":{"uri":"gs://example-archive/studies/2020/M**.dcm"}}' 'http://127.0.0.1:9/v1/projects/p/locations/l/datasets/d/fhirStores/f:import'
curl -sS --fail-with-body -X POST -H "Authorization: Bearer $(gcloud auth print-access-token)" -H 'Content-Type: application/json; charset=utf-8' --data-binary '{"contentStructure":"RESOURCE_PRETTY","gcsSource":{"uri":"gs://example-archive/studies/2020/o**.dcm"}}' 'http://127.0.0.1:9/v1/projects/p/locations/l/datasets/d/fhirStores/f:import'
curl -sS --fail-with-body -X POST -H "Authorization: Bearer $(gcloud auth print-access-token)" -H 'Content-Type: application/json; charset=utf-8' --data-binary '{"contentStructure":"RESOURCE_PRETTY","gcsSource":{"uri":"gs://example-archive/studies/2020/patient-0001**.dcm"}}' 'http://127.0.0.1:9/v1/projects/p/locations/l/datasets/d/fhirStores/f:import'
curl -sS --fail-with-body -X POST -H "Authorization: Bearer $(gcloud auth print-access-token)" -H 'Content-Type: application/json; charset=utf-8' --data-binary '{"contentStructure":"RESOURCE_PRETTY","gcsSource":{"uri":"gs://example-archive/studies/2020/patient-0002**.dcm"}}' 'http://127.0.0.1:9/v1/projects/p/locations/l/datasets/d/fhirStores/f:import'
curl -sS --fail-with-body -X POST -H "Authorization: Bearer $(gcloud auth print-access-token)" -H 'Content-Type: application/json; charset=utf-8' --data-binary '{"contentStructure":"RESOURCE_PRETTY","gcsSource":{"uri":"gs://example-archive/studies/2020/patient-0003**.dcm"}}' 'http://127.0.0.1:9/v1/projects/p/locations/l/datasets/d/fhirStores/f:import'
curl -sS --fail-with-body -X POST -H "Authorization: Bearer $(gcloud auth print-access-token)" -H 'Content-Type: application/json; charset=utf-8' --data-binary '{"contentStructure":"RESOURCE_PRETTY","gcsSource":{"uri":"gs://example-archive/studies/2020/patient-0004**.dcm"}}' 'http://127.0.0.1:9/v1/projects/p/locations/l/datasets/d/fhirStores/f:import'
curl -sS --fail-with-body -X POST -H "Authorization: Bearer $(gcloud auth print-access-token)" -H 'Content-Type: application/json; charset=utf-8' --data-binary '{"contentStructure":"RESOURCE_PRETTY","gcsSource":{"uri":"gs://example-archive/studies/2020/q**.dcm"}}' 'http://127.0.0.1:9/v1/projects/p/locations/l/datasets/d/fhirStores/f:import'
=== stderr
7 jobs for 66 objects (40.9 MiB); lower bound 2, prefix-cut plan 7
=== exit
0
