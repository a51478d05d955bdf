/* Pre-flight options and reporting shared by the commands that list objects
 * (preflight, ls, plan) and by import, which runs the store checks before it
 * starts: parse the options, feed every listed object, print the findings,
 * turn them into an exit status. In cmd_preflight.c. */
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
    int finished;      /* finish() ran and succeeded */
    const char *status; /* a status line on stderr while finish() runs, or NULL */
    gcsplan_preflight *pf;
} preflight_args;

void preflight_args_init(preflight_args *a, int fail_on_default);

/* The pre-flight groups of a command's option table (opts.h). Every
 * pre-flight takes the report group: --no-preflight, --examples N,
 * --fail-on none|info|warning|error. PREFLIGHT_GROUP, for the commands that
 * list (ls, plan, preflight), adds the options about matched objects:
 * --probe, --probe-parallel N, --max-object-size SIZE, --max-examined N. */
extern const struct option preflight_report_options[];
extern const struct option preflight_options[];
int preflight_args_take(void *state, int id, const char *arg, const char *cmd);
#define PREFLIGHT_REPORT_GROUP(a) { preflight_report_options, preflight_args_take, (a) }
#define PREFLIGHT_GROUP(a) PREFLIGHT_REPORT_GROUP(a), { preflight_options, preflight_args_take, (a) }

/* The store checks' own options, for preflight --store and import:
 * --project-number N, --sample N. */
extern const struct option preflight_store_options[];
int preflight_store_take(void *state, int id, const char *arg, const char *cmd);
#define PREFLIGHT_STORE_GROUP(a) { preflight_store_options, preflight_store_take, (a) }

/* Start a pre-flight of pattern over the objects of source (borrowed).
 * Returns EXIT_YES, or EXIT_USAGE/EXIT_SOURCE after reporting an error. */
int preflight_args_begin(preflight_args *a, const gcsplan_pattern *pattern,
                         const gcsplan_lister_options *source, int progress_default);
/* Account for one listed object; a failure is reported once and ends the
 * pre-flight (the listing goes on). */
void preflight_args_add(preflight_args *a, const gcsplan_object *o);
/* After a complete listing: finish the pre-flight (the sample is read and
 * the access checked now), with a->status on stderr meanwhile when set.
 * EXIT_YES, or EXIT_SOURCE after reporting that it could not run (the
 * report then prints nothing). The report calls it when the caller has not. */
int preflight_args_finish(preflight_args *a);
/* After a complete listing: finish, print the findings (human text, coloured
 * when colour is set, or with json one JSON document) on stderr, or on
 * stdout with to_stdout, and return the exit status they call for: EXIT_NO
 * when a finding is at or above --fail-on, EXIT_SOURCE when the pre-flight
 * failed, else EXIT_YES. The library's text already escapes every name. */
int preflight_args_report(preflight_args *a, int to_stdout, int json, int colour);
/* As preflight_args_report, but the JSON document goes to *json (malloc'd,
 * without a final newline; NULL when there is no pre-flight), for plan --json. */
int preflight_args_json(preflight_args *a, char **json, size_t *len);
void preflight_args_free(preflight_args *a);


#endif
