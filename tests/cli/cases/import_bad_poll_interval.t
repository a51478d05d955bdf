=== args
import
--poll-interval
1.5s
@DATA@/import/plan.json
=== stdout
=== stderr
gcsplan import: --poll-interval needs seconds from 0 to 3600 (2, 0.5), not '1.5s'
Try 'gcsplan import --help'.
=== exit
2
