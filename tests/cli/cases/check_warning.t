=== args
check
gs://my-bucket/studies/
=== stdout
gs://my-bucket/studies/: valid: names one object
=== stderr
warning[trailing-slash] at byte 22: a URI without wildcards names one object: this is the folder placeholder 'studies/', not its contents
  gs://my-bucket/studies/
                        ^
  hint: gs://my-bucket/studies/**
=== exit
0
