=== args
check
--help
=== stderr
=== exit
0
