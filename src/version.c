#include "gcsplan/version.h"

const char *gcsplan_version(void) { return GCSPLAN_VERSION_STRING; }
int gcsplan_version_number(void) { return GCSPLAN_VERSION_NUMBER; }
