/* OAuth2 access tokens from a token endpoint or the metadata server: the
 * request body, and what the answer says. Requests go through the API
 * client (api.c): its transport, its retry policy, its error reader. */
#ifndef GCSPLAN_AUTH_TOKEN_H
#define GCSPLAN_AUTH_TOKEN_H

#include <stddef.h>

#include "api.h"
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
    size_t len;
    long long expires_in; /* seconds */
} gcsplan__token;

/* The token in a token endpoint's 200 answer body[0..n):
 * {"access_token", "expires_in"}. Returns 0, GCSPLAN_ENOMEM, or
 * GCSPLAN_ESOURCE (no usable access_token; the message never quotes the
 * body). */
int gcsplan__token_parse(gcsplan__token *tok, const gcsplan_allocator *a, const char *body,
                         size_t n, gcsplan_error *err);

/* Send req through api (req->oauth set: error bodies are quoted only as
 * OAuth fields, masked) and read the token. Otherwise GCSPLAN_ESOURCE with
 * err->http_status and "WHAT failed: WHY". */
int gcsplan__token_fetch(gcsplan__token *tok, gcsplan__api *api, const gcsplan__request *req,
                         const char *what, gcsplan_error *err);

#endif
