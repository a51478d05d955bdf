=== args
preflight
--listing
@DATA@/preflight/empty.jsonl
gs://bkt/studies/**.dcm
=== stdout
error[nothing-matched]: gs://bkt/studies/**.dcm matches no object
info[empty-bucket]: the bucket bkt holds no object at all
preflight: 1 error, 0 warnings, 1 info; 0 objects matched
=== stderr
=== exit
1
