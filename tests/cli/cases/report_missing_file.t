=== args
report
@DATA@/no-such-plan.json
=== stdout
=== stderr
gcsplan: error: @DATA@/no-such-plan.json: cannot open: No such file or directory
=== exit
2
