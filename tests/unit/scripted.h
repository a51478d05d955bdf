/* A scripted HTTP transport for unit tests: no network, no threads. Each
 * request started is answered by the test's callback, which decides the
 * status, headers and body, how the body is cut into pieces, and whether
 * the connection breaks, stalls or never answers. run() completes the
 * pending transfers in an order drawn from a seed, so that concurrent
 * requests finish out of order as they do on a real network. */
#ifndef GCSPLAN_TEST_SCRIPTED_H
#define GCSPLAN_TEST_SCRIPTED_H

#include <stddef.h>
#include <stdint.h>

#include "transport.h"

typedef struct script_request {
    const char *method;     /* "GET" or "POST" */
    const char *url;
    const char *body;       /* POST body, NUL-terminated copy */
    size_t body_len;
    size_t index;           /* 0 for the first request the transport saw */
    char headers[8][4200];  /* the request's header lines */
    size_t nheaders;
    int fresh_connection;   /* the transfer asked for a connection of its own */
} script_request;

typedef struct script_reply {
    int status;             /* 0: the connection fails before any answer */
    int not_sent;           /* with status 0: no connection was made at all */
    const char *body;       /* NULL: empty */
    size_t len;             /* 0: strlen(body) */
    size_t chunk;           /* deliver in pieces of this size; 0: one piece */
    size_t cut;             /* > 0: the connection breaks after this many body bytes */
    int stall;              /* never completes (the client must give up on it) */
    char retry_after[64];   /* a Retry-After value, or "" */
    char location[256];     /* a Location value, or "" */
    char *owned;            /* freed by the transport after delivery (body may point into it) */
} script_reply;

typedef void (*script_fn)(void *ctx, const script_request *req, script_reply *out);

typedef struct script_transport script_transport;

script_transport *script_new(script_fn fn, void *ctx, uint64_t seed);
gcsplan__transport *script_base(script_transport *t);
/* Requests seen so far; each one's record stays until script_free. */
size_t script_count(const script_transport *t);
const script_request *script_request_at(const script_transport *t, size_t i);
/* The value of header name in request r ("Authorization"), or NULL. */
const char *script_header(const script_request *r, const char *name);
/* Transfers started and neither done nor cancelled. */
size_t script_pending(const script_transport *t);
/* Transfers cancelled by the client. */
size_t script_cancelled(const script_transport *t);
void script_free(script_transport *t);

/* The value of query parameter name in url, percent-decoded into out (cap
 * bytes); 1 when present. */
int script_query(const char *url, const char *name, char *out, size_t cap);

#endif
