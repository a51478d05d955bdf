=== args
report
--help
=== stdout
Usage: gcsplan report [-o FILE] [--title TEXT] PLAN.json [JOURNAL]

Make one HTML page of a plan written by 'gcsplan plan --json' (PLAN.json,
or - for stdin), to open in a browser or attach to a ticket: the URI,
store, totals, limits and the job count beside the lower bound; a
treemap of where the bytes are, by path prefix, coloured by job; one
row per job with bars against the limits; the object sizes; the
pre-flight findings with examples and corrected URIs. The page is made
from the plan file alone (its "summary" and "preflight"), never from a
second listing; a plan made with --no-summary has a note instead of the
treemap. It is one file: inline CSS and SVG, a few lines of optional
script, no request of any kind; it reads the same with scripts off.
With JOURNAL, the journal of 'gcsplan import PLAN.json', the page also
tells the run: jobs by state, objects imported and failed, lost
submissions, a timeline, and what to do next. A journal of another plan
is refused.

Options:
  -o, --output FILE    write the page to FILE (whole, or not at all); -
                       is stdout. Without -o, stdout must not be a
                       terminal.
  --title TEXT         the page's heading (default: Import plan)
  -h, --help           show this help

The page shows when it was made, and the plan file's modification time
as when the plan was made. With $SOURCE_DATE_EPOCH (seconds) the page
takes that time instead and no later file time, so the same plan makes
the same page byte for byte; 0 leaves the times out.

Exit status: 0 with a page, 2 on a usage error or a plan file that
cannot be read, is not a plan or has a broken summary or pre-flight, or
a journal that is another plan's or malformed, 3 when the page cannot
be written.
=== stderr
=== exit
0
