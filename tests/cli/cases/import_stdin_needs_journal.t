=== args
import
-
=== stdout
=== stderr
gcsplan import: a plan read from stdin needs --journal FILE
Try 'gcsplan import --help'.
=== exit
2
