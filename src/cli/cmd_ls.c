/* gcsplan ls: the objects a URI matches, in byte order of name.
 * Phases: parse, open the source, list (printing as it goes), pre-flight. */
#include <string.h>

#include "cli.h"
#include "json_out.h"
#include "opts.h"
#include "out.h"
#include "preflight_args.h"
#include "source_args.h"

typedef struct ls_args {
    source_args src;
    preflight_args pfa;
    int json;
    char sep;
} ls_args;

/* CLI_PARSED, CLI_HELPED or CLI_BAD (opts.h). */
static int parse(ls_args *a, int argc, char **argv)
{
    cli_group groups[] = { SOURCE_GROUP(&a->src), PREFLIGHT_GROUP(&a->pfa),
                           CLI_JSON_GROUP(&a->json), CLI_NULL_GROUP(&a->sep) };
    cli_operands ops;
    int rc = cli_parse("ls", argc, argv, groups, CLI_GROUPS(groups), &ops);
    if (rc != CLI_PARSED)
        return rc;
    rc = source_args_uri(&a->src, "ls", &ops) == 0 ? CLI_PARSED : CLI_BAD;
    cli_operands_free(&ops);
    return rc;
}

static void print_json(yajl_gen g, const gcsplan_object *o)
{
    yajl_gen_map_open(g);
    json_key(g, "name");
    json_str(g, o->name, o->name_len);
    json_key(g, "size");
    json_u64(g, o->size);
    if (o->generation != 0) {
        json_key(g, "generation");
        json_int(g, (long long)o->generation);
    }
    yajl_gen_map_close(g);
    json_line(g);
}

/* Every object to stdout as it comes. Returns the lister's last code, and
 * in *n how many were printed. Stops early when the reader left. */
static int list(ls_args *a, gcsplan_lister *l, yajl_gen g, unsigned long long *n)
{
    const gcsplan_object *o;
    int rc = 0;
    *n = 0;
    while (!out_stopped() && (rc = gcsplan_lister_next(&o, l)) == 0) {
        ++*n;
        preflight_args_add(&a->pfa, o);
        if (g == NULL)
            out_record(out_stdout(), o->name, o->name_len, a->sep);
        else
            print_json(g, o);
    }
    return rc;
}

int cmd_ls(int argc, char **argv)
{
    ls_args a;
    gcsplan_pattern *p = NULL;
    gcsplan_lister *l = NULL;
    yajl_gen g = NULL;
    memset(&a, 0, sizeof a);
    a.sep = '\n';
    source_args_init(&a.src);
    preflight_args_init(&a.pfa, FAIL_ON_NEVER);
    int status = EXIT_USAGE, prc = parse(&a, argc, argv);
    if (prc != CLI_PARSED) {
        status = cli_parse_status(prc);
        goto done;
    }
    status = source_args_open(&a.src, &p, &l);
    if (status != EXIT_YES)
        goto done;
    if (preflight_args_begin(&a.pfa, p, &a.src.opts, a.src.progress) != EXIT_YES) {
        status = EXIT_SOURCE;
        goto done;
    }
    g = a.json ? json_open() : NULL;
    unsigned long long n;
    int rc = list(&a, l, g, &n);
    status = source_args_close(&a.src, l, out_stopped() ? 0 : rc);
    if (out_stopped()) {
        /* The reader had enough (EPIPE), or stdout failed (main says so):
         * what was printed is all there will be, and no findings. */
        status = n > 0 ? EXIT_YES : EXIT_NO;
        goto done;
    }
    if (status == EXIT_YES && n == 0)
        status = EXIT_NO;
    /* Findings follow a complete listing, on stderr: stdout stays the listing. */
    if (status != EXIT_SOURCE) {
        int pst = preflight_args_report(&a.pfa, 0, 0, diag_color());
        if (pst != EXIT_YES && status == EXIT_YES)
            status = pst;
    }
done:
    if (g != NULL)
        yajl_gen_free(g);
    preflight_args_free(&a.pfa);
    gcsplan_lister_free(l);
    gcsplan_pattern_free(p);
    source_args_free(&a.src);
    return status;
}
