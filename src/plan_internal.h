/* What the plan checker (plan_check.c) needs of the planner (planner.c). */
#ifndef GCSPLAN_PLAN_INTERNAL_H
#define GCSPLAN_PLAN_INTERNAL_H

#include "gcsplan/plan.h"

const gcsplan_pattern *gcsplan__planner_pattern(const gcsplan_planner *pl);
const gcsplan_plan_options *gcsplan__planner_limits(const gcsplan_planner *pl);
/* Record what only a reading of the listing tells: a job's extent. */
void gcsplan__planner_set_job_extent(gcsplan_planner *pl, size_t i, const char *first,
                                     const char *last, uint64_t largest, uint64_t digest);

#endif
