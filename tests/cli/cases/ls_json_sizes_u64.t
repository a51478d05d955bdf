=== args
ls
--json
--listing
@DATA@/cli/u64.jsonl
gs://bkt/big/**
=== stdout
{"name":"big/a","size":9223372036854775808}
{"name":"big/b","size":18446744073709551615}
{"name":"big/c","size":9223372036854775807}
{"name":"big/d","size":1}
=== stderr
=== exit
0
