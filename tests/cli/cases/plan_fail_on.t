=== args
plan
--fail-on
warning
--listing
@DATA@/example/listing.jsonl
gs://example-archive/studies/2020/patient-0004/**
=== stdout
   job    objects       bytes     largest  uri
     1         16    10.9 MiB   927.5 KiB  gs://example-archive/studies/2020/patient-0004/**
=== stderr
warning[zero-byte]: 1 matched object is empty (0 bytes): an import cannot read such a file as DICOM
    'studies/2020/patient-0004/series-2/empty.dcm'
preflight: 0 errors, 1 warning, 0 info; 16 objects matched
1 jobs for 16 objects (10.9 MiB); lower bound 1, prefix-cut plan 1
=== exit
1
