=== args
=== stdout
=== exit
2
