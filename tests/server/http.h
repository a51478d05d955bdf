/*
 * The HTTP front end: routes Cloud Storage JSON API, OAuth2 token and GCE
 * metadata requests to the pure logic in listing.c/json_out.c, applying the
 * faults decided by faults.c. One thread per connection, so injected latency
 * and slow bodies delay only the connection they hit.
 */
#ifndef GCS_TEST_SERVER_HTTP_H
#define GCS_TEST_SERVER_HTTP_H

#include "bucket.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    bucket **buckets;
    size_t n_buckets;
    const char *require_token; /* NULL: storage endpoints need no credentials */
    int log;                   /* one line per request on stderr */
    uint16_t port;             /* filled in by http_start */
    size_t page_cap;           /* 0, or the most items+prefixes a list page holds */
} server_config;

struct MHD_Daemon;

/* Binds 127.0.0.1:port (0 picks a free port, written back to cfg->port).
 * cfg must outlive the daemon. Returns NULL with a message on failure. */
struct MHD_Daemon *http_start(server_config *cfg, uint16_t port, char *err, size_t errlen);
void http_stop(struct MHD_Daemon *d);

#endif
