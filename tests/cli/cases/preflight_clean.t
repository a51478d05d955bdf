=== args
preflight
--listing
-
--fail-on
info
gs://bkt/studies/*/series-1/*.dcm
=== stdin
{"name": "studies/S1/series-1/IM-0001.dcm", "size": "100138"}
{"name": "studies/S1/series-1/IM-0002.dcm", "size": "100275"}
{"name": "studies/S1/series-1/IM-0003.dcm", "size": "100412"}
{"name": "studies/S2/series-1/IM-0001.dcm", "size": "100139"}
{"name": "studies/S2/series-1/IM-0002.dcm", "size": "100276"}
{"name": "studies/S2/series-1/IM-0003.dcm", "size": "100413"}
=== stdout
=== stderr
=== exit
0
