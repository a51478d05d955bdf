/* The Cloud Healthcare API's Operations (healthcare.h) and the Cloud
 * Logging filter of an import's errors (import.h). */
#include <stdio.h>
#include <string.h>
#include <yajl/yajl_parse.h>

#include "healthcare.h"
#include "internal.h"
#include "rfc3339.h"
#include "util/num.h"

/* --- the reader ------------------------------------------------------------------------ */

/* What a container is: the ones whose keys are read, and the rest. */
enum { C_ROOT, C_ERROR, C_METADATA, C_COUNTER, C_SKIP };

/* The keys read, with the path a message names them by. */
enum { K_NONE, K_NAME, K_DONE, K_ERROR, K_RESPONSE, K_METADATA, K_CODE, K_MESSAGE, K_LOGS,
       K_CREATE, K_END, K_COUNTER, K_SUCCESS, K_FAILURE, K_COUNT };

static const struct { int container; const char *key; const char *path; } keys[K_COUNT] = {
    [K_NAME] = { C_ROOT, "name", "name" },
    [K_DONE] = { C_ROOT, "done", "done" },
    [K_ERROR] = { C_ROOT, "error", "error" },
    [K_RESPONSE] = { C_ROOT, "response", "response" },
    [K_METADATA] = { C_ROOT, "metadata", "metadata" },
    [K_CODE] = { C_ERROR, "code", "error.code" },
    [K_MESSAGE] = { C_ERROR, "message", "error.message" },
    [K_LOGS] = { C_METADATA, "logsUrl", "metadata.logsUrl" },
    [K_CREATE] = { C_METADATA, "createTime", "metadata.createTime" },
    [K_END] = { C_METADATA, "endTime", "metadata.endTime" },
    [K_COUNTER] = { C_METADATA, "counter", "metadata.counter" },
    [K_SUCCESS] = { C_COUNTER, "success", "metadata.counter.success" },
    [K_FAILURE] = { C_COUNTER, "failure", "metadata.counter.failure" },
};

typedef struct frame {
    unsigned char kind; /* C_* */
    unsigned char key;  /* K_* of the current key; K_NONE in arrays and for unknown keys */
    unsigned int seen;  /* bit per K_* already given in this object */
} frame;

typedef struct reader {
    gcsplan__operation *op;
    frame f[GCSPLAN__OPERATION_DEPTH_MAX + 1]; /* f[0]: outside the document */
    size_t depth;                              /* containers open */
    int top;                                   /* the top-level value began */
    char message[GCSPLAN_MESSAGE_MAX];         /* why the parse stopped, or "" */
} reader;

static int stop(reader *r, const char *fmt, const char *path)
{
    if (r->message[0] == '\0')
        snprintf(r->message, sizeof r->message, fmt, path);
    return 0;
}

/* The key the next value belongs to (K_NONE when none is read), after the
 * checks every value passes: inside the one top-level object. */
static int value_key(reader *r, int *key)
{
    if (r->depth == 0) {
        r->top = 1;
        return stop(r, "the operation is not a JSON object%s", "");
    }
    *key = r->f[r->depth].key;
    return 1;
}

static int wrong_type(reader *r, int key)
{
    return stop(r, "\"%s\" has the wrong type", keys[key].path);
}

static int cb_null(void *ctx)
{
    reader *r = ctx;
    int key;
    return value_key(r, &key); /* a known key given as null counts as absent */
}

static int cb_boolean(void *ctx, int b)
{
    reader *r = ctx;
    int key;
    if (!value_key(r, &key))
        return 0;
    if (key == K_DONE)
        r->op->done = b != 0;
    else if (key != K_NONE)
        return wrong_type(r, key);
    return 1;
}

/* A counter: int64 in the proto, written as a JSON string (or a number). */
static int counter(reader *r, int key, const char *s, size_t n)
{
    uint64_t v;
    if (gcsplan__parse_u64(s, n, (uint64_t)INT64_MAX, &v) != 0)
        return stop(r, "\"%s\" is not an integer from 0 to 2^63-1", keys[key].path);
    r->op->has_counters = 1;
    if (key == K_SUCCESS)
        r->op->success = v;
    else
        r->op->failure = v;
    return 1;
}

static int cb_number(void *ctx, const char *s, size_t n)
{
    reader *r = ctx;
    int key;
    uint64_t v;
    if (!value_key(r, &key))
        return 0;
    switch (key) {
    case K_NONE:
        return 1;
    case K_CODE:
        if (gcsplan__parse_u64(s, n, 0x7fffffff, &v) != 0)
            return stop(r, "\"%s\" is not a status code", keys[key].path);
        r->op->error_code = (int)v;
        return 1;
    case K_SUCCESS:
    case K_FAILURE:
        return counter(r, key, s, n);
    default:
        return wrong_type(r, key);
    }
}

/* A logsUrl is kept only whole and plain: http(s), printable ASCII (it is
 * shown, linked and journaled as it is, never cut or re-encoded). */
int gcsplan__logs_url_ok(const char *s, size_t n)
{
    int ok = n <= GCSPLAN_LOGS_URL_MAX &&
             ((n > 8 && memcmp(s, "https://", 8) == 0) || (n > 7 && memcmp(s, "http://", 7) == 0));
    for (size_t i = 0; ok && i < n; i++)
        ok = (unsigned char)s[i] > 0x20 && (unsigned char)s[i] < 0x7f;
    return ok;
}

static void logs_url(gcsplan__operation *op, const char *s, size_t n)
{
    if (!gcsplan__logs_url_ok(s, n)) {
        op->logs_url_dropped = 1;
        op->logs_url[0] = '\0';
        op->logs_url_len = 0;
        return;
    }
    memcpy(op->logs_url, s, n);
    op->logs_url[n] = '\0';
    op->logs_url_len = n;
}

static int cb_string(void *ctx, const unsigned char *us, size_t n)
{
    reader *r = ctx;
    const char *s = (const char *)us;
    gcsplan__operation *op = r->op;
    int key;
    int64_t t;
    if (!value_key(r, &key))
        return 0;
    switch (key) {
    case K_NONE:
        return 1;
    case K_NAME:
        if (n == 0 || n > GCSPLAN_OPERATION_NAME_MAX || memchr(s, '\0', n) != NULL)
            return stop(r, "\"%s\" is empty, too long or holds a NUL", keys[key].path);
        memcpy(op->name, s, n);
        op->name[n] = '\0';
        op->name_len = n;
        return 1;
    case K_MESSAGE: {
        /* Kept cut: it is masked and cut much shorter before anyone sees it. */
        size_t k = n < GCSPLAN__OPERATION_TEXT_MAX ? n : GCSPLAN__OPERATION_TEXT_MAX;
        memcpy(op->error_message, s, k);
        op->error_message[k] = '\0';
        op->error_message_len = k;
        return 1;
    }
    case K_LOGS:
        logs_url(op, s, n);
        return 1;
    case K_CREATE:
    case K_END:
        if (gcsplan__rfc3339_parse(s, n, 0, &t) != 0)
            t = 0; /* informative only: an odd time is not a broken operation */
        if (key == K_CREATE)
            op->create_ms = t;
        else
            op->end_ms = t;
        return 1;
    case K_SUCCESS:
    case K_FAILURE:
        return counter(r, key, s, n);
    default:
        return wrong_type(r, key);
    }
}

static int open_container(reader *r, int is_map)
{
    int key = K_NONE, kind = C_SKIP;
    if (r->depth == 0) {
        if (r->top || !is_map)
            return stop(r, "the operation is not a JSON object%s", "");
        r->top = 1;
        kind = C_ROOT;
    } else {
        key = r->f[r->depth].key;
        switch (key) {
        case K_NONE:
            break;
        case K_ERROR:
            kind = C_ERROR;
            r->op->has_error = 1;
            break;
        case K_METADATA:
            kind = C_METADATA;
            break;
        case K_COUNTER:
            kind = C_COUNTER;
            break;
        case K_RESPONSE:
            r->op->has_response = 1;
            break;
        default:
            return wrong_type(r, key);
        }
        if (key != K_NONE && !is_map)
            return wrong_type(r, key);
    }
    if (r->depth == GCSPLAN__OPERATION_DEPTH_MAX)
        return stop(r, "the operation nests deeper than %s levels", "64");
    frame *f = &r->f[++r->depth];
    f->kind = (unsigned char)kind;
    f->key = K_NONE;
    f->seen = 0;
    return 1;
}

static int cb_start_map(void *ctx) { return open_container(ctx, 1); }
static int cb_start_array(void *ctx) { return open_container(ctx, 0); }

static int cb_end(void *ctx)
{
    reader *r = ctx;
    r->depth--;
    return 1;
}

static int cb_map_key(void *ctx, const unsigned char *s, size_t n)
{
    reader *r = ctx;
    frame *f = &r->f[r->depth];
    f->key = K_NONE;
    if (f->kind == C_SKIP)
        return 1;
    for (int k = 1; k < K_COUNT; k++)
        if (keys[k].container == f->kind && strlen(keys[k].key) == n &&
            memcmp(keys[k].key, s, n) == 0) {
            if (f->seen & (1u << k))
                return stop(r, "\"%s\" is given twice", keys[k].path);
            f->seen |= 1u << k;
            f->key = (unsigned char)k;
            break;
        }
    return 1;
}

static const yajl_callbacks callbacks = {
    cb_null, cb_boolean, NULL, NULL, cb_number, cb_string,
    cb_start_map, cb_map_key, cb_end, cb_start_array, cb_end,
};

int gcsplan__operation_parse(gcsplan__operation *op, const char *json, size_t len,
                             gcsplan_error *err)
{
    memset(op, 0, sizeof *op);
    reader *r = gcsplan__malloc(&gcsplan__default_allocator, sizeof *r);
    if (r == NULL)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    memset(r, 0, sizeof *r);
    r->op = op;
    /* The C library's allocator: yajl 2.1 does not check its own
     * allocations (docs/internals.md). */
    yajl_handle h = yajl_alloc(&callbacks, NULL, r);
    int rc = 0;
    if (h == NULL) {
        rc = gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    } else {
        yajl_status st = yajl_parse(h, (const unsigned char *)json, len);
        if (st == yajl_status_ok)
            st = yajl_complete_parse(h);
        if (st != yajl_status_ok || !r->top) {
            if (r->message[0] != '\0')
                rc = gcsplan__error_set(err, GCSPLAN_EINVAL, "%s", r->message);
            else
                rc = gcsplan__error_set(err, GCSPLAN_EINVAL, "the operation is not JSON");
        }
        yajl_free(h);
    }
    gcsplan__free(&gcsplan__default_allocator, r);
    if (rc != 0)
        memset(op, 0, sizeof *op);
    return rc;
}

/* --- names ----------------------------------------------------------------------------- */

static size_t id_span(const char *s, size_t n)
{
    size_t k = 0;
    while (k < n && ((s[k] >= 'a' && s[k] <= 'z') || (s[k] >= 'A' && s[k] <= 'Z') ||
                     (s[k] >= '0' && s[k] <= '9') || s[k] == '-' || s[k] == '_' || s[k] == '.'))
        k++;
    return k;
}

/* Bytes of "projects/P/locations/L/datasets/D/" at the start of store. */
static size_t dataset_prefix(const char *store)
{
    gcsplan_store parts;
    if (store == NULL || gcsplan_store_parse(&parts, store, strlen(store), NULL) != 0)
        return 0;
    return (size_t)(parts.dataset + parts.dataset_len - store) + 1;
}

int gcsplan__operation_name_ok(const char *name, size_t len, const char *store)
{
    size_t d = dataset_prefix(store);
    static const char ops[] = "operations/";
    size_t k = sizeof ops - 1;
    if (d == 0 || len <= d + k || len > GCSPLAN_OPERATION_NAME_MAX ||
        memcmp(name, store, d) != 0 || memcmp(name + d, ops, k) != 0)
        return 0;
    return id_span(name + d + k, len - d - k) == len - d - k;
}

const char *gcsplan__operation_id(const char *name)
{
    const char *slash = strrchr(name, '/');
    return slash != NULL ? slash + 1 : name;
}

size_t gcsplan_import_logging_filter(char *buf, size_t cap, const char *store,
                                     const char *operation)
{
    gcsplan_store parts;
    if (store == NULL || operation == NULL ||
        gcsplan_store_parse(&parts, store, strlen(store), NULL) != 0 ||
        !gcsplan__operation_name_ok(operation, strlen(operation), store)) {
        if (cap > 0)
            buf[0] = '\0';
        return 0;
    }
    int n = snprintf(buf, cap, "resource.type=\"%s\" AND operation.id=\"%s\"",
                     parts.kind == GCSPLAN_STORE_FHIR ? "healthcare_fhir_store"
                                                      : "healthcare_dicom_store",
                     gcsplan__operation_id(operation));
    return n < 0 ? 0 : (size_t)n;
}
