/* How gcsplan plan prints a plan: a table, one JSON document, or commands
 * to run (gcloud or curl), shell-quoted for any object name. */
#ifndef GCSPLAN_CLI_PLAN_OUT_H
#define GCSPLAN_CLI_PLAN_OUT_H

#include "gcsplan/plan.h"

typedef enum { PLAN_TABLE, PLAN_JSON, PLAN_GCLOUD, PLAN_CURL } plan_kind;

typedef struct plan_format {
    plan_kind kind;
    char *store;             /* projects/P/locations/L/datasets/D/dicomStores/S */
    char *project, *location, *dataset, *dicom_store; /* its parts */
    const char *api_endpoint;
} plan_format;

/* Split --store into its parts; 0, or -1 when it is not of that shape. */
int plan_parse_store(plan_format *f, const char *store);
void plan_format_free(plan_format *f);
/* Print the checked plan on stdout; returns an exit status. findings, when
 * not NULL, is the pre-flight's JSON document, which --json embeds. */
int plan_print(const plan_format *f, const gcsplan_pattern *p, const gcsplan_planner *pl,
               const gcsplan_plan_options *limits, uint64_t max_jobs, const char *findings);

#endif
