/* gcsplan match: stream names from stdin through a pattern.
 *
 * Constant memory: one input and one output buffer, both allocated once.
 * A line is matched where it lies in the input buffer; only the unfinished
 * tail of a read is moved to the front. A line longer than the buffer cannot
 * be an object name (1024 bytes at most), so it is skipped without being
 * held. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "out.h"

#define IN_SIZE (1u << 20)

int cmd_match(int argc, char **argv)
{
    char sep = '\n';
    const char *uri = NULL;
    int opts = 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (opts && strcmp(a, "--") == 0)
            opts = 0;
        else if (opts && (strcmp(a, "-0") == 0 || strcmp(a, "--null") == 0))
            sep = '\0';
        else if (opts && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
            cli_print_help(stdout, "match");
            return EXIT_YES;
        } else if (opts && a[0] == '-' && a[1] != '\0')
            return diag_usage("match", "unknown option '%s'", a);
        else if (uri == NULL)
            uri = a;
        else
            return diag_usage("match", "only one URI is allowed");
    }
    if (uri == NULL)
        return diag_usage("match", "a URI is required");

    gcsplan_pattern *p = NULL;
    gcsplan_error err;
    size_t ulen = strlen(uri);
    if (gcsplan_pattern_compile(&p, uri, ulen, NULL, &err) != 0) {
        diag_uri_error(uri, ulen, &err);
        return err.code == GCSPLAN_EURI ? EXIT_USAGE : EXIT_SOURCE;
    }
    for (size_t i = 0; i < gcsplan_pattern_warning_count(p); i++)
        diag_uri_warning(uri, ulen, gcsplan_pattern_warning(p, i));

    char *in = malloc(IN_SIZE);
    out_writer w;
    if (in == NULL || out_open(&w, STDOUT_FILENO) != 0) {
        free(in);
        gcsplan_pattern_free(p);
        diag_error("out of memory");
        return EXIT_SOURCE;
    }
    size_t have = 0, matched = 0;
    int skipping = 0, read_err = 0, eof = 0;
    while (!eof && !w.failed) {
        ssize_t k = read(STDIN_FILENO, in + have, IN_SIZE - have);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            read_err = errno;
            break;
        }
        if (k == 0) {
            eof = 1;
            /* A last name without a separator still counts. */
            if (have > 0 && !skipping)
                in[have++] = sep;
            if (have == 0)
                break;
        } else {
            have += (size_t)k;
        }
        char *line = in, *end = in + have, *nl;
        while ((nl = memchr(line, sep, (size_t)(end - line))) != NULL) {
            size_t n = (size_t)(nl - line);
            if (skipping)
                skipping = 0;
            else if (gcsplan_pattern_match(p, line, n)) {
                out_record(&w, line, n, sep);
                matched++;
            }
            line = nl + 1;
        }
        have = (size_t)(end - line);
        if (have == IN_SIZE) { /* no separator in a full buffer */
            skipping = 1;
            have = 0;
        } else if (have > 0 && line != in) {
            memmove(in, line, have);
        }
        if (eof)
            break;
    }
    out_flush(&w);
    out_close(&w);
    free(in);
    gcsplan_pattern_free(p);
    if (read_err) {
        diag_error("reading stdin: %s", strerror(read_err));
        return EXIT_SOURCE;
    }
    /* A reader that went away (| head) is not an error: it had what it wanted. */
    if (w.failed && w.failed != EPIPE) {
        diag_error("writing stdout: %s", strerror(w.failed));
        return EXIT_SOURCE;
    }
    return matched > 0 ? EXIT_YES : EXIT_NO;
}
