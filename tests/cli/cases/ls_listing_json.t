=== args
ls
--json
--exclude
.*empty.*
--listing
@DATA@/example/listing.jsonl
gs://example-archive/studies/2020/patient-0004/series-2/*
=== stdout
{"name":"studies/2020/patient-0004/series-2/IM-0002-0001.dcm","size":898319}
{"name":"studies/2020/patient-0004/series-2/IM-0002-0002.dcm","size":613161}
{"name":"studies/2020/patient-0004/series-2/IM-0002-0003.dcm","size":843736}
{"name":"studies/2020/patient-0004/series-2/IM-0002-0004.dcm","size":949774}
{"name":"studies/2020/patient-0004/series-2/IM-0002-0005.dcm","size":903889}
=== stderr
=== exit
0
