/* gcsplan check: validate import URIs. */
#include <string.h>

#include "cli.h"

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
        json_int(g, (long long)gcsplan_pattern_min_length(p));
    } else {
        json_error(g, err);
    }
    json_warnings(g, p);
    yajl_gen_map_close(g);
    json_line(g, stdout);
}

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
    switch (gcsplan_pattern_kind_of(p)) {
    case GCSPLAN_PATTERN_LITERAL:
        printf("%s: valid: names one object\n", uri);
        break;
    case GCSPLAN_PATTERN_RECURSIVE:
        printf("%s: valid: every object under \"%.*s\" ending in \"%.*s\"\n", uri, (int)plen,
               prefix, (int)slen, suffix);
        break;
    default:
        printf("%s: valid: %zu segment(s) with wildcards within each, prefix \"%.*s\"\n", uri,
               gcsplan_pattern_segment_count(p), (int)plen, prefix);
        break;
    }
}

int cmd_check(int argc, char **argv)
{
    int json = 0, first = 0, status = EXIT_YES, opts = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (opts && strcmp(a, "--") == 0) {
            opts = 0;
        } else if (opts && strcmp(a, "--json") == 0) {
            json = 1;
        } else if (opts && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
            cli_print_help(stdout, "check");
            return EXIT_YES;
        } else if (opts && a[0] == '-' && a[1] != '\0') {
            return diag_usage("check", "unknown option '%s'", a);
        } else if (first == 0) {
            first = i;
        }
    }
    if (first == 0)
        return diag_usage("check", "at least one URI is required");

    yajl_gen g = json ? json_open(stdout) : NULL;
    opts = 1;
    for (int i = first; i < argc; i++) {
        const char *uri = argv[i];
        if (opts && strcmp(uri, "--") == 0) {
            opts = 0;
            continue;
        }
        if (opts && strcmp(uri, "--json") == 0)
            continue;
        size_t len = strlen(uri);
        gcsplan_pattern *p = NULL;
        gcsplan_error err;
        int rc = gcsplan_pattern_compile(&p, uri, len, NULL, &err);
        if (rc == GCSPLAN_ENOMEM) {
            diag_error("out of memory");
            status = EXIT_SOURCE;
            break;
        }
        if (rc != 0)
            status = EXIT_NO;
        if (json)
            print_json(g, uri, len, p, &err);
        else
            print_human(uri, len, p, &err);
        gcsplan_pattern_free(p);
    }
    if (g != NULL)
        yajl_gen_free(g);
    if (fflush(stdout) != 0 && status == EXIT_YES)
        status = EXIT_SOURCE;
    return status;
}
