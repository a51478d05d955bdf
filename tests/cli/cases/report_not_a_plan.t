=== args
report
-
=== stdin
{"uri": "gs://b/**", "jobs": [
=== stdout
=== stderr
gcsplan: error: -: not JSON at byte 31: parse error: premature EOF
=== exit
2
