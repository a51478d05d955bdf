/* Token requests and what their answers say. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_json.h"
#include "auth_token.h"

/* How much of a server's error text a message quotes. */
#define SERVER_TEXT_MAX 120
/* A secret is recognised in a server's text by this many leading bytes,
 * so that a quote cut short is caught too. */
#define SECRET_PROBE 12

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

static int quotes_secret(const char *text, const char *const *secrets)
{
    for (const char *const *s = secrets; s != NULL && *s != NULL; s++) {
        size_t n = strlen(*s);
        char probe[SECRET_PROBE + 1];
        if (n == 0)
            continue;
        if (n > SECRET_PROBE)
            n = SECRET_PROBE;
        memcpy(probe, *s, n);
        probe[n] = '\0';
        if (strstr(text, probe) != NULL)
            return 1;
    }
    return 0;
}

/* One line of at most SERVER_TEXT_MAX bytes, control characters blanked. */
static void one_line(char *dst, size_t cap, const char *src)
{
    size_t n = 0;
    for (; src[n] != '\0' && n + 1 < cap && n < SERVER_TEXT_MAX; n++) {
        unsigned char c = (unsigned char)src[n];
        dst[n] = c < 0x20 || c == 0x7f ? ' ' : (char)c;
    }
    while (n > 0 && dst[n - 1] == ' ')
        n--;
    dst[n] = '\0';
}

/* What the server said, from an OAuth2 error ({"error": code,
 * "error_description": text}), a Google API error ({"error": {"message"}})
 * or a plain text body. */
static void server_says(char *out, size_t cap, const gcsplan_allocator *a,
                        const gcsplan__http_response *resp, const char *const *secrets)
{
    gcsplan__json_field f[] = {
        { "error", NULL, 0 }, { "error_description", NULL, 0 }, { "error.message", NULL, 0 }
    };
    char raw[2 * SERVER_TEXT_MAX + 8] = "";
    const char *body = resp->body ? resp->body : "";
    if (gcsplan__json_fields(f, 3, a, body, resp->body_len, NULL) == 0) {
        if (f[0].value != NULL && f[1].value != NULL)
            snprintf(raw, sizeof raw, "%.*s: %.*s", SERVER_TEXT_MAX, f[0].value,
                     SERVER_TEXT_MAX, f[1].value);
        else if (f[0].value != NULL || f[2].value != NULL)
            snprintf(raw, sizeof raw, "%.*s", SERVER_TEXT_MAX, f[0].value ? f[0].value : f[2].value);
    } else {
        snprintf(raw, sizeof raw, "%.*s", SERVER_TEXT_MAX, body);
    }
    gcsplan__json_fields_free(f, 3, a);
    one_line(out, cap, raw);
    if (quotes_secret(out, secrets))
        snprintf(out, cap, "(the server's message is withheld: it quotes a credential)");
}

int gcsplan__token_fetch(gcsplan__token *tok, const gcsplan_allocator *a,
                         const gcsplan__http_request *req, const char *what,
                         const char *const *secrets, gcsplan_error *err)
{
    gcsplan__http_response resp;
    gcsplan__json_field f[] = { { "access_token", NULL, 0 }, { "expires_in", NULL, 0 } };
    tok->access_token = NULL;
    tok->expires_in = 0;
    int rc = gcsplan__http_fetch_retry(&resp, a, req, err);
    if (rc != 0) {
        /* The transport's message names the URL; say what it was for. */
        if (err != NULL && rc == GCSPLAN_ESOURCE) {
            char detail[GCSPLAN_MESSAGE_MAX];
            memcpy(detail, err->message, sizeof detail);
            gcsplan__error_set(err, rc, "%s failed: %s", what, detail);
        }
        goto done;
    }
    if (resp.status != 200) {
        char text[SERVER_TEXT_MAX + 1];
        server_says(text, sizeof text, a, &resp, secrets);
        rc = gcsplan__error_set(err, GCSPLAN_ESOURCE, "%s failed: HTTP %ld%s%s", what,
                                resp.status, text[0] ? ": " : "", text);
        if (err != NULL)
            err->http_status = (int)resp.status;
        goto done;
    }
    rc = gcsplan__json_fields(f, 2, a, resp.body ? resp.body : "", resp.body_len, NULL);
    if (rc == GCSPLAN_ENOMEM) {
        rc = gcsplan__error_set(err, rc, "out of memory reading a token response");
        goto done;
    }
    if (rc != 0 || f[0].value == NULL || !f[0].is_string ||
        !gcsplan__token_ok(f[0].value, strlen(f[0].value))) {
        rc = gcsplan__error_set(err, GCSPLAN_ESOURCE,
                                "%s failed: the answer holds no usable access_token", what);
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
    f[0].value = NULL;
    rc = 0;
done:
    gcsplan__json_fields_free(f, 2, a);
    gcsplan__http_response_free(&resp, a);
    return rc;
}
