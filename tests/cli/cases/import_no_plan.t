=== args
import
=== stdout
=== stderr
gcsplan import: a plan file is required (written by gcsplan plan --json)
Try 'gcsplan import --help'.
=== exit
2
