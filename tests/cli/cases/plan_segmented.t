=== args
plan
--listing
@DATA@/example/listing.jsonl
--max-objects
20
gs://example-archive/studies/*/*/series-?/*.dcm
=== stdout
   job    objects       bytes     largest  uri
     1         15     8.6 MiB   973.4 KiB  gs://example-archive/studies/2019/patient-0001/series-?/*.dcm
     2         15     6.6 MiB   811.5 KiB  gs://example-archive/studies/2019/patient-0002/series-?/*.dcm
     3         15    10.6 MiB   962.9 KiB  gs://example-archive/studies/2019/patient-0003/series-?/*.dcm
     4         15     9.3 MiB   947.4 KiB  gs://example-archive/studies/2019/patient-0004/series-?/*.dcm
     5          1   634.8 KiB   634.8 KiB  gs://example-archive/studies/2020/Müller, Anna/series-?/*.dcm
     6         15     8.7 MiB   957.4 KiB  gs://example-archive/studies/2020/patient-0001/series-?/*.dcm
     7         15     9.1 MiB   957.2 KiB  gs://example-archive/studies/2020/patient-0002/series-?/*.dcm
     8         15     9.0 MiB   889.8 KiB  gs://example-archive/studies/2020/patient-0003/series-?/*.dcm
     9         16    10.9 MiB   927.5 KiB  gs://example-archive/studies/2020/patient-0004/series-?/*.dcm
=== stderr
warning[zero-byte]: 1 matched object is empty (0 bytes): an import cannot read such a file as DICOM
    'studies/2020/patient-0004/series-2/empty.dcm'
preflight: 0 errors, 1 warning, 0 info; 122 objects matched
9 jobs for 122 objects (73.3 MiB); lower bound 7, prefix-cut plan 9
=== exit
0
