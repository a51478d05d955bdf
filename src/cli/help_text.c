/* The help of every subcommand. This file is the single source of both
 * `--help` and the man page (`gcsplan --man`, built into gcsplan.1). */
#include <string.h>

#include "cli.h"

const help_page cli_help_pages[] = {
    { NULL, "expand Cloud Storage wildcard URIs and plan Cloud Healthcare imports",
      "Usage: gcsplan COMMAND [OPTIONS] ...\n"
      "\n"
      "Commands:\n"
      "  check    validate import URIs\n"
      "  match    filter object names read from stdin through an import URI\n"
      "  ls       list the objects an import URI matches\n"
      "\n"
      "Options:\n"
      "  -h, --help     show this help, or a command's with COMMAND --help\n"
      "  -V, --version  show the version\n"
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
      "  1  no: an invalid URI for check; nothing matched for match or ls\n"
      "  2  usage error, or an invalid URI given to match or ls\n"
      "  3  the source failed (network, credentials, HTTP error after retries,\n"
      "     malformed listing file, I/O error)\n" },
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
      "Credentials, for live Cloud Storage: $CLOUDSDK_AUTH_ACCESS_TOKEN_FILE,\n"
      "$GOOGLE_OAUTH_ACCESS_TOKEN, then Application Default Credentials\n"
      "($GOOGLE_APPLICATION_CREDENTIALS, gcloud's ADC file, the metadata server).\n"
      "\n"
      "Exit status: 0 when an object matched, 1 when none did, 2 on a usage\n"
      "error or an invalid URI, 3 when the source failed (the output is then\n"
      "incomplete).\n" },
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

void cli_print_help(FILE *f, const char *name)
{
    const help_page *p = cli_help(name);
    fputs(p ? p->text : cli_help_pages[0].text, f);
}

/* Preformatted troff: escape backslashes and keep a leading '.' or '\'' from
 * being read as a request. */
static void man_block(FILE *f, const char *text)
{
    fputs(".nf\n", f);
    int bol = 1;
    for (const char *s = text; *s; s++) {
        if (bol && (*s == '.' || *s == '\''))
            fputs("\\&", f);
        if (*s == '\\')
            fputs("\\e", f);
        else if (*s == '-')
            fputs("\\-", f);
        else
            fputc(*s, f);
        bol = *s == '\n';
    }
    fputs(".fi\n", f);
}

void cli_print_man(FILE *f)
{
    fprintf(f, ".TH GCSPLAN 1 \"\" \"gcsplan %s\" \"User Commands\"\n", gcsplan_version());
    fprintf(f, ".SH NAME\ngcsplan \\- %s\n", cli_help_pages[0].summary);
    fputs(".SH SYNOPSIS\n", f);
    man_block(f, cli_help_pages[0].text);
    for (const help_page *p = &cli_help_pages[1]; p->text != NULL; p++) {
        fprintf(f, ".SH \"GCSPLAN %s\"\n", p->name);
        fprintf(f, "%s\n.PP\n", p->summary);
        man_block(f, p->text);
    }
    fputs(".SH SEE ALSO\nThe documents in docs/ of the gcsplan sources.\n", f);
}
