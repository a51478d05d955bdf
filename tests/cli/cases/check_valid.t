=== args
check
gs://my-bucket/studies/**.dcm
gs://my-bucket/studies/*/series-?/*.dcm
gs://my-bucket/studies/a.dcm
=== stdout
gs://my-bucket/studies/**.dcm: valid: every object under "studies/" ending in ".dcm"
gs://my-bucket/studies/*/series-?/*.dcm: valid: 4 segment(s) with wildcards within each, prefix "studies/"
gs://my-bucket/studies/a.dcm: valid: names one object
=== stderr
=== exit
0
