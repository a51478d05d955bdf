/* Token requests and what their answers say. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_json.h"
#include "auth_token.h"

int gcsplan__token_ok(const char *token, size_t len)
{
    if (len == 0 || len > GCSPLAN__TOKEN_MAX)
        return 0;
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)token[i] <= 0x20 || (unsigned char)token[i] >= 0x7f)
            return 0;
    return 1;
}

static int unreserved(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '-' || c == '.' || c == '_' || c == '~';
}

int gcsplan__form_encode(char **out, size_t *out_len, const gcsplan_allocator *a,
                         const char *const *pairs, gcsplan_error *err)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t need = 1;
    for (const char *const *p = pairs; *p != NULL; p++)
        need += strlen(*p) * 3 + 1; /* every byte escaped, plus '=' or '&' */
    char *s = gcsplan__malloc(a, need);
    if (s == NULL) {
        *out = NULL;
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory for a token request");
    }
    size_t n = 0;
    for (size_t i = 0; pairs[i] != NULL; i++) {
        if (i > 0)
            s[n++] = i % 2 ? '=' : '&';
        for (const unsigned char *c = (const unsigned char *)pairs[i]; *c; c++) {
            if (unreserved(*c)) {
                s[n++] = (char)*c;
            } else {
                s[n++] = '%';
                s[n++] = hex[*c >> 4];
                s[n++] = hex[*c & 15];
            }
        }
    }
    s[n] = '\0';
    *out = s;
    *out_len = n;
    return 0;
}

int gcsplan__token_parse(gcsplan__token *tok, const gcsplan_allocator *a, const char *body,
                         size_t n, gcsplan_error *err)
{
    gcsplan__json_field f[] = { { "access_token", NULL, 0, 0 }, { "expires_in", NULL, 0, 0 } };
    tok->access_token = NULL;
    tok->len = 0;
    tok->expires_in = 0;
    int rc = gcsplan__json_fields(f, 2, a, body != NULL ? body : "", n, NULL);
    if (rc == GCSPLAN_ENOMEM) {
        rc = gcsplan__error_set(err, rc, "out of memory reading a token response");
        goto done;
    }
    if (rc != 0 || f[0].value == NULL || !f[0].is_string ||
        !gcsplan__token_ok(f[0].value, f[0].len)) {
        rc = gcsplan__error_set(err, GCSPLAN_ESOURCE, "the answer holds no usable access_token");
        goto done;
    }
    tok->expires_in = GCSPLAN__TOKEN_DEFAULT_LIFETIME_S;
    if (f[1].value != NULL) {
        char *end;
        double v = strtod(f[1].value, &end);
        if (*end == '\0' && v > 0 && v < 1e9)
            tok->expires_in = (long long)v;
    }
    tok->access_token = f[0].value;
    tok->len = f[0].len;
    f[0].value = NULL;
    rc = 0;
done:
    gcsplan__json_fields_free(f, 2, a);
    return rc;
}

int gcsplan__token_fetch(gcsplan__token *tok, gcsplan__api *api, const gcsplan__request *req,
                         const char *what, gcsplan_error *err)
{
    gcsplan__response resp;
    tok->access_token = NULL;
    tok->len = 0;
    tok->expires_in = 0;
    gcsplan_error ferr;
    int rc = gcsplan__api_fetch(api, req, &resp, &ferr);
    if (rc == GCSPLAN_ENOMEM) {
        gcsplan__error_set(err, rc, "out of memory for a token request");
    } else if (rc != 0) {
        /* WHY is the last failure: a status with the OAuth error, masked,
         * or what the connection did. */
        gcsplan__error_set(err, GCSPLAN_ESOURCE, "%s failed: %s", what,
                           resp.why[0] ? resp.why : ferr.message);
        if (err != NULL)
            err->http_status = resp.status;
        rc = GCSPLAN_ESOURCE;
    } else {
        gcsplan_error perr;
        rc = gcsplan__token_parse(tok, &resp.alloc, resp.body, resp.body_len, &perr);
        if (rc != 0)
            gcsplan__error_set(err, rc, "%s failed: %s", what, perr.message);
        else
            gcsplan_error_clear(err); /* the retries' failures are history */
    }
    gcsplan__response_free(&resp);
    return rc;
}
