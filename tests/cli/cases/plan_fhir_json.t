=== args
plan
--json
--no-preflight
--store
projects/p/locations/l/datasets/d/fhirStores/f
--content-structure
RESOURCE
--max-objects
40
--listing
@DATA@/example/listing.jsonl
gs://example-archive/studies/2020/**.dcm
=== stdout
{"uri":"gs://example-archive/studies/2020/**.dcm","store":"projects/p/locations/l/datasets/d/fhirStores/f","content_structure":"RESOURCE","objects":66,"bytes":42841011,"limits":{"max_objects":40,"max_bytes":null,"max_jobs":null},"excluded":0,"lower_bound":2,"prefix_cut_jobs":7,"jobs":[{"uri":"gs://example-archive/studies/2020/M**.dcm","objects":1,"bytes":650000,"largest":650000,"first":"studies/2020/Müller, Anna/series-1/IM-0001-0001.dcm","last":"studies/2020/Müller, Anna/series-1/IM-0001-0001.dcm","digest":"e78676e30a06cb3f","request":{"contentStructure":"RESOURCE","gcsSource":{"uri":"gs://example-archive/studies/2020/M**.dcm"}}},{"uri":"gs://example-archive/studies/2020/o**.dcm","objects":2,"bytes":1270000,"largest":640000,"first":"studies/2020/odd names/scan #1 (copy).dcm","last":"studies/2020/odd names/what*is?this.dcm","digest":"afd40c4f81751672","request":{"contentStructure":"RESOURCE","gcsSource":{"uri":"gs://example-archive/studies/2020/o**.dcm"}}},{"uri":"gs://example-archive/studies/2020/patient-0001**.dcm","objects":15,"bytes":9152216,"largest":980343,"first":"studies/2020/patient-0001/series-1/IM-0001-0001.dcm","last":"studies/2020/patient-0001/series-3/IM-0003-0005.dcm","digest":"81f1ed3cc122e091","request":{"contentStructure":"RESOURCE","gcsSource":{"uri":"gs://example-archive/studies/2020/patient-0001**.dcm"}}},{"uri":"gs://example-archive/studies/2020/patient-0002**.dcm","objects":15,"bytes":9500890,"largest":980173,"first":"studies/2020/patient-0002/series-1/IM-0001-0001.dcm","last":"studies/2020/patient-0002/series-3/IM-0003-0005.dcm","digest":"c6b97dcc98fae790","request":{"contentStructure":"RESOURCE","gcsSource":{"uri":"gs://example-archive/studies/2020/patient-0002**.dcm"}}},{"uri":"gs://example-archive/studies/2020/patient-0003**.dcm","objects":15,"bytes":9410673,"largest":911119,"first":"studies/2020/patient-0003/series-1/IM-0001-0001.dcm","last":"studies/2020/patient-0003/series-3/IM-0003-0005.dcm","digest":"48a6eca51591207e","request":{"contentStructure":"RESOURCE","gcsSource":{"uri":"gs://example-archive/studies/2020/patient-0003**.dcm"}}},{"uri":"gs://example-archive/studies/2020/patient-0004**.dcm","objects":16,"bytes":11447232,"largest":949774,"first":"studies/2020/patient-0004/series-1/IM-0001-0001.dcm","last":"studies/2020/patient-0004/series-3/IM-0003-0005.dcm","digest":"080a45dbcb18e662","request":{"contentStructure":"RESOURCE","gcsSource":{"uri":"gs://example-archive/studies/2020/patient-0004**.dcm"}}},{"uri":"gs://example-archive/studies/2020/q**.dcm","objects":2,"bytes":1410000,"largest":710000,"first":"studies/2020/quarantine/IM-9999-0001.dcm","last":"studies/2020/quarantine/IM-9999-0002.dcm","digest":"1af5c7e67001dfad","request":{"contentStructure":"RESOURCE","gcsSource":{"uri":"gs://example-archive/studies/2020/q**.dcm"}}}]}
=== stderr
7 jobs for 66 objects (40.9 MiB); lower bound 2, prefix-cut plan 7
=== exit
0
