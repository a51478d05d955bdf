/* The one reader of the error documents Google's APIs answer with:
 *
 *   {"error": {"code": 404, "message": "...", "status": "NOT_FOUND",
 *              "errors": [{"message": "...", "reason": "notFound"}]}}
 *
 * and the OAuth 2.0 form of token endpoints (RFC 6749 section 5.2):
 *
 *   {"error": "invalid_grant", "error_description": "..."}
 *
 * into a bounded, terminal-safe, secret-masked text (redact.c). A body that
 * is neither gives no text: raw bodies (HTML from a proxy, a token endpoint
 * echoing what it was sent) are never quoted. */
#ifndef GCSPLAN_API_ERROR_H
#define GCSPLAN_API_ERROR_H

#include <stddef.h>

#include "util/buf.h"

/* The text of the error document body[0..n) appended to out ("" when it has
 * none): the message (else the status) of a Google API error, or "CODE:
 * DESCRIPTION" of an OAuth error, whose code is shown only when it is a
 * plain word of at most 64 characters. With oauth_only (a token endpoint)
 * only the OAuth form counts. At most max bytes of server text before
 * escaping; secrets (NULL-terminated, or NULL) are masked too. Returns 0,
 * or -1 when memory ran out (then nothing is appended). */
int gcsplan__error_doc_text(gcsplan__buf *out, const char *body, size_t n, int oauth_only,
                            size_t max, const char *const *secrets);

#endif
