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
warning[zero-byte]: 1 matched object is empty (0 bytes): an import cannot read such a file as DICOM
    'studies/2020/patient-0004/series-2/empty.dcm'
warning[folder-placeholder]: 1 folder placeholder matched (names ending in '/', made by consoles and sync tools): they are not files
    'studies/'
warning[wildcard-in-name]: 1 name holds a literal '*' or '?': no import URI can name such an object alone, and a URI written for it matches others too
    'studies/2020/odd names/what*is?this.dcm'
warning[non-dicom-name]: 3 matched names look like non-DICOM files: the URI does not pin an extension
  kinds: .bak 1, .txt 1, DICOMDIR 1
    'studies/2019/patient-0001/DICOMDIR'  (DICOMDIR)
    'studies/2019/patient-0002/series-1/IM-0001-0001.dcm.bak'  (.bak)
    'studies/2020/patient-0003/notes.txt'  (.txt)
preflight: 0 errors, 4 warnings, 0 info; 131 objects matched
3 jobs for 131 objects (76.8 MiB); lower bound 2, prefix-cut plan 3; largest job at most 42842211 bytes
=== exit
0
