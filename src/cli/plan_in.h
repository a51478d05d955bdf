/* How the commands that take a plan document (verify, import, report) read
 * it: one rule for what a plan that cannot be read means. */
#ifndef GCSPLAN_CLI_PLAN_IN_H
#define GCSPLAN_CLI_PLAN_IN_H

#include "gcsplan/gcsplan.h"

/* Read the plan at path ("-": stdin) with o (NULL: the defaults) into *doc.
 * A plan that is unreadable, not JSON, not a plan or past a bound is a bad
 * argument: EXIT_USAGE, with the file and the reason on stderr; out of
 * memory is EXIT_SOURCE. EXIT_YES with *doc set otherwise. */
int plan_read(const char *path, const gcsplan_plan_read_options *o, gcsplan_plan_doc **doc);

#endif
