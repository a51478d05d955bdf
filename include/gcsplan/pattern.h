/* Import URIs: compile, inspect, match.
 *
 * gcsplan_pattern_compile() checks a URI against every rule of SPEC section 1
 * and turns it into an immutable gcsplan_pattern, or fills a gcsplan_error
 * with the broken rule, its position and, where obvious, a corrected URI.
 * A compiled pattern answers questions a lister or planner asks (bucket,
 * literal prefix, shape, segments) and matches object names.
 *
 * Thread-safety: a compiled pattern is immutable; every query and match
 * function may be called from any number of threads at once. Only
 * gcsplan_pattern_free() needs exclusive access.
 *
 * Matching is defined on object names, which Cloud Storage limits to
 * 1..1024 bytes and which are never "." or "..": anything else never matches.
 * Names are compared byte for byte; '?' consumes one UTF-8 code point (a byte
 * that does not start a valid UTF-8 sequence counts as one character). */
#ifndef GCSPLAN_PATTERN_H
#define GCSPLAN_PATTERN_H

#include <stddef.h>
#include "gcsplan/export.h"
#include "gcsplan/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Longest object name Cloud Storage accepts, in bytes. */
#define GCSPLAN_NAME_MAX 1024
/* Longest bucket name, in bytes. */
#define GCSPLAN_BUCKET_MAX 222
/* Longest URI the compiler reads. Every valid URI fits: wildcards never stand
 * side by side except in "**", so a valid object pattern is at most
 * 2 * GCSPLAN_NAME_MAX + 1 bytes. */
#define GCSPLAN_URI_MAX (5 + GCSPLAN_BUCKET_MAX + 1 + 2 * GCSPLAN_NAME_MAX + 1)

typedef struct gcsplan_pattern gcsplan_pattern;

/* The three shapes of a valid object pattern. */
typedef enum gcsplan_pattern_kind {
    GCSPLAN_PATTERN_LITERAL = 1,   /* no wildcard: names exactly one object */
    GCSPLAN_PATTERN_RECURSIVE = 2, /* PREFIX**SUFFIX: may cross '/' */
    GCSPLAN_PATTERN_SEGMENTED = 3  /* '*' and '?' within '/'-separated segments */
} gcsplan_pattern_kind;

#define GCSPLAN_PATTERN_OPTIONS_VERSION 1
typedef struct gcsplan_pattern_options {
    unsigned int version;               /* GCSPLAN_PATTERN_OPTIONS_VERSION */
    const gcsplan_allocator *allocator; /* NULL: the C library's; copied */
} gcsplan_pattern_options;
#define GCSPLAN_PATTERN_OPTIONS_INIT { GCSPLAN_PATTERN_OPTIONS_VERSION, NULL }

/* Compile uri (len bytes, need not be NUL-terminated). On success *out owns a
 * new pattern the caller frees with gcsplan_pattern_free(). On failure *out is
 * NULL, the return is GCSPLAN_EURI (err->rule, offset, length, message, hint
 * filled), GCSPLAN_ENOMEM or GCSPLAN_EINVAL. opts may be NULL. Thread-safe. */
GCSPLAN_API int gcsplan_pattern_compile(gcsplan_pattern **out, const char *uri, size_t len,
                                        const gcsplan_pattern_options *opts,
                                        gcsplan_error *err);

/* Free a pattern; NULL is a no-op. */
GCSPLAN_API void gcsplan_pattern_free(gcsplan_pattern *p);

/* Nonzero when name (len bytes) is matched by the pattern. Allocates nothing;
 * worst case linear in len for a given pattern. */
GCSPLAN_API int gcsplan_pattern_match(const gcsplan_pattern *p, const char *name, size_t len);

/* The shape of the pattern. */
GCSPLAN_API gcsplan_pattern_kind gcsplan_pattern_kind_of(const gcsplan_pattern *p);

/* The URI as compiled, NUL-terminated. Borrowed: valid while p lives. */
GCSPLAN_API const char *gcsplan_pattern_uri(const gcsplan_pattern *p);

/* The bucket name, NUL-terminated. Borrowed: valid while p lives. */
GCSPLAN_API const char *gcsplan_pattern_bucket(const gcsplan_pattern *p);

/* The object pattern (the URI after "gs://BUCKET/"), NUL-terminated.
 * Borrowed: valid while p lives. *len, when len is not NULL, gets its length. */
GCSPLAN_API const char *gcsplan_pattern_object(const gcsplan_pattern *p, size_t *len);

/* The literal bytes every matching name starts with: everything before the
 * first wildcard (the whole name for a literal pattern). This is what a lister
 * sends as `prefix`. Borrowed; *len gets its length. */
GCSPLAN_API const char *gcsplan_pattern_prefix(const gcsplan_pattern *p, size_t *len);

/* For a recursive pattern, the literal bytes after "**" ("" when none, and for
 * other shapes). Borrowed; *len gets its length. */
GCSPLAN_API const char *gcsplan_pattern_suffix(const gcsplan_pattern *p, size_t *len);

/* Nonzero when a match may contain more '/' than the pattern (only "**"). */
GCSPLAN_API int gcsplan_pattern_crosses_slash(const gcsplan_pattern *p);

/* Length in bytes of the shortest name the pattern can match. */
GCSPLAN_API size_t gcsplan_pattern_min_length(const gcsplan_pattern *p);

/* Segment structure: the object pattern split at each '/'. A recursive
 * pattern's last segment holds the "**". */
typedef struct gcsplan_segment {
    const char *text;  /* the segment's bytes, borrowed from the pattern; not NUL-terminated */
    size_t len;        /* its length in bytes */
    size_t offset;     /* its offset in the object pattern */
    int wildcard;      /* 0 literal, 1 '*'/'?' within the segment, 2 holds "**" */
} gcsplan_segment;

/* Number of segments (one more than the number of '/' in the object pattern). */
GCSPLAN_API size_t gcsplan_pattern_segment_count(const gcsplan_pattern *p);

/* Segment i (0-based) into *seg. Returns 0, or GCSPLAN_EINVAL when i is out of range. */
GCSPLAN_API int gcsplan_pattern_segment(const gcsplan_pattern *p, size_t i, gcsplan_segment *seg);

/* Nonzero when text (len bytes, no '/') is matched by segment i on its own.
 * A lister walking a tree level by level matches directory names with this.
 * For the "**" segment it tests whether text could begin a match. */
GCSPLAN_API int gcsplan_pattern_match_segment(const gcsplan_pattern *p, size_t i,
                                              const char *text, size_t len);

/* Warnings: valid constructs that are probably not what the user meant. */
typedef struct gcsplan_warning {
    int rule;            /* a GCSPLAN_RULE_W_* value */
    size_t offset;       /* byte offset in the URI */
    size_t length;       /* length in bytes of the part concerned */
    const char *message; /* one line, borrowed from the pattern */
    const char *hint;    /* corrected URI, or NULL; borrowed from the pattern */
} gcsplan_warning;

/* Number of warnings the URI drew. */
GCSPLAN_API size_t gcsplan_pattern_warning_count(const gcsplan_pattern *p);

/* Warning i, borrowed from the pattern (valid while p lives), or NULL when i
 * is out of range. */
GCSPLAN_API const gcsplan_warning *gcsplan_pattern_warning(const gcsplan_pattern *p, size_t i);

/* Render a diagnostic about input (len bytes) the way a compiler shows one:
 *
 *     gs://B/dir/x[1].dcm
 *                  ^
 *
 * i.e. the input on one line (control characters and invalid UTF-8 shown as
 * \xNN escapes) and a caret line under bytes [offset, offset+length), each
 * line prefixed with indent and ended by '\n'. Writes at most cap bytes
 * including the NUL, like snprintf, and returns the length the full text
 * needs. Thread-safe. */
GCSPLAN_API size_t gcsplan_render_caret(char *buf, size_t cap, const char *input, size_t len,
                                        size_t offset, size_t length, const char *indent);

#ifdef __cplusplus
}
#endif

#endif
