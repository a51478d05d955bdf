=== args
import
--journal
@DATA@/import/other.journal
@DATA@/import/plan.json
=== stdout
=== stderr
gcsplan: error: @DATA@/import/other.journal: journal line 1: the journal of another plan (plan digest aa4adc5cd96ee143, 3 jobs; this plan's is 399296a5f4365ccd, 2 jobs)
=== exit
2
