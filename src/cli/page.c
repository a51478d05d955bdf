/* Report pages (page.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "out.h"
#include "page.h"
#include "util/clock.h"
#include "util/num.h"

int page_check_target(const char *cmd, const char *output)
{
    if (output == NULL && out_stdout()->tty)
        return diag_usage(cmd, "the report is an HTML page, not text for a terminal: give -o "
                               "FILE, or redirect stdout (-o - writes it here anyway)");
    return EXIT_YES;
}

int page_clock(const char *cmd, int64_t *now_ms, int *fixed)
{
    const char *e = getenv("SOURCE_DATE_EPOCH");
    *fixed = e != NULL;
    if (e != NULL) {
        uint64_t s;
        if (gcsplan__parse_u64(e, strlen(e), PAGE_EPOCH_MAX, &s) != 0)
            return diag_usage(cmd, "SOURCE_DATE_EPOCH is seconds since 1970 (at most %llu), "
                                   "not '%s'", (unsigned long long)PAGE_EPOCH_MAX, e);
        *now_ms = (int64_t)s * 1000;
        return EXIT_YES;
    }
    *now_ms = gcsplan__wall_ms();
    return EXIT_YES;
}

/* The library's pieces go to stdout; once stdout stopped (the reader left,
 * or a write failed) the render is told to stop too. */
static int to_stdout(const char *data, size_t len, void *ctx)
{
    (void)ctx;
    out_write(out_stdout(), data, len);
    return out_stopped() ? -1 : 0;
}

int page_write(const gcsplan_report *r)
{
    gcsplan_error err;
    if (gcsplan_report_render(r, to_stdout, NULL, &err) != 0 && !out_stopped()) {
        diag_error("writing the report: %s", err.message);
        return EXIT_SOURCE;
    }
    return EXIT_YES;
}
