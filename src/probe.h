/* The content probe: the first bytes of objects (GCSPLAN_PROBE_BYTES for
 * the DICM check, a few KiB for a FHIR sample), read concurrently from live
 * Cloud Storage (ranged alt=media GETs through the API client, with the
 * lister's retry rules) or from the files of a bucket directory. Results
 * come back through a callback, in completion order. Used by the
 * pre-flight (preflight.c). */
#ifndef GCSPLAN_PROBE_H
#define GCSPLAN_PROBE_H

#include "gcsplan/list.h"
#include "gcsplan/preflight.h"
#include "auth.h"
#include "transport.h"

/* The most bytes a probe reads of one object. */
#define GCSPLAN__PROBE_BYTES_MAX 65536

typedef struct gcsplan__probe gcsplan__probe;

/* One object read (failed == 0: head holds n bytes, fewer than the probe's
 * bytes only when the object is that short) or given up (failed != 0: why
 * says why, e.g. "HTTP 404"). Pointers are valid during the call only. */
typedef void (*gcsplan__probe_result_fn)(void *ctx, const char *name, size_t len, uint64_t size,
                                         const unsigned char *head, size_t n, int failed,
                                         const char *why);

typedef struct gcsplan__probe_config {
    const gcsplan_allocator *alloc;
    const gcsplan_lister_options *source; /* LIVE or DIR; raw options, defaults applied here */
    const char *bucket;
    unsigned int parallel;                /* concurrent requests, 1..GCSPLAN_PROBE_PARALLEL_MAX */
    size_t bytes;                         /* read per object; 0: GCSPLAN_PROBE_BYTES; at
                                           * most GCSPLAN__PROBE_BYTES_MAX */
    gcsplan__probe_result_fn on_result;
    void *ctx;
    gcsplan_probe_stats *stats;           /* counters the probe updates */
    /* Tests: the transport, the credentials (borrowed) and the environment;
     * NULL: libcurl's, the process-wide credentials, getenv. */
    gcsplan__transport *transport;
    gcsplan__auth *auth;
    const char *(*getenv_fn)(const char *name);
} gcsplan__probe_config;

int gcsplan__probe_new(gcsplan__probe **out, const gcsplan__probe_config *cfg, gcsplan_error *err);
/* Queue one object; waits for a free slot when all are busy. Returns 0, or
 * an error code when the transport itself fails (err filled). */
int gcsplan__probe_submit(gcsplan__probe *p, const gcsplan_object *o, gcsplan_error *err);
/* Run transfers for up to timeout_ms without waiting for a slot: lets the
 * probe progress while its caller does other work. */
int gcsplan__probe_poll(gcsplan__probe *p, long timeout_ms, gcsplan_error *err);
/* Wait until every queued object has a result. */
int gcsplan__probe_drain(gcsplan__probe *p, gcsplan_error *err);
void gcsplan__probe_free(gcsplan__probe *p);

#endif
