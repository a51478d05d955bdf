=== args
import
--journal
/dev/null
-
=== stdin
{"uri":"gs://b/**","objects":1}
=== stdout
=== stderr
gcsplan: error: -: "bytes" is missing
=== exit
2
