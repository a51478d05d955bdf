/* Named fields of a small JSON object, read with yajl's callbacks. */
#include <openssl/crypto.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "auth_json.h"

/* The nesting levels whose keys we track: the object and one below it. */
#define LEVELS 2

typedef struct reader {
    gcsplan__json_field *fields;
    size_t n;
    const gcsplan_allocator *alloc;
    size_t depth;                              /* containers open now */
    int is_map[LEVELS + 1];                    /* per level 1..LEVELS */
    char keys[LEVELS + 1][GCSPLAN__JSON_KEY_MAX + 1];
    int key_ok[LEVELS + 1];                    /* 0 when the key was too long */
    int error;                                 /* a GCSPLAN_E* code, or 0 */
    int got_object;                            /* the top-level object began */
} reader;

void gcsplan__free_secret_n(const gcsplan_allocator *a, void *p, size_t n)
{
    if (p == NULL)
        return;
    OPENSSL_cleanse(p, n);
    gcsplan__free(a, p);
}

void gcsplan__free_secret(const gcsplan_allocator *a, char *s)
{
    if (s != NULL)
        gcsplan__free_secret_n(a, s, strlen(s));
}

/* The field the value at the current position fills, or NULL. */
static gcsplan__json_field *wanted(reader *r)
{
    char path[2 * GCSPLAN__JSON_KEY_MAX + 2];
    if (r->depth == 1 && r->is_map[1] && r->key_ok[1]) {
        memcpy(path, r->keys[1], strlen(r->keys[1]) + 1);
    } else if (r->depth == 2 && r->is_map[1] && r->is_map[2] && r->key_ok[1] && r->key_ok[2]) {
        size_t k1 = strlen(r->keys[1]);
        memcpy(path, r->keys[1], k1);
        path[k1] = '.';
        memcpy(path + k1 + 1, r->keys[2], strlen(r->keys[2]) + 1);
    } else {
        return NULL;
    }
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->fields[i].path, path) == 0)
            return &r->fields[i];
    return NULL;
}

/* Every value passes here; a NULL s marks one of a type we do not keep. */
static int take(reader *r, const char *s, size_t len, int is_string)
{
    if (r->depth == 0 && s != NULL) {
        r->error = GCSPLAN_ESOURCE; /* a bare scalar, not an object */
        return 0;
    }
    gcsplan__json_field *f = wanted(r);
    if (f == NULL)
        return 1;
    gcsplan__free_secret_n(r->alloc, f->value, f->len + 1);
    f->value = NULL;
    f->len = 0;
    if (s == NULL)
        return 1;
    if (len > GCSPLAN__JSON_VALUE_MAX) {
        r->error = GCSPLAN_ELIMIT;
        return 0;
    }
    /* yajl's bytes are neither terminated nor stable past the callback. */
    f->value = gcsplan__strndup(r->alloc, s, len);
    if (f->value == NULL) {
        r->error = GCSPLAN_ENOMEM;
        return 0;
    }
    f->len = len;
    f->is_string = is_string;
    return 1;
}

static int on_null(void *ctx)
{
    return take(ctx, NULL, 0, 0);
}

static int on_bool(void *ctx, int v)
{
    (void)v;
    return take(ctx, NULL, 0, 0);
}

static int on_number(void *ctx, const char *s, size_t len)
{
    return take(ctx, s, len, 0);
}

static int on_string(void *ctx, const unsigned char *s, size_t len)
{
    return take(ctx, (const char *)s, len, 1);
}

static int open_container(reader *r, int is_map)
{
    if (r->depth == 0 && !is_map) {
        r->error = GCSPLAN_ESOURCE;
        return 0;
    }
    if (!take(r, NULL, 0, 0))
        return 0;
    if (r->depth >= GCSPLAN__JSON_FIELDS_DEPTH_MAX) {
        r->error = GCSPLAN_ESOURCE;
        return 0;
    }
    r->got_object = 1;
    r->depth++;
    if (r->depth <= LEVELS) {
        r->is_map[r->depth] = is_map;
        r->key_ok[r->depth] = 0;
    }
    return 1;
}

static int on_start_map(void *ctx)
{
    return open_container(ctx, 1);
}

static int on_start_array(void *ctx)
{
    return open_container(ctx, 0);
}

static int on_end(void *ctx)
{
    reader *r = ctx;
    r->depth--;
    return 1;
}

static int on_key(void *ctx, const unsigned char *s, size_t len)
{
    reader *r = ctx;
    if (r->depth > LEVELS)
        return 1;
    r->key_ok[r->depth] = len <= GCSPLAN__JSON_KEY_MAX && memchr(s, '\0', len) == NULL;
    if (r->key_ok[r->depth]) {
        memcpy(r->keys[r->depth], s, len);
        r->keys[r->depth][len] = '\0';
    }
    return 1;
}

static const yajl_callbacks callbacks = {
    on_null, on_bool, NULL, NULL, on_number, on_string,
    on_start_map, on_key, on_end, on_start_array, on_end
};

void gcsplan__json_fields_free(gcsplan__json_field *fields, size_t n,
                               const gcsplan_allocator *a)
{
    for (size_t i = 0; i < n; i++) {
        gcsplan__free_secret_n(a, fields[i].value, fields[i].len + 1);
        fields[i].value = NULL;
        fields[i].is_string = 0;
        fields[i].len = 0;
    }
}

int gcsplan__json_fields(gcsplan__json_field *fields, size_t n, const gcsplan_allocator *a,
                         const char *json, size_t len, gcsplan_error *err)
{
    int rc = 0;
    reader r;
    memset(&r, 0, sizeof r);
    r.fields = fields;
    r.n = n;
    r.alloc = a;
    for (size_t i = 0; i < n; i++) {
        fields[i].value = NULL;
        fields[i].is_string = 0;
        fields[i].len = 0;
    }
    /* yajl 2.1 gets the C library's allocator here, not the handle's: it
     * does not check its own allocations (yajl_alloc's state stack, the
     * lexer's buffers), so a hook that fails would crash it instead of
     * giving ENOMEM. What we keep is copied through the handle's hooks. */
    yajl_handle h = yajl_alloc(&callbacks, NULL, &r);
    if (h == NULL) {
        rc = gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory reading JSON");
        goto done;
    }
    yajl_status st = yajl_parse(h, (const unsigned char *)json, len);
    if (st == yajl_status_ok)
        st = yajl_complete_parse(h);
    if (r.error == GCSPLAN_ENOMEM) {
        rc = gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory reading JSON");
    } else if (r.error == GCSPLAN_ELIMIT) {
        rc = gcsplan__error_set(err, GCSPLAN_ELIMIT, "a JSON value is over %d bytes",
                                GCSPLAN__JSON_VALUE_MAX);
    } else if (st != yajl_status_ok || r.error != 0 || !r.got_object) {
        /* yajl's own message quotes the text around the error, which may be
         * a key or a token: say only where it went wrong. */
        size_t at = yajl_get_bytes_consumed(h);
        rc = gcsplan__error_set(err, GCSPLAN_ESOURCE, "not a JSON object (error near byte %zu)",
                                at);
    }
done:
    if (h != NULL)
        yajl_free(h);
    if (rc != 0)
        gcsplan__json_fields_free(fields, n, a);
    return rc;
}
