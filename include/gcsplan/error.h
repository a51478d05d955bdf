/* Errors, URI rules and allocator hooks shared by every gcsplan module.
 *
 * Every fallible function returns 0 or a negative GCSPLAN_E* code and, when
 * the caller passes a gcsplan_error (NULL is allowed), fills it with the code,
 * a one-line message and, where the error is about a piece of input, the byte
 * offset and length of that piece and a corrected input when one is obvious.
 * The struct is caller-owned: there is no thread-local error state.
 *
 * Codes and rule numbers are stable: new ones are only ever appended. */
#ifndef GCSPLAN_ERROR_H
#define GCSPLAN_ERROR_H

#include <stddef.h>
#include "gcsplan/export.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Return codes. */
enum {
    GCSPLAN_OK = 0,
    GCSPLAN_ERROR = -1,     /* internal error */
    GCSPLAN_ENOMEM = -2,    /* an allocation failed */
    GCSPLAN_EINVAL = -3,    /* a bad argument (NULL where not allowed, bad option version) */
    GCSPLAN_EURI = -4,      /* the URI breaks a rule; gcsplan_error.rule says which */
    GCSPLAN_ELIMIT = -5,    /* an input exceeds a hard limit */
    GCSPLAN_ESOURCE = -6,   /* the object source failed (I/O, malformed listing, HTTP) */
    GCSPLAN_EPLAN = -7,     /* no plan satisfies the invariants of SPEC section 4 */
    GCSPLAN_ESTOPPED = -20, /* an import stopped on request before every job finished */
    GCSPLAN_EJOURNAL = -21, /* an import journal of another plan or store, or malformed */
    GCSPLAN_EBUSY = -22,    /* the import journal is locked by another run */
    GCSPLAN_ITEROVER = -31  /* an iterator has no more items: not an error */
};

/* The rules of SPEC section 1. Errors have numbers 1..99, warnings 100 and up.
 * gcsplan_rule_name() gives each a stable kebab-case name for tools. */
typedef enum gcsplan_rule {
    GCSPLAN_RULE_NONE = 0,
    GCSPLAN_RULE_SCHEME = 1,             /* the URI does not start with gs:// */
    GCSPLAN_RULE_BUCKET_EMPTY = 2,       /* no bucket name */
    GCSPLAN_RULE_BUCKET_LENGTH = 3,      /* 3-63 characters, or up to 222 with dots */
    GCSPLAN_RULE_BUCKET_CHAR = 4,        /* only a-z 0-9 - _ . */
    GCSPLAN_RULE_BUCKET_EDGE = 5,        /* must start and end with a letter or digit */
    GCSPLAN_RULE_BUCKET_PART = 6,        /* a dot-separated part is empty or over 63 */
    GCSPLAN_RULE_BUCKET_IPV4 = 7,        /* looks like an IPv4 address */
    GCSPLAN_RULE_BUCKET_GOOG = 8,        /* starts with "goog" */
    GCSPLAN_RULE_BUCKET_GOOGLE = 9,      /* contains "google" */
    GCSPLAN_RULE_BUCKET_WILDCARD = 10,   /* a wildcard in the bucket */
    GCSPLAN_RULE_OBJECT_EMPTY = 11,      /* nothing after the bucket */
    GCSPLAN_RULE_UTF8 = 12,              /* the object pattern is not valid UTF-8 */
    GCSPLAN_RULE_NEWLINE = 13,           /* CR or LF in the object pattern */
    GCSPLAN_RULE_RECURSIVE_NOT_LAST = 14,/* a '/' after '**' */
    GCSPLAN_RULE_RECURSIVE_TWICE = 15,   /* '**' more than once */
    GCSPLAN_RULE_TRIPLE_STAR = 16,       /* '***' */
    GCSPLAN_RULE_RECURSIVE_MIXED = 17,   /* '**' with another wildcard */
    GCSPLAN_RULE_TOO_LONG = 18,          /* the shortest match is over 1024 bytes */
    GCSPLAN_RULE_DOT_NAME = 19,          /* the literal name is "." or ".." */

    GCSPLAN_RULE_W_TRAILING_SLASH = 100, /* a literal name ending in '/' */
    GCSPLAN_RULE_W_SUFFIX_NO_DOT = 101,  /* a suffix after '**' not starting with '.' */
    GCSPLAN_RULE_W_EMPTY_SEGMENT = 102,  /* '//' or a leading '/' */
    GCSPLAN_RULE_W_LITERAL_META = 103,   /* '[' '{' '\' are literal, not glob syntax */
    GCSPLAN_RULE_W_PARTIAL_RECURSIVE = 104, /* 'dir**' also matches 'dir2/...' */
    GCSPLAN_RULE_W_SPACE_EDGE = 105      /* leading or trailing white space */
} gcsplan_rule;

/* Stable name of a rule, e.g. "recursive-not-last"; "none" for 0 and
 * "unknown" for other numbers. Static storage; thread-safe. */
GCSPLAN_API const char *gcsplan_rule_name(int rule);

/* Nonzero when the rule is a warning rather than an error. Thread-safe. */
GCSPLAN_API int gcsplan_rule_is_warning(int rule);

/* A short description of a return code. Never NULL; static storage; thread-safe. */
GCSPLAN_API const char *gcsplan_strerror(int code);

#define GCSPLAN_MESSAGE_MAX 256
/* Large enough for any corrected URI: see GCSPLAN_URI_MAX in pattern.h. */
#define GCSPLAN_HINT_MAX 2560

typedef struct gcsplan_error {
    int code;          /* GCSPLAN_E*, 0 when there was no error */
    int rule;          /* gcsplan_rule for GCSPLAN_EURI, else 0 */
    size_t offset;     /* byte offset of the offending part of the input */
    size_t length;     /* its length in bytes; 0 when the error has no position */
    int http_status;   /* HTTP status for source errors, else 0 */
    char message[GCSPLAN_MESSAGE_MAX]; /* one line, no trailing newline */
    char hint[GCSPLAN_HINT_MAX];       /* a corrected input, or "" */
} gcsplan_error;

/* Reset an error struct to "no error". Accepts NULL. Thread-safe. */
GCSPLAN_API void gcsplan_error_clear(gcsplan_error *err);

/* Allocator hooks. Every handle allocates and frees through the allocator it
 * was created with; a NULL allocator pointer means the C library's. */
typedef struct gcsplan_allocator {
    void *(*malloc_fn)(size_t size, void *ctx);
    void *(*realloc_fn)(void *ptr, size_t size, void *ctx);
    void (*free_fn)(void *ptr, void *ctx);
    void *ctx;
} gcsplan_allocator;

#ifdef __cplusplus
}
#endif

#endif
