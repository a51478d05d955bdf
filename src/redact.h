/* Text a server wrote (error messages, OAuth error descriptions, Location
 * headers) on its way into one of our messages: masked, one line, bounded
 * and safe for a terminal.
 *
 * Masked are our own secrets (access token, refresh token, client secret,
 * private key, signed assertion) in any 8 consecutive bytes of their raw,
 * percent-encoded, JSON-escaped or base64 (standard and URL alphabets, any
 * alignment) forms, and anything that looks like a credential whoever it
 * belongs to: Google access tokens (ya29.), refresh tokens (1//), JWTs (eyJ),
 * PEM blocks, and runs of 32 or more base64 or hex characters that mix
 * digits and letters of both cases (or are hex). A masked stretch reads
 * GCSPLAN__REDACTED. */
#ifndef GCSPLAN_REDACT_H
#define GCSPLAN_REDACT_H

#include <stddef.h>

#include "util/buf.h"

#define GCSPLAN__REDACTED "<redacted>"
/* Secrets shorter than this are not looked for piecewise: no real one is,
 * and shorter pieces would match ordinary words. */
#define GCSPLAN__SECRET_MIN 8
/* At most this much server text is examined; the rest is dropped. */
#define GCSPLAN__SERVER_TEXT_IN_MAX 4096

/* Append s[0..n) to out: masked as above (secrets: a NULL-terminated list,
 * or NULL), control characters as spaces, runs of white space as one, cut
 * to at most max bytes before escaping (a cut text ends with "..."), then
 * escaped with gcsplan__term_str. Returns 0, or -1 when memory for the
 * masking ran out: then nothing of s is written, never an unmasked text. */
int gcsplan__server_text(gcsplan__buf *out, const char *s, size_t n, size_t max,
                         const char *const *secrets);

/* Nonzero when s[0..n) holds something gcsplan__server_text would mask. */
int gcsplan__looks_secret(const char *s, size_t n, const char *const *secrets);

#endif
