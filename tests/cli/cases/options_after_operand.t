=== args
check
gs://bkt/a
--json
=== stdout
{"uri":"gs://bkt/a","valid":true,"bucket":"bkt","kind":"literal","prefix":"a","min_length":1,"warnings":[]}
=== stderr
=== exit
0
