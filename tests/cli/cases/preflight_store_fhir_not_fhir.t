=== args
preflight
--bucket-dir
@DATA@/preflight/fhir
--store
projects/my-project/locations/us/datasets/d/fhirStores/s
gs://bkt/bad/**
=== stdout
error[not-fhir]: 4 of 4 sampled objects are not FHIR JSON (JSON objects with a "resourceType"): fhirStores.import cannot read them
  kinds: JSON array 1, XML 1, no resourceType 1, not JSON 1
    'bad/array.json'  JSON array: 132 bytes read, starting "[{\x22resourceType\x22"...
    'bad/export.xml'  XML: 104 bytes read, starting "<?xml version=\x221"...
    'bad/no-type.ndjson'  no resourceType: 29 bytes read, starting "{\x22id\x22:\x22x1\x22,\x22name"...
    'bad/notes.ndjson'  not JSON at byte 0: 37 bytes read, starting "Export of 2024-0"...
info[access-unchecked]: the Cloud Healthcare Service Agent's access to gs://bkt was not checked: the objects come from a directory, not from the bucket, whose IAM policy was not read
preflight: 1 error, 0 warnings, 1 info; 4 objects matched, 4 probed
=== stderr
=== exit
1
