/* How gcsplan plan prints a plan: a table, one JSON document (the library's
 * plan writer, with the prefix summary), the report's HTML page, or
 * commands to run (gcloud or curl), shell-quoted for any object name. */
#ifndef GCSPLAN_CLI_PLAN_OUT_H
#define GCSPLAN_CLI_PLAN_OUT_H

#include "gcsplan/gcsplan.h"
#include "preflight_args.h"

typedef enum { PLAN_TABLE, PLAN_JSON, PLAN_GCLOUD, PLAN_CURL, PLAN_HTML } plan_kind;

typedef struct plan_format {
    plan_kind kind;
    const char *store;             /* --store as given, or NULL */
    gcsplan_store parts;           /* its parts, borrowed from store */
    const char *content_structure; /* --content-structure (FHIR), or NULL */
    const char *api_endpoint;
} plan_format;

/* What the plan is and what it was made under. */
typedef struct plan_made {
    const gcsplan_pattern *pattern;
    const gcsplan_planner *planner;   /* finished and checked */
    const gcsplan_plan_options *limits;
    uint64_t max_jobs;                /* --max-jobs, 0 when not given */
    const gcsplan_summary *summary;   /* the prefix summary (finished), or NULL */
    const char *source;               /* where the listing came from, for the page */
    int64_t now_ms;                   /* when the plan is made, for the page; 0: not shown */
} plan_made;

/* Print the plan on stdout, and the findings: into the JSON document, or
 * on stderr before the plan. Returns the findings' exit status (EXIT_YES,
 * EXIT_NO for --fail-on, EXIT_SOURCE when the pre-flight failed). */
int plan_print(const plan_format *f, const plan_made *m, preflight_args *pfa);
/* The summary on stderr: jobs beside the bounds, exclusions, warnings. */
void plan_summary(const plan_made *m);
/* Where the listing came from, in words, for the page: "listing FILE",
 * "directory DIR", "Cloud Storage", "Cloud Storage JSON API at URL". */
void plan_source_text(char *buf, size_t cap, const gcsplan_lister_options *o);

#endif
