=== args
import
--concurrency
0
@DATA@/import/plan.json
=== stdout
=== stderr
gcsplan import: --concurrency needs a number from 1 to 1000, not '0'
Try 'gcsplan import --help'.
=== exit
2
