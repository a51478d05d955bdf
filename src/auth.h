/* Credentials for Google API requests, found the way Google's tools find
 * them (docs/credentials.md):
 *
 *   1. an access token in the file $CLOUDSDK_AUTH_ACCESS_TOKEN_FILE names;
 *   2. an access token in $GOOGLE_OAUTH_ACCESS_TOKEN;
 *   3. Application Default Credentials: the JSON file that
 *      $GOOGLE_APPLICATION_CREDENTIALS names (a service account key, or an
 *      authorized_user refresh token), else gcloud's
 *      application_default_credentials.json, else the metadata server --
 *      contacted only when $GCE_METADATA_HOST names it or the machine says
 *      it is a Google Compute Engine VM.
 *
 * The process-wide handle (gcsplan__auth_shared) is chosen once, on first
 * use, and shared by every client of the process: one token serves the
 * lister, the probe and the Cloud Healthcare API, so its scope is
 * cloud-platform. Tests make private handles with injected getenv, clock
 * and transport. Tokens are fetched lazily, cached, and refreshed shortly
 * before they expire; a refresh is serialised, so concurrent callers wait
 * for one token request instead of sending many. No message, description
 * or log ever holds a token, refresh token, client secret or private key.
 *
 * A handle is thread-safe: every call takes its mutex. */
#ifndef GCSPLAN_AUTH_H
#define GCSPLAN_AUTH_H

#include <stdint.h>
#include <time.h>

#include "internal.h"
#include "transport.h"

/* The scope of service account and metadata tokens: cloud-platform covers
 * Cloud Storage, Cloud Healthcare, IAM and Resource Manager, so one cached
 * token serves every API of the process (docs/credentials.md). */
#define GCSPLAN__AUTH_SCOPE "https://www.googleapis.com/auth/cloud-platform"
/* Google's token endpoint, when a credential file names none. */
#define GCSPLAN__AUTH_TOKEN_URI "https://oauth2.googleapis.com/token"
/* A cached token is replaced this long before it expires (or halfway
 * through its life when that is shorter). */
#define GCSPLAN__AUTH_REFRESH_MARGIN_S 60
/* Credential files (key files, token files) are read up to this size. */
#define GCSPLAN__AUTH_FILE_MAX (64 * 1024)
/* The longest path built or accepted for a credential file. */
#define GCSPLAN__AUTH_PATH_MAX 4096
/* Room for the one-line description. */
#define GCSPLAN__AUTH_DESCRIBE_MAX 512
/* Token requests: per attempt when the caller gives no timeout, attempts,
 * and the backoff bounds (a Retry-After is capped at the backoff's cap: a
 * token request that must wait minutes has failed for our purposes). */
#define GCSPLAN__TOKEN_TIMEOUT_DEFAULT_MS 10000u
#define GCSPLAN__TOKEN_ATTEMPTS 4
#define GCSPLAN__TOKEN_BACKOFF_BASE_MS 200u
#define GCSPLAN__TOKEN_BACKOFF_CAP_MS 4000u
/* Decoded bytes of a token endpoint's answer, at most. */
#define GCSPLAN__TOKEN_BODY_MAX (64 * 1024)

typedef struct gcsplan__auth gcsplan__auth;

typedef struct gcsplan__auth_config {
    int anonymous;            /* send nothing */
    const char *(*getenv_fn)(const char *name); /* NULL: getenv; tests inject */
    unsigned int timeout_ms;  /* per token request attempt; 0: the default */
    /* For tests: a clock in seconds for token expiry (NULL: CLOCK_MONOTONIC),
     * and the file that tells a GCE VM (NULL: /sys/class/dmi/id/product_name). */
    time_t (*now_fn)(void);
    const char *gce_product_file;
    /* The transport of token requests (borrowed; NULL: libcurl's). Never the
     * transport of the client that asks for the token: a token request runs
     * while that client is in the middle of starting a call. */
    gcsplan__transport *transport;
} gcsplan__auth_config;

/* Choose the credential source and read what it needs from the environment
 * and files; no network request is made. A private handle, freed with
 * gcsplan__auth_free. Errors: GCSPLAN_ESOURCE (unreadable or malformed
 * credential file, empty token, no credentials found), GCSPLAN_ELIMIT,
 * GCSPLAN_ENOMEM, GCSPLAN_EINVAL. Thread-safe. */
int gcsplan__auth_new(gcsplan__auth **out, const gcsplan_allocator *a,
                      const gcsplan__auth_config *cfg, gcsplan_error *err);

/* The process-wide handle, chosen from the real environment on the first
 * successful call and kept for the life of the process (a failure is not
 * kept: the next call tries again). Not to be freed. Thread-safe. */
int gcsplan__auth_shared(gcsplan__auth **out, gcsplan_error *err);

/* Forget the process-wide handle (its secrets wiped), so that the next
 * gcsplan__auth_shared chooses again. For tests; no client may be using it. */
void gcsplan__auth_shared_reset(void);

/* The value for an "Authorization:" header ("Bearer ..."), or NULL when
 * anonymous. Fetches or refreshes a token when needed (blocking, with
 * retries on 408, 429, 5xx and connection errors). Borrowed until the next
 * call on the handle: for a handle one thread uses. Errors: GCSPLAN_ESOURCE
 * with err->http_status set when the server answered, GCSPLAN_ENOMEM. */
int gcsplan__auth_header(gcsplan__auth *a, const char **header, gcsplan_error *err);

/* The whole header line, "Authorization: Bearer ...", copied into line (cap
 * bytes), *out = line, and the token's generation into *gen (for
 * gcsplan__auth_refresh_after_401); *out = NULL when anonymous. Returns as
 * gcsplan__auth_header. Thread-safe. */
int gcsplan__auth_header_line(gcsplan__auth *a, char *line, size_t cap, const char **out,
                              uint64_t *gen, gcsplan_error *err);

/* After a 401: forget the cached token so that the next header call fetches
 * a new one. Returns 1 when that will happen, 0 when the source cannot
 * refresh (a given token, or anonymous): retrying would only fail again. */
int gcsplan__auth_invalidate(gcsplan__auth *a);

/* As gcsplan__auth_invalidate, but only when the token sent (generation
 * gen) is still the cached one: of many requests refused with the same old
 * token, one refresh serves all. Thread-safe. */
int gcsplan__auth_refresh_after_401(gcsplan__auth *a, uint64_t gen);

/* Call fn with the handle's secrets (the token, refresh token, client
 * secret, private key: NULL-terminated), under its lock, so that a message
 * can be masked (redact.c) while no refresh frees them. Returns fn's
 * result. fn must not call back into the handle. */
int gcsplan__auth_with_secrets(gcsplan__auth *a, int (*fn)(const char *const *secrets, void *ctx),
                               void *ctx);

/* One line for --explain, e.g. "credentials: service account key from
 * $GOOGLE_APPLICATION_CREDENTIALS (sa@p.iam.gserviceaccount.com)". Never a
 * secret. Owned by the handle; fixed once chosen. */
const char *gcsplan__auth_describe(const gcsplan__auth *a);

/* Wipe the secrets and free a private handle. Accepts NULL. */
void gcsplan__auth_free(gcsplan__auth *a);

#endif
