/* Symbol export control. The library is built with hidden visibility; only
 * declarations marked GCSPLAN_API are exported from the shared object. A
 * consumer of the static library defines GCSPLAN_STATIC (the CMake package
 * and gcsplan.pc do this for it). */
#ifndef GCSPLAN_EXPORT_H
#define GCSPLAN_EXPORT_H

#if defined(GCSPLAN_STATIC)
#  define GCSPLAN_API
#elif defined(_WIN32)
#  if defined(GCSPLAN_BUILDING)
#    define GCSPLAN_API __declspec(dllexport)
#  else
#    define GCSPLAN_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__)
#  define GCSPLAN_API __attribute__((visibility("default")))
#else
#  define GCSPLAN_API
#endif

#endif
