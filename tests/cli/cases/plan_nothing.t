=== args
plan
--listing
@DATA@/example/listing.jsonl
gs://example-archive/nothing/**
=== stdout
   job    objects       bytes     largest  uri
=== stderr
error[nothing-matched]: gs://example-archive/nothing/** matches no object
info[empty-prefix]: no object's name starts with 'nothing/'; the bucket holds 132 other objects, e.g.
    'README.txt'
    'studies/'
    'studies/2019/patient-0001/DICOMDIR'
    'studies/2019/patient-0001/series-1/IM-0001-0001.dcm'
    'studies/2019/patient-0001/series-1/IM-0001-0002.dcm'
    ... and 127 more
  hint: gs://example-archive/**
preflight: 1 error, 0 warnings, 1 info; 0 objects matched, 132 nearby examined
0 jobs for 0 objects (0 B); lower bound 0, prefix-cut plan 0
=== exit
1
