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
=== exit
0
