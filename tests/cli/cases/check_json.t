=== args
check
--json
gs://my-bucket/dir/**/*.dcm
gs://my-bucket/a[0]/*.dcm
gs://my-bucket/x/**.dcm
=== stdout
{"uri":"gs://my-bucket/dir/**/*.dcm","valid":false,"error":{"code":"recursive-not-last","message":"'**' must end the path: only a suffix without '/' may follow it","offset":21,"length":6,"hint":"gs://my-bucket/dir/**.dcm"},"warnings":[]}
{"uri":"gs://my-bucket/a[0]/*.dcm","valid":true,"bucket":"my-bucket","kind":"segmented","prefix":"a[0]/","min_length":9,"warnings":[{"code":"literal-meta","message":"'[' is an ordinary character here: import URIs have only '*', '**' and '?'","offset":16,"length":1}]}
{"uri":"gs://my-bucket/x/**.dcm","valid":true,"bucket":"my-bucket","kind":"recursive","prefix":"x/","suffix":".dcm","min_length":6,"warnings":[]}
=== stderr
=== exit
1
