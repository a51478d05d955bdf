=== args
plan
--format=curl
--store
projects/p/locations/l/datasets/d/dicomStores/s
--api-endpoint
http://127.0.0.1:9/
--listing
@DATA@/example/listing.jsonl
gs://example-archive/studies/2020/odd names/**
=== stdout
curl -sS --fail-with-body -X POST -H "Authorization: Bearer $(gcloud auth print-access-token)" -H 'Content-Type: application/json; charset=utf-8' --data-binary '{"gcsSource":{"uri":"gs://example-archive/studies/2020/odd names/**"}}' 'http://127.0.0.1:9/v1/projects/p/locations/l/datasets/d/dicomStores/s:import'
=== stderr
warning[wildcard-in-name]: 1 name holds a literal '*' or '?': no import URI can name such an object alone, and a URI written for it matches others too
    'studies/2020/odd names/what*is?this.dcm'
preflight: 0 errors, 1 warning, 0 info; 2 objects matched
1 jobs for 2 objects (1.2 MiB); lower bound 1, prefix-cut plan 1
=== exit
0
