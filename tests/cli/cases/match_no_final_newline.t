=== args
match
gs://my-bucket/a/*
=== stdin
a/x
a/y
=== stdout
a/x
a/y
=== exit
0
