/* Reading a plan document for a command (plan_in.h). */
#include "plan_in.h"

#include "cli.h"

int plan_read(const char *path, const gcsplan_plan_read_options *o, gcsplan_plan_doc **doc)
{
    gcsplan_error err;
    int rc = gcsplan_plan_read_file(doc, path, o, &err);
    if (rc == GCSPLAN_ENOMEM) {
        diag_error("out of memory reading the plan");
        return EXIT_SOURCE;
    }
    if (rc != 0) {
        diag_error("%s: %s", path, err.message);
        return EXIT_USAGE;
    }
    return EXIT_YES;
}
