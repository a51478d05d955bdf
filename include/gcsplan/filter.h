/* Exclusion filters: PCRE2 regular expressions matched against whole names.
 *
 * A filter holds any number of expressions; a name is excluded when one of
 * them matches the entire name (anchored at both ends, as PCRE2_ANCHORED |
 * PCRE2_ENDANCHORED): "studies/quarantine/.*" excludes that folder, ".*\.bak"
 * every name ending in ".bak". Expressions are compiled once, with the JIT
 * where the platform has one.
 *
 * Thread-safety: building a filter needs exclusive access. Matching uses
 * scratch space inside the filter, so one filter must not be matched from
 * two threads at once; make one filter per thread instead. */
#ifndef GCSPLAN_FILTER_H
#define GCSPLAN_FILTER_H

#include <stddef.h>
#include "gcsplan/export.h"
#include "gcsplan/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gcsplan_filter gcsplan_filter;

/* Create an empty filter (it excludes nothing). allocator may be NULL. On
 * success *out owns the filter; free it with gcsplan_filter_free(). */
GCSPLAN_API int gcsplan_filter_new(gcsplan_filter **out, const gcsplan_allocator *allocator,
                                   gcsplan_error *err);

/* Add an expression of len bytes (UTF-8 mode). On a syntax error returns
 * GCSPLAN_EINVAL with err->offset at the byte PCRE2 points to and the
 * filter unchanged. */
GCSPLAN_API int gcsplan_filter_add(gcsplan_filter *f, const char *regex, size_t len,
                                   gcsplan_error *err);

/* Number of expressions added. */
GCSPLAN_API size_t gcsplan_filter_count(const gcsplan_filter *f);

/* Whether the filter excludes name[0..len): 1 when an expression matches the
 * whole name, 0 when none does, or a negative code when an expression
 * cannot decide (GCSPLAN_ELIMIT: PCRE2's match, depth or heap limit, which
 * backtracking expressions such as "(a|aa)+b" reach on long names;
 * GCSPLAN_ENOMEM; GCSPLAN_ERROR): err then names the expression and the
 * name, escaped for a terminal. An expression that cannot decide is an
 * error, never a "no": a listing must not keep an object the user meant to
 * exclude. A NULL filter excludes nothing. Allocates nothing. */
GCSPLAN_API int gcsplan_filter_test(gcsplan_filter *f, const char *name, size_t len,
                                    gcsplan_error *err);

/* gcsplan_filter_test without the error detail: 1, 0, or a negative code.
 * Kept for callers of the first version; a negative value is nonzero, so
 * test for > 0 and < 0 separately. */
GCSPLAN_API int gcsplan_filter_match(gcsplan_filter *f, const char *name, size_t len);

/* Free a filter; NULL is a no-op. */
GCSPLAN_API void gcsplan_filter_free(gcsplan_filter *f);

#ifdef __cplusplus
}
#endif

#endif
