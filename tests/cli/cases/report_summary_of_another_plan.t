=== args
report
-
=== stdin
{"uri":"gs://b/**","objects":1,"bytes":6,"jobs":[{"uri":"gs://b/x","objects":1,"bytes":6}],"summary":{"version":1,"max_nodes":16,"objects":1,"bytes":5,"jobs":1,"histogram":[[3,1,5]],"nodes":[{"kind":"folder","name":"","objects":1,"bytes":5,"jobs":[0,0],"children":1},{"kind":"object","name":"x","objects":1,"bytes":5,"jobs":[0,0]}]}}
=== stdout
=== stderr
gcsplan: error: -: "summary" counts 1 objects of 5 bytes, the plan 1 of 6: it is not this plan's
=== exit
2
