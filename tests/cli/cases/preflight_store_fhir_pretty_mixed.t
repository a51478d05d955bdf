=== args
preflight
--bucket-dir
@DATA@/preflight/fhir
--store
projects/my-project/locations/us/datasets/d/fhirStores/s
gs://bkt/pretty/**
=== stdout
error[fhir-content-structure]: 2 of 2 sampled objects do not fit --content-structure BUNDLE (one Bundle per line): the import fails with "no bundle is found; if you intend to import individual resources, make sure you specify the appropriate ContentStructure in the request"; no one content structure fits every sampled object: import them in separate jobs
  kinds: one Bundle over many lines 1, one resource over many lines 1
    'pretty/bundle.json'  (one Bundle over many lines)
    'pretty/patient.json'  (one resource over many lines)
info[access-unchecked]: the Cloud Healthcare Service Agent's access to gs://bkt was not checked: the objects come from a directory, not from the bucket, whose IAM policy was not read
preflight: 1 error, 0 warnings, 1 info; 2 objects matched, 2 probed
=== stderr
=== exit
1
