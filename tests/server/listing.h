/*
 * objects.list semantics, independent of HTTP: which names and prefixes one
 * page holds and where the next page resumes.
 *
 * A page token encodes one name, K: the next page starts at the first name
 * >= K (still bounded by prefix, startOffset and endOffset of the request).
 * The page stops *before* the first entry that does not fit, so K is simply
 * that entry's name; a collapsed prefix P is skipped as a whole by seeking to
 * the first name that does not start with P. The token is base64 of a version
 * byte and K, opaque to clients.
 */
#ifndef GCS_TEST_SERVER_LISTING_H
#define GCS_TEST_SERVER_LISTING_H

#include "bucket.h"

#include <stddef.h>

#define LIST_MAX_RESULTS 1000
/* Names examined per request when matchGlob filters most of them out; the
 * real service also returns short (even empty) pages with a token then. */
#define LIST_SCAN_LIMIT 100000
#define LIST_TOKEN_MAX (4 * (BUCKET_NAME_MAX + 2) / 3 + 8)

typedef struct {
    const char *prefix;       /* NULL or "" for none */
    const char *delimiter;    /* NULL or "" for none */
    const char *start_offset; /* NULL for none */
    const char *end_offset;   /* NULL for none */
    const char *match_glob;   /* NULL for none */
    int include_trailing_delimiter;
    size_t max_results;       /* 0 gives an empty page that resumes where it started */
    size_t scan_limit;        /* 0 means LIST_SCAN_LIMIT */
    const char *page_token;   /* NULL for the first page */
} list_params;

typedef struct {
    size_t *items; /* bucket indices, ascending */
    size_t n_items;
    char **prefixes; /* ascending, each NUL-terminated */
    size_t n_prefixes;
    char *next_token; /* NULL on the last page */
} list_page;

/* Fills page (which the caller zeroes first and frees with list_page_free).
 * Returns 0, or -1 with a message for a bad token or glob (HTTP 400). */
int listing_run(const bucket *b, const list_params *p, list_page *page, char *err,
                size_t errlen);
void list_page_free(list_page *page);

/* Token helpers, exposed for tests. token must hold LIST_TOKEN_MAX bytes. */
void listing_token_encode(const char *key, size_t len, char *token);
/* Returns the key length, or -1 when the token is not one of ours. */
long listing_token_decode(const char *token, char *key, size_t cap);

#endif
