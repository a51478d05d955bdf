=== args
preflight
--listing
@DATA@/preflight/nearmiss.jsonl
gs://bkt/deep/*/*.dcm
=== stdout
error[nothing-matched]: gs://bkt/deep/*/*.dcm matches no object; 3 objects under 'deep/' do not match it
info[star-crosses-slash]: 3 objects would match if '*' crossed '/': they sit in deeper folders; '**' crosses folders
    'deep/2020/p1/IM-0001.dcm'
    'deep/2020/p2/IM-0002.dcm'
    'deep/2021/p1/s1/IM-0003.dcm'
  hint: gs://bkt/deep/**.dcm
preflight: 1 error, 0 warnings, 1 info; 0 objects matched, 19 nearby examined
=== stderr
=== exit
1
