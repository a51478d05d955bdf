=== args
ls
--listing
-
gs://bkt/studies/S1/*
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
studies/S1/
studies/S1/DICOMDIR
studies/S1/empty.dcm
studies/S1/huge.dcm
studies/S1/meta.json
studies/S1/notes.txt
studies/S1/what*is?this.dcm
=== stderr
warning[zero-byte]: 1 matched object is empty (0 bytes): an import cannot read such a file as DICOM
    'studies/S1/empty.dcm'
warning[folder-placeholder]: 1 folder placeholder matched (names ending in '/', made by consoles and sync tools): they are not files
    'studies/S1/'
warning[wildcard-in-name]: 1 name holds a literal '*' or '?': no import URI can name such an object alone, and a URI written for it matches others too
    'studies/S1/what*is?this.dcm'
warning[non-dicom-name]: 3 matched names look like non-DICOM files: the URI does not pin an extension
  kinds: .json 1, .txt 1, DICOMDIR 1
    'studies/S1/DICOMDIR'  (DICOMDIR)
    'studies/S1/meta.json'  (.json)
    'studies/S1/notes.txt'  (.txt)
preflight: 0 errors, 4 warnings, 0 info; 7 objects matched
=== exit
0
