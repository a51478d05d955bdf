/* Google error documents into short, safe texts. */
#include <string.h>

#include "api_error.h"
#include "auth_json.h"
#include "internal.h"
#include "redact.h"

#define OAUTH_CODE_MAX 64

/* An OAuth error code is a plain word (RFC 6749: %x20-21 / %x23-5B / %x5D-7E,
 * in practice snake_case); anything else is not shown. */
static int plain_word(const char *s, size_t n)
{
    if (n == 0 || n > OAUTH_CODE_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-' || c == '.'))
            return 0;
    }
    return 1;
}

int gcsplan__error_doc_text(gcsplan__buf *out, const char *body, size_t n, int oauth_only,
                            size_t max, const char *const *secrets)
{
    enum { OAUTH, DESC, MESSAGE, STATUS, NF };
    gcsplan__json_field f[NF] = {
        [OAUTH] = { "error", NULL, 0, 0 },
        [DESC] = { "error_description", NULL, 0, 0 },
        [MESSAGE] = { "error.message", NULL, 0, 0 },
        [STATUS] = { "error.status", NULL, 0, 0 },
    };
    const gcsplan_allocator *a = &gcsplan__default_allocator;
    int rc = 0;
    if (n == 0 || gcsplan__json_fields(f, NF, a, body, n, NULL) != 0)
        return 0; /* not a JSON object: nothing to quote */
    const gcsplan__json_field *code = f[OAUTH].is_string ? &f[OAUTH] : NULL;
    const gcsplan__json_field *desc = f[DESC].is_string ? &f[DESC] : NULL;
    const gcsplan__json_field *msg = f[MESSAGE].is_string ? &f[MESSAGE]
                                     : f[STATUS].is_string ? &f[STATUS] : NULL;
    if (oauth_only)
        msg = NULL;
    size_t before = out->len;
    if (msg != NULL) {
        rc = gcsplan__server_text(out, msg->value, msg->len, max, secrets);
    } else if (code != NULL && plain_word(code->value, code->len) &&
               !gcsplan__looks_secret(code->value, code->len, secrets)) {
        gcsplan__buf_put(out, code->value, code->len);
        if (desc != NULL && desc->len > 0) {
            gcsplan__buf_puts(out, ": ");
            rc = gcsplan__server_text(out, desc->value, desc->len, max, secrets);
        }
    }
    if (rc != 0)
        gcsplan__buf_truncate(out, before);
    gcsplan__json_fields_free(f, NF, a);
    return rc;
}
