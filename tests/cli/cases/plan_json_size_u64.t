=== args
plan
--json
--no-preflight
--listing
@DATA@/cli/u64.jsonl
gs://bkt/big/b
=== stdout
{"uri":"gs://bkt/big/b","objects":1,"bytes":18446744073709551615,"limits":{"max_objects":null,"max_bytes":null,"max_jobs":null},"excluded":0,"lower_bound":1,"prefix_cut_jobs":1,"jobs":[{"uri":"gs://bkt/big/b","objects":1,"bytes":18446744073709551615,"largest":18446744073709551615,"first":"big/b","last":"big/b","digest":"d36f83a51bf44199","request":{"gcsSource":{"uri":"gs://bkt/big/b"}}}],"summary":{"version":1,"max_nodes":2000,"objects":1,"bytes":18446744073709551615,"jobs":1,"histogram":[[64,1,18446744073709551615]],"nodes":[{"kind":"folder","name":"big/","objects":1,"bytes":18446744073709551615,"jobs":[0,0],"children":1},{"kind":"object","name":"b","objects":1,"bytes":18446744073709551615,"jobs":[0,0]}]}}
=== stderr
1 jobs for 1 objects (16.0 EiB); lower bound 1, prefix-cut plan 1
=== exit
0
