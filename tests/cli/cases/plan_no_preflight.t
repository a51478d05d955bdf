=== args
plan
--no-preflight
--listing
@DATA@/example/listing.jsonl
gs://example-archive/studies/2020/patient-0004/**
=== stdout
   job    objects       bytes     largest  uri
     1         16    10.9 MiB   927.5 KiB  gs://example-archive/studies/2020/patient-0004/**
=== stderr
1 jobs for 16 objects (10.9 MiB); lower bound 1, prefix-cut plan 1
=== exit
0
