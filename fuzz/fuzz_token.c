/* Fuzz target: what a token endpoint answers (src/auth_token.c,
 * src/api_error.c, src/redact.c).
 *
 * Input: a response body. As a 200 answer it must give a usable token or
 * a clean error; as an error answer its text, read as an OAuth error (a
 * token endpoint) and as a Google API error, and quoted as plain server
 * text, must be one bounded line safe for a terminal that never holds 8
 * consecutive bytes of our secrets (known here; the dictionary holds them
 * raw and encoded). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "api_error.h"
#include "auth_json.h"
#include "auth_token.h"
#include "fuzz_target.h"
#include "redact.h"
#include "util/escape.h"

#define REFRESH "1//0gSECRETrefreshTOKENvalue42"
#define CLIENT "GOCSPX-clientSECRET-0123"
#define MAX 200

static const char *const secrets[] = { REFRESH, CLIENT, NULL };


static void check_text(const char *t, size_t n, const char *what)
{
    FZ_CHECK(strlen(t) == n, "%s: a NUL inside", what);
    FZ_CHECK(gcsplan__term_safe(t, n), "%s: not safe for a terminal: '%s'", what, t);
    FZ_CHECK(n <= 4 * MAX + 80, "%s: %zu bytes", what, n);
    for (const char *const *s = secrets; *s != NULL; s++) {
        size_t sl = strlen(*s);
        for (size_t i = 0; i + 8 <= sl; i++)
            for (size_t j = 0; j + 8 <= n; j++)
                FZ_CHECK(memcmp(t + j, *s + i, 8) != 0, "%s: quotes a secret: '%s'", what, t);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_input("body", data, size);
    const char *body = (const char *)data;
    const gcsplan_allocator *a = &gcsplan__default_allocator;
    gcsplan__token tok;
    gcsplan_error err;
    int rc = gcsplan__token_parse(&tok, a, body, size, &err);
    FZ_CHECK(rc == 0 || rc == GCSPLAN_ESOURCE || rc == GCSPLAN_ELIMIT, "token rc %d", rc);
    if (rc == 0) {
        FZ_CHECK(tok.access_token != NULL && gcsplan__token_ok(tok.access_token, tok.len),
              "an unusable token accepted");
        FZ_CHECK(strlen(tok.access_token) == tok.len, "token length");
        FZ_CHECK(tok.expires_in > 0 && tok.expires_in < 1000000000, "expires_in %lld",
              tok.expires_in);
        gcsplan__free_secret_n(a, tok.access_token, tok.len + 1);
    } else {
        FZ_CHECK(tok.access_token == NULL, "a token left after an error");
        FZ_CHECK(strchr(err.message, '\n') == NULL && err.message[0], "error not one line");
    }
    char out[4096];
    gcsplan__buf b;
    for (int oauth = 0; oauth < 2; oauth++) {
        gcsplan__buf_fixed(&b, out, sizeof out);
        if (gcsplan__error_doc_text(&b, body, size, oauth, MAX, secrets) == 0)
            check_text(out, b.len, oauth ? "oauth" : "google");
    }
    gcsplan__buf_fixed(&b, out, sizeof out);
    if (gcsplan__server_text(&b, body, size, MAX, secrets) == 0)
        check_text(out, b.len, "server text");
    return 0;
}
