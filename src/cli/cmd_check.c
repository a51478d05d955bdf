/* gcsplan check: validate import URIs. */
#include <string.h>

#include "cli.h"
#include "json_out.h"
#include "opts.h"
#include "out.h"

static const char *kind_name(gcsplan_pattern_kind k)
{
    switch (k) {
    case GCSPLAN_PATTERN_LITERAL: return "literal";
    case GCSPLAN_PATTERN_RECURSIVE: return "recursive";
    default: return "segmented";
    }
}

static void print_json(yajl_gen g, const char *uri, size_t len, const gcsplan_pattern *p,
                       const gcsplan_error *err)
{
    yajl_gen_map_open(g);
    json_key(g, "uri");
    json_str(g, uri, len);
    json_key(g, "valid");
    yajl_gen_bool(g, p != NULL);
    if (p != NULL) {
        size_t n;
        const char *s;
        json_key(g, "bucket");
        json_cstr(g, gcsplan_pattern_bucket(p));
        json_key(g, "kind");
        json_cstr(g, kind_name(gcsplan_pattern_kind_of(p)));
        s = gcsplan_pattern_prefix(p, &n);
        json_key(g, "prefix");
        json_str(g, s, n);
        if (gcsplan_pattern_kind_of(p) == GCSPLAN_PATTERN_RECURSIVE) {
            s = gcsplan_pattern_suffix(p, &n);
            json_key(g, "suffix");
            json_str(g, s, n);
        }
        json_key(g, "min_length");
        json_u64(g, gcsplan_pattern_min_length(p));
    } else {
        json_error(g, err);
    }
    json_warnings(g, p);
    yajl_gen_map_close(g);
    json_line(g);
}

/* The URI and the parts of it quoted here come from the command line: a
 * report for people, so escaped. */
static void print_human(const char *uri, size_t len, const gcsplan_pattern *p,
                        const gcsplan_error *err)
{
    if (p == NULL) {
        diag_uri_error(uri, len, err);
        return;
    }
    for (size_t i = 0; i < gcsplan_pattern_warning_count(p); i++)
        diag_uri_warning(uri, len, gcsplan_pattern_warning(p, i));
    size_t plen, slen;
    const char *prefix = gcsplan_pattern_prefix(p, &plen);
    const char *suffix = gcsplan_pattern_suffix(p, &slen);
    out_text(uri, len);
    switch (gcsplan_pattern_kind_of(p)) {
    case GCSPLAN_PATTERN_LITERAL:
        out_puts(": valid: names one object\n");
        break;
    case GCSPLAN_PATTERN_RECURSIVE:
        out_puts(": valid: every object under \"");
        out_text(prefix, plen);
        out_puts("\" ending in \"");
        out_text(suffix, slen);
        out_puts("\"\n");
        break;
    default:
        out_printf(": valid: %zu segment(s) with wildcards within each, prefix \"",
                   gcsplan_pattern_segment_count(p));
        out_text(prefix, plen);
        out_puts("\"\n");
        break;
    }
}

int cmd_check(int argc, char **argv)
{
    int json = 0, status = EXIT_YES;
    cli_group groups[] = { CLI_JSON_GROUP(&json) };
    cli_operands uris;
    int rc = cli_parse("check", argc, argv, groups, CLI_GROUPS(groups), &uris);
    if (rc != CLI_PARSED)
        return cli_parse_status(rc);
    if (uris.n == 0) {
        cli_operands_free(&uris);
        return diag_usage("check", "at least one URI is required");
    }
    yajl_gen g = json ? json_open() : NULL;
    /* A reader that went away (| head) ends the checks: nobody reads them. */
    for (size_t i = 0; i < uris.n && !out_stopped(); i++) {
        const char *uri = uris.v[i];
        size_t len = strlen(uri);
        gcsplan_pattern *p = NULL;
        gcsplan_error err;
        int crc = gcsplan_pattern_compile(&p, uri, len, NULL, &err);
        if (crc == GCSPLAN_ENOMEM) {
            diag_error("out of memory");
            status = EXIT_SOURCE;
            break;
        }
        if (crc != 0)
            status = EXIT_NO;
        if (json)
            print_json(g, uri, len, p, &err);
        else
            print_human(uri, len, p, &err);
        gcsplan_pattern_free(p);
    }
    if (g != NULL)
        yajl_gen_free(g);
    cli_operands_free(&uris);
    return status;
}
