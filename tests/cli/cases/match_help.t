=== args
match
--help
=== stderr
=== exit
0
