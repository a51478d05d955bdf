=== args
plan
--listing
@DATA@/example/listing.jsonl
--max-objects
40
gs://example-archive/studies/**.dcm
=== stdout
   job    objects       bytes     largest  uri
     1         15     8.6 MiB   973.4 KiB  gs://example-archive/studies/2019/patient-0001**.dcm
     2         15     6.6 MiB   811.5 KiB  gs://example-archive/studies/2019/patient-0002**.dcm
     3         15    10.6 MiB   962.9 KiB  gs://example-archive/studies/2019/patient-0003**.dcm
     4         15     9.3 MiB   947.4 KiB  gs://example-archive/studies/2019/patient-0004**.dcm
     5          1   634.8 KiB   634.8 KiB  gs://example-archive/studies/2020/M**.dcm
     6          2     1.2 MiB   625.0 KiB  gs://example-archive/studies/2020/o**.dcm
     7         15     8.7 MiB   957.4 KiB  gs://example-archive/studies/2020/patient-0001**.dcm
     8         15     9.1 MiB   957.2 KiB  gs://example-archive/studies/2020/patient-0002**.dcm
     9         15     9.0 MiB   889.8 KiB  gs://example-archive/studies/2020/patient-0003**.dcm
    10         16    10.9 MiB   927.5 KiB  gs://example-archive/studies/2020/patient-0004**.dcm
    11          2     1.3 MiB   693.4 KiB  gs://example-archive/studies/2020/q**.dcm
=== stderr
warning[zero-byte]: 1 matched object is empty (0 bytes): an import cannot read such a file as DICOM
    'studies/2020/patient-0004/series-2/empty.dcm'
warning[wildcard-in-name]: 1 name holds a literal '*' or '?': no import URI can name such an object alone, and a URI written for it matches others too
    'studies/2020/odd names/what*is?this.dcm'
preflight: 0 errors, 2 warnings, 0 info; 126 objects matched
11 jobs for 126 objects (75.9 MiB); lower bound 4, prefix-cut plan 11
=== exit
0
