/*
 * Cloud Storage matchGlob: `*` any run of characters but `/`, two stars any
 * run including `/` (and two stars followed by `/` may also match no directory
 * at all, so "a/" + two stars + "/b" matches "a/b"), `?` one character (UTF-8
 * code point) but `/`, `[abc]` `[a-z]` `[!a]` one byte from a set, `{x,y}`
 * alternatives, `\` escapes.
 */
#ifndef GCS_TEST_SERVER_GLOB_H
#define GCS_TEST_SERVER_GLOB_H

#include <stddef.h>

/* Longest glob accepted; the real service has a similar limit. */
#define GLOB_MAX 1024

/* 0 when the glob is well formed, else -1 (unbalanced [ or {, trailing \). */
int glob_check(const char *glob);
/* 1 when name matches the whole glob, 0 otherwise. */
int glob_match(const char *glob, const char *name, size_t len);

#endif
