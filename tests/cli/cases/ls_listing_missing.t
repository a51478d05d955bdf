=== args
ls
--listing
@DATA@/nope.jsonl
gs://example-archive/**
=== stdout
=== stderr
gcsplan: error: @DATA@/nope.jsonl: cannot open: No such file or directory (the listing is incomplete)
=== exit
3
