=== args
preflight
--json
--examples
1
--listing
@DATA@/example/listing.jsonl
gs://example-archive/studies/**
=== stdout
{"uri":"gs://example-archive/studies/**","objects":131,"bytes":80578768,"examined":0,"examined_prefix":null,"examined_capped":false,"probed":0,"summary":{"error":0,"warning":4,"info":0},"findings":[{"code":"zero-byte","severity":"warning","count":1,"bytes":0,"message":"1 matched object is empty (0 bytes): an import cannot read such a file as DICOM","hint":null,"kinds":[],"examples":[{"name":"studies/2020/patient-0004/series-2/empty.dcm","size":0}]},{"code":"folder-placeholder","severity":"warning","count":1,"bytes":0,"message":"1 folder placeholder matched (names ending in '/', made by consoles and sync tools): they are not files","hint":null,"kinds":[],"examples":[{"name":"studies/","size":0}]},{"code":"wildcard-in-name","severity":"warning","count":1,"bytes":630000,"message":"1 name holds a literal '*' or '?': no import URI can name such an object alone, and a URI written for it matches others too","hint":null,"kinds":[],"examples":[{"name":"studies/2020/odd names/what*is?this.dcm","size":630000}]},{"code":"non-dicom-name","severity":"warning","count":3,"bytes":504061,"message":"3 matched names look like non-DICOM files: the URI does not pin an extension","hint":null,"kinds":[{"kind":".bak","count":1},{"kind":".txt","count":1},{"kind":"DICOMDIR","count":1}],"examples":[{"name":"studies/2019/patient-0001/DICOMDIR","size":4096,"detail":"DICOMDIR"}]}]}
=== stderr
=== exit
0
