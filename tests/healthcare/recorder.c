/*
 * gcs-healthcare-recorder: a stand-in for the Cloud Healthcare API that
 * records every request, so that tests can run the commands `gcsplan plan
 * --format=gcloud|curl` prints with the real clients and compare what
 * reached the service with the plan.
 *
 * It answers what `gcloud healthcare dicom-stores import gcs` and curl send:
 *   POST /v1/projects/P/locations/L/datasets/D/{dicomStores|fhirStores}/S:import
 *        body {"gcsSource":{"uri":...}} -> a long-running operation
 *        {"name":"projects/P/locations/L/datasets/D/operations/N"}
 *   GET  /v1/projects/P/locations/L/datasets/D/operations/N -> the operation, done
 *   GET  /v1/projects/P/locations/L/datasets/D/dicomStores/S -> the store
 * (gcloud without --async polls the operation, then reads the store.)
 * Errors have the API's shape {"error":{"code","message","status"}}.
 *
 * Protocol with the process that starts it, as for gcs-test-server: the
 * first stdout line is "PORT <n>" (flushed) once 127.0.0.1:<n> accepts
 * connections. SIGTERM or SIGINT stop it; it then writes the requests it
 * saw, in arrival order, as JSON Lines to --record FILE, one
 *   {"method","path","store","uri","body","status"}
 * per request (store and uri are null where the request has none), and
 * exits 0.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
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
    "  --require-token TOKEN    every request needs 'Authorization: Bearer TOKEN'\n"
    "  --max-lifetime SECONDS   exit by itself after this long (default 0: never)\n"
    "  --log                    one line per request on stderr\n"
    "  --help\n";

typedef struct record {
    char *method, *path, *store, *uri, *body;
    size_t body_len;
    unsigned status;
} record;

typedef struct config {
    const char *require_token;
    int log;
} config;

/* Handlers run on the daemon's single polling thread, and the records are
 * read only after the daemon has stopped: no locking is needed. */
static record records[MAX_RECORDS];
static size_t n_records;
static unsigned long next_operation = 1;

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

static enum MHD_Result send_json(struct MHD_Connection *c, unsigned status, const char *json)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(json), (void *)json, MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json; charset=UTF-8");
    enum MHD_Result ret = MHD_queue_response(c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *c, unsigned status, const char *what,
                                  const char *message)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "{\"error\":{\"code\":%u,\"message\":\"%s\",\"status\":\"%s\"}}",
             status, message, what);
    return send_json(c, status, buf);
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
    static const char *const keys[] = { "projects/", "locations/", "datasets/" };
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

/* The store ("projects/.../dicomStores/S") at the start of s, and what
 * follows it in *rest; NULL when s does not start with one. */
static char *parse_store(const char *s, const char **rest)
{
    size_t d = dataset_len(s);
    if (d == 0)
        return NULL;
    const char *p = s + d;
    size_t k;
    if (strncmp(p, "dicomStores/", k = 12) != 0 && strncmp(p, "fhirStores/", k = 11) != 0)
        return NULL;
    size_t n = id_len(p + k);
    if (n == 0)
        return NULL;
    *rest = p + k + n;
    return dup_n(s, (size_t)(p + k + n - s));
}

/* gcsSource.uri of an import body; NULL when the body is not of that shape. */
static char *import_uri(const char *body, char *why, size_t whylen)
{
    char err[256];
    yajl_val root = yajl_tree_parse(body, err, sizeof err);
    if (!root) {
        snprintf(why, whylen, "Invalid JSON payload received.");
        return NULL;
    }
    const char *path[] = { "gcsSource", "uri", NULL };
    yajl_val v = yajl_tree_get(root, path, yajl_t_string);
    const char *s = v ? YAJL_GET_STRING(v) : NULL;
    char *uri = s ? dup_n(s, strlen(s)) : NULL;
    if (!s)
        snprintf(why, whylen, "gcsSource.uri is required");
    yajl_tree_free(root);
    return uri;
}

static void keep(const char *method, const char *path, char *store, char *uri, const upload *u,
                 unsigned status, const config *cfg)
{
    if (cfg->log)
        fprintf(stderr, "gcs-healthcare-recorder: %u %s %s%s%s\n", status, method, path,
                uri ? " " : "", uri ? uri : "");
    if (n_records == MAX_RECORDS) {
        free(store);
        free(uri);
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
}

static int authorized(struct MHD_Connection *c, const config *cfg)
{
    if (!cfg->require_token)
        return 1;
    const char *h = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    return h && strncmp(h, "Bearer ", 7) == 0 && strcmp(h + 7, cfg->require_token) == 0;
}

static enum MHD_Result respond(struct MHD_Connection *c, const config *cfg, const char *method,
                               const char *url, upload *u)
{
    char buf[2048];
    const char *rest = "";
    char *store = NULL, *uri = NULL;
    unsigned status;
    enum MHD_Result ret;

    if (u->too_big) {
        status = 413;
        ret = send_error(c, status, "INVALID_ARGUMENT", "Request payload too large.");
    } else if (!authorized(c, cfg)) {
        status = 401;
        ret = send_error(c, status, "UNAUTHENTICATED",
                         "Request had invalid authentication credentials.");
    } else if (strncmp(url, "/v1/", 4) != 0) {
        status = 404;
        ret = send_error(c, status, "NOT_FOUND", "Not found.");
    } else if ((store = parse_store(url + 4, &rest)) != NULL && strcmp(method, "POST") == 0 &&
               strcmp(rest, ":import") == 0) {
        char why[128];
        uri = import_uri(u->data ? u->data : "", why, sizeof why);
        if (!uri) {
            status = 400;
            ret = send_error(c, status, "INVALID_ARGUMENT", why);
        } else {
            status = 200;
            snprintf(buf, sizeof buf, "{\"name\":\"%.*soperations/%lu\"}",
                     (int)dataset_len(store), store, next_operation++);
            ret = send_json(c, status, buf);
        }
    } else if (store && strcmp(method, "GET") == 0 && rest[0] == '\0') {
        status = 200;
        snprintf(buf, sizeof buf, "{\"name\":\"%s\"}", store);
        ret = send_json(c, status, buf);
    } else {
        size_t d = dataset_len(url + 4);
        const char *op = url + 4 + d;
        if (d && strcmp(method, "GET") == 0 && strncmp(op, "operations/", 11) == 0 &&
            op[11] && op[11 + id_len(op + 11)] == '\0') {
            /* Every import finished at once, and well. */
            status = 200;
            snprintf(buf, sizeof buf,
                     "{\"name\":\"%s\",\"metadata\":{\"@type\":\"type.googleapis.com/"
                     "google.cloud.healthcare.v1.OperationMetadata\",\"apiMethodName\":"
                     "\"google.cloud.healthcare.v1.dicom.DicomService.ImportDicomData\"},"
                     "\"done\":true,\"response\":{\"@type\":\"type.googleapis.com/"
                     "google.cloud.healthcare.v1.dicom.ImportDicomDataResponse\"}}",
                     url + 4);
            ret = send_json(c, status, buf);
        } else {
            status = 404;
            ret = send_error(c, status, "NOT_FOUND", "Not found.");
        }
    }
    keep(method, url, store, uri, u, status, cfg);
    return ret;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *data,
                              size_t *size, void **con_cls)
{
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
    return respond(c, cls, method, url, u);
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
        yajl_gen_map_open(g);
        gen_str(g, "method", 6);
        gen_str(g, r->method, r->method ? strlen(r->method) : 0);
        gen_str(g, "path", 4);
        gen_str(g, r->path, r->path ? strlen(r->path) : 0);
        gen_str(g, "store", 5);
        gen_str(g, r->store, r->store ? strlen(r->store) : 0);
        gen_str(g, "uri", 3);
        gen_str(g, r->uri, r->uri ? strlen(r->uri) : 0);
        gen_str(g, "body", 4);
        gen_str(g, r->body, r->body_len);
        gen_str(g, "status", 6);
        yajl_gen_integer(g, r->status);
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

int main(int argc, char **argv)
{
    config cfg = { NULL, 0 };
    const char *record_file = NULL;
    unsigned long port = 0, lifetime = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0) {
            fputs(usage, stdout);
            return 0;
        }
        if (strcmp(a, "--log") == 0) {
            cfg.log = 1;
            continue;
        }
        if (i + 1 >= argc)
            return die("missing value for option (see --help)", a);
        const char *v = argv[++i];
        char *end;
        if (strcmp(a, "--record") == 0) {
            record_file = v;
        } else if (strcmp(a, "--require-token") == 0) {
            cfg.require_token = v;
        } else if (strcmp(a, "--port") == 0 || strcmp(a, "--max-lifetime") == 0) {
            errno = 0;
            unsigned long n = strtoul(v, &end, 10);
            if (!*v || *end || errno || v[0] == '-' || (a[2] == 'p' && n > 65535))
                return die("bad number", v);
            *(a[2] == 'p' ? &port : &lifetime) = n;
        } else {
            return die("unknown option (see --help)", a);
        }
    }

    /* Block the stop signals before the daemon's thread exists so that only
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
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ERROR_LOG, (uint16_t)port, NULL,
        NULL, handle, &cfg, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)60, MHD_OPTION_END);
    if (!d)
        return die("cannot start the HTTP server on 127.0.0.1", NULL);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    printf("PORT %u\n", info ? info->port : (unsigned)port);
    fflush(stdout);

    time_t deadline = lifetime ? time(NULL) + (time_t)lifetime : 0;
    for (;;) {
        struct timespec ts = { 1, 0 };
        if (sigtimedwait(&set, NULL, &ts) > 0)
            break;
        if (deadline && time(NULL) >= deadline) {
            fprintf(stderr, "gcs-healthcare-recorder: --max-lifetime reached, exiting\n");
            break;
        }
    }
    MHD_stop_daemon(d);
    int rc = record_file ? write_records(record_file) : 0;
    for (size_t i = 0; i < n_records; i++) {
        free(records[i].method);
        free(records[i].path);
        free(records[i].store);
        free(records[i].uri);
        free(records[i].body);
    }
    return rc;
}
