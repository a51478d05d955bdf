=== args
plan
--format=gcloud
--store
projects/p/locations/l/datasets/d/fhirStores/f
--content-structure
BUNDLE_PRETTY
--no-preflight
--max-objects
40
--listing
@DATA@/example/listing.jsonl
gs://example-archive/studies/2020/**.dcm
=== stdout
gcloud healthcare fhir-stores import gcs f --project=p --location=l --dataset=d --gcs-uri='gs://example-archive/studies/2020/M**.dcm' --content-structure=bundle-pretty --async
gcloud healthcare fhir-stores import gcs f --project=p --location=l --dataset=d --gcs-uri='gs://example-archive/studies/2020/o**.dcm' --content-structure=bundle-pretty --async
gcloud healthcare fhir-stores import gcs f --project=p --location=l --dataset=d --gcs-uri='gs://example-archive/studies/2020/patient-0001**.dcm' --content-structure=bundle-pretty --async
gcloud healthcare fhir-stores import gcs f --project=p --location=l --dataset=d --gcs-uri='gs://example-archive/studies/2020/patient-0002**.dcm' --content-structure=bundle-pretty --async
gcloud healthcare fhir-stores import gcs f --project=p --location=l --dataset=d --gcs-uri='gs://example-archive/studies/2020/patient-0003**.dcm' --content-structure=bundle-pretty --async
gcloud healthcare fhir-stores import gcs f --project=p --location=l --dataset=d --gcs-uri='gs://example-archive/studies/2020/patient-0004**.dcm' --content-structure=bundle-pretty --async
gcloud healthcare fhir-stores import gcs f --project=p --location=l --dataset=d --gcs-uri='gs://example-archive/studies/2020/q**.dcm' --content-structure=bundle-pretty --async
=== stderr
7 jobs for 66 objects (40.9 MiB); lower bound 2, prefix-cut plan 7
=== exit
0
