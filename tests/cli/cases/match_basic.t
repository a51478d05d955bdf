=== args
match
gs://my-bucket/studies/**.dcm
=== stdin
studies/a.dcm
studies/x/y/b.dcm
studies/c.dcm.bak
other/d.dcm

studies/.dcm
studies/é/ü.dcm
=== stdout
studies/a.dcm
studies/x/y/b.dcm
studies/.dcm
studies/é/ü.dcm
=== stderr
=== exit
0
