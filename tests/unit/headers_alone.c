/* Each public header compiles on its own, strictly: built with -pedantic. */
#include "gcsplan/error.h"
#include "gcsplan/pattern.h"
#include "gcsplan/version.h"
#include "gcsplan/export.h"
#include "gcsplan/gcsplan.h"

int main(void)
{
    return gcsplan_version_number() == GCSPLAN_VERSION_NUMBER ? 0 : 1;
}
