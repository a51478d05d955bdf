=== args
preflight
--listing
@DATA@/preflight/nearmiss.jsonl
gs://bkt/studies/S9/*.dcm
=== stdout
error[nothing-matched]: gs://bkt/studies/S9/*.dcm matches no object
info[empty-prefix]: no object's name starts with 'studies/S9/'; the folder 'studies/' holds 6 objects, e.g.
    'studies/S1/series-1/IM-0001.dcm'
    'studies/S1/series-1/IM-0002.dcm'
    'studies/S1/series-1/IM-0003.dcm'
    'studies/S2/series-1/IM-0001.dcm'
    'studies/S2/series-1/IM-0002.dcm'
    ... and 1 more
  hint: gs://bkt/studies/**.dcm
preflight: 1 error, 0 warnings, 1 info; 0 objects matched, 6 nearby examined
=== stderr
=== exit
1
