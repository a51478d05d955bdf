/* Credentials for Cloud Storage requests, found the way Google's tools find
 * them (docs/credentials.md):
 *
 *   1. none, when the caller says so (an emulator or --endpoint);
 *   2. an access token in the file $CLOUDSDK_AUTH_ACCESS_TOKEN_FILE names;
 *   3. an access token in $GOOGLE_OAUTH_ACCESS_TOKEN;
 *   4. Application Default Credentials: the JSON file that
 *      $GOOGLE_APPLICATION_CREDENTIALS names (a service account key, or an
 *      authorized_user refresh token), else gcloud's
 *      application_default_credentials.json, else the metadata server --
 *      contacted only when $GCE_METADATA_HOST names it or the machine says
 *      it is a Google Compute Engine VM.
 *
 * The source is chosen once, by gcsplan__auth_new; tokens are fetched
 * lazily by gcsplan__auth_header, cached, and refreshed shortly before they
 * expire. No message, description or log ever holds a token, refresh token,
 * client secret or private key.
 *
 * A handle is used by one thread at a time; callers that share it across
 * threads hold a lock around each call. */
#ifndef GCSPLAN_AUTH_H
#define GCSPLAN_AUTH_H

#include <time.h>
#include "internal.h"

/* The scope requested for service account and metadata tokens. */
#define GCSPLAN__AUTH_SCOPE "https://www.googleapis.com/auth/devstorage.read_only"
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

typedef struct gcsplan__auth gcsplan__auth;

typedef struct gcsplan__auth_config {
    int anonymous;            /* send nothing (endpoint override / emulator) */
    const char *(*getenv_fn)(const char *name); /* NULL: getenv; tests inject */
    unsigned int timeout_ms;  /* per token request; 0: GCSPLAN__HTTP_TIMEOUT_DEFAULT_MS */
    /* For tests: a clock in seconds for token expiry (NULL: CLOCK_MONOTONIC),
     * and the file that tells a GCE VM (NULL: /sys/class/dmi/id/product_name). */
    time_t (*now_fn)(void);
    const char *gce_product_file;
} gcsplan__auth_config;

/* Choose the credential source and read what it needs from the environment
 * and files; no network request is made. *out is freed with
 * gcsplan__auth_free. Errors: GCSPLAN_ESOURCE (unreadable or malformed
 * credential file, empty token, no credentials found), GCSPLAN_ELIMIT,
 * GCSPLAN_ENOMEM, GCSPLAN_EINVAL. */
int gcsplan__auth_new(gcsplan__auth **out, const gcsplan_allocator *a,
                      const gcsplan__auth_config *cfg, gcsplan_error *err);

/* The value for an "Authorization:" header ("Bearer ..."), or NULL when
 * anonymous. Fetches or refreshes a token when needed (blocking, with
 * retries on 408, 429, 5xx and connection errors). Borrowed until the next
 * call on the handle. Errors: GCSPLAN_ESOURCE with err->http_status set when
 * the server answered, GCSPLAN_ENOMEM. */
int gcsplan__auth_header(gcsplan__auth *a, const char **header, gcsplan_error *err);

/* The whole header line, "Authorization: Bearer ...", written into line
 * (cap bytes), or *out = NULL when anonymous. The request callers share
 * this. Returns as gcsplan__auth_header; a NULL handle is anonymous. */
int gcsplan__auth_header_line(gcsplan__auth *a, char *line, size_t cap, const char **out,
                              gcsplan_error *err);

/* After a 401: forget the cached token so that the next header call fetches
 * a new one. Returns 1 when that will happen, 0 when the source cannot
 * refresh (a given token, or anonymous): retrying would only fail again. */
int gcsplan__auth_invalidate(gcsplan__auth *a);

/* One line for --explain, e.g. "credentials: service account key from
 * $GOOGLE_APPLICATION_CREDENTIALS (sa@p.iam.gserviceaccount.com)". Never a
 * secret. Owned by the handle. */
const char *gcsplan__auth_describe(const gcsplan__auth *a);

/* Wipe the secrets and free the handle. Accepts NULL. */
void gcsplan__auth_free(gcsplan__auth *a);

#endif
