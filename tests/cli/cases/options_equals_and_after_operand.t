=== args
ls
--no-preflight
gs://example-archive/studies/2020/odd names/*
--listing=@DATA@/example/listing.jsonl
--strategy=flat
=== stdout
studies/2020/odd names/scan #1 (copy).dcm
studies/2020/odd names/what*is?this.dcm
=== stderr
=== exit
0
