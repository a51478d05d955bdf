=== args
ls
--no-preflight
--stall-timeout
1
--stall-bytes
1K
--listing
@DATA@/listings/listing.jsonl
gs://bkt/**
=== exit
0
