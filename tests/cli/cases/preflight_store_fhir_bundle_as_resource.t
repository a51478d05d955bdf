=== args
preflight
--bucket-dir
@DATA@/preflight/fhir
--store
projects/my-project/locations/us/datasets/d/fhirStores/s
--content-structure
RESOURCE
--fail-on
warning
gs://bkt/bundles/**
=== stdout
warning[fhir-bundle-as-resource]: 2 of 2 sampled objects hold Bundles: with --content-structure RESOURCE each Bundle is stored as one Bundle resource, its entries are not imported as resources of their own
    'bundles/synthea-1.ndjson'  (NDJSON of Bundles)
    'bundles/synthea-2.ndjson'  (one Bundle on one line)
  hint: --content-structure BUNDLE
info[access-unchecked]: the Cloud Healthcare Service Agent's access to gs://bkt was not checked: the objects come from a directory, not from the bucket, whose IAM policy was not read
preflight: 0 errors, 1 warning, 1 info; 2 objects matched, 2 probed
=== stderr
=== exit
1
