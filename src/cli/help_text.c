/* The help of every subcommand. This file is the single source of both
 * `--help` and the man page (`gcsplan --man`, built into gcsplan.1). */
#include <string.h>

#include "cli.h"
#include "out.h"

const help_page cli_help_pages[] = {
    { NULL, "expand Cloud Storage wildcard URIs and plan Cloud Healthcare imports",
      "Usage: gcsplan COMMAND [OPTIONS] ...\n"
      "\n"
      "Commands:\n"
      "  check    validate import URIs\n"
      "  match    filter object names read from stdin through an import URI\n"
      "  ls       list the objects an import URI matches\n"
      "  preflight  report what will go wrong with an import, before it runs\n"
      "  plan     split an import into jobs, each its own import URI\n"
      "  verify   tell whether the objects of a plan's jobs changed since planning\n"
      "  report   one self-contained HTML page about a plan, for people\n"
      "\n"
      "Options:\n"
      "  -h, --help     show this help, or a command's with COMMAND --help\n"
      "  -V, --version  show the version\n"
      "\n"
      "A command's options may come before or after its operands; an option's\n"
      "value is the next argument or follows '=' (--max-bytes 500G,\n"
      "--max-bytes=500G); '--' ends the options. Options are spelled out in full.\n"
      "\n"
      "Import URIs are gs://BUCKET/OBJECT_PATTERN with three wildcards:\n"
      "  *    0 or more characters other than '/'\n"
      "  ?    exactly one character (one UTF-8 code point) other than '/'\n"
      "  **   0 or more characters including '/'; only at the end of the path,\n"
      "       optionally followed by a suffix without '/' (gs://b/dir/**.dcm),\n"
      "       and never together with '*' or '?'\n"
      "Every other character, '[' '{' '\\' included, is literal.\n"
      "\n"
      "Exit status:\n"
      "  0  success\n"
      "  1  no: an invalid URI for check; nothing matched for match, ls or\n"
      "     plan; a job changed for verify\n"
      "  2  usage error, or an invalid URI given to match, ls or plan; a plan\n"
      "     file verify or report cannot read\n"
      "  3  the source failed (network, credentials, HTTP error after retries,\n"
      "     malformed listing file, I/O error, a failed write to stdout), or no\n"
      "     plan exists\n"
      "A reader that closes the pipe (gcsplan ls ... | head) is not an error.\n"
      "Names, URIs and messages from outside are escaped on a terminal\n"
      "(\\xNN, \\u{XXXX}); pipes and files get the bytes as they are.\n" },
    { "check", "validate import URIs",
      "Usage: gcsplan check [--json] URI...\n"
      "\n"
      "Validate each URI as dicomStores.import and fhirStores.import define\n"
      "gcsSource.uri. A valid URI prints one line on stdout describing it;\n"
      "errors and warnings go to stderr with the URI, a caret line under the\n"
      "offending bytes and, where one is obvious, a corrected URI.\n"
      "\n"
      "Options:\n"
      "  --json      one JSON object per URI per line on stdout, instead:\n"
      "              {\"uri\", \"valid\", \"error\": {\"code\", \"message\", \"offset\",\n"
      "              \"length\", \"hint\"}, \"warnings\": [...], ...}\n"
      "  -h, --help  show this help\n"
      "\n"
      "Exit status: 0 when every URI is valid (warnings allowed), 1 when one\n"
      "is not, 2 on a usage error.\n" },
    { "match", "filter object names through an import URI",
      "Usage: gcsplan match [-0] URI\n"
      "\n"
      "Read object names from stdin, one per line, and write those URI\n"
      "matches to stdout, in input order. Names are compared byte for byte;\n"
      "lines that cannot be object names (empty, over 1024 bytes, '.', '..')\n"
      "never match. Memory use is constant whatever the input size.\n"
      "\n"
      "Options:\n"
      "  -0, --null  names are separated by NUL bytes, in and out\n"
      "  -h, --help  show this help\n"
      "\n"
      "Exit status: 0 when a name matched, 1 when none did, 2 on a usage error\n"
      "or an invalid URI, 3 on a read or write error.\n" },
    { "ls", "list the objects an import URI matches",
      "Usage: gcsplan ls [--json] [SOURCE] [OPTIONS] URI\n"
      "\n"
      "List the objects URI matches, in byte order of name: one name per line,\n"
      "or with --json one {\"name\", \"size\", \"generation\"} object per line.\n"
      "On a terminal each name is escaped (\\xNN for control bytes); a pipe,\n"
      "a file and -0 get the names' bytes as they are.\n"
      "\n"
      "Source (default: live Cloud Storage):\n"
      "  --endpoint URL       the JSON API at URL, without credentials (also\n"
      "                       $STORAGE_EMULATOR_HOST, host:port or URL)\n"
      "  --listing FILE       a JSON Lines listing ({\"name\", \"size\"} per line) or\n"
      "                       an inventory report CSV; - is stdin\n"
      "  --bucket-dir DIR     a local directory as the bucket's contents\n"
      "\n"
      "Options:\n"
      "  --json               JSON Lines output\n"
      "  -0, --null           NUL-separated names\n"
      "  --exclude REGEX      drop objects whose whole name REGEX matches (PCRE2;\n"
      "                       repeatable)\n"
      "  --explain            show on stderr how the objects are listed, and the\n"
      "                       requests it took\n"
      "  --strategy S         auto (default), flat or walk\n"
      "  --parallel N         concurrent requests (default 16)\n"
      "  --page-size N        objects per page, 1 to 1000 (default 1000)\n"
      "  --retries N          retries of a failed request (default 8)\n"
      "  --retry-base-ms N    first backoff (default 250), doubling up to\n"
      "  --retry-max-ms N     (default 32000); a Retry-After is honoured\n"
      "  --timeout SECONDS    per request (default 60)\n"
      "  --progress, --no-progress\n"
      "                       a status line on stderr (default: on a terminal)\n"
      "  -h, --help           show this help\n"
      "\n"
      "Pre-flight: after a complete listing, findings (gcsplan preflight --help)\n"
      "go to stderr, so stdout stays the listing; nothing when there are none.\n"
      "  --no-preflight       no findings\n"
      "  --probe, --max-object-size SIZE, --probe-parallel N, --examples N,\n"
      "  --max-examined N     as for gcsplan preflight\n"
      "  --fail-on LEVEL      exit 1 when a finding is at LEVEL or above\n"
      "                       (default none: the exit status is the listing's)\n"
      "\n"
      "Credentials, for live Cloud Storage: $CLOUDSDK_AUTH_ACCESS_TOKEN_FILE,\n"
      "$GOOGLE_OAUTH_ACCESS_TOKEN, then Application Default Credentials\n"
      "($GOOGLE_APPLICATION_CREDENTIALS, gcloud's ADC file, the metadata server).\n"
      "\n"
      "Exit status: 0 when an object matched, 1 when none did, 2 on a usage\n"
      "error or an invalid URI, 3 when the source failed (the output is then\n"
      "incomplete).\n" },
    { "plan", "split an import into jobs, each its own import URI",
      "Usage: gcsplan plan [--json] [SOURCE] [--max-objects N] [--max-bytes SIZE]\n"
      "                    [--max-jobs N] [OPTIONS] URI\n"
      "\n"
      "Split the objects URI matches into import jobs: each job is a valid\n"
      "import URI that specialises URI (a longer prefix before '**', a '*' or\n"
      "'?' segment pinned to a directory, the last segment narrowed to a\n"
      "longer head, or one object's name), the jobs match every object exactly\n"
      "once, and each stays within the limits. The plan is checked against\n"
      "the listing before it is printed.\n"
      "\n"
      "Limits:\n"
      "  --max-objects N      objects per job\n"
      "  --max-bytes SIZE     bytes per job; SIZE is bytes or a number with K, M,\n"
      "                       G or T (powers of 1024), e.g. 500G\n"
      "  --max-jobs N         at most N jobs, the largest as small as possible\n"
      "\n"
      "Output (stdout; a summary with the lower bound goes to stderr):\n"
      "  (default)            a table: objects, bytes, largest object, URI\n"
      "  --json               one JSON document (SPEC section 4), with each job's\n"
      "                       first and last object and its request body, the\n"
      "                       pre-flight findings and the prefix summary that\n"
      "                       'gcsplan report' draws\n"
      "  --format=html        the page 'gcsplan report' makes of that document\n"
      "                       (not onto a terminal: use -o or redirect stdout)\n"
      "  --format=gcloud      one 'gcloud healthcare dicom-stores import gcs'\n"
      "                       (or fhir-stores) command per job; needs --store\n"
      "  --format=curl        one curl POST to the :import method per job;\n"
      "                       needs --store\n"
      "  --store projects/P/locations/L/datasets/D/dicomStores/S\n"
      "  --store projects/P/locations/L/datasets/D/fhirStores/S\n"
      "                       the store to import into; --json records it\n"
      "  --content-structure CS\n"
      "                       FHIR stores only: BUNDLE, RESOURCE, BUNDLE_PRETTY\n"
      "                       or RESOURCE_PRETTY (the API's default is BUNDLE)\n"
      "  --api-endpoint URL   for --format=curl (default\n"
      "                       https://healthcare.googleapis.com/)\n"
      "  -o, --output FILE    write the output to FILE (whole, or not at all)\n"
      "                       instead of stdout\n"
      "  --summary-nodes N    the prefix summary's detail: at most N nodes, 16 to\n"
      "                       100000 (default 2000)\n"
      "  --no-summary         leave the prefix summary out of --json and\n"
      "                       --format=html\n"
      "\n"
      "SOURCE and the listing options are those of gcsplan ls (--listing,\n"
      "--bucket-dir, --endpoint, --exclude, --parallel, ...). With --exclude,\n"
      "no job matches an excluded object.\n"
      "\n"
      "Exit status: 0 with a plan, 1 when nothing matched, 2 on a usage error\n"
      "or an invalid URI, 3 when the source failed, no plan exists (an excluded\n"
      "object no job can keep out; sizes totalling over 2^64-1) or the plan\n"
      "failed its check.\n" },
    { "verify", "tell whether the objects of a plan's jobs changed since planning",
      "Usage: gcsplan verify [--json] PLAN.json [SOURCE] [OPTIONS]\n"
      "\n"
      "Read a plan written by 'gcsplan plan --json' (PLAN.json, or - for stdin)\n"
      "and judge every job URI again against the objects there are now: its\n"
      "object count, bytes and digest (the name, size and generation of each\n"
      "object) against the plan's. The plan's own URI is listed once for all\n"
      "jobs, which also finds new objects that no job covers. The plan is read\n"
      "as a stream: at most 1 GiB, 16777216 jobs, 32 levels of nesting.\n"
      "\n"
      "Output (stdout): one line per changed job and one for uncovered objects\n"
      "  job N URI: objects 4 -> 5, bytes 4100 -> 5230\n"
      "  job N URI: contents changed       same count and bytes, other objects\n"
      "                                    or generations\n"
      "  uncovered URI: 2 object(s), 300 bytes, that no job matches: 'a', 'b'\n"
      "A job also reports excluded objects it now matches (an import takes\n"
      "them) and objects another job matches too.\n"
      "  --json               one JSON object per line instead: {\"kind\": \"job\",\n"
      "                       \"job\", \"uri\", \"changes\", \"planned\", \"now\"} or\n"
      "                       {\"kind\": \"uncovered\", \"uri\", \"objects\", \"bytes\",\n"
      "                       \"examples\"}\n"
      "A summary goes to stderr.\n"
      "\n"
      "SOURCE and the listing options are those of gcsplan ls (--listing,\n"
      "--bucket-dir, --endpoint, --parallel, ...). Give the --exclude options the\n"
      "plan was made with: excluded objects are then not reported as uncovered.\n"
      "\n"
      "Exit status: 0 when nothing changed, 1 when a job changed or an object\n"
      "is uncovered, 2 on a usage error or a malformed plan file, 3 when the\n"
      "source failed (nothing is reported then).\n" },
    { "preflight", "report what will go wrong with an import, before it runs",
      "Usage: gcsplan preflight [--json] [SOURCE] [OPTIONS] URI\n"
      "\n"
      "List the objects URI matches and print only the findings about them:\n"
      "each with a severity (error, warning, info), a stable code, the number\n"
      "of objects involved, a few examples and, where one applies, a corrected\n"
      "URI as hint.\n"
      "\n"
      "  nothing matched: the neighbourhood of the URI (the folder above its\n"
      "    literal prefix, or the bucket) is listed and the near misses shown:\n"
      "    case-mismatch, unicode-normalization, star-crosses-slash,\n"
      "    other-extension, empty-prefix, empty-bucket\n"
      "  suspicious matches: zero-byte, folder-placeholder, over-size-limit,\n"
      "    wildcard-in-name, space-edge-name, control-char-name, non-dicom-name\n"
      "  --probe: not-dicom (no \"DICM\" at byte 128), probe-failed,\n"
      "    probe-unavailable (a listing file has no contents)\n"
      "  --store: a sample of the objects read (FHIR: not-fhir,\n"
      "    fhir-content-structure, fhir-bundle-as-resource, fhir-missing-id;\n"
      "    DICOM: not-dicom), and whether the Cloud Healthcare Service Agent may\n"
      "    read the bucket (agent-no-access, agent-access-conditional,\n"
      "    agent-access-undecided, access-unchecked)\n"
      "\n"
      "Options:\n"
      "  --json               one JSON document instead of text\n"
      "  --probe              read the first 132 bytes of every matched object\n"
      "                       (ranged GETs live, the files of --bucket-dir)\n"
      "  --probe-parallel N   concurrent probe requests (default 128)\n"
      "  --max-object-size SIZE\n"
      "                       report objects larger than SIZE (bytes, or K, M, G,\n"
      "                       T: powers of 1024); no limit by default\n"
      "  --examples N         example names per finding (default 5, at most 32)\n"
      "  --max-examined N     objects the nothing-matched analysis reads\n"
      "                       (default 100000)\n"
      "  --fail-on LEVEL      exit 1 when a finding is at LEVEL or above: none,\n"
      "                       info, warning or error (default error)\n"
      "  --progress, --no-progress\n"
      "                       status lines on stderr (default: on a terminal)\n"
      "  -h, --help           show this help\n"
      "\n"
      "Store checks (with --store):\n"
      "  --store STORE        the DICOM or FHIR store the objects are for:\n"
      "                       projects/P/locations/L/datasets/D/dicomStores/S or\n"
      "                       .../fhirStores/S\n"
      "  --content-structure CS\n"
      "                       FHIR: BUNDLE (default), RESOURCE, BUNDLE_PRETTY or\n"
      "                       RESOURCE_PRETTY, as the import will be told\n"
      "  --project-number N   the store's project number (default: asked of\n"
      "                       Resource Manager)\n"
      "  --sample N           objects whose first bytes are read (default 20, at\n"
      "                       most 256), spread over the listing; 4 KiB each for\n"
      "                       FHIR, 132 bytes for DICOM (--probe reads every one)\n"
      "The access check reads the bucket's IAM policy, its project's (Resource\n"
      "Manager) and the roles IAM knows, with the credentials of a live listing;\n"
      "a policy or project the caller may not read is a finding, not a failure.\n"
      "Resource Manager and IAM are Google's unless\n"
      "$CLOUDSDK_API_ENDPOINT_OVERRIDES_CLOUDRESOURCEMANAGER and\n"
      "$CLOUDSDK_API_ENDPOINT_OVERRIDES_IAM name others (https, or http to this\n"
      "machine).\n"
      "\n"
      "SOURCE and the listing options are those of gcsplan ls (--listing,\n"
      "--bucket-dir, --endpoint, --exclude, --parallel, --retries, ...).\n"
      "\n"
      "Exit status: 0 when no finding reaches --fail-on, 1 when one does (so\n"
      "nothing matched is 1), 2 on a usage error or an invalid URI, 3 when the\n"
      "source or the probe's transport failed, or the access check could not\n"
      "run (no findings are printed then).\n" },
    { "report", "one self-contained HTML page about a plan, for people",
      "Usage: gcsplan report [-o FILE] [--title TEXT] PLAN.json\n"
      "\n"
      "Make one HTML page of a plan written by 'gcsplan plan --json' (PLAN.json,\n"
      "or - for stdin), to open in a browser or attach to a ticket: the URI,\n"
      "store, totals, limits and the job count beside the lower bound; a\n"
      "treemap of where the bytes are, by path prefix, coloured by job; one\n"
      "row per job with bars against the limits; the object sizes; the\n"
      "pre-flight findings with examples and corrected URIs. The page is made\n"
      "from the plan file alone (its \"summary\" and \"preflight\"), never from a\n"
      "second listing; a plan made with --no-summary has a note instead of the\n"
      "treemap. It is one file: inline CSS and SVG, a few lines of optional\n"
      "script, no request of any kind; it reads the same with scripts off.\n"
      "\n"
      "Options:\n"
      "  -o, --output FILE    write the page to FILE (whole, or not at all); -\n"
      "                       is stdout. Without -o, stdout must not be a\n"
      "                       terminal.\n"
      "  --title TEXT         the page's heading (default: Import plan)\n"
      "  -h, --help           show this help\n"
      "\n"
      "The page shows when it was made, and the plan file's modification time\n"
      "as when the plan was made. With $SOURCE_DATE_EPOCH (seconds) the page\n"
      "takes that time instead and no later file time, so the same plan makes\n"
      "the same page byte for byte; 0 leaves the times out.\n"
      "\n"
      "Exit status: 0 with a page, 2 on a usage error or a plan file that\n"
      "cannot be read, is not a plan or has a broken summary or pre-flight, 3\n"
      "when the page cannot be written.\n" },
    { NULL, NULL, NULL },
};

const help_page *cli_help(const char *name)
{
    if (name == NULL)
        return &cli_help_pages[0];
    for (const help_page *p = &cli_help_pages[1]; p->text != NULL; p++)
        if (strcmp(p->name, name) == 0)
            return p;
    return NULL;
}

void cli_print_help(const char *name)
{
    const help_page *p = cli_help(name);
    out_puts(p ? p->text : cli_help_pages[0].text);
}

/* Preformatted troff: escape backslashes and keep a leading '.' or '\'' from
 * being read as a request. */
static void man_block(const char *text)
{
    out_puts(".nf\n");
    int bol = 1;
    for (const char *s = text; *s; s++) {
        if (bol && (*s == '.' || *s == '\''))
            out_puts("\\&");
        if (*s == '\\')
            out_puts("\\e");
        else if (*s == '-')
            out_puts("\\-");
        else
            out_write(out_stdout(), s, 1);
        bol = *s == '\n';
    }
    out_puts(".fi\n");
}

void cli_print_man(void)
{
    out_printf(".TH GCSPLAN 1 \"\" \"gcsplan %s\" \"User Commands\"\n", gcsplan_version());
    out_printf(".SH NAME\ngcsplan \\- %s\n", cli_help_pages[0].summary);
    out_puts(".SH SYNOPSIS\n");
    man_block(cli_help_pages[0].text);
    for (const help_page *p = &cli_help_pages[1]; p->text != NULL; p++) {
        out_printf(".SH \"GCSPLAN %s\"\n", p->name);
        out_printf("%s\n.PP\n", p->summary);
        man_block(p->text);
    }
    out_puts(".SH SEE ALSO\nThe documents in docs/ of the gcsplan sources.\n");
}
