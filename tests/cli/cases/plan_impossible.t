=== args
plan
--no-preflight
--exclude
e/a\*c
--listing
@DATA@/cli/impossible.jsonl
gs://bkt/e/**
=== stdout
=== stderr
gcsplan: error: an excluded object cannot be kept out of the job for 'e/a': names below it hold '*', '?' or bytes no URI can name
=== exit
3
