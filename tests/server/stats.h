/*
 * Counters of what the server served and injected. Lock-free (C11 atomics)
 * because every connection thread bumps them; read as one JSON document by
 * GET /_stats and printed at exit so that a test can prove faults happened.
 */
#ifndef GCS_TEST_SERVER_STATS_H
#define GCS_TEST_SERVER_STATS_H

#include "util.h"

#include <stdint.h>

typedef enum {
    ST_REQ_TOTAL, ST_REQ_LIST, ST_REQ_GET, ST_REQ_MEDIA, ST_REQ_BUCKET_GET,
    ST_REQ_BUCKET_LIST, ST_REQ_TOKEN, ST_REQ_METADATA, ST_REQ_STATS, ST_REQ_OTHER,
    ST_REQ_IAM, ST_REQ_PROJECT, ST_REQ_ROLE,
    ST_RESP_200, ST_RESP_206, ST_RESP_400, ST_RESP_401, ST_RESP_403, ST_RESP_404,
    ST_RESP_405, ST_RESP_416, ST_RESP_429, ST_RESP_500, ST_RESP_503,
    ST_RESP_301, ST_RESP_302, ST_RESP_303, ST_RESP_307, ST_RESP_308, ST_RESP_OTHER,
    ST_LIST_PAGES, ST_LIST_ITEMS, ST_LIST_PREFIXES, ST_BODY_BYTES,
    ST_FAULT_429_RETRY_AFTER, ST_FAULT_429, ST_FAULT_500, ST_FAULT_503, ST_FAULT_ABORT,
    ST_FAULT_SHORT_PAGE, ST_FAULT_SLOW_BODY, ST_FAULT_LATENCY,
    /* hostile rules that fired, by kind, then what the stalls and the
     * alternate listeners saw */
    ST_H_TOKEN_REPEAT, ST_H_TOKEN_CYCLE, ST_H_EMPTY_PAGES, ST_H_OVERSIZE, ST_H_PADDING,
    ST_H_EVIL_NAMES, ST_H_SIZE, ST_H_GZIP_BOMB, ST_H_STALL_HEADERS, ST_H_STALL_BODY,
    ST_H_SILENT, ST_H_EVIL_ERROR, ST_H_RETRY_AFTER, ST_H_ECHO_SECRETS, ST_H_REDIRECT,
    ST_H_STALL_CLIENT_GONE, ST_H_ALT_REQUESTS, ST_H_ALT_AUTHORIZATION, ST_H_ALT_SECRETS,
    ST__COUNT
} stat_id;

void stats_add(stat_id id, uint64_t n);
static inline void stats_inc(stat_id id) { stats_add(id, 1); }
void stats_count_status(unsigned status);
uint64_t stats_get(stat_id id);
/* {"requests":{...},"responses":{...},"listed":{...},"faults":{...},"hostile":{...}} */
void stats_render(sbuf *b);

#endif
