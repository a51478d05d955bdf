#include "standin.h"
#include "gsuri.h"
#include "objects.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

/* What the API calls things, from its protos and how-to pages. */
#define META_TYPE "type.googleapis.com/google.cloud.healthcare.v1.OperationMetadata"
#define DICOM_METHOD "google.cloud.healthcare.v1.dicom.DicomService.ImportDicomData"
#define FHIR_METHOD "google.cloud.healthcare.v1.fhir.FhirStoreService.ImportResources"
#define DICOM_RESPONSE "type.googleapis.com/google.cloud.healthcare.v1.dicom.ImportDicomDataResponse"
#define FHIR_RESPONSE "type.googleapis.com/google.cloud.healthcare.v1.fhir.rest.ImportResourcesResponse"
#define CS_ENUM "type.googleapis.com/google.cloud.healthcare.v1.fhir.ImportResourcesRequest.ContentStructure"
/* The failure of one object when BUNDLE meets NDJSON of resources, as the
 * service logs it (reported in synthetichealth/synthea#1568). */
#define NO_BUNDLE "an error occurred while reading the record starting at byte 0: no bundle is " \
                  "found; if you intend to import individual resources, make sure you specify " \
                  "the appropriate ContentStructure in the request"
/* The operation's error when resources failed (same report). */
#define FHIR_FAILED "invalid_argument: importing one or more resources failed. Please use the " \
                    "link in the metadata.logsUrl field to view the error logs for this operation."
#define DICOM_FAILED "invalid_argument: importing one or more instances failed. Please use the " \
                     "link in the metadata.logsUrl field to view the error logs for this operation."
#define LOG_MAX 100 /* failures kept per operation for /_logs */
#define FAULT_SLOTS (1u << 16)

typedef struct {
    char *name; /* projects/P/locations/L/datasets/D/operations/ID */
    char *store, *uri, *cs;
    uint64_t id;
    int fhir;
    int64_t create_us, end_us;
    unsigned polls;
    int done;
    int has_counts;
    uint64_t success, failure;
    int error_code; /* 0: response */
    char *error_msg;
    char *log;      /* JSON Lines of the first failures */
    int lost;       /* its creation's answer was never sent */
} operation;

typedef struct {
    uint64_t key;
    uint32_t attempts, consecutive;
} fault_slot;

static standin_config cfg;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static operation *ops;
static size_t n_ops;
static size_t *by_id; /* open addressing: index + 1 into ops, 0 empty */
static size_t by_id_cap;
static uint64_t *seen; /* hashes of (store, uri, contentStructure) created */
static fault_slot *faults;
static struct {
    uint64_t requests, submissions, created, lost, polls, done, succeeded, partial, failed;
    uint64_t faults_503, quota_429, rejected_400, not_found_404, unauthorized_401, running;
    uint64_t max_running, duplicates;
} st;

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

static uint64_t hash64(const void *p, size_t n, uint64_t h)
{
    const unsigned char *s = p;
    h = 0xcbf29ce484222325ULL ^ mix64(h);
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 0x100000001b3ULL;
    }
    return mix64(h);
}

static double unit(uint64_t r) { return (double)(r >> 11) * (1.0 / 9007199254740992.0); }

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void rfc3339(char *out, size_t n, int64_t us)
{
    time_t t = (time_t)(us / 1000000);
    struct tm tm;
    gmtime_r(&t, &tm);
    char d[32];
    strftime(d, sizeof d, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(out, n, "%s.%06dZ", d, (int)(us % 1000000));
}

/* ---- JSON --------------------------------------------------------------------- */

static void s(yajl_gen g, const char *str)
{
    yajl_gen_string(g, (const unsigned char *)str, strlen(str));
}

static char *take(yajl_gen g)
{
    const unsigned char *buf;
    size_t len;
    char *out = NULL;
    if (yajl_gen_get_buf(g, &buf, &len) == yajl_gen_status_ok) {
        out = malloc(len + 2);
        if (out) {
            memcpy(out, buf, len);
            out[len] = '\n';
            out[len + 1] = '\0';
        }
    }
    yajl_gen_free(g);
    return out;
}

char *standin_error_json(unsigned code, const char *status, const char *message)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g)
        return NULL;
    yajl_gen_map_open(g);
    s(g, "error");
    yajl_gen_map_open(g);
    s(g, "code");
    yajl_gen_integer(g, code);
    s(g, "message");
    s(g, message);
    s(g, "status");
    s(g, status);
    if (code == 429) {
        /* quota errors carry the reason the way Google APIs put it */
        s(g, "details");
        yajl_gen_array_open(g);
        yajl_gen_map_open(g);
        s(g, "@type");
        s(g, "type.googleapis.com/google.rpc.ErrorInfo");
        s(g, "reason");
        s(g, "RATE_LIMIT_EXCEEDED");
        s(g, "domain");
        s(g, "googleapis.com");
        yajl_gen_map_close(g);
        yajl_gen_array_close(g);
    }
    yajl_gen_map_close(g);
    yajl_gen_map_close(g);
    return take(g);
}

static void fail(answer *a, unsigned code, const char *status, const char *message)
{
    a->status = code;
    a->body = standin_error_json(code, status, message);
    if (code == 400)
        st.rejected_400++;
    else if (code == 404)
        st.not_found_404++;
    else if (code == 429)
        st.quota_429++;
}

/* ---- setup ---------------------------------------------------------------------- */

static size_t id_len(const char *p)
{
    size_t n = 0;
    while ((p[n] >= 'a' && p[n] <= 'z') || (p[n] >= 'A' && p[n] <= 'Z') ||
           (p[n] >= '0' && p[n] <= '9') || p[n] == '-' || p[n] == '_' || p[n] == '.')
        n++;
    return n;
}

int standin_valid_store(const char *name)
{
    static const char *const keys[] = {"projects/", "locations/", "datasets/"};
    const char *p = name;
    for (int i = 0; i < 3; i++) {
        size_t k = strlen(keys[i]), n;
        if (strncmp(p, keys[i], k) != 0 || (n = id_len(p + k)) == 0 || p[k + n] != '/')
            return -1;
        p += k + n + 1;
    }
    size_t k = !strncmp(p, "dicomStores/", 12) ? 12 : !strncmp(p, "fhirStores/", 11) ? 11 : 0;
    if (!k)
        return -1;
    size_t n = id_len(p + k);
    return n && !p[k + n] ? 0 : -1;
}

void standin_init(const standin_config *c)
{
    cfg = *c;
    by_id_cap = 4;
    while (by_id_cap < cfg.max_operations * 2)
        by_id_cap *= 2;
    ops = calloc(cfg.max_operations ? cfg.max_operations : 1, sizeof *ops);
    by_id = calloc(by_id_cap, sizeof *by_id);
    seen = calloc(by_id_cap, sizeof *seen);
    faults = calloc(FAULT_SLOTS, sizeof *faults);
    if (!ops || !by_id || !seen || !faults) {
        fprintf(stderr, "gcs-healthcare-recorder: out of memory\n");
        exit(3);
    }
}

void standin_free(void)
{
    for (size_t i = 0; i < n_ops; i++) {
        operation *o = &ops[i];
        free(o->name);
        free(o->store);
        free(o->uri);
        free(o->cs);
        free(o->error_msg);
        free(o->log);
    }
    free(ops);
    free(by_id);
    free(seen);
    free(faults);
    ops = NULL;
    by_id = NULL;
    seen = NULL;
    faults = NULL;
    n_ops = 0;
}

/* ---- faults --------------------------------------------------------------------- */

/* The draw for this attempt of the request; *fault503 when it fails. */
static uint64_t draw(const char *method, const char *path, const char *body, size_t len,
                     int *fault503)
{
    uint64_t key = hash64(body, len, hash64(path, strlen(path), hash64(method, strlen(method), 7)));
    key |= 1;
    fault_slot *sl = NULL;
    for (size_t i = 0; i < 32; i++) {
        fault_slot *c = &faults[(key + i) % FAULT_SLOTS];
        if (c->key == key || c->key == 0) {
            sl = c;
            break;
        }
    }
    if (!sl) { /* the window is full: the oldest owner only restarts its count */
        sl = &faults[key % FAULT_SLOTS];
        memset(sl, 0, sizeof *sl);
    }
    sl->key = key;
    uint32_t attempt = sl->attempts++;
    uint64_t r = mix64(cfg.seed ^ mix64(key ^ mix64(attempt)));
    *fault503 = sl->consecutive < cfg.max_consecutive && unit(r) < cfg.rate_503;
    sl->consecutive = *fault503 ? sl->consecutive + 1 : 0;
    return r;
}

/* ---- import ----------------------------------------------------------------------- */

static const char *const cs_names[] = {"CONTENT_STRUCTURE_UNSPECIFIED", "BUNDLE", "RESOURCE",
                                       "BUNDLE_PRETTY", "RESOURCE_PRETTY"};

/* The value of a JSON node as an error message quotes it. */
static void quote_value(yajl_val v, char *out, size_t n)
{
    if (YAJL_IS_STRING(v))
        snprintf(out, n, "\"%.200s\"", YAJL_GET_STRING(v));
    else if (YAJL_IS_NUMBER(v))
        snprintf(out, n, "%.60s", YAJL_GET_NUMBER(v));
    else if (YAJL_IS_TRUE(v) || YAJL_IS_FALSE(v))
        snprintf(out, n, "%s", YAJL_IS_TRUE(v) ? "true" : "false");
    else if (YAJL_IS_NULL(v))
        snprintf(out, n, "null");
    else
        snprintf(out, n, "%s", YAJL_IS_ARRAY(v) ? "[...]" : "{...}");
}

/* Checks the request body as the API's JSON mapping of the request message
 * would. 0 with *uri and *cs set (pointing into root), or -1 with a 400. */
static int check_body(yajl_val root, int fhir, const char **uri, const char **cs, answer *a)
{
    char msg[600], val[256];
    const char *src_type = fhir ? "type.googleapis.com/google.cloud.healthcare.v1.fhir.GcsSource"
                                : "type.googleapis.com/google.cloud.healthcare.v1.dicom.GcsSource";
    *uri = NULL;
    *cs = cs_names[0];
    if (!YAJL_IS_OBJECT(root)) {
        quote_value(root, val, sizeof val);
        snprintf(msg, sizeof msg, "Invalid JSON payload received. Expected an object, got %s.", val);
        fail(a, 400, "INVALID_ARGUMENT", msg);
        return -1;
    }
    yajl_val src = NULL;
    for (size_t i = 0; i < YAJL_GET_OBJECT(root)->len; i++) {
        const char *k = YAJL_GET_OBJECT(root)->keys[i];
        yajl_val v = YAJL_GET_OBJECT(root)->values[i];
        if (!strcmp(k, "gcsSource") || !strcmp(k, "gcs_source")) {
            src = v;
        } else if (fhir && (!strcmp(k, "contentStructure") || !strcmp(k, "content_structure"))) {
            size_t j = 0;
            const char *str = YAJL_IS_STRING(v) ? YAJL_GET_STRING(v) : NULL;
            if (str)
                for (; j < 5 && strcmp(str, cs_names[j]); j++) {
                }
            else if (YAJL_IS_INTEGER(v) && YAJL_GET_INTEGER(v) >= 0 && YAJL_GET_INTEGER(v) <= 4)
                j = (size_t)YAJL_GET_INTEGER(v);
            else
                j = 5;
            if (j == 5) {
                quote_value(v, val, sizeof val);
                snprintf(msg, sizeof msg, "Invalid value at 'content_structure' (%s), %s", CS_ENUM,
                         val);
                fail(a, 400, "INVALID_ARGUMENT", msg);
                return -1;
            }
            *cs = cs_names[j];
        } else {
            snprintf(msg, sizeof msg,
                     "Invalid JSON payload received. Unknown name \"%.200s\": Cannot find field.", k);
            fail(a, 400, "INVALID_ARGUMENT", msg);
            return -1;
        }
    }
    if (src && !YAJL_IS_OBJECT(src) && !YAJL_IS_NULL(src)) {
        quote_value(src, val, sizeof val);
        snprintf(msg, sizeof msg, "Invalid value at 'gcs_source' (%s), %s", src_type, val);
        fail(a, 400, "INVALID_ARGUMENT", msg);
        return -1;
    }
    for (size_t i = 0; src && YAJL_IS_OBJECT(src) && i < YAJL_GET_OBJECT(src)->len; i++) {
        const char *k = YAJL_GET_OBJECT(src)->keys[i];
        yajl_val v = YAJL_GET_OBJECT(src)->values[i];
        if (strcmp(k, "uri") != 0) {
            snprintf(msg, sizeof msg,
                     "Invalid JSON payload received. Unknown name \"%.200s\" at 'gcs_source': "
                     "Cannot find field.", k);
            fail(a, 400, "INVALID_ARGUMENT", msg);
            return -1;
        }
        if (!YAJL_IS_STRING(v) && !YAJL_IS_NULL(v)) {
            quote_value(v, val, sizeof val);
            snprintf(msg, sizeof msg, "Invalid value at 'gcs_source.uri' (TYPE_STRING), %s", val);
            fail(a, 400, "INVALID_ARGUMENT", msg);
            return -1;
        }
        if (YAJL_IS_STRING(v))
            *uri = YAJL_GET_STRING(v);
    }
    if (!*uri || !**uri) {
        fail(a, 400, "INVALID_ARGUMENT", "gcsSource.uri is required");
        return -1;
    }
    return 0;
}

static int known_store(const char *store)
{
    if (cfg.n_stores == 0)
        return 1;
    for (size_t i = 0; i < cfg.n_stores; i++)
        if (!strcmp(cfg.stores[i], store))
            return 1;
    return 0;
}

static const char *rpc_status(int code)
{
    switch (code) {
    case 3: return "INVALID_ARGUMENT";
    case 5: return "NOT_FOUND";
    case 9: return "FAILED_PRECONDITION";
    default: return "UNKNOWN";
    }
}

static unsigned http_of(int code) { return code == 5 ? 404 : 400; }

typedef struct {
    operation *op;
    int no_bundle;
    unsigned kept;
} log_ctx;

/* Keeps the first failures of an operation as JSON Lines. */
static int log_failure(const char *name, size_t len, int failed, void *ctx)
{
    log_ctx *c = ctx;
    if (!failed)
        return 0;
    if (c->kept++ == LOG_MAX)
        return 1;
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g)
        return 1;
    yajl_gen_map_open(g);
    s(g, "operation");
    s(g, c->op->name);
    s(g, "object");
    size_t bl = strlen(c->op->uri) - strlen(strchr(c->op->uri + 5, '/'));
    char obj[GSURI_BUCKET_MAX + GSURI_NAME_MAX + 8];
    snprintf(obj, sizeof obj, "%.*s/%.*s", (int)bl, c->op->uri, (int)len, name);
    s(g, obj);
    s(g, "message");
    s(g, c->no_bundle ? NO_BUNDLE
                      : c->op->fhir ? "invalid FHIR resource (set to fail by the stand-in)"
                                    : "invalid DICOM data (set to fail by the stand-in)");
    yajl_gen_map_close(g);
    char *line = take(g);
    if (!line)
        return 1;
    size_t old = c->op->log ? strlen(c->op->log) : 0;
    char *joined = realloc(c->op->log, old + strlen(line) + 1);
    if (joined) {
        memcpy(joined + old, line, strlen(line) + 1);
        c->op->log = joined;
    }
    free(line);
    return 0;
}

static void index_op(size_t idx)
{
    size_t h = (size_t)(mix64(ops[idx].id) & (by_id_cap - 1));
    while (by_id[h])
        h = (h + 1) & (by_id_cap - 1);
    by_id[h] = idx + 1;
}

static operation *find_op(uint64_t id)
{
    size_t h = (size_t)(mix64(id) & (by_id_cap - 1));
    while (by_id[h]) {
        if (ops[by_id[h] - 1].id == id)
            return &ops[by_id[h] - 1];
        h = (h + 1) & (by_id_cap - 1);
    }
    return NULL;
}

/* 1 when (store, uri, cs) was created before; remembers it. */
static int seen_before(const char *store, const char *uri, const char *cs)
{
    uint64_t h = hash64(cs, strlen(cs), hash64(uri, strlen(uri), hash64(store, strlen(store), 3)));
    h |= 1;
    size_t i = (size_t)(h & (by_id_cap - 1));
    while (seen[i]) {
        if (seen[i] == h)
            return 1;
        i = (i + 1) & (by_id_cap - 1);
    }
    seen[i] = h;
    return 0;
}

static int lose_ordinal(unsigned long ordinal)
{
    for (size_t i = 0; i < cfg.n_lose; i++)
        if (cfg.lose[i] == ordinal)
            return 1;
    return 0;
}

void standin_import(const char *store, int fhir, const char *body, size_t len, answer *a)
{
    char msg[1600];
    memset(a, 0, sizeof *a);
    pthread_mutex_lock(&lock);
    st.submissions++;
    int f503;
    uint64_t r = draw("POST", store, body, len, &f503);
    if (!known_store(store)) {
        fail(a, 404, "NOT_FOUND", "Requested entity was not found.");
        goto out;
    }
    if (f503) {
        st.faults_503++;
        a->fault = "503";
        fail(a, 503, "UNAVAILABLE", "The service is currently unavailable.");
        goto out;
    }
    char yerr[256];
    yajl_val root = yajl_tree_parse(body, yerr, sizeof yerr);
    if (!root) {
        fail(a, 400, "INVALID_ARGUMENT", "Invalid JSON payload received. Unexpected token.");
        goto out;
    }
    const char *uri, *cs;
    gsuri u;
    if (check_body(root, fhir, &uri, &cs, a) != 0)
        goto out_tree;
    char why[200];
    if (gsuri_parse(uri, &u, why, sizeof why) != 0) {
        snprintf(msg, sizeof msg, "Invalid gcs_source.uri '%.1100s': %s.", uri, why);
        fail(a, 400, "INVALID_ARGUMENT", msg);
        goto out_tree;
    }
    int known = objects_known(u.bucket);
    int no_bundle = fhir && objects_fhir_content(u.bucket) == FHIR_NDJSON_RESOURCES &&
                    (!strcmp(cs, "BUNDLE") || !strcmp(cs, "BUNDLE_PRETTY") ||
                     !strcmp(cs, cs_names[0]));
    match_count mc = {0};
    if (known)
        objects_count(&u, no_bundle, &mc);
    char zero_msg[1300];
    snprintf(zero_msg, sizeof zero_msg, "the import pattern '%.1200s' resolves to zero GCS objects",
             uri);
    if (known && mc.matched == 0 && !cfg.zero_in_operation) {
        fail(a, http_of(cfg.zero_code), rpc_status(cfg.zero_code), zero_msg);
        goto out_tree;
    }
    if (cfg.max_running && st.running >= cfg.max_running) {
        snprintf(msg, sizeof msg,
                 "Quota exceeded for quota metric '%s long-running operations' and limit "
                 "'Concurrent long-running operations per project per region' of service "
                 "'healthcare.googleapis.com' for consumer 'project_number:123456789012'.",
                 fhir ? "FHIR store" : "DICOM store");
        fail(a, 429, "RESOURCE_EXHAUSTED", msg);
        goto out_tree;
    }
    if (n_ops == cfg.max_operations) {
        snprintf(msg, sizeof msg, "The stand-in holds at most %zu operations (--max-operations).",
                 cfg.max_operations);
        fail(a, 429, "RESOURCE_EXHAUSTED", msg);
        goto out_tree;
    }

    operation *op = &ops[n_ops];
    memset(op, 0, sizeof *op);
    /* A bijection of the creation order: unique, 19 digits, looks like the real ones. */
    op->id = 1000000000000000000ULL +
             (((uint64_t)n_ops + 1 + mix64(cfg.seed)) * 0x9E3779B97F4A7C15ULL & ((1ULL << 62) - 1));
    const char *ds_end = strstr(store, "/dicomStores/");
    if (!ds_end)
        ds_end = strstr(store, "/fhirStores/");
    char name[512];
    snprintf(name, sizeof name, "%.*s/operations/%llu", (int)(ds_end - store), store,
             (unsigned long long)op->id);
    op->name = strdup(name);
    op->store = strdup(store);
    op->uri = strdup(uri);
    op->cs = strdup(fhir ? cs : "");
    if (!op->name || !op->store || !op->uri || !op->cs) {
        free(op->name);
        free(op->store);
        free(op->uri);
        free(op->cs);
        fail(a, 500, "INTERNAL", "out of memory");
        goto out_tree;
    }
    op->fhir = fhir;
    op->create_us = now_us();
    op->has_counts = known;
    op->success = mc.matched - mc.failed;
    op->failure = mc.failed;
    if (known && mc.matched == 0) {
        op->error_code = cfg.zero_code;
        op->error_msg = strdup(zero_msg);
    } else if (known && mc.failed &&
               ((cfg.failed_error == FAILED_ALL && mc.failed == mc.matched) ||
                cfg.failed_error == FAILED_ANY)) {
        op->error_code = 3;
        op->error_msg = strdup(fhir ? FHIR_FAILED : DICOM_FAILED);
    }
    if (known && mc.failed) {
        log_ctx lc = {op, no_bundle, 0};
        objects_each(&u, no_bundle, log_failure, &lc);
    }
    index_op(n_ops);
    n_ops++;
    st.created++;
    st.running++;
    if (st.running > st.max_running)
        st.max_running = st.running;
    if (seen_before(store, uri, op->cs))
        st.duplicates++;
    a->operation = strdup(op->name);
    if (lose_ordinal((unsigned long)n_ops) || unit(mix64(r ^ 0x1)) < cfg.lose_rate) {
        /* created, but the client never learns its name */
        a->lose = 1;
        op->lost = 1;
        st.lost++;
        goto out_tree;
    }
    yajl_gen g = yajl_gen_alloc(NULL);
    if (g) {
        yajl_gen_map_open(g);
        s(g, "name");
        s(g, op->name);
        yajl_gen_map_close(g);
        a->body = take(g);
    }
    a->status = 200;
out_tree:
    yajl_tree_free(root);
out:
    pthread_mutex_unlock(&lock);
}

/* ---- operations -------------------------------------------------------------------- */

static void counter(yajl_gen g, uint64_t success, uint64_t failure)
{
    if (!success && !failure)
        return; /* int64 fields that are zero are left out, as proto JSON does */
    char n[24];
    s(g, "counter");
    yajl_gen_map_open(g);
    if (success) {
        snprintf(n, sizeof n, "%llu", (unsigned long long)success);
        s(g, "success");
        s(g, n);
    }
    if (failure) {
        snprintf(n, sizeof n, "%llu", (unsigned long long)failure);
        s(g, "failure");
        s(g, n);
    }
    yajl_gen_map_close(g);
}

static char *render(const operation *o)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g)
        return NULL;
    char t[64], url[1024];
    yajl_gen_map_open(g);
    s(g, "name");
    s(g, o->name);
    s(g, "metadata");
    yajl_gen_map_open(g);
    s(g, "@type");
    s(g, META_TYPE);
    s(g, "apiMethodName");
    s(g, o->fhir ? FHIR_METHOD : DICOM_METHOD);
    s(g, "createTime");
    rfc3339(t, sizeof t, o->create_us);
    s(g, t);
    if (o->done) {
        s(g, "endTime");
        rfc3339(t, sizeof t, o->end_us);
        s(g, t);
    }
    const char *p = o->name + 9; /* past "projects/" */
    snprintf(url, sizeof url,
             "https://console.cloud.google.com/logs/query/query=resource.type%%3D%%22"
             "healthcare_dataset%%22%%0Aoperation.id%%3D%%22%llu%%22?project=%.*s",
             (unsigned long long)o->id, (int)strcspn(p, "/"), p);
    s(g, "logsUrl");
    s(g, url);
    if (o->has_counts) {
        /* progress while running: the share of the polls it needed */
        uint64_t num = o->done ? 1 : o->polls, den = o->done ? 1 : cfg.polls_to_finish + 1;
        counter(g, o->success * num / den, o->failure * num / den);
    }
    yajl_gen_map_close(g);
    if (o->done) {
        s(g, "done");
        yajl_gen_bool(g, 1);
        if (o->error_code) {
            s(g, "error");
            yajl_gen_map_open(g);
            s(g, "code");
            yajl_gen_integer(g, o->error_code);
            s(g, "message");
            s(g, o->error_msg ? o->error_msg : "");
            yajl_gen_map_close(g);
        } else {
            s(g, "response");
            yajl_gen_map_open(g);
            s(g, "@type");
            s(g, o->fhir ? FHIR_RESPONSE : DICOM_RESPONSE);
            yajl_gen_map_close(g);
        }
    }
    yajl_gen_map_close(g);
    return take(g);
}

/* The id at the end of ".../operations/ID", or 0. */
static uint64_t op_id(const char *name)
{
    const char *p = strstr(name, "/operations/");
    if (!p)
        return 0;
    p += 12;
    if (!*p || strlen(p) > 20 || strspn(p, "0123456789") != strlen(p))
        return 0;
    return strtoull(p, NULL, 10);
}

void standin_get_operation(const char *name, answer *a)
{
    memset(a, 0, sizeof *a);
    pthread_mutex_lock(&lock);
    st.polls++;
    int f503;
    draw("GET", name, "", 0, &f503);
    if (f503) {
        st.faults_503++;
        a->fault = "503";
        fail(a, 503, "UNAVAILABLE", "The service is currently unavailable.");
        goto out;
    }
    operation *o = find_op(op_id(name));
    if (!o || strcmp(o->name, name) != 0) {
        fail(a, 404, "NOT_FOUND", "Requested entity was not found.");
        goto out;
    }
    if (!o->done && ++o->polls > cfg.polls_to_finish) {
        o->done = 1;
        o->end_us = now_us();
        st.running--;
        st.done++;
        if (o->error_code)
            st.failed++;
        else if (o->failure)
            st.partial++;
        else
            st.succeeded++;
    }
    a->operation = strdup(o->name);
    a->body = render(o);
    a->status = 200;
out:
    pthread_mutex_unlock(&lock);
}

void standin_get_store(const char *store, int fhir, answer *a)
{
    memset(a, 0, sizeof *a);
    pthread_mutex_lock(&lock);
    if (!known_store(store)) {
        fail(a, 404, "NOT_FOUND", "Requested entity was not found.");
    } else {
        yajl_gen g = yajl_gen_alloc(NULL);
        if (g) {
            yajl_gen_map_open(g);
            s(g, "name");
            s(g, store);
            if (fhir) {
                s(g, "version");
                s(g, "R4");
            }
            yajl_gen_map_close(g);
            a->body = take(g);
        }
        a->status = 200;
    }
    pthread_mutex_unlock(&lock);
}

void standin_logs(const char *id, answer *a)
{
    memset(a, 0, sizeof *a);
    pthread_mutex_lock(&lock);
    uint64_t n = strspn(id, "0123456789") == strlen(id) && *id && strlen(id) <= 20
                     ? strtoull(id, NULL, 10) : 0;
    operation *o = find_op(n);
    if (!o) {
        fail(a, 404, "NOT_FOUND", "Requested entity was not found.");
    } else {
        a->body = strdup(o->log ? o->log : "");
        a->status = 200;
    }
    pthread_mutex_unlock(&lock);
}

void standin_list(answer *a)
{
    memset(a, 0, sizeof *a);
    pthread_mutex_lock(&lock);
    size_t len = 0, cap = 0;
    char *out = NULL;
    for (size_t i = 0; i < n_ops; i++) {
        const operation *o = &ops[i];
        yajl_gen g = yajl_gen_alloc(NULL);
        if (!g)
            break;
        yajl_gen_map_open(g);
        s(g, "name");
        s(g, o->name);
        s(g, "store");
        s(g, o->store);
        s(g, "uri");
        s(g, o->uri);
        if (o->fhir) {
            s(g, "contentStructure");
            s(g, o->cs);
        }
        s(g, "done");
        yajl_gen_bool(g, o->done);
        s(g, "polls");
        yajl_gen_integer(g, o->polls);
        s(g, "answer_lost");
        yajl_gen_bool(g, o->lost);
        yajl_gen_map_close(g);
        char *line = take(g);
        size_t n = line ? strlen(line) : 0;
        if (line && len + n + 1 > cap) {
            size_t nc = cap ? cap * 2 : 4096;
            while (nc < len + n + 1)
                nc *= 2;
            char *p = realloc(out, nc);
            if (!p) {
                free(line);
                break;
            }
            out = p;
            cap = nc;
        }
        if (line) {
            memcpy(out + len, line, n + 1);
            len += n;
        }
        free(line);
    }
    a->body = out ? out : strdup("");
    a->status = 200;
    pthread_mutex_unlock(&lock);
}

void standin_count_request(unsigned status, int lost)
{
    (void)lost;
    pthread_mutex_lock(&lock);
    st.requests++;
    if (status == 401)
        st.unauthorized_401++;
    pthread_mutex_unlock(&lock);
}

char *standin_stats(void)
{
    pthread_mutex_lock(&lock);
    yajl_gen g = yajl_gen_alloc(NULL);
    if (g) {
        const struct {
            const char *k;
            uint64_t v;
        } f[] = {
            {"requests", st.requests}, {"submissions", st.submissions},
            {"operations", st.created}, {"lost_answers", st.lost}, {"polls", st.polls},
            {"done", st.done}, {"succeeded", st.succeeded}, {"partial", st.partial},
            {"failed", st.failed}, {"running", st.running}, {"max_running", st.max_running},
            {"duplicate_submissions", st.duplicates}, {"faults_503", st.faults_503},
            {"quota_429", st.quota_429}, {"rejected_400", st.rejected_400},
            {"not_found_404", st.not_found_404}, {"unauthorized_401", st.unauthorized_401},
        };
        yajl_gen_map_open(g);
        for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
            s(g, f[i].k);
            yajl_gen_integer(g, (long long)f[i].v);
        }
        yajl_gen_map_close(g);
    }
    pthread_mutex_unlock(&lock);
    return g ? take(g) : NULL;
}
