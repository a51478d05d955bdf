/* gcsplan version: compile-time macros and the runtime query.
 *
 * Compare GCSPLAN_VERSION_NUMBER with gcsplan_version_number() to detect a
 * header/library mismatch at run time. */
#ifndef GCSPLAN_VERSION_H
#define GCSPLAN_VERSION_H

#include "gcsplan/export.h"

#define GCSPLAN_VERSION_MAJOR 0
#define GCSPLAN_VERSION_MINOR 1
#define GCSPLAN_VERSION_PATCH 0
#define GCSPLAN_VERSION_STRING "0.1.0"
#define GCSPLAN_VERSION_NUMBER \
    (GCSPLAN_VERSION_MAJOR * 10000 + GCSPLAN_VERSION_MINOR * 100 + GCSPLAN_VERSION_PATCH)

#ifdef __cplusplus
extern "C" {
#endif

/* The library's version as "MAJOR.MINOR.PATCH". Static storage; thread-safe. */
GCSPLAN_API const char *gcsplan_version(void);

/* The library's version as GCSPLAN_VERSION_NUMBER encodes it. Thread-safe. */
GCSPLAN_API int gcsplan_version_number(void);

#ifdef __cplusplus
}
#endif

#endif
