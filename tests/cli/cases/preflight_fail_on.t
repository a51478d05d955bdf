=== args
preflight
--listing
-
--fail-on
warning
--examples
1
gs://bkt/studies/S2/**.dcm
=== stdin
{"name": "studies/S1/", "size": "0"}
{"name": "studies/S1/DICOMDIR", "size": "4096"}
{"name": "studies/S1/empty.dcm", "size": "0"}
{"name": "studies/S1/huge.dcm", "size": "6442450944"}
{"name": "studies/S1/meta.json", "size": "120"}
{"name": "studies/S1/notes.txt", "size": "120"}
{"name": "studies/S1/series-1/IM-0001.dcm", "size": "100138"}
{"name": "studies/S1/series-1/IM-0002.dcm", "size": "100275"}
{"name": "studies/S1/series-1/IM-0003.dcm", "size": "100412"}
{"name": "studies/S1/what*is?this.dcm", "size": "1000"}
{"name": "studies/S2 /IM-0001.dcm", "size": "1000"}
{"name": "studies/S2/", "size": "0"}
{"name": "studies/S2/ leading.dcm", "size": "1000"}
{"name": "studies/S2/IM-0001.dcm.gz", "size": "5000"}
{"name": "studies/S2/bell\u0007.dcm", "size": "1000"}
{"name": "studies/S2/export.zip", "size": "99999"}
{"name": "studies/S2/series-1/IM-0001.dcm", "size": "100139"}
{"name": "studies/S2/series-1/IM-0002.dcm", "size": "100276"}
{"name": "studies/S2/series-1/IM-0003.dcm", "size": "100413"}
{"name": "studies/S2/tab\there.dcm", "size": "1000"}
{"name": "studies/S2/trailing.dcm ", "size": "1000"}
=== stdout
warning[space-edge-name]: 1 name has white space at the start or end of a folder or file name: easy to lose when a URI is copied
    'studies/S2/ leading.dcm'
warning[control-char-name]: 2 names hold control characters or bytes that are not UTF-8
    'studies/S2/bell\x07.dcm'
    ... and 1 more
preflight: 0 errors, 2 warnings, 0 info; 6 objects matched
=== stderr
=== exit
1
