=== args
report
-
=== stdin
{"uri":"gs://b/**","objects":1,"bytes":5,"jobs":[{"uri":"gs://b/x","objects":1,"bytes":5}],"summary":{"version":1,"max_nodes":16,"objects":2,"bytes":5,"jobs":1,"nodes":[{"kind":"folder","name":"","objects":2,"bytes":5,"jobs":[0,0],"children":1},{"kind":"object","name":"x","objects":1,"bytes":5,"jobs":[0,0]}]}}
=== stdout
=== stderr
gcsplan: error: -: "summary": a folder's objects, bytes or jobs are not its children's
=== exit
2
