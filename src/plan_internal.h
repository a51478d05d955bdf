/* What the plan checker (plan_check.c) needs of the planner (planner.c). */
#ifndef GCSPLAN_PLAN_INTERNAL_H
#define GCSPLAN_PLAN_INTERNAL_H

#include "gcsplan/plan.h"

const gcsplan_pattern *gcsplan__planner_pattern(const gcsplan_planner *pl);
const gcsplan_plan_options *gcsplan__planner_limits(const gcsplan_planner *pl);
/* The planner's allocator: the checker allocates through it too. */
const gcsplan_allocator *gcsplan__planner_allocator(const gcsplan_planner *pl);
/* Record what only a reading of the listing tells: a job's extent. The
 * planner copies the names (the job owns them, not the checker). Returns 0
 * or GCSPLAN_ENOMEM (the job is then unchanged). */
int gcsplan__planner_set_job_extent(gcsplan_planner *pl, size_t i, const char *first,
                                    size_t first_len, const char *last, size_t last_len,
                                    uint64_t largest, uint64_t digest);

#endif
