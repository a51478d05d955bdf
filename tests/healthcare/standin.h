/*
 * The Cloud Healthcare API stand-in's state: stores, long-running import
 * operations and what they count, quota, deterministic faults. No HTTP here
 * (recorder.c routes requests to it); one mutex guards everything, since
 * every connection has its own thread.
 *
 * Deterministic: operation ids come from --seed and the creation order;
 * fault draws from --seed, a hash of the request (method, path, body) and
 * how many times that same request came before, so a client that makes the
 * same requests sees the same faults whatever the interleaving of its
 * connections, and a retry gets a fresh draw.
 */
#ifndef GCS_HC_STANDIN_H
#define GCS_HC_STANDIN_H

#include <stddef.h>
#include <stdint.h>

#define STANDIN_MAX_STORES 64
#define STANDIN_MAX_LOSE 256

typedef enum { FAILED_NEVER, FAILED_ALL, FAILED_ANY } failed_as_error;

typedef struct {
    const char *stores[STANDIN_MAX_STORES]; /* --store; none: any store exists */
    size_t n_stores;
    unsigned polls_to_finish;   /* polls answered "not done" before "done" */
    failed_as_error failed_error;
    int zero_in_operation;      /* a URI matching nothing: the operation fails (else the call) */
    int zero_code;              /* google.rpc code of that error */
    unsigned max_running;       /* 0: no quota */
    size_t max_operations;      /* the cap of operations held */
    uint64_t seed;
    double rate_503, lose_rate;
    unsigned max_consecutive;   /* 503s in a row for one request */
    unsigned long lose[STANDIN_MAX_LOSE]; /* ordinals of created operations */
    size_t n_lose;
} standin_config;

#define STANDIN_CONFIG_INIT {{0}, 0, 0, FAILED_NEVER, 0, 9, 0, 100000, 0, 0, 0, 2, {0}, 0}

/* What to answer. body is malloc'ed JSON (NULL with lose). */
typedef struct {
    unsigned status;
    char *body;
    int lose;            /* close the connection without an answer */
    char *operation;     /* the operation created or read, malloc'ed, or NULL */
    const char *fault;   /* "503" when the answer is an injected fault */
} answer;

void standin_init(const standin_config *cfg);
void standin_free(void);
/* Checks a --store name; 0 or -1. */
int standin_valid_store(const char *name);

/* POST .../{dicomStores|fhirStores}/S:import with body. */
void standin_import(const char *store, int fhir, const char *body, size_t len, answer *a);
/* GET .../operations/N (name = the path after /v1/). */
void standin_get_operation(const char *name, answer *a);
/* GET of a store. */
void standin_get_store(const char *store, int fhir, answer *a);
/* The failures of one operation, as JSON Lines: the stand-in's logsUrl. */
void standin_logs(const char *id, answer *a);
/* Every operation as JSON Lines {"name","store","uri","contentStructure",
 * "done","polls","answer_lost"}: what a test may inspect, not an API. */
void standin_list(answer *a);
/* {"requests",...} the counters, as JSON (also printed as STATS at exit). */
char *standin_stats(void);
void standin_count_request(unsigned status, int lost);
/* A JSON error document {"error":{"code","message","status"}}, malloc'ed. */
char *standin_error_json(unsigned code, const char *status, const char *message);

#endif
