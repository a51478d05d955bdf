=== args
plan
--listing
@DATA@/example/listing.jsonl
gs://example-archive/studies/*/x.dcm
=== stdout
=== stderr
gcsplan: error: plans are made for PREFIX**SUFFIX and literal URIs; gs://example-archive/studies/*/x.dcm has '*' or '?' within segments (list it with gcsplan ls)
=== exit
2
