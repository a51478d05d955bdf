/* Planning: split the objects an import URI matches into import jobs.
 *
 * Each job is one dicomStores.import (or fhirStores.import) call, so each
 * job is a valid import URI that specialises the original one: a longer
 * literal prefix before "**" (PREFIX**SUFFIX); a '*' or '?' segment pinned
 * to a concrete directory; the last segment H*R narrowed to xH*R; or a
 * literal object name.
 * Together the jobs match exactly the objects the URI matches, each once,
 * and no job matches an excluded object (SPEC section 4).
 *
 * The planner reads the listing as a sorted stream, once:
 *
 *     gcsplan_planner *pl;
 *     gcsplan_planner_new(&pl, pattern, &opts, &err);
 *     for each object, in strictly increasing name order:
 *         gcsplan_planner_add(pl, name, len, size, excluded, &err);
 *     gcsplan_planner_finish(pl, &err);
 *     for (i = 0; i < gcsplan_planner_job_count(pl); i++) use(gcsplan_planner_job(pl, i));
 *
 * then proves its plan against a second reading of the same listing:
 *
 *     gcsplan_plan_check *c;
 *     gcsplan_plan_check_new(&c, pl, &err);
 *     for each object, in the same order:
 *         gcsplan_plan_check_add(c, name, len, size, generation, excluded, &err);
 *         (or gcsplan_plan_check_add_ext, which also tells the object's job)
 *     gcsplan_plan_check_finish(c, &err);   (0, or GCSPLAN_ERROR naming the broken invariant)
 *
 * Memory: the planner holds the jobs it plans and, while reading, one frame
 * per character of the current name plus the jobs still undecided below
 * them; never the objects themselves. The planner and its checker allocate
 * through the allocator of the plan options. Thread-safety: a planner is
 * used by one thread at a time; the pattern it borrows is only read.
 *
 * Sizes are unsigned 64-bit end to end: a total over 2^64-1 bytes is
 * GCSPLAN_ELIMIT, never a wrapped number. */
#ifndef GCSPLAN_PLAN_H
#define GCSPLAN_PLAN_H

#include <stddef.h>
#include <stdint.h>
#include "gcsplan/export.h"
#include "gcsplan/error.h"
#include "gcsplan/pattern.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gcsplan_planner gcsplan_planner;

/* Job flags: the two reasons SPEC section 4 allows a job over the limits. */
#define GCSPLAN_JOB_OVERSIZE 0x1    /* one object, by itself larger than max_bytes */
#define GCSPLAN_JOB_INSEPARABLE 0x2 /* names holding '*' or '?' that no URI can split */

typedef struct gcsplan_job {
    const char *uri;      /* NUL-terminated import URI; borrowed from the planner */
    size_t uri_len;
    uint64_t objects;     /* objects it matches */
    uint64_t bytes;       /* their total size */
    uint64_t largest;     /* size of the largest */
    const char *first;    /* the first and last object names it matches, */
    const char *last;     /* NUL-terminated, borrowed from the planner; "" until a
                             checker's finish records them */
    unsigned int flags;   /* GCSPLAN_JOB_* */
    uint64_t digest;      /* gcsplan_digest_* over its objects, in name order */
} gcsplan_job;

/* The digest of a job's objects, so that a plan can tell later whether they
 * changed: 64-bit FNV-1a over, for each object in name order, its name, a
 * NUL, its size in decimal, a NUL, its generation in decimal and a newline.
 * Start from GCSPLAN_DIGEST_INIT. Thread-safe. */
#define GCSPLAN_DIGEST_INIT 0xcbf29ce484222325ull
GCSPLAN_API uint64_t gcsplan_digest_object(uint64_t digest, const char *name, size_t len,
                                           uint64_t size, int64_t generation);

#define GCSPLAN_PLAN_OPTIONS_VERSION 1
typedef struct gcsplan_plan_options {
    unsigned int version;               /* GCSPLAN_PLAN_OPTIONS_VERSION */
    const gcsplan_allocator *allocator; /* NULL: the C library's */
    uint64_t max_objects;               /* per job; 0: no limit */
    uint64_t max_bytes;                 /* per job; 0: no limit */
} gcsplan_plan_options;
#define GCSPLAN_PLAN_OPTIONS_INIT { GCSPLAN_PLAN_OPTIONS_VERSION, NULL, 0, 0 }

/* Totals of a finished plan. */
typedef struct gcsplan_plan_stats {
    uint64_t objects, bytes;  /* matched, after exclusions */
    uint64_t excluded;        /* obstacles: excluded objects no job matches */
    uint64_t jobs;
    uint64_t lower_bound;     /* max(ceil(objects/max_objects), ceil(bytes/max_bytes)) */
    uint64_t prefix_cut;      /* jobs of the SPEC's prefix-cut plan (take a subtree whole
                                 when it fits, else split it by its next character) */
    uint64_t oversize, inseparable; /* jobs with those flags */
} gcsplan_plan_stats;

/* Create a planner for pattern (borrowed; it must outlive the planner), of
 * any shape. Thread-safe. */
GCSPLAN_API int gcsplan_planner_new(gcsplan_planner **out, const gcsplan_pattern *pattern,
                                    const gcsplan_plan_options *opts, gcsplan_error *err);

/* Add one object the pattern matches; excluded nonzero makes it an obstacle
 * that no job may match. Names must come in strictly increasing byte order.
 * Returns 0, GCSPLAN_EINVAL (order, or a name the pattern does not match),
 * GCSPLAN_ENOMEM, GCSPLAN_ELIMIT (the objects total more than 2^64-1 bytes),
 * or GCSPLAN_EPLAN when the objects so far already make every plan
 * impossible (see finish). */
GCSPLAN_API int gcsplan_planner_add(gcsplan_planner *pl, const char *name, size_t len,
                                    uint64_t size, int excluded, gcsplan_error *err);

/* End of the listing: decide the last jobs. Returns 0, GCSPLAN_ENOMEM, or
 * GCSPLAN_EPLAN when no plan exists: an excluded object cannot be kept out
 * (it shares every possible job with a name holding '*' or '?'). */
GCSPLAN_API int gcsplan_planner_finish(gcsplan_planner *pl, gcsplan_error *err);

/* After finish: the jobs, in order of their first object. Borrowed. */
GCSPLAN_API size_t gcsplan_planner_job_count(const gcsplan_planner *pl);
GCSPLAN_API const gcsplan_job *gcsplan_planner_job(const gcsplan_planner *pl, size_t i);
GCSPLAN_API void gcsplan_planner_stats(const gcsplan_planner *pl, gcsplan_plan_stats *stats);

/* Free a planner; NULL is a no-op. */
GCSPLAN_API void gcsplan_planner_free(gcsplan_planner *pl);

/* --- proving a plan ------------------------------------------------------------------ */

typedef struct gcsplan_plan_check gcsplan_plan_check;

/* A checker of pl's finished plan. It compiles every job URI on its own and
 * judges each object with the matcher alone; it shares no state with the
 * planner's decisions. When the check passes, each job's first, last,
 * largest and digest are filled in from what the checker saw: the planner
 * copies the names, so they stay valid after the checker is freed, for as
 * long as the planner lives. pl must outlive the checker; the checker
 * allocates through pl's allocator. Returns 0, GCSPLAN_EINVAL or
 * GCSPLAN_ENOMEM. Thread-safety: as the planner's. */
GCSPLAN_API int gcsplan_plan_check_new(gcsplan_plan_check **out, gcsplan_planner *pl,
                                       gcsplan_error *err);

/* One object of the listing, in the order the planner read them. Returns 0,
 * GCSPLAN_ERROR with the broken invariant in err, GCSPLAN_ENOMEM, or
 * GCSPLAN_ELIMIT when the objects total more than 2^64-1 bytes. After an
 * error every later call returns the same code. */
GCSPLAN_API int gcsplan_plan_check_add(gcsplan_plan_check *c, const char *name, size_t len,
                                       uint64_t size, int64_t generation, int excluded,
                                       gcsplan_error *err);

/* The job of an object that no job holds (an excluded one). */
#define GCSPLAN_PLAN_NO_JOB ((size_t)-1)

/* As gcsplan_plan_check_add, and *job (when job is not NULL) says which job
 * matches the object: its index, as gcsplan_planner_job() counts, or
 * GCSPLAN_PLAN_NO_JOB for an excluded object and after any error. The
 * checker proves each object's one job anyway; this hands it out, for what
 * is made on the same pass (the report's prefix summary, gcsplan_summary_add
 * in gcsplan/report.h). */
GCSPLAN_API int gcsplan_plan_check_add_ext(gcsplan_plan_check *c, const char *name, size_t len,
                                           uint64_t size, int64_t generation, int excluded,
                                           size_t *job, gcsplan_error *err);

/* All objects seen: check the jobs' counts and sizes, and the limits.
 * Returns 0 when invariants 1, 2, 3 and 5 of SPEC section 4 hold (and the
 * jobs' extents are recorded), GCSPLAN_ERROR when one does not, or
 * GCSPLAN_ENOMEM. */
GCSPLAN_API int gcsplan_plan_check_finish(gcsplan_plan_check *c, gcsplan_error *err);

/* Free a checker; NULL is a no-op. The jobs' extents stay with the planner. */
GCSPLAN_API void gcsplan_plan_check_free(gcsplan_plan_check *c);

#ifdef __cplusplus
}
#endif

#endif
