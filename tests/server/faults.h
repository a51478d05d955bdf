/*
 * Deterministic fault and latency injection.
 *
 * Each storage request is identified by a hash of its method, path and query
 * (K). The server counts attempts per K; the decision for attempt A is drawn
 * from mix(seed, K, A). So the same client doing the same requests sees the
 * same faults on every run, whatever the interleaving of its connections, and
 * a retry (same K, next A) gets a fresh draw. No K gets more than
 * max_consecutive error faults in a row: the next attempt is served cleanly,
 * so a client that retries always gets through.
 */
#ifndef GCS_TEST_SERVER_FAULTS_H
#define GCS_TEST_SERVER_FAULTS_H

#include <stdint.h>

typedef struct {
    uint64_t seed;
    unsigned latency_ms, latency_jitter_ms;
    double p429, p429_bare, p500, p503, pabort; /* error faults, exclusive */
    double pshort, pslow;                       /* independent of the above */
    unsigned retry_after_s;
    unsigned slow_chunk, slow_delay_ms;
    unsigned max_consecutive;
} fault_config;

#define FAULT_CONFIG_INIT {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 64, 20, 2}

typedef enum { FAULT_NONE, FAULT_429, FAULT_429_BARE, FAULT_500, FAULT_503, FAULT_ABORT } fault_error;

typedef struct {
    fault_error error;
    int short_page;
    int slow;
    unsigned latency_ms;
    uint64_t rnd; /* further randomness for the caller: abort point, page size */
} fault_plan;

void faults_init(const fault_config *cfg);
const fault_config *faults_config(void);
int faults_enabled(void);
/* Decides the faults for one request with identity hash key. */
void faults_decide(uint64_t key, int is_list, fault_plan *out);

#endif
