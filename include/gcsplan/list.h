/* Listing: the objects an import URI matches, from live Cloud Storage, a
 * listing file or a local directory, in byte-lexicographic order of name.
 *
 * A lister is a pull iterator:
 *
 *     gcsplan_lister *l;
 *     const gcsplan_object *o;
 *     int rc;
 *     if (gcsplan_lister_new(&l, pattern, &opts, &err) != 0) ...
 *     while ((rc = gcsplan_lister_next(&o, l)) == 0)
 *         use(o->name, o->name_len, o->size);
 *     if (rc != GCSPLAN_ITEROVER) ... gcsplan_lister_error(l) ...
 *     gcsplan_lister_free(l);
 *
 * Live listing plans the fewest objects.list requests the pattern allows
 * (see gcsplan_lister_explain()), runs independent requests concurrently and
 * still yields names in order, retries what the service asks to retry, and
 * holds a bounded number of pages in memory whatever the number of objects.
 * When a lister fails, everything it yielded before is still correct, but the
 * listing is incomplete: callers must not present it as complete.
 *
 * Thread-safety: a lister is used by one thread at a time. Different listers
 * are independent. The pattern and filter it borrows must outlive it and must
 * not be matched from another thread while it runs (the filter has scratch
 * space). */
#ifndef GCSPLAN_LIST_H
#define GCSPLAN_LIST_H

#include <stddef.h>
#include <stdint.h>
#include "gcsplan/export.h"
#include "gcsplan/error.h"
#include "gcsplan/filter.h"
#include "gcsplan/pattern.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gcsplan_lister gcsplan_lister;

/* One object. Borrowed from the lister: valid until the next call on it. */
typedef struct gcsplan_object {
    const char *name;    /* NUL-terminated; names never hold NUL */
    size_t name_len;
    uint64_t size;       /* bytes */
    int64_t generation;  /* Cloud Storage generation, 0 when the source has none */
    int excluded;        /* matched but excluded (only with yield_excluded) */
} gcsplan_object;

typedef enum gcsplan_source_kind {
    GCSPLAN_SOURCE_LIVE = 0,    /* the Cloud Storage JSON API */
    GCSPLAN_SOURCE_LISTING = 1, /* a JSON Lines listing or an inventory report CSV */
    GCSPLAN_SOURCE_DIR = 2      /* a local directory as the bucket's contents */
} gcsplan_source_kind;

typedef enum gcsplan_strategy {
    GCSPLAN_STRATEGY_AUTO = 0, /* choose by cost, from two sample requests */
    GCSPLAN_STRATEGY_FLAT = 1, /* list the literal prefix, no delimiter */
    GCSPLAN_STRATEGY_WALK = 2  /* walk directories level by level with delimiter '/' */
} gcsplan_strategy;

/* Counters of what a lister did so far. */
typedef struct gcsplan_list_stats {
    uint64_t listed;    /* objects the source returned */
    uint64_t matched;   /* objects yielded */
    uint64_t excluded;  /* objects matched but dropped by the filter */
    uint64_t bytes;     /* total size of the objects yielded (stays at 2^64-1, never wraps) */
    uint64_t pages;     /* listing pages (or files read, offline) */
    uint64_t requests;  /* HTTP requests sent, retries included */
    uint64_t retries;   /* requests repeated after a retryable failure */
    uint64_t prefixes;  /* collapsed prefixes seen (walk and split probes) */
} gcsplan_list_stats;

/* Called from inside gcsplan_lister_next() at most every interval_ms. */
typedef void (*gcsplan_progress_fn)(const gcsplan_list_stats *stats, void *ctx);

/* Version 2 appended no_progress_bytes and no_progress_ms; a caller built
 * against version 1 still passes 1 and gets their defaults. */
#define GCSPLAN_LISTER_OPTIONS_VERSION 2
typedef struct gcsplan_lister_options {
    unsigned int version;                /* GCSPLAN_LISTER_OPTIONS_VERSION */
    const gcsplan_allocator *allocator;  /* NULL: the C library's */
    gcsplan_source_kind source;
    const char *path;       /* LISTING: the file ("-": stdin); DIR: the directory */
    /* LIVE: base URL of the JSON API. NULL: $STORAGE_EMULATOR_HOST when set
     * (then no credentials are sent), else https://storage.googleapis.com. */
    const char *endpoint;
    int anonymous;          /* LIVE: send no credentials even to Google */
    unsigned int parallel;  /* LIVE: concurrent requests; 0: 16 */
    unsigned int page_size; /* LIVE: maxResults, 1..1000; 0: 1000 */
    int retries;            /* LIVE: attempts after the first; negative: 8 */
    unsigned int retry_base_ms; /* LIVE: first backoff; 0: 250 */
    unsigned int retry_max_ms;  /* LIVE: backoff cap; 0: 32000 */
    unsigned int timeout_ms;    /* LIVE: per request attempt, wall clock; 0: 60000 */
    gcsplan_strategy strategy;
    gcsplan_filter *exclude;    /* borrowed; NULL: none */
    int yield_excluded;         /* yield excluded objects too, marked (a planner needs them) */
    gcsplan_progress_fn progress;
    void *progress_ctx;
    unsigned int progress_interval_ms; /* 0: 200 */
    /* Version 2. The progress budget of a live listing: a server that keeps
     * answering without ever sending a new object or directory (empty pages
     * with fresh tokens, errors, silence) is given up on. */
    uint64_t no_progress_bytes;   /* LIVE: body bytes of the pages one listing may
                                   * receive in a row without a new entry; 0: 64 MiB */
    unsigned int no_progress_ms;  /* LIVE: time the lister may wait with no new entry
                                   * from any request; 0: 60000 */
} gcsplan_lister_options;
#define GCSPLAN_LISTER_OPTIONS_INIT \
    { GCSPLAN_LISTER_OPTIONS_VERSION, NULL, GCSPLAN_SOURCE_LIVE, NULL, NULL, 0, 0, 0, -1, \
      0, 0, 0, GCSPLAN_STRATEGY_AUTO, NULL, 0, NULL, NULL, 0, 0, 0 }

/* Create a lister for pattern (borrowed: it must outlive the lister). A live
 * lister that must choose its strategy by cost, or cut a flat listing into
 * ranges, sends two sample requests here (so that gcsplan_lister_explain()
 * tells the choice); otherwise nothing is read or sent until the first
 * gcsplan_lister_next(). A failure of those requests is returned here. On
 * success *out owns the lister; free it with gcsplan_lister_free().
 * Thread-safe. */
GCSPLAN_API int gcsplan_lister_new(gcsplan_lister **out, const gcsplan_pattern *pattern,
                                   const gcsplan_lister_options *opts, gcsplan_error *err);

/* The next matching object into *obj (borrowed until the next call). Returns
 * 0, GCSPLAN_ITEROVER at the end, or a negative error code; after an error
 * every later call returns the same code and gcsplan_lister_error() says why. */
GCSPLAN_API int gcsplan_lister_next(const gcsplan_object **obj, gcsplan_lister *l);

/* Call cb for every remaining object until it returns nonzero (which is then
 * returned) or the listing ends (0) or fails (the error code). */
GCSPLAN_API int gcsplan_lister_foreach(gcsplan_lister *l,
                                       int (*cb)(const gcsplan_object *obj, void *payload),
                                       void *payload);

/* The error that stopped the lister; borrowed, valid while l lives. */
GCSPLAN_API const gcsplan_error *gcsplan_lister_error(const gcsplan_lister *l);

/* Counters so far into *stats. */
GCSPLAN_API void gcsplan_lister_stats(const gcsplan_lister *l, gcsplan_list_stats *stats);

/* A description of how the lister gets its objects: the strategy, the
 * requests it sends and why, one step per line. snprintf-like: writes at most
 * cap bytes including the NUL and returns the length the full text needs. */
GCSPLAN_API size_t gcsplan_lister_explain(const gcsplan_lister *l, char *buf, size_t cap);

/* Free a lister, ending any transfer; NULL is a no-op. */
GCSPLAN_API void gcsplan_lister_free(gcsplan_lister *l);

#ifdef __cplusplus
}
#endif

#endif
