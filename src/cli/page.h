/* Report pages (gcsplan report, plan --format=html): where one may go, the
 * time it is made, and writing it. */
#ifndef GCSPLAN_CLI_PAGE_H
#define GCSPLAN_CLI_PAGE_H

#include <stdint.h>

#include "gcsplan/gcsplan.h"

/* The latest SOURCE_DATE_EPOCH taken: 9999-12-31T23:59:59Z, the last time
 * the page can show. */
#define PAGE_EPOCH_MAX 253402300799ull

/* A page is a file to open in a browser, not text for a terminal: without
 * -o (output NULL), stdout must not be a terminal ("-o -" insists).
 * Returns EXIT_YES, or EXIT_USAGE after saying so. */
int page_check_target(const char *cmd, const char *output);

/* When the page is made, in Unix milliseconds: SOURCE_DATE_EPOCH (seconds,
 * as reproducible builds define it) when set, so that the same inputs make
 * the same page byte for byte; 0 there leaves the time off the page.
 * Otherwise the clock. *fixed says it came from SOURCE_DATE_EPOCH (the
 * times of files are then clamped to it). Returns EXIT_YES, or EXIT_USAGE
 * when SOURCE_DATE_EPOCH is not a number of seconds up to PAGE_EPOCH_MAX. */
int page_clock(const char *cmd, int64_t *now_ms, int *fixed);

/* Render r to stdout (out.h). Returns EXIT_YES, or EXIT_SOURCE after
 * reporting a failure; a stopped stdout is left to out_finish. */
int page_write(const gcsplan_report *r);

#endif
