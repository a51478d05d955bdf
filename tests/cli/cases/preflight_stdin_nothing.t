=== args
preflight
--listing
-
gs://bkt/studies/*.DCM
=== stdin
{"name": "studies/S1/series-1/IM-0001.dcm", "size": "100138"}
{"name": "studies/S1/series-1/IM-0002.dcm", "size": "100275"}
{"name": "studies/S1/series-1/IM-0003.dcm", "size": "100412"}
{"name": "studies/S2/series-1/IM-0001.dcm", "size": "100139"}
{"name": "studies/S2/series-1/IM-0002.dcm", "size": "100276"}
{"name": "studies/S2/series-1/IM-0003.dcm", "size": "100413"}
=== stdout
error[nothing-matched]: gs://bkt/studies/*.DCM matches no object (the listing came from standard input, which cannot be read again to look for near misses)
preflight: 1 error, 0 warnings, 0 info; 0 objects matched
=== stderr
=== exit
1
