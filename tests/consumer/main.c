/* Uses the installed library: compile a URI, match a name, check the version. */
#include <stdio.h>
#include <string.h>
#include <gcsplan/gcsplan.h>

int main(void)
{
    gcsplan_pattern *p = NULL;
    gcsplan_error err;
    const char *uri = "gs://my-bucket/studies/**.dcm";
    if (gcsplan_pattern_compile(&p, uri, strlen(uri), NULL, &err) != 0) {
        fprintf(stderr, "compile: %s\n", err.message);
        return 1;
    }
    int ok = gcsplan_pattern_match(p, "studies/a/b.dcm", 15) &&
             !gcsplan_pattern_match(p, "studies/a/b.txt", 15) &&
             gcsplan_version_number() == GCSPLAN_VERSION_NUMBER;
    gcsplan_pattern_free(p);
    puts(ok ? "consumer ok" : "consumer FAILED");
    return ok ? 0 : 1;
}
