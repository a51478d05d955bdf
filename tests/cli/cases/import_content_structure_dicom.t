=== args
import
--store
projects/p/locations/us/datasets/d/dicomStores/s
--content-structure
BUNDLE
@DATA@/import/plan.json
=== stdout
=== stderr
gcsplan: error: a content structure is for FHIR stores; the store is a DICOM store
=== exit
2
