=== args
preflight
--bucket-dir
@DATA@/preflight/fhir
--store
projects/my-project/locations/us/datasets/d/fhirStores/s
gs://bkt/pretty/bundle.json
=== stdout
error[fhir-content-structure]: 1 of 1 sampled object does not fit --content-structure BUNDLE (one Bundle per line): the import cannot read it as that
  kinds: one Bundle over many lines 1
    'pretty/bundle.json'  (one Bundle over many lines)
  hint: --content-structure BUNDLE_PRETTY
info[access-unchecked]: the Cloud Healthcare Service Agent's access to gs://bkt was not checked: the objects come from a directory, not from the bucket, whose IAM policy was not read
preflight: 1 error, 0 warnings, 1 info; 1 object matched, 1 probed
=== stderr
=== exit
1
