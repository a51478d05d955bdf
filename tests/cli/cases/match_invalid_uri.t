=== args
match
gs://my-bucket/a/***
=== stdin
a/x
=== stdout
=== stderr
error[triple-star] at byte 17: '***' is not a wildcard: use '*' within a segment or '**' at the end
  gs://my-bucket/a/***
                   ^^^
  hint: gs://my-bucket/a/**
=== exit
2
