/*
 * The HTTP front end: routes Cloud Storage JSON API, OAuth2 token and GCE
 * metadata requests to the pure logic in listing.c/json_out.c, applying the
 * faults decided by faults.c and the hostile rules of hostile.c. One thread
 * per connection, so injected latency, slow bodies and stalls delay only the
 * connection they hit.
 *
 * Alternate listeners (--alt-listen) serve the same API without faults or
 * hostile rules: they are where hostile redirects point, and they count what
 * reaches them (requests, Authorization headers, token secrets) so that a
 * test can prove a client did not follow a redirect with its credentials.
 */
#ifndef GCS_TEST_SERVER_HTTP_H
#define GCS_TEST_SERVER_HTTP_H

#include "bucket.h"

#include <stddef.h>
#include <stdint.h>

#define HTTP_MAX_ALT 4

typedef struct {
    char host[64]; /* an IPv4 address, e.g. 127.0.0.2 */
    uint16_t port; /* as asked (0: any), then as bound */
} alt_listen;

typedef struct {
    bucket **buckets;
    size_t n_buckets;
    const char *require_token; /* NULL: storage endpoints need no credentials */
    int log;                   /* one line per request on stderr */
    uint16_t port;             /* filled in by http_start */
    size_t page_cap;           /* 0, or the most items+prefixes a list page holds */
    alt_listen alt[HTTP_MAX_ALT];
    size_t n_alt;
} server_config;

struct MHD_Daemon;

/* Binds 127.0.0.1:port (0 picks a free port, written back to cfg->port) and
 * the alternate listeners (their ports written back likewise). cfg must
 * outlive the daemons. Returns NULL with a message on failure. */
struct MHD_Daemon *http_start(server_config *cfg, uint16_t port, char *err, size_t errlen);
/* Ends every stall first, then stops the daemons (the main one and the
 * alternates). */
void http_stop(struct MHD_Daemon *d);

#endif
