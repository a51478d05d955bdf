=== args
plan
--json
--no-summary
--listing
@DATA@/example/listing.jsonl
--max-bytes
40M
--exclude
.*/quarantine/.*
gs://example-archive/studies/2020/**.dcm
=== stdout
{"uri":"gs://example-archive/studies/2020/**.dcm","objects":64,"bytes":41431011,"limits":{"max_objects":null,"max_bytes":41943040,"max_jobs":null},"excluded":2,"lower_bound":1,"prefix_cut_jobs":3,"jobs":[{"uri":"gs://example-archive/studies/2020/M**.dcm","objects":1,"bytes":650000,"largest":650000,"first":"studies/2020/Müller, Anna/series-1/IM-0001-0001.dcm","last":"studies/2020/Müller, Anna/series-1/IM-0001-0001.dcm","digest":"e78676e30a06cb3f","request":{"gcsSource":{"uri":"gs://example-archive/studies/2020/M**.dcm"}}},{"uri":"gs://example-archive/studies/2020/o**.dcm","objects":2,"bytes":1270000,"largest":640000,"first":"studies/2020/odd names/scan #1 (copy).dcm","last":"studies/2020/odd names/what*is?this.dcm","digest":"afd40c4f81751672","request":{"gcsSource":{"uri":"gs://example-archive/studies/2020/o**.dcm"}}},{"uri":"gs://example-archive/studies/2020/p**.dcm","objects":61,"bytes":39511011,"largest":980343,"first":"studies/2020/patient-0001/series-1/IM-0001-0001.dcm","last":"studies/2020/patient-0004/series-3/IM-0003-0005.dcm","digest":"36ab9747c63c732e","request":{"gcsSource":{"uri":"gs://example-archive/studies/2020/p**.dcm"}}}],"preflight":{"uri":"gs://example-archive/studies/2020/**.dcm","objects":64,"bytes":41431011,"examined":0,"examined_prefix":null,"examined_capped":false,"probed":0,"summary":{"error":0,"warning":2,"info":0},"findings":[{"code":"zero-byte","severity":"warning","count":1,"bytes":0,"message":"1 matched object is empty (0 bytes): an import cannot read such a file as DICOM","hint":null,"kinds":[],"examples":[{"name":"studies/2020/patient-0004/series-2/empty.dcm","size":0}]},{"code":"wildcard-in-name","severity":"warning","count":1,"bytes":630000,"message":"1 name holds a literal '*' or '?': no import URI can name such an object alone, and a URI written for it matches others too","hint":null,"kinds":[],"examples":[{"name":"studies/2020/odd names/what*is?this.dcm","size":630000}]}]}}
=== stderr
3 jobs for 64 objects (39.5 MiB); lower bound 1, prefix-cut plan 3; 2 excluded objects kept out
=== exit
0
