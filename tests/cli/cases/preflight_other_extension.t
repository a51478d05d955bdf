=== args
preflight
--listing
@DATA@/preflight/nearmiss.jsonl
gs://bkt/other/x/*.dcm
=== stdout
error[nothing-matched]: gs://bkt/other/x/*.dcm matches no object; 5 objects under 'other/x/' do not match it
info[other-extension]: 5 objects under 'other/x/' have another extension than '.dcm'
  kinds: .dicom 3, no extension 2
    'other/x/IM-0001.dicom'  (.dicom)
    'other/x/IM-0002.dicom'  (.dicom)
    'other/x/IM-0003.dicom'  (.dicom)
    'other/x/IM-0004'  (no extension)
    'other/x/README'  (no extension)
  hint: gs://bkt/other/x/*.dicom
preflight: 1 error, 0 warnings, 1 info; 0 objects matched, 5 nearby examined
=== stderr
=== exit
1
