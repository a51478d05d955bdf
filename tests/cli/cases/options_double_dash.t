=== args
check
--
--json
-x
=== stdout
=== stderr
error[scheme] at byte 0: an import URI starts with 'gs://'
  --json
  ^
error[scheme] at byte 0: an import URI starts with 'gs://'
  -x
  ^
=== exit
1
