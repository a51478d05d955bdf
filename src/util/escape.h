/* Text from outside (object names, server messages, file contents) on its
 * way to JSON or to a terminal.
 *
 * JSON: a quoted string that is always valid JSON and valid UTF-8: '"', '\'
 * and control characters are escaped, and each byte that is not part of a
 * well-formed UTF-8 sequence becomes U+FFFD.
 *
 * Terminal: nothing can move the cursor, change colours, retitle the window
 * or hide itself: C0 and C1 controls, DEL and bytes that are not UTF-8 show
 * as \xNN; the invisible format characters that reorder or hide text
 * (bidirectional overrides and isolates, zero-width characters, line and
 * paragraph separators, the byte order mark) show as \u{XXXX}. Everything
 * else, non-ASCII letters included, shows as it is. */
#ifndef GCSPLAN_UTIL_ESCAPE_H
#define GCSPLAN_UTIL_ESCAPE_H

#include <stddef.h>

#include "buf.h"

/* s[0..n) as a JSON string, quotes included. */
void gcsplan__json_str(gcsplan__buf *b, const char *s, size_t n);

/* Nonzero when s[0..n) is well-formed UTF-8 (a JSON writer that escapes on
 * its own, like yajl's, then needs no repair). */
int gcsplan__utf8_valid(const char *s, size_t n);

/* s[0..n) for a terminal, as described above. */
void gcsplan__term_str(gcsplan__buf *b, const char *s, size_t n);

/* The first max bytes of s[0..n) as gcsplan__term_str writes them, then
 * "..." when s was longer: outside text quoted in a message. */
void gcsplan__term_cut(gcsplan__buf *b, const char *s, size_t n, size_t max);

/* Nonzero when gcsplan__term_str would write s unchanged. */
int gcsplan__term_safe(const char *s, size_t n);

/* One character of s[0..n) (n >= 1) as gcsplan__term_str shows it: writes
 * it to b, sets *width to the columns it takes (1 for a character shown as
 * it is, the length of its escape otherwise) and returns the bytes of s it
 * consumed. For caret lines that must stay under the right characters. */
size_t gcsplan__term_char(gcsplan__buf *b, const char *s, size_t n, size_t *width);

/* s[0..n) with each byte that is not part of well-formed UTF-8 replaced by
 * U+FFFD; nothing else changes. */
void gcsplan__utf8_repair(gcsplan__buf *b, const char *s, size_t n);

#endif
