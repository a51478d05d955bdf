/* Pre-flight options and reporting shared by the commands that list objects
 * (preflight, ls, plan): parse the options, feed every listed object, print
 * the findings, turn them into an exit status. In cmd_preflight.c. */
#ifndef GCSPLAN_CLI_PREFLIGHT_ARGS_H
#define GCSPLAN_CLI_PREFLIGHT_ARGS_H

#include "cli.h"
#include "source_args.h"

#define FAIL_ON_NEVER (-1)

typedef struct preflight_args {
    gcsplan_preflight_options opts;
    int enabled;       /* 0 after --no-preflight */
    int fail_on;       /* a gcsplan_severity, or FAIL_ON_NEVER */
    int progress;      /* the probe's status line: 1 on, 0 off, -1 on a terminal */
    int failed;        /* the pre-flight itself failed (reported); no findings */
    gcsplan_preflight *pf;
} preflight_args;

void preflight_args_init(preflight_args *a, int fail_on_default);
/* Try argv[*i] (and its value) as a pre-flight option: --probe,
 * --probe-parallel N, --max-object-size SIZE, --examples N, --max-examined N,
 * --fail-on none|info|warning|error, --no-preflight. Returns 1 when
 * consumed, 0 when not one, -1 after a usage error (reported). */
int preflight_args_take(preflight_args *a, const char *sub, int argc, char **argv, int *i);
/* The options every listing command shares, source and pre-flight: as
 * preflight_args_take, trying the source options first. */
int listing_args_take(source_args *src, preflight_args *a, const char *sub, int argc, char **argv,
                      int *i);

/* Start a pre-flight of pattern over the objects of source (borrowed).
 * Returns EXIT_YES, or EXIT_USAGE/EXIT_SOURCE after reporting an error. */
int preflight_args_begin(preflight_args *a, const gcsplan_pattern *pattern,
                         const gcsplan_lister_options *source, int progress_default);
/* Account for one listed object; a failure is reported once and ends the
 * pre-flight (the listing goes on). */
void preflight_args_add(preflight_args *a, const gcsplan_object *o);
/* After a complete listing: finish, print the findings (human text, coloured
 * when colour is set, or with json one JSON document) on f, and return the
 * exit status they call for: EXIT_NO when a finding is at or above
 * --fail-on, EXIT_SOURCE when the pre-flight failed, else EXIT_YES. */
int preflight_args_report(preflight_args *a, FILE *f, int json, int colour);
void preflight_args_free(preflight_args *a);


#endif
