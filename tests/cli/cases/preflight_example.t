=== args
preflight
--listing
@DATA@/example/listing.jsonl
gs://example-archive/**
=== stdout
warning[zero-byte]: 1 matched object is empty (0 bytes): an import cannot read such a file as DICOM
    'studies/2020/patient-0004/series-2/empty.dcm'
warning[folder-placeholder]: 1 folder placeholder matched (names ending in '/', made by consoles and sync tools): they are not files
    'studies/'
warning[wildcard-in-name]: 1 name holds a literal '*' or '?': no import URI can name such an object alone, and a URI written for it matches others too
    'studies/2020/odd names/what*is?this.dcm'
warning[non-dicom-name]: 4 matched names look like non-DICOM files: the URI does not pin an extension
  kinds: .txt 2, .bak 1, DICOMDIR 1
    'README.txt'  (.txt)
    'studies/2019/patient-0001/DICOMDIR'  (DICOMDIR)
    'studies/2019/patient-0002/series-1/IM-0001-0001.dcm.bak'  (.bak)
    'studies/2020/patient-0003/notes.txt'  (.txt)
preflight: 0 errors, 4 warnings, 0 info; 132 objects matched
=== stderr
=== exit
0
