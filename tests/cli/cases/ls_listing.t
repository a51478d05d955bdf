=== args
ls
--listing
@DATA@/example/listing.jsonl
gs://example-archive/studies/2020/*/series-2/*.dcm
=== stdout
studies/2020/patient-0001/series-2/IM-0002-0001.dcm
studies/2020/patient-0001/series-2/IM-0002-0002.dcm
studies/2020/patient-0001/series-2/IM-0002-0003.dcm
studies/2020/patient-0001/series-2/IM-0002-0004.dcm
studies/2020/patient-0001/series-2/IM-0002-0005.dcm
studies/2020/patient-0002/series-2/IM-0002-0001.dcm
studies/2020/patient-0002/series-2/IM-0002-0002.dcm
studies/2020/patient-0002/series-2/IM-0002-0003.dcm
studies/2020/patient-0002/series-2/IM-0002-0004.dcm
studies/2020/patient-0002/series-2/IM-0002-0005.dcm
studies/2020/patient-0003/series-2/IM-0002-0001.dcm
studies/2020/patient-0003/series-2/IM-0002-0002.dcm
studies/2020/patient-0003/series-2/IM-0002-0003.dcm
studies/2020/patient-0003/series-2/IM-0002-0004.dcm
studies/2020/patient-0003/series-2/IM-0002-0005.dcm
studies/2020/patient-0004/series-2/IM-0002-0001.dcm
studies/2020/patient-0004/series-2/IM-0002-0002.dcm
studies/2020/patient-0004/series-2/IM-0002-0003.dcm
studies/2020/patient-0004/series-2/IM-0002-0004.dcm
studies/2020/patient-0004/series-2/IM-0002-0005.dcm
studies/2020/patient-0004/series-2/empty.dcm
=== stderr
warning[zero-byte]: 1 matched object is empty (0 bytes): an import cannot read such a file as DICOM
    'studies/2020/patient-0004/series-2/empty.dcm'
preflight: 0 errors, 1 warning, 0 info; 21 objects matched
=== exit
0
