/* What tests and benchmarks reach inside an importer (import.c): the
 * network, the credentials and the clocks it uses. */
#ifndef GCSPLAN_IMPORT_INTERNAL_H
#define GCSPLAN_IMPORT_INTERNAL_H

#include <stdint.h>

#include "auth.h"
#include "gcsplan/import.h"
#include "transport.h"

typedef struct gcsplan__import_hooks {
    gcsplan__transport *transport;               /* NULL: libcurl's */
    gcsplan__auth *auth;                         /* NULL: the process-wide credentials */
    const char *(*getenv_fn)(const char *name);  /* NULL: getenv */
    /* The runner's clocks: monotonic ms for its schedule, Unix ms for the
     * journal's times, and a wait when no request is in flight. NULL: the
     * real ones. A test makes time pass at once. */
    uint64_t (*now_ms)(void *ctx);
    int64_t (*wall_ms)(void *ctx);
    void (*sleep_ms)(void *ctx, uint64_t ms);
    void *ctx;
    /* The API client's first retry wait (0: 2000 ms, so that a retried
     * poll is never sent within a second of the one before). */
    unsigned int retry_base_ms;
    uint64_t seed;                               /* the jitter's; 0: per process */
} gcsplan__import_hooks;

int gcsplan__importer_new_with(gcsplan_importer **out, const gcsplan_plan_doc *plan,
                               const gcsplan_import_options *opts,
                               const gcsplan__import_hooks *hooks, gcsplan_error *err);

/* Records appended to the journal by this importer, and the seconds spent
 * writing and flushing them (for bench/import.sh). */
void gcsplan__importer_journal_stats(const gcsplan_importer *imp, uint64_t *records,
                                     double *seconds);

#endif
