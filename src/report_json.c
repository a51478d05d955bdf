/* The path-keeping layer over yajl for the report's readers. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "internal.h"
#include "report_json.h"

int gcsplan__rj_key(const gcsplan__rj *w, size_t level, const char *key)
{
    return level < w->depth && w->frames[level].is_map && strcmp(w->frames[level].key, key) == 0;
}

int gcsplan__rj_fail(gcsplan__rj *w, int code, const char *fmt, ...)
{
    if (w->rc == 0) {
        w->rc = code;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(w->message, sizeof w->message, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* A value ended: the next one in the enclosing array has the next index. */
static void after_value(gcsplan__rj *w)
{
    if (w->depth > 0 && !w->frames[w->depth - 1].is_map)
        w->frames[w->depth - 1].index++;
}

/* Like yajl's callbacks, these return 1 to go on, 0 to stop the parse. */
int gcsplan__rj_scalar(gcsplan__rj *w, gcsplan__rj_type t, const char *s, size_t n)
{
    if (w->fn(w, t, s, n, w->ctx) != 0) {
        if (w->rc == 0)
            gcsplan__rj_fail(w, GCSPLAN_EINVAL, "rejected value");
        return 0;
    }
    after_value(w);
    return 1;
}

static int cb_null(void *c) { return gcsplan__rj_scalar(c, GCSPLAN__RJ_NULL, NULL, 0); }
static int cb_bool(void *c, int b)
{
    return gcsplan__rj_scalar(c, GCSPLAN__RJ_BOOL, NULL, b != 0);
}

static int cb_number(void *c, const char *s, size_t n)
{
    return gcsplan__rj_scalar(c, GCSPLAN__RJ_NUMBER, s, n);
}

static int cb_string(void *c, const unsigned char *s, size_t n)
{
    return gcsplan__rj_scalar(c, GCSPLAN__RJ_STRING, (const char *)s, n);
}

int gcsplan__rj_open(gcsplan__rj *w, int is_map)
{
    if (w->depth == GCSPLAN__RJ_DEPTH_MAX) {
        gcsplan__rj_fail(w, GCSPLAN_ELIMIT, "nested deeper than %d levels",
                         GCSPLAN__RJ_DEPTH_MAX);
        return 0;
    }
    gcsplan__rj_frame *f = &w->frames[w->depth++];
    f->is_map = is_map;
    f->key[0] = '\0';
    f->index = 0;
    if (w->fn(w, is_map ? GCSPLAN__RJ_MAP : GCSPLAN__RJ_ARRAY, NULL, 0, w->ctx) != 0) {
        if (w->rc == 0)
            gcsplan__rj_fail(w, GCSPLAN_EINVAL, "rejected value");
        return 0;
    }
    return 1;
}

static int cb_start_map(void *c) { return gcsplan__rj_open(c, 1); }
static int cb_start_array(void *c) { return gcsplan__rj_open(c, 0); }

int gcsplan__rj_map_key(gcsplan__rj *w, const char *s, size_t n)
{
    gcsplan__rj_frame *f = &w->frames[w->depth - 1];
    /* Copied: yajl's bytes are not NUL-terminated and not stable. A key too
     * long to be a known one is kept as "", which no reader asks for. */
    if (n > GCSPLAN__RJ_KEY_MAX || memchr(s, '\0', n) != NULL)
        n = 0;
    memcpy(f->key, s, n);
    f->key[n] = '\0';
    return 1;
}

static int cb_key(void *c, const unsigned char *s, size_t n)
{
    return gcsplan__rj_map_key(c, (const char *)s, n);
}

int gcsplan__rj_close(gcsplan__rj *w)
{
    if (w->fn(w, GCSPLAN__RJ_END, NULL, 0, w->ctx) != 0) {
        if (w->rc == 0)
            gcsplan__rj_fail(w, GCSPLAN_EINVAL, "rejected value");
        return 0;
    }
    w->depth--;
    after_value(w);
    return 1;
}

static int cb_end(void *c)
{
    return gcsplan__rj_close(c);
}

static const yajl_callbacks callbacks = {
    cb_null, cb_bool, NULL, NULL, cb_number, cb_string,
    cb_start_map, cb_key, cb_end, cb_start_array, cb_end
};

int gcsplan__rj_parse(const char *json, size_t len, gcsplan__rj_fn fn, void *ctx,
                      const char *what, gcsplan_error *err)
{
    gcsplan__rj w;
    memset(&w, 0, sizeof w);
    w.fn = fn;
    w.ctx = ctx;
    /* yajl does not check its own allocations (docs/internals.md): it gets
     * the C library's allocator; what the readers keep goes through hooks. */
    yajl_handle h = yajl_alloc(&callbacks, NULL, &w);
    if (h == NULL)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    yajl_status st = yajl_parse(h, (const unsigned char *)json, len);
    size_t at = yajl_get_bytes_consumed(h);
    if (st == yajl_status_ok) {
        st = yajl_complete_parse(h);
        at = len;
    }
    int rc = 0;
    if (st != yajl_status_ok) {
        if (w.rc != 0) {
            rc = gcsplan__error_set(err, w.rc, "%s: %s", what, w.message);
        } else {
            unsigned char *msg = yajl_get_error(h, 0, NULL, 0);
            rc = gcsplan__error_set(err, GCSPLAN_EINVAL, "%s: not JSON: %s", what,
                                    msg ? (const char *)msg : "parse error");
            /* yajl's message ends in a newline: messages are one line. */
            if (err != NULL) {
                size_t m = strlen(err->message);
                while (m > 0 && (err->message[m - 1] == '\n' || err->message[m - 1] == ' '))
                    err->message[--m] = '\0';
            }
            if (msg != NULL)
                yajl_free_error(h, msg);
        }
        if (err != NULL)
            err->offset = at < len ? at : len;
    }
    yajl_free(h);
    return rc;
}
