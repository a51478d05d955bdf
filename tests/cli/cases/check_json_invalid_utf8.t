=== args
check
--json
gs://my-bucket/aÿb
=== stdout
{"uri":"gs://my-bucket/aï¿½b","valid":false,"error":{"code":"utf8","message":"invalid UTF-8: byte 0xFF","offset":16,"length":1},"warnings":[]}
=== exit
1
