=== args
--version
=== stdout
gcsplan 0.1.0
=== stderr
=== exit
0
