/* The objects.list page parser: bytes in, items out.
 *
 * A page is parsed as it arrives, in any chunking, through yajl's callbacks;
 * no tree is built. Only the top-level item keys "name", "size" and
 * "generation" are taken: nested objects (metadata, owner, acl...) have keys
 * of those names too and are skipped. Also taken: "prefixes" and the
 * "nextPageToken". The same parser reads an objects.get body (one object at
 * the top level). Error bodies are the API client's (api_error.c).
 *
 * Bounded whatever the server sends: nesting at most GCSPLAN_JSON_DEPTH_MAX,
 * and no JSON string or number longer than GCSPLAN_JSON_TOKEN_MAX (yajl
 * re-reads a token that spans chunks from its start at every chunk, so one
 * endless string would cost time quadratic in its length). */
#ifndef GCSPLAN_LIST_JSON_H
#define GCSPLAN_LIST_JSON_H

#include <stddef.h>
#include <stdint.h>
#include "gcsplan/error.h"

/* Longest nextPageToken accepted (real ones are well under 1 KiB). */
#define GCSPLAN_PAGE_TOKEN_MAX 4096
/* Deepest nesting accepted in a page. */
#define GCSPLAN_JSON_DEPTH_MAX 64
/* Longest string or number token accepted: every 64 KiB of a page holds an
 * unescaped '"' (a real page has one every few dozen bytes). */
#define GCSPLAN_JSON_TOKEN_MAX (64 * 1024)
/* Pieces smaller than this are gathered before parsing. */
#define GCSPLAN__PAGE_STAGE 4096

typedef struct gcsplan__page_sink {
    /* One item, complete. name is not NUL-terminated and only valid during
     * the call. Return nonzero to stop the parse. */
    int (*item)(void *ctx, const char *name, size_t len, uint64_t size, int64_t generation);
    /* One collapsed prefix (delimiter listings). */
    int (*prefix)(void *ctx, const char *p, size_t len);
    void *ctx;
} gcsplan__page_sink;

typedef enum { GCSPLAN__PAGE_LIST = 0, GCSPLAN__PAGE_OBJECT = 1 } gcsplan__page_mode;

typedef struct gcsplan__page_parser gcsplan__page_parser;

int gcsplan__page_parser_new(gcsplan__page_parser **out, const gcsplan_allocator *a,
                             const gcsplan__page_sink *sink);
/* Start a new page (a new body) in the given mode. */
int gcsplan__page_parser_begin(gcsplan__page_parser *p, gcsplan__page_mode mode);
/* Feed bytes; returns 0, or GCSPLAN_ESOURCE (message in err) for a body that
 * is not a well-formed page, or the nonzero a sink callback returned. Pieces
 * under GCSPLAN__PAGE_STAGE bytes are gathered first, so such a verdict may
 * come from a later feed or from finish. */
int gcsplan__page_parser_feed(gcsplan__page_parser *p, const char *buf, size_t len,
                              gcsplan_error *err);
/* The body ended: 0 when it was a complete page. */
int gcsplan__page_parser_finish(gcsplan__page_parser *p, gcsplan_error *err);
/* The page's nextPageToken (NUL-terminated), or NULL. Valid until begin. */
const char *gcsplan__page_parser_token(const gcsplan__page_parser *p);
void gcsplan__page_parser_free(gcsplan__page_parser *p);

#endif
