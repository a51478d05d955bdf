=== args
ls
--json=yes
--listing
@DATA@/example/listing.jsonl
gs://example-archive/**
=== stdout
=== stderr
gcsplan ls: --json takes no value
Try 'gcsplan ls --help'.
=== exit
2
