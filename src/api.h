/* The API client: the one request path of every Google API gcsplan calls
 * (Cloud Storage listings and object reads, token endpoints, the metadata
 * server, Cloud Healthcare, Resource Manager and IAM).
 *
 * One client per engine (a lister, a probe, an importer). It owns:
 *   - the endpoints of the services (endpoint.c) and whether their requests
 *     carry credentials;
 *   - the credentials: the process-wide cache (auth.c) unless a test gives
 *     its own handle; the Authorization line is attached per attempt, and a
 *     401 gets one immediate retry with a refreshed token;
 *   - the transport (libcurl's multi interface, or one a test scripts);
 *   - the retry policy (retry.c): 408, 429, 5xx, broken connections, cut or
 *     malformed bodies, attempts that overran their time, with capped
 *     jittered backoff and Retry-After;
 *   - the bounds: a wall-clock limit per attempt enforced here (not only by
 *     libcurl), a cap on the decoded size of every body, never a redirect;
 *   - the messages: a Google error document is read once (api_error.c),
 *     masked, escaped and cut (redact.c), so that no message from a server
 *     reaches a terminal raw or repeats a credential.
 *
 * A call is an asynchronous request object its owner reuses: a slot. It
 * exists while a request is in flight or waits to be retried; between
 * requests the owner keeps only what it needs to build the next one. Calls
 * run when the owner drives the client with gcsplan__api_run(); a blocking
 * call (gcsplan__call_run, gcsplan__api_fetch) drives it until one call ends.
 *
 * A client and its calls are used by one thread at a time. */
#ifndef GCSPLAN_API_H
#define GCSPLAN_API_H

#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "endpoint.h"
#include "internal.h"
#include "retry.h"
#include "transport.h"
#include "util/buf.h"

/* Decoded bytes of a 2xx body when the caller sets no cap: API answers
 * (Healthcare operations, IAM policies) are far smaller. */
#define GCSPLAN__BODY_MAX_DEFAULT ((size_t)1 << 20)
/* Bytes of an error body kept to read its message; at most
 * GCSPLAN__ERROR_BODY_READ_MAX are read before the transfer is cut. */
#define GCSPLAN__ERROR_BODY_KEEP 8192
#define GCSPLAN__ERROR_BODY_READ_MAX ((size_t)1 << 20)
/* Server text quoted in one message, before escaping. */
#define GCSPLAN__SERVER_TEXT_MAX 200
/* Extra header lines a call may carry. */
#define GCSPLAN__CALL_HEADERS_MAX 6
/* Returned by a call's body or end callback: the body is malformed or cut,
 * the attempt is retried (a negative GCSPLAN_E* code stops the call). */
#define GCSPLAN__BODY_MALFORMED 1
/* Returned by a body callback: enough was read (a ranged read whose server
 * ignored Range); the transfer is cut and the body counts as complete. */
#define GCSPLAN__BODY_ENOUGH 2

typedef struct gcsplan__api gcsplan__api;
typedef struct gcsplan__call gcsplan__call;

/* Which credentials a client uses. */
typedef enum gcsplan__api_auth {
    GCSPLAN__API_AUTH_SHARED = 0, /* the process-wide cache, resolved when first needed */
    GCSPLAN__API_AUTH_GIVEN,      /* cfg.auth, borrowed (tests) */
    GCSPLAN__API_AUTH_NONE        /* never any (the client that fetches tokens) */
} gcsplan__api_auth;

typedef struct gcsplan__api_config {
    const gcsplan_allocator *alloc;             /* NULL: the C library's */
    const char *endpoint[GCSPLAN__SVC_COUNT];   /* overrides; NULL: environment, else Google's */
    int anonymous;                 /* Cloud Storage: no credentials even to Google */
    unsigned int parallel;         /* connections per host; 0: 16 */
    unsigned int timeout_ms;       /* per attempt, wall clock; 0: 60 s */
    unsigned int connect_timeout_ms; /* 0: 30 s (at most timeout_ms) */
    gcsplan__retry_policy retry;   /* zeros: 8 retries, 250 ms to 32 s, Retry-After up to 5 min */
    gcsplan__transport *transport; /* NULL: libcurl's, owned; else borrowed */
    gcsplan__api_auth auth_mode;
    gcsplan__auth *auth;           /* with GCSPLAN__API_AUTH_GIVEN */
    const char *(*getenv_fn)(const char *name); /* endpoint variables; NULL: getenv */
    int64_t (*wall_fn)(void);      /* epoch seconds for Retry-After dates; NULL: time() */
} gcsplan__api_config;

/* Create a client. Endpoints are resolved now; an endpoint that cannot be
 * used is reported when a call first goes to its service, so that a broken
 * Healthcare override does not stop a listing. Errors: GCSPLAN_ENOMEM,
 * GCSPLAN_ERROR (libcurl failed to start). */
int gcsplan__api_new(gcsplan__api **out, const gcsplan__api_config *cfg, gcsplan_error *err);
/* Cancels every call still active. Accepts NULL. */
void gcsplan__api_free(gcsplan__api *api);

/* The endpoint of svc, or NULL (err filled) when it cannot be used. */
const gcsplan__endpoint *gcsplan__api_endpoint(gcsplan__api *api, gcsplan__service svc,
                                               gcsplan_error *err);
/* Resolve the credentials svc's requests need (reading files, no network
 * request yet), so that a missing or broken credential fails early. 0 when
 * svc needs none. */
int gcsplan__api_prepare(gcsplan__api *api, gcsplan__service svc, gcsplan_error *err);
/* One line for --explain: where svc's credentials come from. */
const char *gcsplan__api_describe_credentials(gcsplan__api *api, gcsplan__service svc);

/* Drive the calls: start the retries that are due, run the transport for up
 * to timeout_ms (less when a retry or a deadline comes sooner), end the
 * attempts that overran. Callbacks run inside. Returns 0, or an error code
 * (err filled) when the transport itself failed. */
int gcsplan__api_run(gcsplan__api *api, long timeout_ms, gcsplan_error *err);
/* Calls started and not yet done (in flight, or waiting to be retried). */
size_t gcsplan__api_active(const gcsplan__api *api);
/* The last failure any attempt met ("HTTP 503: ...", "connection failed:
 * ..."), for a message about a listing that stopped progressing; "". */
const char *gcsplan__api_last_failure(const gcsplan__api *api);

/* Text a server wrote outside an error document (an operation's error
 * message) made as safe as the client's own messages: masked with the
 * credentials this client holds and with anything shaped like one, one
 * line, cut to max bytes, escaped for a terminal (redact.h). Returns 0, or
 * -1 when memory ran out (nothing appended). */
int gcsplan__api_server_text(gcsplan__api *api, gcsplan__buf *out, const char *s, size_t n,
                             size_t max);
/* Nonzero when s[0..n) holds one of this client's credentials or anything
 * shaped like one (a URL a server sent that we would otherwise keep whole),
 * or when the check itself could not run. */
int gcsplan__api_looks_secret(gcsplan__api *api, const char *s, size_t n);

/* --- calls ----------------------------------------------------------------------- */

typedef struct gcsplan__call_result {
    int rc;          /* 0: a 2xx answer whose body was accepted; else GCSPLAN_E* */
    int status;      /* the last HTTP status, 0 when the last attempt got none */
    int attempts;    /* attempts made */
    int exhausted;   /* rc != 0 because the retry budget ran out */
    int not_sent;    /* the last attempt never left: no connection could be made */
    const char *why; /* the last failure, e.g. "HTTP 503: Backend Error"; "" on success */
    const gcsplan_error *err; /* the whole message when rc != 0: "giving up after 9
                               * attempts: WHY", "HTTP 404 from WHAT: TEXT", ... */
} gcsplan__call_result;

typedef struct gcsplan__call_ops {
    /* Attempt n (1 for the first) begins: forget what an earlier one
     * delivered. Optional. */
    void (*attempt)(gcsplan__call *c, void *ctx, int n);
    /* Decoded bytes of a 2xx body. 0 to go on, GCSPLAN__BODY_ENOUGH to stop
     * reading and take the body as complete, GCSPLAN__BODY_MALFORMED (after
     * filling gcsplan__call_body_error) to retry the attempt, or a negative
     * code (likewise) to end the call with it. Optional: then the body is
     * collected in gcsplan__call_response(). */
    int (*body)(gcsplan__call *c, void *ctx, const char *buf, size_t len);
    /* A 2xx body is complete: returns as body. Optional. */
    int (*end)(gcsplan__call *c, void *ctx);
    /* The call is over: once per start, never from inside start. */
    void (*done)(gcsplan__call *c, void *ctx, const gcsplan__call_result *r);
} gcsplan__call_ops;

int gcsplan__call_new(gcsplan__call **out, gcsplan__api *api, const gcsplan__call_ops *ops,
                      void *ctx);
/* Cancels the call if active. Accepts NULL. */
void gcsplan__call_free(gcsplan__call *c);

/* Begin a new request to service svc (the URL starts as its endpoint) or to
 * an absolute URL (svc < 0; no credentials are ever attached to it). what
 * names the request in messages ("objects.list"); method NULL is GET.
 * Forgets the previous request's headers, body, limits and secrets. Only
 * while the call is not active. */
void gcsplan__call_begin(gcsplan__call *c, int svc, const char *absolute_url, const char *method,
                         const char *what);
/* The URL being built, capped at GCSPLAN_URL_MAX; append with the helpers. */
gcsplan__buf *gcsplan__call_url(gcsplan__call *c);
/* s[0..n) percent-encoded as a URL component (all but RFC 3986 unreserved). */
void gcsplan__url_put_encoded(gcsplan__buf *b, const char *s, size_t n);
/* "?name=" or "&name=" and the value percent-encoded. */
void gcsplan__url_put_param(gcsplan__buf *b, const char *name, const char *v, size_t n);
/* An extra "Name: value" line (borrowed until the call is done). */
int gcsplan__call_header(gcsplan__call *c, const char *line);
/* A POST body (borrowed until done). */
void gcsplan__call_body(gcsplan__call *c, const char *body, size_t len);
/* Cap on the decoded bytes of a 2xx body (0: GCSPLAN__BODY_MAX_DEFAULT). */
void gcsplan__call_limit(gcsplan__call *c, size_t body_max);
/* A token endpoint: its error bodies are quoted only as the OAuth fields
 * error and error_description; no proxy for the metadata server. */
void gcsplan__call_oauth(gcsplan__call *c, int oauth, int no_proxy);
/* More secrets to mask in this call's messages (NULL-terminated, borrowed). */
void gcsplan__call_secrets(gcsplan__call *c, const char *const *secrets);
/* Attempts after the first for this call; -1 (what begin sets): the
 * client's policy. A request that must not be repeated blindly (an import,
 * which a repeat may run twice) sets 0 and decides itself what to repeat:
 * the call then ends at its first failure with the status it saw (0: none),
 * and goes on a connection of its own, so that libcurl does not send it
 * again by itself when a reused connection turns out closed. */
void gcsplan__call_retries(gcsplan__call *c, int retries);

/* Start the call. Returns 0 (done will follow), or an error code (err
 * filled; done will not be called): a URL over the cap, an endpoint that
 * cannot be used, credentials that failed, out of memory. */
int gcsplan__call_start(gcsplan__call *c, gcsplan_error *err);
/* Abandon an active call; done is not called. */
void gcsplan__call_cancel(gcsplan__call *c);
int gcsplan__call_is_active(const gcsplan__call *c);
/* Where a body or end callback explains a rejected body. */
gcsplan_error *gcsplan__call_body_error(gcsplan__call *c);
/* The collected 2xx body (without a body callback) and its length: valid
 * until the next begin; wiped then, since it may hold a token. */
const char *gcsplan__call_response(const gcsplan__call *c, size_t *len);

/* Start c and drive the client until c is done (other calls progress too).
 * Returns the call's rc, err filled from its result. */
int gcsplan__call_run(gcsplan__call *c, gcsplan_error *err);

/* --- one request, blocking ---------------------------------------------------------- */

typedef struct gcsplan__request {
    int service;                /* a gcsplan__service, or -1 with url */
    const char *url;            /* absolute URL (no credentials), or NULL */
    const char *path;           /* with a service: appended to its endpoint ("/v1/...") */
    const char *method;         /* NULL: GET */
    const char *const *headers; /* NULL-terminated extra lines, or NULL */
    const char *body;
    size_t body_len;
    const char *what;           /* names the request in messages */
    size_t body_max;            /* 0: GCSPLAN__BODY_MAX_DEFAULT */
    int oauth;                  /* a token endpoint (see gcsplan__call_oauth) */
    int no_proxy;
    const char *const *secrets; /* masked in messages too */
} gcsplan__request;

typedef struct gcsplan__response {
    int status;      /* the last HTTP status, 0 when none came */
    int attempts;
    char why[GCSPLAN_MESSAGE_MAX]; /* the last failure ("HTTP 400: invalid_grant: ..."), or "" */
    char *body;      /* NUL-terminated, through the client's allocator; NULL when none */
    size_t body_len;
    gcsplan_allocator alloc; /* a copy: the response may outlive the client */
} gcsplan__response;

/* Send req with the client's retry policy and wait for the answer. Returns 0
 * for a 2xx answer (resp holds it), or an error code with err filled (the
 * result's message) and resp->status the last status. resp is always safe
 * to free. */
int gcsplan__api_fetch(gcsplan__api *api, const gcsplan__request *req, gcsplan__response *resp,
                       gcsplan_error *err);
/* Wipe (it may hold a token) and free the body. Accepts a zeroed response. */
void gcsplan__response_free(gcsplan__response *resp);

#endif
