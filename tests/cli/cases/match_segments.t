=== args
match
gs://my-bucket/s/*/series-?/*.dcm
=== stdin
s/1/series-4/IM-1.dcm
s/1/series-42/IM-1.dcm
s/1/2/series-4/IM-1.dcm
s//series-é/IM-1.dcm
s/1/series-4/sub/IM-1.dcm
=== stdout
s/1/series-4/IM-1.dcm
s//series-é/IM-1.dcm
=== exit
0
