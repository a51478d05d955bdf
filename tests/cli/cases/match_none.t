=== args
match
gs://my-bucket/a/*.dcm
=== stdin
b/x.dcm
=== stdout
=== stderr
=== exit
1
