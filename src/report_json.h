/* A small layer over yajl's callback parser for the report's readers (the
 * summary fragment and the pre-flight document) and the access check's
 * (IAM policies and roles, access_policy.c): it keeps the path from the
 * document's root to the current value (map keys, array indexes), enforces
 * a depth limit, and hands each event to one function, which decides by the
 * path what the value is. Only report_json.c includes yajl: its users see
 * this interface alone. */
#ifndef GCSPLAN_REPORT_JSON_H
#define GCSPLAN_REPORT_JSON_H

#include <stddef.h>

#include "gcsplan/error.h"

/* Deeper documents are refused: no reader needs more than 5 levels. */
#define GCSPLAN__RJ_DEPTH_MAX 8
/* Keys longer than this cannot be one the readers know: kept as "long". */
#define GCSPLAN__RJ_KEY_MAX 24

typedef enum gcsplan__rj_type {
    GCSPLAN__RJ_NULL,
    GCSPLAN__RJ_BOOL,    /* n is 0 or 1 */
    GCSPLAN__RJ_NUMBER,  /* s[0..n) as written */
    GCSPLAN__RJ_STRING,  /* s[0..n): unescaped, valid UTF-8, not NUL-terminated, not stable */
    GCSPLAN__RJ_MAP,     /* a map opens; the frame is pushed before the call */
    GCSPLAN__RJ_ARRAY,   /* an array opens; likewise */
    GCSPLAN__RJ_END      /* a map or array closes; the frame is popped after the call */
} gcsplan__rj_type;

typedef struct gcsplan__rj_frame {
    int is_map;
    char key[GCSPLAN__RJ_KEY_MAX + 1]; /* map: the current key ("" when too long) */
    size_t index;                      /* array: index of the current value */
} gcsplan__rj_frame;

typedef struct gcsplan__rj gcsplan__rj;

/* Called for every event. depth is the number of open containers around the
 * value (for MAP/ARRAY/END: including the one opening or closing), and
 * frames[0..depth) say where it is. Return 0 to go on, or a GCSPLAN_E* code
 * after filling the walker's message with gcsplan__rj_fail(). */
typedef int (*gcsplan__rj_fn)(gcsplan__rj *w, gcsplan__rj_type t, const char *s, size_t n,
                              void *ctx);

struct gcsplan__rj {
    gcsplan__rj_frame frames[GCSPLAN__RJ_DEPTH_MAX];
    size_t depth;
    gcsplan__rj_fn fn;
    void *ctx;
    int rc;                          /* the first error */
    char message[GCSPLAN_MESSAGE_MAX];
};

/* Nonzero when frame level is a map whose current key is key. */
int gcsplan__rj_key(const gcsplan__rj *w, size_t level, const char *key);

/* Record an error (the first one wins) and return code. */
int gcsplan__rj_fail(gcsplan__rj *w, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Parse one whole JSON text of len bytes, calling fn. Returns 0 or an error
 * code with err filled (message; offset near the problem). */
int gcsplan__rj_parse(const char *json, size_t len, gcsplan__rj_fn fn, void *ctx,
                      const char *what, gcsplan_error *err);

/* The same walk driven by another parser's events, for a value embedded in
 * a larger document (the plan reader hands a plan's "summary" to the
 * summary reader this way, without a second parse or a copy of its text).
 * w starts zeroed with fn and ctx set. Each returns 1 to go on, or 0 with
 * w->rc and w->message saying why. A string's bytes must be valid UTF-8
 * (as yajl checks). */
int gcsplan__rj_scalar(gcsplan__rj *w, gcsplan__rj_type t, const char *s, size_t n);
int gcsplan__rj_open(gcsplan__rj *w, int is_map);
int gcsplan__rj_map_key(gcsplan__rj *w, const char *s, size_t n);
int gcsplan__rj_close(gcsplan__rj *w);

#endif
