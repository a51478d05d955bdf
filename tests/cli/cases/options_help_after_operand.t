=== args
verify
plan.json
--bucket-dir
/nonexistent
-h
=== stdout
Usage: gcsplan verify [--json] PLAN.json [SOURCE] [OPTIONS]

Read a plan written by 'gcsplan plan --json' (PLAN.json, or - for stdin)
and judge every job URI again against the objects there are now: its
object count, bytes and digest (the name, size and generation of each
object) against the plan's. The plan's own URI is listed once for all
jobs, which also finds new objects that no job covers. The plan is read
as a stream: at most 1 GiB, 16777216 jobs, 32 levels of nesting.

Output (stdout): one line per changed job and one for uncovered objects
  job N URI: objects 4 -> 5, bytes 4100 -> 5230
  job N URI: contents changed       same count and bytes, other objects
                                    or generations
  uncovered URI: 2 object(s), 300 bytes, that no job matches: 'a', 'b'
A job also reports excluded objects it now matches (an import takes
them) and objects another job matches too.
  --json               one JSON object per line instead: {"kind": "job",
                       "job", "uri", "changes", "planned", "now"} or
                       {"kind": "uncovered", "uri", "objects", "bytes",
                       "examples"}
A summary goes to stderr.

SOURCE and the listing options are those of gcsplan ls (--listing,
--bucket-dir, --endpoint, --parallel, ...). Give the --exclude options the
plan was made with: excluded objects are then not reported as uncovered.

Exit status: 0 when nothing changed, 1 when a job changed or an object
is uncovered, 2 on a usage error or a malformed plan file, 3 when the
source failed (nothing is reported then).
=== stderr
=== exit
0
