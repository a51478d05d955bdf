=== args
plan
--no-preflight
--listing
@DATA@/cli/u64.jsonl
gs://bkt/big/?
=== stdout
=== stderr
gcsplan: error: the matched objects total more than 2^64-1 bytes
=== exit
3
