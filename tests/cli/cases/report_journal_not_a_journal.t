=== args
report
-o
/dev/null
@DATA@/import/plan.json
@DATA@/import/plan.json
=== stdout
=== stderr
gcsplan: error: @DATA@/import/plan.json: journal line 1: not the header of a gcsplan import journal (unknown key "objects")
=== exit
2
