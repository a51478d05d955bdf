/*
 * gcs-healthcare-recorder: a stateful stand-in for the import part of the
 * Cloud Healthcare API (docs/healthcare-stand-in.md). It records every
 * request, so that tests can compare what reached the service with a plan,
 * and it behaves like the service where a client can tell: import calls
 * create long-running operations, polls see them finish after a while, with
 * counters computed from bucket listings by an independent import-URI
 * matcher, and quota, faults and lost answers on demand.
 *
 *   POST /v1/projects/P/locations/L/datasets/D/{dicomStores|fhirStores}/S:import
 *        -> {"name":"projects/P/locations/L/datasets/D/operations/N"}
 *   GET  /v1/projects/P/locations/L/datasets/D/operations/N -> the operation
 *   GET  /v1/projects/P/locations/L/datasets/D/{dicomStores|fhirStores}/S -> the store
 *   GET  /_stats (counters), /_logs/N (the failures of operation N),
 *        /_operations (every operation, for tests to inspect)
 * Errors have the API's shape {"error":{"code","message","status"}}.
 *
 * Without options it is what it always was: any store exists, operations
 * are done at the first poll, and nothing fails.
 *
 * Protocol with the process that starts it, as for gcs-test-server: the
 * first stdout line is "PORT <n>" (flushed) once 127.0.0.1:<n> accepts
 * connections. SIGTERM, SIGINT or --max-lifetime stop it; it then writes
 * the requests it saw, in arrival order, as JSON Lines to --record FILE,
 * prints "STATS <json>" and exits 0.
 */
#include "objects.h"
#include "standin.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

/* Import bodies are a few hundred bytes; a URI is at most ~1 KiB. */
#define BODY_MAX 65536
#define MAX_RECORDS 100000

static const char usage[] =
    "usage: gcs-healthcare-recorder [options]\n"
    "  --record FILE            write the requests there as JSON Lines at exit\n"
    "  --port N                 port on 127.0.0.1 (default 0: any free port)\n"
    "  --require-token TOKEN    every API request needs 'Authorization: Bearer TOKEN'\n"
    "  --max-lifetime SECONDS   exit by itself after this long (default 0: never)\n"
    "  --stats-file FILE        write the STATS json there at exit\n"
    "  --log                    one line per request on stderr\n"
    "Stores and objects:\n"
    "  --store NAME             projects/P/locations/L/datasets/D/dicomStores/S or\n"
    "                           .../fhirStores/S exists (repeatable); without any,\n"
    "                           every store exists\n"
    "  --bucket NAME=FILE       the bucket's objects, JSON Lines {\"name\",\"size\"}: import\n"
    "                           counters come from it (repeatable)\n"
    "  --fhir-content NAME=ndjson-resources|bundles\n"
    "                           NDJSON of resources: BUNDLE imports fail every object\n"
    "  --fail-objects REGEX     objects whose whole name matches fail (PCRE2; repeatable)\n"
    "  --fail-list FILE         objects named in FILE (one per line) fail\n"
    "  --failed-as-error never|all|any\n"
    "                           when failures end the operation with error (default never)\n"
    "  --zero-match call|operation[:CODE]\n"
    "                           a URI matching nothing fails the import call (default) or\n"
    "                           the operation; CODE FAILED_PRECONDITION (default),\n"
    "                           INVALID_ARGUMENT or NOT_FOUND\n"
    "Operations:\n"
    "  --polls-to-finish K      an operation is not done for its first K polls (default 0)\n"
    "  --max-running N          a submission while N operations are not done is 429\n"
    "  --max-operations N       operations held at most (default 100000)\n"
    "Faults (decided from --seed, per request and attempt):\n"
    "  --seed N                 (default 0)\n"
    "  --rate-503 P             503 UNAVAILABLE on submissions and polls\n"
    "  --max-consecutive N      503s in a row for one request (default 2)\n"
    "  --lose-answer-rate P     a submission creates its operation, then the connection\n"
    "                           is closed without an answer\n"
    "  --lose-answers LIST      the same for the operations created Nth (1,3,...)\n"
    "  --latency-ms N           delay every API answer by N ms\n"
    "  --import-latency-ms N    delay import calls by N more ms, before the operation is made\n"
    "  --help\n";

typedef struct record {
    char *method, *path, *store, *uri, *body, *operation;
    size_t body_len;
    unsigned status;
    int lost;
    const char *fault;
    int64_t time_us;
} record;

typedef struct config {
    const char *require_token;
    int log;
    unsigned latency_ms;
    unsigned import_latency_ms;
} config;

static config cfg;
static record *records;
static size_t n_records, dropped;
static pthread_mutex_t rec_lock = PTHREAD_MUTEX_INITIALIZER;

typedef struct upload {
    char *data;
    size_t len, cap;
    int too_big;
} upload;

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

static int append(upload *u, const char *s, size_t n)
{
    if (u->len + n > BODY_MAX) {
        u->too_big = 1;
        return 0;
    }
    if (u->len + n + 1 > u->cap) {
        size_t cap = u->cap ? u->cap * 2 : 1024;
        while (cap < u->len + n + 1)
            cap *= 2;
        char *d = realloc(u->data, cap);
        if (!d)
            return -1;
        u->data = d;
        u->cap = cap;
    }
    memcpy(u->data + u->len, s, n);
    u->len += n;
    u->data[u->len] = '\0';
    return 0;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static enum MHD_Result send_body(struct MHD_Connection *c, unsigned status, const char *ctype,
                                 const char *body)
{
    const char *b = body ? body : "";
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(b), (void *)b, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Resource ids are letters, digits and -_. (the API's own rule, near enough). */
static size_t id_len(const char *s)
{
    size_t n = 0;
    while ((s[n] >= 'a' && s[n] <= 'z') || (s[n] >= 'A' && s[n] <= 'Z') ||
           (s[n] >= '0' && s[n] <= '9') || s[n] == '-' || s[n] == '_' || s[n] == '.')
        n++;
    return n;
}

/* "projects/P/locations/L/datasets/D/" at s: its length, or 0. */
static size_t dataset_len(const char *s)
{
    static const char *const keys[] = {"projects/", "locations/", "datasets/"};
    const char *p = s;
    for (int i = 0; i < 3; i++) {
        size_t k = strlen(keys[i]);
        if (strncmp(p, keys[i], k) != 0)
            return 0;
        p += k;
        size_t n = id_len(p);
        if (n == 0 || p[n] != '/')
            return 0;
        p += n + 1;
    }
    return (size_t)(p - s);
}

/* The store ("projects/.../dicomStores/S") at the start of s, what follows it
 * in *rest and whether it is FHIR; NULL when s does not start with one. */
static char *parse_store(const char *s, const char **rest, int *fhir)
{
    size_t d = dataset_len(s);
    if (d == 0)
        return NULL;
    const char *p = s + d;
    size_t k;
    *fhir = 0;
    if (strncmp(p, "dicomStores/", k = 12) != 0) {
        if (strncmp(p, "fhirStores/", k = 11) != 0)
            return NULL;
        *fhir = 1;
    }
    size_t n = id_len(p + k);
    if (n == 0)
        return NULL;
    *rest = p + k + n;
    return dup_n(s, (size_t)(p + k + n - s));
}

/* gcsSource.uri of an import body, for the record; NULL when there is none. */
static char *import_uri(const char *body)
{
    char err[128];
    yajl_val root = yajl_tree_parse(body, err, sizeof err);
    if (!root)
        return NULL;
    const char *path[] = {"gcsSource", "uri", NULL};
    yajl_val v = yajl_tree_get(root, path, yajl_t_string);
    const char *str = v ? YAJL_GET_STRING(v) : NULL;
    char *uri = str ? dup_n(str, strlen(str)) : NULL;
    yajl_tree_free(root);
    return uri;
}

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Keeps one request; takes store, uri and operation. */
static void keep(const char *method, const char *path, char *store, char *uri, const upload *u,
                 unsigned status, char *operation, int lost, const char *fault)
{
    if (cfg.log)
        fprintf(stderr, "gcs-healthcare-recorder: %u%s %s %s%s%s\n", status,
                lost ? " (answer lost)" : "", method, path, uri ? " " : "", uri ? uri : "");
    standin_count_request(status, lost);
    pthread_mutex_lock(&rec_lock);
    if (n_records == MAX_RECORDS) {
        dropped++;
        pthread_mutex_unlock(&rec_lock);
        free(store);
        free(uri);
        free(operation);
        return;
    }
    record *r = &records[n_records++];
    r->method = dup_n(method, strlen(method));
    r->path = dup_n(path, strlen(path));
    r->store = store;
    r->uri = uri;
    r->body = u && u->data ? dup_n(u->data, u->len) : dup_n("", 0);
    r->body_len = u && u->data ? u->len : 0;
    r->status = status;
    r->operation = operation;
    r->lost = lost;
    r->fault = fault;
    r->time_us = now_us();
    pthread_mutex_unlock(&rec_lock);
}

static int authorized(struct MHD_Connection *c)
{
    if (!cfg.require_token)
        return 1;
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    return h && strncmp(h, "Bearer ", 7) == 0 && strcmp(h + 7, cfg.require_token) == 0;
}

static enum MHD_Result error(struct MHD_Connection *c, unsigned code, const char *status,
                             const char *msg)
{
    char *body = standin_error_json(code, status, msg);
    enum MHD_Result ret = send_body(c, code, "application/json; charset=UTF-8", body);
    free(body);
    return ret;
}

static enum MHD_Result respond(struct MHD_Connection *c, const char *method, const char *url,
                               upload *u)
{
    const char *rest = "";
    char *store = NULL, *uri = NULL;
    int fhir = 0;
    answer a;
    memset(&a, 0, sizeof a);
    enum MHD_Result ret;
    const char *json = "application/json; charset=UTF-8";

    if (!strcmp(url, "/_stats")) {
        char *body = standin_stats();
        ret = send_body(c, 200, json, body);
        free(body);
        return ret;
    }
    if (!strcmp(url, "/_operations")) {
        standin_list(&a);
        ret = send_body(c, a.status, "application/x-ndjson", a.body);
        free(a.body);
        return ret;
    }
    if (!strncmp(url, "/_logs/", 7)) {
        standin_logs(url + 7, &a);
        ret = send_body(c, a.status, "application/x-ndjson", a.body);
        free(a.body);
        free(a.operation);
        return ret;
    }
    if (cfg.latency_ms)
        sleep_ms(cfg.latency_ms);
    if (!strncmp(url, "/v1/", 4))
        store = parse_store(url + 4, &rest, &fhir);
    if (store && !strcmp(method, "POST") && !strcmp(rest, ":import")) {
        uri = import_uri(u->data ? u->data : "");
        /* Slow imports alone: a client killed while it waits leaves an
         * operation made after it died, its answer lost. */
        if (cfg.import_latency_ms)
            sleep_ms(cfg.import_latency_ms);
    }

    if (u->too_big) {
        a.status = 413;
        ret = error(c, 413, "INVALID_ARGUMENT", "Request payload too large.");
    } else if (!authorized(c)) {
        a.status = 401;
        ret = error(c, 401, "UNAUTHENTICATED",
                    "Request had invalid authentication credentials. Expected OAuth 2 access "
                    "token, login cookie or other valid authentication credential. See "
                    "https://developers.google.com/identity/sign-in/web/devconsole-project.");
    } else if (store && !strcmp(method, "POST") && !strcmp(rest, ":import")) {
        standin_import(store, fhir, u->data ? u->data : "", u->len, &a);
        ret = a.lose ? MHD_NO : send_body(c, a.status, json, a.body);
    } else if (store && !strcmp(method, "GET") && !rest[0]) {
        standin_get_store(store, fhir, &a);
        ret = send_body(c, a.status, json, a.body);
    } else {
        size_t d = strncmp(url, "/v1/", 4) ? 0 : dataset_len(url + 4);
        const char *op = url + 4 + d;
        if (d && !strcmp(method, "GET") && !strncmp(op, "operations/", 11) && op[11] &&
            op[11 + id_len(op + 11)] == '\0') {
            standin_get_operation(url + 4, &a);
            ret = send_body(c, a.status, json, a.body);
        } else {
            a.status = 404;
            ret = error(c, 404, "NOT_FOUND", "Requested entity was not found.");
        }
    }
    keep(method, url, store, uri, u, a.lose ? 0 : a.status, a.operation, a.lose, a.fault);
    free(a.body);
    return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *size, void **con_cls)
{
    (void)cls;
    (void)version;
    upload *u = *con_cls;
    if (!u) {
        /* First call: headers only. The body, if any, comes in later calls. */
        u = calloc(1, sizeof *u);
        if (!u)
            return MHD_NO;
        *con_cls = u;
        return MHD_YES;
    }
    if (*size) {
        if (append(u, data, *size) != 0)
            return MHD_NO;
        *size = 0;
        return MHD_YES;
    }
    return respond(c, method, url, u);
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    upload *u = *con_cls;
    if (u) {
        free(u->data);
        free(u);
        *con_cls = NULL;
    }
}

static void gen_str(yajl_gen g, const char *s, size_t n)
{
    if (s)
        yajl_gen_string(g, (const unsigned char *)s, n);
    else
        yajl_gen_null(g);
}

static void gen_key(yajl_gen g, const char *k) { gen_str(g, k, strlen(k)); }

static int write_records(const char *file)
{
    FILE *f = fopen(file, "w");
    if (!f) {
        fprintf(stderr, "gcs-healthcare-recorder: %s: %s\n", file, strerror(errno));
        return 3;
    }
    yajl_gen g = yajl_gen_alloc(NULL);
    if (!g) {
        fclose(f);
        return 3;
    }
    for (size_t i = 0; i < n_records; i++) {
        const record *r = &records[i];
        char t[64], d[32];
        time_t sec = (time_t)(r->time_us / 1000000);
        struct tm tm;
        gmtime_r(&sec, &tm);
        strftime(d, sizeof d, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf(t, sizeof t, "%s.%06dZ", d, (int)(r->time_us % 1000000));
        yajl_gen_map_open(g);
        gen_key(g, "method");
        gen_str(g, r->method, r->method ? strlen(r->method) : 0);
        gen_key(g, "path");
        gen_str(g, r->path, r->path ? strlen(r->path) : 0);
        gen_key(g, "store");
        gen_str(g, r->store, r->store ? strlen(r->store) : 0);
        gen_key(g, "uri");
        gen_str(g, r->uri, r->uri ? strlen(r->uri) : 0);
        gen_key(g, "body");
        gen_str(g, r->body, r->body_len);
        gen_key(g, "status");
        yajl_gen_integer(g, r->status);
        gen_key(g, "operation");
        gen_str(g, r->operation, r->operation ? strlen(r->operation) : 0);
        gen_key(g, "lost");
        yajl_gen_bool(g, r->lost);
        gen_key(g, "fault");
        gen_str(g, r->fault, r->fault ? strlen(r->fault) : 0);
        gen_key(g, "seq");
        yajl_gen_integer(g, (long long)i + 1);
        gen_key(g, "time");
        gen_key(g, t);
        yajl_gen_map_close(g);
        const unsigned char *buf;
        size_t len;
        yajl_gen_get_buf(g, &buf, &len);
        fwrite(buf, 1, len, f);
        fputc('\n', f);
        yajl_gen_clear(g);
        yajl_gen_reset(g, NULL);
    }
    yajl_gen_free(g);
    return fclose(f) == 0 ? 0 : 3;
}

static int die(const char *msg, const char *arg)
{
    fprintf(stderr, "gcs-healthcare-recorder: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    return 2;
}

static int parse_ulong(const char *v, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(v, &end, 10);
    if (!*v || *end || errno || v[0] == '-' || n > max)
        return -1;
    *out = n;
    return 0;
}

static int parse_rate(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (!*s || *end || !(v >= 0 && v <= 1))
        return -1;
    *out = v;
    return 0;
}

/* Every exit after the first allocation goes through `out`, so that a
 * sanitizer build reports no leak on a usage error. */
#define FAIL(...)                                                                              \
    do {                                                                                       \
        rc = die(__VA_ARGS__);                                                                 \
        goto out;                                                                              \
    } while (0)

int main(int argc, char **argv)
{
    standin_config sc = STANDIN_CONFIG_INIT;
    const char *record_file = NULL, *stats_file = NULL;
    unsigned long port = 0, lifetime = 0, n;
    char err[512];
    int rc = 0;
    struct MHD_Daemon *d = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            goto out;
        }
        if (strcmp(a, "--log") == 0) {
            cfg.log = 1;
            continue;
        }
        if (i + 1 >= argc)
            FAIL("missing value for option (see --help)", a);
        const char *v = argv[++i];
        if (strcmp(a, "--record") == 0) {
            record_file = v;
        } else if (strcmp(a, "--stats-file") == 0) {
            stats_file = v;
        } else if (strcmp(a, "--require-token") == 0) {
            cfg.require_token = v;
        } else if (strcmp(a, "--port") == 0) {
            if (parse_ulong(v, 65535, &port))
                FAIL("bad --port", v);
        } else if (strcmp(a, "--max-lifetime") == 0) {
            if (parse_ulong(v, 86400UL * 365, &lifetime))
                FAIL("bad --max-lifetime", v);
        } else if (strcmp(a, "--store") == 0) {
            if (standin_valid_store(v) != 0)
                FAIL("--store wants projects/P/locations/L/datasets/D/{dicomStores|fhirStores}/S", v);
            if (sc.n_stores == STANDIN_MAX_STORES)
                FAIL("too many --store", NULL);
            sc.stores[sc.n_stores++] = v;
        } else if (strcmp(a, "--bucket") == 0) {
            if (objects_add_bucket(v, err, sizeof err) != 0)
                FAIL(err, NULL);
        } else if (strcmp(a, "--fhir-content") == 0) {
            if (objects_set_fhir_content(v, err, sizeof err) != 0)
                FAIL(err, NULL);
        } else if (strcmp(a, "--fail-objects") == 0) {
            if (objects_add_fail_regex(v, err, sizeof err) != 0)
                FAIL(err, NULL);
        } else if (strcmp(a, "--fail-list") == 0) {
            if (objects_add_fail_list(v, err, sizeof err) != 0)
                FAIL(err, NULL);
        } else if (strcmp(a, "--failed-as-error") == 0) {
            if (!strcmp(v, "never"))
                sc.failed_error = FAILED_NEVER;
            else if (!strcmp(v, "all"))
                sc.failed_error = FAILED_ALL;
            else if (!strcmp(v, "any"))
                sc.failed_error = FAILED_ANY;
            else
                FAIL("--failed-as-error is never, all or any", v);
        } else if (strcmp(a, "--zero-match") == 0) {
            const char *colon = strchr(v, ':');
            size_t wn = colon ? (size_t)(colon - v) : strlen(v);
            if (wn == 4 && !strncmp(v, "call", 4))
                sc.zero_in_operation = 0;
            else if (wn == 9 && !strncmp(v, "operation", 9))
                sc.zero_in_operation = 1;
            else
                FAIL("--zero-match is call or operation, then :CODE", v);
            if (colon) {
                if (!strcmp(colon + 1, "FAILED_PRECONDITION"))
                    sc.zero_code = 9;
                else if (!strcmp(colon + 1, "INVALID_ARGUMENT"))
                    sc.zero_code = 3;
                else if (!strcmp(colon + 1, "NOT_FOUND"))
                    sc.zero_code = 5;
                else
                    FAIL("--zero-match CODE is FAILED_PRECONDITION, INVALID_ARGUMENT or NOT_FOUND",
                         v);
            }
        } else if (strcmp(a, "--polls-to-finish") == 0 || strcmp(a, "--max-running") == 0 ||
                   strcmp(a, "--max-consecutive") == 0 || strcmp(a, "--latency-ms") == 0 ||
                   strcmp(a, "--import-latency-ms") == 0) {
            if (parse_ulong(v, 1000000, &n))
                FAIL("bad number", v);
            if (a[2] == 'p')
                sc.polls_to_finish = (unsigned)n;
            else if (a[2] == 'i')
                cfg.import_latency_ms = (unsigned)n;
            else if (a[2] == 'l')
                cfg.latency_ms = (unsigned)n;
            else if (a[6] == 'r')
                sc.max_running = (unsigned)n;
            else
                sc.max_consecutive = (unsigned)n;
        } else if (strcmp(a, "--max-operations") == 0) {
            if (parse_ulong(v, 10000000, &n) || n == 0)
                FAIL("bad --max-operations (1..10000000)", v);
            sc.max_operations = n;
        } else if (strcmp(a, "--seed") == 0) {
            char *end;
            errno = 0;
            sc.seed = strtoull(v, &end, 10);
            if (!*v || *end || errno)
                FAIL("bad --seed", v);
        } else if (strcmp(a, "--rate-503") == 0 || strcmp(a, "--lose-answer-rate") == 0) {
            if (parse_rate(v, a[2] == 'r' ? &sc.rate_503 : &sc.lose_rate))
                FAIL("rates are numbers from 0 to 1", v);
        } else if (strcmp(a, "--lose-answers") == 0) {
            for (const char *p = v; *p;) {
                char *end;
                errno = 0;
                unsigned long k = strtoul(p, &end, 10);
                if (end == p || errno || k == 0 || (*end && *end != ',') ||
                    sc.n_lose == STANDIN_MAX_LOSE)
                    FAIL("--lose-answers wants ordinals like 1,3,8", v);
                sc.lose[sc.n_lose++] = k;
                p = *end ? end + 1 : end;
            }
        } else {
            FAIL("unknown option (see --help)", a);
        }
    }
    records = calloc(MAX_RECORDS, sizeof *records);
    if (!records)
        FAIL("out of memory", NULL);
    standin_init(&sc);

    /* Block the stop signals before the daemon's threads exist so that only
     * sigtimedwait below sees them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    /* A thread per connection: latency and lost answers hold up only theirs. */
    d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                             MHD_USE_POLL | MHD_USE_ERROR_LOG,
                         (uint16_t)port, NULL, NULL, handle, NULL, MHD_OPTION_SOCK_ADDR,
                         (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60, MHD_OPTION_END);
    if (!d)
        FAIL("cannot start the HTTP server on 127.0.0.1", NULL);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("PORT %u\n", info ? info->port : (unsigned)port);
    fflush(stdout);

    time_t deadline = lifetime ? time(NULL) + (time_t)lifetime : 0;
    for (;;) {
        struct timespec ts = {1, 0};
        if (sigtimedwait(&set, NULL, &ts) > 0)
            break;
        if (deadline && time(NULL) >= deadline) {
            fprintf(stderr, "gcs-healthcare-recorder: --max-lifetime reached, exiting\n");
            break;
        }
    }
    MHD_stop_daemon(d);
    rc = record_file ? write_records(record_file) : 0;
    char *stats = standin_stats();
    if (stats) {
        printf("STATS %s", stats);
        fflush(stdout);
        if (stats_file) {
            FILE *f = fopen(stats_file, "w");
            if (!f || fputs(stats, f) == EOF)
                rc = die("cannot write --stats-file", stats_file);
            if (f)
                fclose(f);
        }
        free(stats);
    }
    if (dropped)
        fprintf(stderr, "gcs-healthcare-recorder: %zu requests beyond %d were not recorded\n",
                dropped, MAX_RECORDS);
out:
    for (size_t i = 0; records && i < n_records; i++) {
        free(records[i].method);
        free(records[i].path);
        free(records[i].store);
        free(records[i].uri);
        free(records[i].body);
        free(records[i].operation);
    }
    free(records);
    standin_free();
    objects_free_all();
    return rc;
}
