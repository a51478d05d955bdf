=== args
plan
--listing
@DATA@/example/listing.jsonl
gs://example-archive/nothing/**
=== stdout
   job    objects       bytes     largest  uri
=== stderr
0 jobs for 0 objects (0 B); lower bound 0, prefix-cut plan 0
=== exit
1
