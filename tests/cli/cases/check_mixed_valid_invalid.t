=== args
check
gs://my-bucket/a/*.dcm
GS://My-Bucket/a/*.dcm
=== stdout
gs://my-bucket/a/*.dcm: valid: 2 segment(s) with wildcards within each, prefix "a/"
=== stderr
error[scheme] at byte 0: the scheme is lowercase 'gs://'
  GS://My-Bucket/a/*.dcm
  ^^^^^
  hint: gs://my-bucket/a/*.dcm
=== exit
1
