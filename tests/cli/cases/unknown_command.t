=== args
frob
=== stdout
=== stderr
gcsplan: unknown command 'frob'
Try 'gcsplan --help'.
=== exit
2
