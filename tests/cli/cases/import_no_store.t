=== args
import
--journal
/dev/null
-
=== stdin
{"uri":"gs://b/**","objects":1,"bytes":6,"jobs":[{"uri":"gs://b/x","objects":1,"bytes":6}]}
=== stdout
=== stderr
gcsplan: error: no store: the plan names none (plan --store), and none was given
=== exit
2
