=== args
preflight
--listing
@DATA@/preflight/nearmiss.jsonl
gs://bkt/patients/Müller/*.dcm
=== stdout
error[nothing-matched]: gs://bkt/patients/Müller/*.dcm matches no object
info[unicode-normalization]: 2 objects would match after Unicode normalisation (NFC/NFD): the names and the URI spell the same characters with different code points
    'patients/Müller/IM-0001.dcm'
    'patients/Müller/IM-0002.dcm'
  hint: gs://bkt/patients/Müller/*.dcm
preflight: 1 error, 0 warnings, 1 info; 0 objects matched, 2 nearby examined
=== stderr
=== exit
1
