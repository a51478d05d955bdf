=== args
plan
--format=gcloud
--store
projects/my-project/locations/us-central1/datasets/imaging/dicomStores/archive
--listing
@DATA@/example/listing.jsonl
--max-jobs
3
gs://example-archive/studies/**
=== stdout
gcloud healthcare dicom-stores import gcs archive --project=my-project --location=us-central1 --dataset=imaging --gcs-uri='gs://example-archive/studies/' --async
gcloud healthcare dicom-stores import gcs archive --project=my-project --location=us-central1 --dataset=imaging --gcs-uri='gs://example-archive/studies/201**' --async
gcloud healthcare dicom-stores import gcs archive --project=my-project --location=us-central1 --dataset=imaging --gcs-uri='gs://example-archive/studies/202**' --async
=== stderr
3 jobs for 131 objects (76.8 MiB); lower bound 2, prefix-cut plan 3; largest job at most 42842211 bytes
=== exit
0
