/* gcsplan ls: the objects a URI matches, in byte order of name. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "out.h"
#include "preflight_args.h"
#include "source_args.h"

int cmd_ls(int argc, char **argv)
{
    source_args src;
    preflight_args pfa;
    int json = 0, status = EXIT_USAGE;
    char sep = '\n';
    source_args_init(&src);
    preflight_args_init(&pfa, FAIL_ON_NEVER);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int took = listing_args_take(&src, &pfa, "ls", argc, argv, &i);
        if (took < 0)
            goto done;
        if (took > 0)
            continue;
        if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "-0") == 0 || strcmp(a, "--null") == 0) {
            sep = '\0';
        } else {
            int r = source_args_rest(&src, "ls", a);
            if (r <= 0) {
                status = r == 0 ? EXIT_YES : EXIT_USAGE;
                goto done;
            }
        }
    }
    if (source_args_need_uri(&src, "ls") != 0)
        goto done;

    gcsplan_pattern *p;
    gcsplan_lister *l;
    status = source_args_open(&src, "ls", &p, &l);
    if (status != EXIT_YES) {
        gcsplan_pattern_free(p);
        goto done;
    }
    out_writer w;
    yajl_gen g = json ? json_open(stdout) : NULL;
    if (preflight_args_begin(&pfa, p, &src.opts, src.progress) != EXIT_YES) {
        status = EXIT_SOURCE;
    } else if (out_open(&w, STDOUT_FILENO) != 0) {
        diag_error("out of memory");
        status = EXIT_SOURCE;
    } else {
        const gcsplan_object *o;
        int rc;
        unsigned long long n = 0;
        while (!w.failed && (rc = gcsplan_lister_next(&o, l)) == 0) {
            n++;
            preflight_args_add(&pfa, o);
            if (g == NULL) {
                out_record(&w, o->name, o->name_len, sep);
                continue;
            }
            yajl_gen_map_open(g);
            json_key(g, "name");
            json_str(g, o->name, o->name_len);
            json_key(g, "size");
            json_int(g, (long long)o->size);
            if (o->generation != 0) {
                json_key(g, "generation");
                json_int(g, (long long)o->generation);
            }
            yajl_gen_map_close(g);
            const unsigned char *buf;
            size_t len;
            yajl_gen_get_buf(g, &buf, &len);
            out_record(&w, (const char *)buf, len, '\n');
            yajl_gen_clear(g);
            yajl_gen_reset(g, NULL);
        }
        out_flush(&w);
        if (w.failed == EPIPE) /* the reader had enough: not an error */
            status = n > 0 ? EXIT_YES : EXIT_NO;
        else if (w.failed) {
            diag_error("writing stdout: %s", strerror(w.failed));
            status = EXIT_SOURCE;
        } else {
            status = source_args_close(&src, l, rc);
            if (status == EXIT_YES && n == 0)
                status = EXIT_NO;
            /* Findings follow a complete listing, on stderr: stdout stays the listing. */
            if (status != EXIT_SOURCE) {
                int pst = preflight_args_report(&pfa, stderr, 0, diag_color());
                if (pst != EXIT_YES && status == EXIT_YES)
                    status = pst;
            }
        }
        out_close(&w);
    }
    if (g != NULL)
        yajl_gen_free(g);
    preflight_args_free(&pfa);
    gcsplan_lister_free(l);
    gcsplan_pattern_free(p);
done:
    source_args_free(&src);
    return status;
}
