=== args
report
-
=== stdin
{"uri":"gs://b/**","objects":1,"bytes":5,"jobs":[{"uri":"gs://b/x","objects":1,"bytes":5}],"preflight":{"findings":5}}
=== stdout
=== stderr
gcsplan: error: -: "preflight": pre-flight document: "findings" is an array
=== exit
2
