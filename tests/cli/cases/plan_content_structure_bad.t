=== args
plan
--content-structure
bundle
--store
projects/p/locations/l/datasets/d/fhirStores/f
--listing
@DATA@/example/listing.jsonl
gs://example-archive/**
=== stdout
=== stderr
gcsplan plan: --content-structure is BUNDLE, RESOURCE, BUNDLE_PRETTY or RESOURCE_PRETTY, not 'bundle'
Try 'gcsplan plan --help'.
=== exit
2
