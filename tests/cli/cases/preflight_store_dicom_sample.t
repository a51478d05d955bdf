=== args
preflight
--bucket-dir
@DATA@/preflight/fhir
--store
projects/my-project/locations/us/datasets/d/dicomStores/s
--sample
1
gs://bkt/resources/**
=== stdout
error[not-dicom]: 1 of 1 sampled object is not DICOM Part 10: no "DICM" at byte 128
    'resources/patients-1.ndjson'  text: 132 bytes read, starting "{\x22resourceType\x22:"..., bytes 128-131: 22 69 64 22
info[access-unchecked]: the Cloud Healthcare Service Agent's access to gs://bkt was not checked: the objects come from a directory, not from the bucket, whose IAM policy was not read
preflight: 1 error, 0 warnings, 1 info; 2 objects matched, 1 probed
=== stderr
=== exit
1
