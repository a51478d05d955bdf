/* OAuth2 access tokens from a token endpoint or the metadata server: the
 * request body, the response, and what an error from either says. */
#ifndef GCSPLAN_AUTH_TOKEN_H
#define GCSPLAN_AUTH_TOKEN_H

#include <stddef.h>
#include "http_blocking.h"
#include "internal.h"

/* The longest access token accepted (Google's are a few hundred bytes; the
 * documented ceiling is 2 KiB). */
#define GCSPLAN__TOKEN_MAX 4096
/* The lifetime assumed when a response gives no expires_in. */
#define GCSPLAN__TOKEN_DEFAULT_LIFETIME_S 3600

/* Nonzero when token[0..len) can go into an Authorization header as is:
 * 1..GCSPLAN__TOKEN_MAX visible ASCII characters, so that a stray newline
 * can never inject a header. */
int gcsplan__token_ok(const char *token, size_t len);

/* An application/x-www-form-urlencoded body from name/value pairs given as
 * a NULL-terminated list {name1, value1, name2, value2, ..., NULL}. *out is
 * allocated with a; wipe it with gcsplan__free_secret. */
int gcsplan__form_encode(char **out, size_t *out_len, const gcsplan_allocator *a,
                         const char *const *pairs, gcsplan_error *err);

typedef struct gcsplan__token {
    char *access_token;   /* allocated with the allocator; wipe when done */
    long long expires_in; /* seconds */
} gcsplan__token;

/* Send req (with retries) and read {"access_token", "expires_in"} from a 200
 * response. Otherwise GCSPLAN_ESOURCE with err->http_status and a message
 * naming `what` and quoting the server's error and description, unless they
 * repeat one of the NULL-terminated secrets (then they are withheld). */
int gcsplan__token_fetch(gcsplan__token *tok, const gcsplan_allocator *a,
                         const gcsplan__http_request *req, const char *what,
                         const char *const *secrets, gcsplan_error *err);

#endif
