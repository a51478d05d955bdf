/* The compiled form of an import URI, shared by the compiler (pattern.c) and
 * the matcher (match.c). */
#ifndef GCSPLAN_PATTERN_IMPL_H
#define GCSPLAN_PATTERN_IMPL_H

#include <stdint.h>
#include "gcsplan/pattern.h"

/* A glob segment is a sequence of tokens. Between two '*' tokens lies a
 * "piece": literal runs and '?'s that match a fixed number of characters. */
enum { GP_TOK_LIT = 1, GP_TOK_ONE = 2, GP_TOK_STAR = 3 };

typedef struct gp_tok {
    uint32_t kind;
    uint32_t off; /* GP_TOK_LIT: offset of the run in the object pattern */
    uint32_t len; /* GP_TOK_LIT: run length; GP_TOK_ONE: count of '?' */
} gp_tok;

typedef struct gp_seg {
    uint32_t off, len;      /* the segment's bytes in the object pattern */
    uint32_t wildcard;      /* as gcsplan_segment.wildcard */
    uint32_t tok, ntok;     /* its tokens, for wildcard == 1 */
    uint32_t head;          /* tokens before the first '*' (ntok when none) */
    uint32_t tail;          /* index of the first token after the last '*' */
    uint32_t min_bytes;     /* shortest text the segment matches */
} gp_seg;

#define GP_MAX_WARNINGS 8

struct gcsplan_pattern {
    gcsplan_allocator alloc;
    gcsplan_pattern_kind kind;
    char *uri;              /* NUL-terminated copy of the URI */
    size_t uri_len;
    char *bucket;           /* NUL-terminated copy of the bucket */
    const char *object;     /* points into uri; NUL-terminated by it */
    size_t object_off, object_len;
    size_t prefix_len;      /* object[0, prefix_len) is literal */
    size_t suffix_len;      /* recursive: object ends with these literal bytes */
    size_t tail_len;        /* segmented: literal bytes after the last wildcard */
    size_t min_len;
    uint64_t lit_tail;      /* literal of 8 bytes or more: its last 8 bytes, as memcpy loads them */
    size_t lit_end;         /* object[0, lit_end) is whole literal segments, '/' included */
    size_t first_glob;      /* index of the first segment that is not literal */
    gp_seg *segs;
    size_t nsegs;
    gp_tok *toks;
    size_t ntoks;
    gcsplan_warning warnings[GP_MAX_WARNINGS];
    size_t nwarnings;
    int oom;                /* a warning could not be allocated */
};

/* Whole-segment match of text against glob segment s (match.c). */
int gcsplan__glob_segment_match(const struct gcsplan_pattern *p, const gp_seg *s,
                                const unsigned char *text, size_t len);

#endif
