#include "http.h"
#include "content.h"
#include "faults.h"
#include "fields.h"
#include "gzbomb.h"
#include "hostile.h"
#include "iam.h"
#include "json_out.h"
#include "listgen.h"
#include "listing.h"
#include "stats.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <yajl/yajl_tree.h>

/* POST bodies are tiny form posts to /token; anything larger is refused. */
#define UPLOAD_MAX 65536
#define MEDIA_BLOCK 65536

typedef struct {
    sbuf upload;
    int started;
} req_state;

/* What one daemon serves: the main listener applies faults and hostile
 * rules, an alternate one (alt > 0) neither. */
typedef struct {
    server_config *cfg;
    unsigned alt; /* 0: main; else 1..HTTP_MAX_ALT */
} listener;

typedef struct {
    server_config *cfg;
    struct MHD_Connection *c;
    const char *method;
    const char *url;
    char base_url[300];
    fault_plan fp;
    unsigned alt;  /* the alternate listener it came in on, 0 for the main one */
    int hostile;   /* hostile rules apply (main listener, rules given) */
    int stall;     /* 0, HK_STALL_HEADERS or HK_STALL_BODY */
    uint64_t stall_bytes;
    int stall_has_bytes;
} req;

/* Set before the daemons stop, so that every stalled connection lets go. */
static atomic_int stopping;

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* ---- response bodies ------------------------------------------------------ */

/* Blocks until the client closes the connection or the server stops: the
 * "forever" of a stall. The thread is the connection's own, so nothing else
 * waits. */
static void stall_until_client_leaves(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    int fd = ci ? (int)ci->connect_fd : -1;
    while (!atomic_load(&stopping)) {
        if (fd < 0) {
            sleep_ms(50);
            continue;
        }
        struct pollfd p = {fd, POLLIN | POLLRDHUP, 0};
        if (poll(&p, 1, 50) <= 0)
            continue;
        if (p.revents & (POLLERR | POLLHUP | POLLRDHUP | POLLNVAL)) {
            stats_inc(ST_H_STALL_CLIENT_GONE);
            return;
        }
        char ch;
        ssize_t n = recv(fd, &ch, 1, MSG_PEEK | MSG_DONTWAIT);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
            stats_inc(ST_H_STALL_CLIENT_GONE);
            return;
        }
        if (n > 0)
            sleep_ms(50); /* a pipelined request waits; do not spin on it */
    }
}

typedef struct {
    char *mem; /* owned; NULL for synthetic object content */
    content_src content;
    listgen *gen;  /* owned: a streamed list page */
    gzbomb *bomb;  /* owned: a gzip bomb */
    uint64_t base;     /* object offset of body position 0 */
    uint64_t total;    /* MHD_SIZE_UNKNOWN for a streamed page */
    uint64_t abort_at; /* UINT64_MAX: never */
    uint64_t stall_at; /* UINT64_MAX: never */
    size_t chunk;      /* 0: no limit */
    unsigned delay_ms;
    struct MHD_Connection *c;
} body_src;

static ssize_t body_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    body_src *s = cls;
    if (pos >= s->stall_at) {
        stall_until_client_leaves(s->c);
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    if (pos >= s->abort_at)
        return MHD_CONTENT_READER_END_WITH_ERROR; /* the connection is dropped */
    if (pos >= s->total)
        return MHD_CONTENT_READER_END_OF_STREAM;
    uint64_t n = s->total - pos;
    if (n > max)
        n = max;
    if (s->chunk && n > s->chunk)
        n = s->chunk;
    if (pos + n > s->abort_at)
        n = s->abort_at - pos;
    if (pos + n > s->stall_at)
        n = s->stall_at - pos;
    if (s->delay_ms && pos > 0)
        sleep_ms(s->delay_ms);
    if (s->gen) {
        ssize_t got = listgen_read(s->gen, buf, (size_t)n);
        if (got < 0)
            return MHD_CONTENT_READER_END_WITH_ERROR;
        if (got == 0)
            return MHD_CONTENT_READER_END_OF_STREAM;
        n = (uint64_t)got;
    } else if (s->bomb) {
        n = gzbomb_read(s->bomb, pos, buf, (size_t)n);
    } else if (s->mem) {
        memcpy(buf, s->mem + pos, (size_t)n);
    } else {
        content_fill(&s->content, s->base + pos, buf, (size_t)n);
    }
    stats_add(ST_BODY_BYTES, n);
    return (ssize_t)n;
}

static void body_free(void *cls)
{
    body_src *s = cls;
    free(s->mem);
    listgen_free(s->gen);
    gzbomb_free(s->bomb);
    free(s);
}

/* Builds the response for a body, applying abort and slow faults and
 * hostile stalls; takes ownership of src (and of what it holds). */
static struct MHD_Response *body_response(req *r, body_src *src)
{
    src->abort_at = UINT64_MAX;
    src->stall_at = UINT64_MAX;
    src->c = r->c;
    if (r->stall == HK_STALL_HEADERS) {
        src->stall_at = 0;
    } else if (r->stall == HK_STALL_BODY) {
        /* part of the body, then nothing: half of it unless told */
        uint64_t known = src->total == MHD_SIZE_UNKNOWN ? 4096 : src->total;
        src->stall_at = r->stall_has_bytes ? r->stall_bytes : known / 2;
        if (src->total != MHD_SIZE_UNKNOWN && src->stall_at >= src->total && src->total > 0)
            src->stall_at = src->total - 1;
    }
    if (r->fp.error == FAULT_ABORT && src->total != MHD_SIZE_UNKNOWN) {
        src->abort_at = src->total ? r->fp.rnd % src->total : 0;
        stats_inc(ST_FAULT_ABORT);
    }
    if (r->fp.slow) {
        const fault_config *fc = faults_config();
        src->chunk = fc->slow_chunk ? fc->slow_chunk : 64;
        src->delay_ms = fc->slow_delay_ms;
        stats_inc(ST_FAULT_SLOW_BODY);
    }
    if (src->mem && src->abort_at == UINT64_MAX && src->stall_at == UINT64_MAX && !src->chunk) {
        struct MHD_Response *resp = MHD_create_response_from_buffer(
            (size_t)src->total, src->mem, MHD_RESPMEM_MUST_FREE);
        if (resp) {
            stats_add(ST_BODY_BYTES, src->total);
            free(src);
        } else {
            body_free(src);
        }
        return resp;
    }
    size_t block = src->chunk ? src->chunk : MEDIA_BLOCK;
    struct MHD_Response *resp =
        MHD_create_response_from_callback(src->total, block, body_read, src, body_free);
    if (!resp)
        body_free(src);
    return resp;
}

static enum MHD_Result queue(req *r, unsigned status, struct MHD_Response *resp)
{
    if (!resp)
        return MHD_NO;
    stats_count_status(status);
    enum MHD_Result ret = MHD_queue_response(r->c, status, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* A response for the bytes of b (taken), of the given content type. */
static struct MHD_Response *buf_response(req *r, const char *ctype, sbuf *b)
{
    size_t len;
    char *data = sbuf_take(b, &len);
    if (!data)
        return NULL;
    body_src *src = calloc(1, sizeof *src);
    if (!src) {
        free(data);
        return NULL;
    }
    src->mem = data;
    src->total = len;
    struct MHD_Response *resp = body_response(r, src);
    if (resp)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    return resp;
}

static enum MHD_Result send_buf(req *r, unsigned status, const char *ctype, sbuf *b)
{
    return queue(r, status, buf_response(r, ctype, b));
}

static enum MHD_Result send_json(req *r, unsigned status, sbuf *b)
{
    return send_buf(r, status, "application/json; charset=UTF-8", b);
}

static enum MHD_Result send_error(req *r, unsigned status, const char *reason, const char *msg)
{
    sbuf b;
    sbuf_init(&b);
    json_error(&b, status, reason, msg);
    return send_json(r, status, &b);
}

/* ---- request identity and logging ---------------------------------------- */

typedef struct {
    uint64_t h;
    sbuf *log;
} arg_walk;

static enum MHD_Result walk_arg(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
    (void)kind;
    arg_walk *w = cls;
    w->h = srv_hash64(k, strlen(k), w->h);
    w->h = srv_hash64(v ? v : "", v ? strlen(v) + 1 : 0, w->h);
    if (w->log) {
        sbuf_putc(w->log, w->log->len ? '&' : '?');
        sbuf_puts(w->log, k);
        if (v) {
            sbuf_putc(w->log, '=');
            sbuf_puts(w->log, v);
        }
    }
    return MHD_YES;
}

static uint64_t request_key(req *r)
{
    sbuf log;
    sbuf_init(&log);
    arg_walk w = {srv_hash64(r->url, strlen(r->url), srv_hash64(r->method, strlen(r->method), 0)),
                  r->cfg->log ? &log : NULL};
    MHD_get_connection_values(r->c, MHD_GET_ARGUMENT_KIND, walk_arg, &w);
    if (r->cfg->log) {
        sbuf_putc(&log, '\0');
        fprintf(stderr, "gcs-test-server: %s %s%s\n", r->method, r->url,
                log.data ? log.data : "");
        sbuf_free(&log);
    }
    return w.h;
}

static const char *arg(req *r, const char *k)
{
    return MHD_lookup_connection_value(r->c, MHD_GET_ARGUMENT_KIND, k);
}

static int arg_true(req *r, const char *k)
{
    const char *v = arg(r, k);
    return v && (!strcmp(v, "true") || !strcmp(v, "1"));
}

/* ---- hostile answers ------------------------------------------------------ */

static int accepts_gzip(req *r)
{
    const char *h = MHD_lookup_connection_value(r->c, MHD_HEADER_KIND, "Accept-Encoding");
    return h && (strstr(h, "gzip") || strstr(h, "GZIP"));
}

/* The text a gzip bomb inflates to: a JSON document of the endpoint's shape
 * whose one string is the huge run of 'a', or just the run for media. */
static enum MHD_Result send_bomb(req *r, const hostile_rule *h, hostile_endpoint ep,
                                 const char *bucket)
{
    sbuf pre, suf;
    sbuf_init(&pre);
    sbuf_init(&suf);
    const char *ctype = "application/json; charset=UTF-8";
    const char *b = bucket ? bucket : "";
    switch (ep) {
    case EP_LIST:
        sbuf_puts(&pre, "{\"kind\":\"storage#objects\",\"items\":[{\"kind\":\"storage#object\",\"name\":\"");
        sbuf_puts(&suf, "\",\"bucket\":");
        sbuf_json_str(&suf, b, strlen(b));
        sbuf_puts(&suf, ",\"size\":\"1\"}]}\n");
        break;
    case EP_GET:
        sbuf_puts(&pre, "{\"kind\":\"storage#object\",\"name\":\"");
        sbuf_puts(&suf, "\",\"bucket\":");
        sbuf_json_str(&suf, b, strlen(b));
        sbuf_puts(&suf, ",\"size\":\"1\"}\n");
        break;
    case EP_MEDIA:
        ctype = "application/octet-stream";
        break;
    case EP_BUCKET:
        sbuf_puts(&pre, "{\"kind\":\"storage#bucket\",\"id\":\"");
        sbuf_puts(&suf, "\"}\n");
        break;
    case EP_IAM:
        sbuf_puts(&pre, "{\"kind\":\"storage#policy\",\"resourceId\":\"");
        sbuf_puts(&suf, "\",\"version\":1,\"etag\":\"CAE=\",\"bindings\":[]}\n");
        break;
    case EP_PROJECT:
        sbuf_puts(&pre, "{\"projectNumber\":\"123456789012\",\"projectId\":\"");
        sbuf_puts(&suf, "\",\"lifecycleState\":\"ACTIVE\"}\n");
        break;
    default: /* token endpoints */
        ctype = "application/json";
        sbuf_puts(&pre, "{\"access_token\":\"");
        sbuf_puts(&suf, "\",\"expires_in\":3600,\"token_type\":\"Bearer\"}\n");
        break;
    }
    sbuf_putc(&pre, '\0');
    sbuf_putc(&suf, '\0');
    gzbomb *g = pre.failed || suf.failed ? NULL : gzbomb_new(pre.data, suf.data, h->n);
    sbuf_free(&pre);
    sbuf_free(&suf);
    body_src *src = g ? calloc(1, sizeof *src) : NULL;
    if (!src) {
        gzbomb_free(g);
        return MHD_NO;
    }
    src->bomb = g;
    src->total = gzbomb_size(g);
    struct MHD_Response *resp = body_response(r, src);
    if (resp) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    }
    return queue(r, 200, resp);
}

typedef struct {
    sbuf *b;
    int first;
} query_walk;

static enum MHD_Result walk_query(void *cls, enum MHD_ValueKind kind, const char *k, const char *v)
{
    (void)kind;
    query_walk *w = cls;
    sbuf_putc(w->b, w->first ? '?' : '&');
    w->first = 0;
    sbuf_pct(w->b, k, strlen(k));
    if (v) {
        sbuf_putc(w->b, '=');
        sbuf_pct(w->b, v, strlen(v));
    }
    return MHD_YES;
}

/* Where the object name starts in a storage object path, else strlen(url). */
static size_t object_name_at(const char *url)
{
    const char *p = url;
    if (!strncmp(p, "/download", 9))
        p += 9;
    if (strncmp(p, "/storage/v1/b/", 14) != 0)
        return strlen(url);
    const char *slash = strchr(p + 14, '/');
    if (!slash || strncmp(slash, "/o/", 3) != 0)
        return strlen(url);
    return (size_t)(slash + 3 - url);
}

/* Location: the same request on another host or port. MHD hands us the path
 * decoded, so it is encoded again: '/' kept, except inside an object name. */
static enum MHD_Result send_redirect(req *r, const hostile_rule *h)
{
    sbuf loc;
    sbuf_init(&loc);
    if (!strncmp(h->value, "alt", 3)) {
        unsigned i = h->value[3] ? (unsigned)(h->value[3] - '1') : 0;
        char base[96];
        snprintf(base, sizeof base, "http://%s:%u", r->cfg->alt[i].host, r->cfg->alt[i].port);
        sbuf_puts(&loc, base);
    } else {
        size_t n = strlen(h->value);
        while (n > 0 && h->value[n - 1] == '/')
            n--;
        sbuf_put(&loc, h->value, n);
    }
    size_t head = object_name_at(r->url), len = strlen(r->url);
    for (size_t i = 0; i < len; i++) {
        if (r->url[i] == '/' && i < head)
            sbuf_putc(&loc, '/');
        else
            sbuf_pct(&loc, r->url + i, 1);
    }
    query_walk w = {&loc, 1};
    MHD_get_connection_values(r->c, MHD_GET_ARGUMENT_KIND, walk_query, &w);
    sbuf_putc(&loc, '\0');
    if (loc.failed) {
        sbuf_free(&loc);
        return MHD_NO;
    }
    sbuf body;
    sbuf_init(&body);
    sbuf_puts(&body, "<HTML><HEAD><TITLE>Moved</TITLE></HEAD><BODY>Moved <A HREF=\"");
    sbuf_puts(&body, loc.data);
    sbuf_puts(&body, "\">here</A>.</BODY></HTML>\n");
    struct MHD_Response *resp = buf_response(r, "text/html; charset=UTF-8", &body);
    if (resp)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, loc.data);
    sbuf_free(&loc);
    return queue(r, h->status, resp);
}

static const char *rpc_status(unsigned status)
{
    switch (status) {
    case 400: return "INVALID_ARGUMENT";
    case 401: return "UNAUTHENTICATED";
    case 403: return "PERMISSION_DENIED";
    case 404: return "NOT_FOUND";
    case 409: return "ABORTED";
    case 429: return "RESOURCE_EXHAUSTED";
    case 500: return "INTERNAL";
    case 503: return "UNAVAILABLE";
    case 504: return "DEADLINE_EXCEEDED";
    default: return "UNKNOWN";
    }
}

/* evil-error and retry-after: an error of the endpoint's own shape. */
static enum MHD_Result send_hostile_error(req *r, const hostile_rule *h, hostile_endpoint ep)
{
    size_t len;
    const char *msg = hostile_evil_message(&len);
    if (h->kind == HK_RETRY_AFTER) {
        msg = h->status == 429
                  ? "The rate of requests exceeds the rate limit. Please reduce your request rate."
                  : "Service Unavailable";
        len = strlen(msg);
    }
    sbuf b;
    sbuf_init(&b);
    const char *ctype = "application/json; charset=UTF-8";
    if (ep == EP_TOKEN) {
        sbuf_puts(&b, h->status >= 500 || h->status == 429 ? "{\"error\":\"temporarily_unavailable\""
                                                           : "{\"error\":\"invalid_grant\"");
        sbuf_puts(&b, ",\"error_description\":");
        sbuf_json_str(&b, msg, len);
        sbuf_puts(&b, "}\n");
    } else if (ep == EP_METADATA) {
        ctype = "text/plain; charset=UTF-8";
        sbuf_put(&b, msg, len);
        sbuf_putc(&b, '\n');
    } else if (ep == EP_PROJECT) {
        sbuf_puts(&b, "{\"error\":{\"code\":");
        sbuf_u64(&b, h->status);
        sbuf_puts(&b, ",\"message\":");
        sbuf_json_str(&b, msg, len);
        sbuf_puts(&b, ",\"status\":\"");
        sbuf_puts(&b, rpc_status(h->status));
        sbuf_puts(&b, "\"}}\n");
    } else {
        json_error_n(&b, h->status, hostile_reason(h->status), msg, len);
    }
    struct MHD_Response *resp = buf_response(r, ctype, &b);
    if (resp && h->kind == HK_RETRY_AFTER)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER,
                                strcmp(h->value, "date-max") ? h->value
                                                             : "Fri, 31 Dec 9999 23:59:59 GMT");
    return queue(r, h->status, resp);
}

/* Applies the first hostile answer rule for this request. 1: the answer is
 * decided and *ret holds it; 0: serve as usual (a stall may be planned in
 * r, to bite when the body is sent). body: a token request's form body. */
static int hostile_intercept(req *r, hostile_endpoint ep, const char *bucket, const char *key,
                             const char *body, enum MHD_Result *ret)
{
    if (!r->hostile)
        return 0;
    hostile_req rq = {ep, bucket, key ? key : "", accepts_gzip(r)};
    const hostile_rule *h = hostile_answer(&rq);
    if (!h)
        return 0;
    switch (h->kind) {
    case HK_STALL_HEADERS:
    case HK_STALL_BODY:
        r->stall = (int)h->kind;
        r->stall_bytes = h->n;
        r->stall_has_bytes = h->has_n;
        return 0;
    case HK_SILENT:
        /* the connection was accepted and the request read; nothing ever comes back */
        stall_until_client_leaves(r->c);
        *ret = MHD_NO;
        return 1;
    case HK_GZIP_BOMB:
        *ret = send_bomb(r, h, ep, bucket);
        return 1;
    case HK_REDIRECT:
        *ret = send_redirect(r, h);
        return 1;
    case HK_ECHO_SECRETS: {
        sbuf b;
        sbuf_init(&b);
        const char *ctype;
        hostile_echo_body(h, body ? body : "", &b, &ctype);
        *ret = send_buf(r, h->status, ctype, &b);
        return 1;
    }
    default:
        *ret = send_hostile_error(r, h, ep);
        return 1;
    }
}

/* A list page shaped by hostile rules, streamed. */
static enum MHD_Result send_shaped(req *r, bucket *b, const list_params *p,
                                   const hostile_shape *sh, const htoken *ht)
{
    char err[256];
    listgen *g = listgen_new(b, p, arg(r, "fields"), sh, ht, r->base_url, err, sizeof err);
    if (!g)
        return send_error(r, 400, "invalid", err);
    stats_inc(ST_LIST_PAGES);
    body_src *src = calloc(1, sizeof *src);
    if (!src) {
        listgen_free(g);
        return MHD_NO;
    }
    src->gen = g;
    src->total = MHD_SIZE_UNKNOWN;
    struct MHD_Response *resp = body_response(r, src);
    if (resp)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                "application/json; charset=UTF-8");
    return queue(r, 200, resp);
}

/* ---- storage endpoints --------------------------------------------------- */

static bucket *find_bucket(req *r, const char *name, size_t n)
{
    for (size_t i = 0; i < r->cfg->n_buckets; i++) {
        bucket *b = r->cfg->buckets[i];
        if (strlen(b->id) == n && !memcmp(b->id, name, n))
            return b;
    }
    return NULL;
}

/* Parses `fields`; *m is FMASK_ALL when absent. -1 on a syntax error. */
static int parse_fields(req *r, fmask **owned, const fmask **m)
{
    const char *f = arg(r, "fields");
    *owned = NULL;
    *m = &FMASK_ALL;
    if (!f || !*f)
        return 0;
    *owned = fmask_parse(f);
    if (!*owned)
        return -1;
    *m = *owned;
    return 0;
}

static enum MHD_Result no_such_bucket(req *r)
{
    return send_error(r, 404, "notFound", "The specified bucket does not exist.");
}

static int parse_max_results(const char *s, size_t *out)
{
    if (!s)
        return 0;
    if (!*s || strlen(s) > 9)
        return -1;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return -1;
    unsigned long v = strtoul(s, NULL, 10);
    if (v == 0)
        return -1;
    *out = v > LIST_MAX_RESULTS ? LIST_MAX_RESULTS : v;
    return 0;
}

static enum MHD_Result do_list(req *r, bucket *b)
{
    list_params p = {0};
    p.max_results = LIST_MAX_RESULTS;
    if (parse_max_results(arg(r, "maxResults"), &p.max_results) != 0)
        return send_error(r, 400, "invalid", "Invalid value for maxResults.");
    if (r->cfg->page_cap && p.max_results > r->cfg->page_cap)
        p.max_results = r->cfg->page_cap;
    fmask *owned;
    const fmask *m;
    if (parse_fields(r, &owned, &m) != 0)
        return send_error(r, 400, "invalidParameter", "Invalid field selection fields");
    p.prefix = arg(r, "prefix");
    p.delimiter = arg(r, "delimiter");
    p.start_offset = arg(r, "startOffset");
    p.end_offset = arg(r, "endOffset");
    p.match_glob = arg(r, "matchGlob");
    if (p.match_glob && !*p.match_glob)
        p.match_glob = NULL;
    if (p.start_offset && !*p.start_offset)
        p.start_offset = NULL;
    if (p.end_offset && !*p.end_offset)
        p.end_offset = NULL;
    p.include_trailing_delimiter = arg_true(r, "includeTrailingDelimiter");
    p.page_token = arg(r, "pageToken");
    if (p.page_token && !*p.page_token)
        p.page_token = NULL;
    /* A token of the hostile token modes names where its page starts; an
     * endless empty page's token, once the rule stops, the listing's start. */
    htoken ht;
    int has_ht = 0;
    char ktok[LIST_TOKEN_MAX];
    if (p.page_token && hostile_token_decode(p.page_token, &ht) == 0) {
        has_ht = 1;
        if (ht.mode == 'E') {
            p.page_token = NULL;
        } else {
            listing_token_encode(ht.key, ht.keylen, ktok);
            p.page_token = ktok;
        }
    }
    /* includeFoldersAsPrefixes only matters for hierarchical-namespace buckets,
     * which these are not; projection, versions and userProject change nothing. */
    if (r->fp.short_page && p.max_results > 1) {
        p.max_results = 1 + (size_t)(r->fp.rnd % (p.max_results - 1));
        stats_inc(ST_FAULT_SHORT_PAGE);
    }
    hostile_shape sh;
    hostile_req rq = {EP_LIST, b->id, p.prefix ? p.prefix : "", 0};
    if (r->hostile && hostile_shapes(&rq, &sh)) {
        fmask_free(owned);
        return send_shaped(r, b, &p, &sh, has_ht ? &ht : NULL);
    }
    list_page pg = {0};
    char err[256];
    if (listing_run(b, &p, &pg, err, sizeof err) != 0) {
        fmask_free(owned);
        return send_error(r, 400, "invalid", err);
    }
    stats_inc(ST_LIST_PAGES);
    stats_add(ST_LIST_ITEMS, pg.n_items);
    stats_add(ST_LIST_PREFIXES, pg.n_prefixes);
    sbuf out;
    sbuf_init(&out);
    json_list_page(&out, m, b, &pg, r->base_url);
    list_page_free(&pg);
    fmask_free(owned);
    return send_json(r, 200, &out);
}

/* Parses "bytes=A-B", "bytes=A-" or "bytes=-N" against size. Returns 0 and
 * the inclusive range, 1 when there is no usable Range header (serve all),
 * -1 when unsatisfiable. */
static int parse_range(const char *h, uint64_t size, uint64_t *lo, uint64_t *hi)
{
    if (!h || strncmp(h, "bytes=", 6) != 0 || strchr(h, ','))
        return 1;
    const char *p = h + 6;
    char *end;
    if (*p == '-') {
        unsigned long long n = strtoull(p + 1, &end, 10);
        if (end == p + 1 || *end)
            return 1;
        if (n == 0 || size == 0)
            return -1;
        *lo = n >= size ? 0 : size - n;
        *hi = size - 1;
        return 0;
    }
    unsigned long long a = strtoull(p, &end, 10);
    if (end == p || *end != '-')
        return 1;
    p = end + 1;
    unsigned long long b = size ? size - 1 : 0;
    if (*p) {
        b = strtoull(p, &end, 10);
        if (end == p || *end)
            return 1;
        if (b < a)
            return 1;
    }
    if (a >= size)
        return -1;
    if (b >= size)
        b = size - 1;
    *lo = a;
    *hi = b;
    return 0;
}

static enum MHD_Result do_media(req *r, bucket *b, size_t idx)
{
    char buf[BUCKET_NAME_MAX + 1];
    size_t len;
    const char *name = bucket_name(b, idx, buf, &len);
    uint64_t size = bucket_size(b, idx), lo = 0, hi = size ? size - 1 : 0;
    object_meta om;
    object_meta_of(name, len, &om);
    int rr = parse_range(MHD_lookup_connection_value(r->c, MHD_HEADER_KIND, "Range"), size, &lo,
                         &hi);
    char tmp[128];
    if (rr < 0) {
        sbuf e;
        sbuf_init(&e);
        json_error(&e, 416, "requestedRangeNotSatisfiable", "Request range not satisfiable");
        size_t elen;
        char *data = sbuf_take(&e, &elen);
        struct MHD_Response *resp =
            data ? MHD_create_response_from_buffer(elen, data, MHD_RESPMEM_MUST_FREE) : NULL;
        if (resp) {
            snprintf(tmp, sizeof tmp, "bytes */%llu", (unsigned long long)size);
            MHD_add_response_header(resp, "Content-Range", tmp);
            MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                    "application/json; charset=UTF-8");
        }
        return queue(r, 416, resp);
    }
    body_src *src = calloc(1, sizeof *src);
    if (!src)
        return MHD_NO;
    content_kind ck = bucket_content(b, idx);
    content_init(&src->content, ck, name, len);
    if (ck == CONTENT_FILE)
        src->content.data = bucket_file_data(b, idx, &src->content.datalen);
    src->base = rr == 0 ? lo : 0;
    src->total = size == 0 ? 0 : rr == 0 ? hi - lo + 1 : size;
    struct MHD_Response *resp = body_response(r, src);
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type_of(ck));
    MHD_add_response_header(resp, "Accept-Ranges", "bytes");
    snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)om.generation);
    MHD_add_response_header(resp, "X-Goog-Generation", tmp);
    snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)om.metageneration);
    MHD_add_response_header(resp, "X-Goog-Metageneration", tmp);
    snprintf(tmp, sizeof tmp, "%llu", (unsigned long long)size);
    MHD_add_response_header(resp, "X-Goog-Stored-Content-Length", tmp);
    MHD_add_response_header(resp, "X-Goog-Storage-Class", "STANDARD");
    if (rr == 0) {
        snprintf(tmp, sizeof tmp, "bytes %llu-%llu/%llu", (unsigned long long)lo,
                 (unsigned long long)hi, (unsigned long long)size);
        MHD_add_response_header(resp, "Content-Range", tmp);
    }
    return queue(r, rr == 0 ? 206 : 200, resp);
}

static enum MHD_Result do_object(req *r, bucket *b, const char *name, int media)
{
    const char *alt = arg(r, "alt");
    media = media || (alt && !strcmp(alt, "media"));
    stats_inc(media ? ST_REQ_MEDIA : ST_REQ_GET);
    size_t idx = bucket_find(b, name, strlen(name));
    if (idx == (size_t)-1) {
        char msg[BUCKET_NAME_MAX + 320];
        snprintf(msg, sizeof msg, "No such object: %s/%s", b->id, name);
        return send_error(r, 404, "notFound", msg);
    }
    if (media)
        return do_media(r, b, idx);
    fmask *owned;
    const fmask *m;
    if (parse_fields(r, &owned, &m) != 0)
        return send_error(r, 400, "invalidParameter", "Invalid field selection fields");
    hostile_shape sh = {0};
    hostile_req rq = {EP_GET, b->id, name, 0};
    if (r->hostile)
        hostile_shapes(&rq, &sh);
    sbuf out;
    sbuf_init(&out);
    json_object_ex(&out, m, b, idx, r->base_url, sh.size);
    sbuf_putc(&out, '\n');
    fmask_free(owned);
    return send_json(r, 200, &out);
}

static enum MHD_Result do_bucket_list(req *r)
{
    fmask *owned;
    const fmask *m;
    if (parse_fields(r, &owned, &m) != 0)
        return send_error(r, 400, "invalidParameter", "Invalid field selection fields");
    sbuf out;
    sbuf_init(&out);
    sbuf_puts(&out, "{\"kind\":\"storage#buckets\",\"items\":[");
    const fmask *im = fmask_get(m, "items");
    for (size_t i = 0; im && i < r->cfg->n_buckets; i++) {
        if (i)
            sbuf_putc(&out, ',');
        json_bucket(&out, im, r->cfg->buckets[i], r->base_url);
    }
    sbuf_puts(&out, "]}\n");
    fmask_free(owned);
    return send_json(r, 200, &out);
}

/* buckets.getIamPolicy. The caller is the identity the metadata server
 * names; --iam BUCKET=deny refuses it as the service does. */
static enum MHD_Result do_iam(req *r, const char *bucket)
{
    const iam_policy *p = iam_find(bucket);
    if (p && p->deny) {
        char msg[600];
        snprintf(msg, sizeof msg,
                 "default@" DEFAULT_PROJECT_ID ".iam.gserviceaccount.com does not have "
                 "storage.buckets.getIamPolicy access to the Google Cloud Storage bucket. "
                 "Permission 'storage.buckets.getIamPolicy' denied on resource (or it may not "
                 "exist).");
        return send_error(r, 403, "forbidden", msg);
    }
    /* Policies with conditional bindings are only given to callers that ask
     * for version 3, so that an old client never misreads them. */
    const char *want = arg(r, "optionsRequestedPolicyVersion");
    if (p && p->conditional && (!want || strcmp(want, "3") != 0))
        return send_error(r, 400, "invalid",
                          "The policy of this bucket has conditional role bindings: request it "
                          "with optionsRequestedPolicyVersion=3.");
    fmask *owned;
    const fmask *m;
    if (parse_fields(r, &owned, &m) != 0)
        return send_error(r, 400, "invalidParameter", "Invalid field selection fields");
    sbuf out;
    sbuf_init(&out);
    iam_render(&out, m, bucket, p);
    fmask_free(owned);
    return send_json(r, 200, &out);
}

static int authorized(req *r)
{
    const char *want = r->cfg->require_token;
    if (!want)
        return 1;
    const char *h = MHD_lookup_connection_value(r->c, MHD_HEADER_KIND, "Authorization");
    return h && !strncmp(h, "Bearer ", 7) && !strcmp(h + 7, want);
}

/* Applies latency and error faults; returns 1 when a response was queued. */
static int inject(req *r, int is_list, enum MHD_Result *ret)
{
    if (r->alt) {
        request_key(r); /* only for --log */
        return 0;
    }
    faults_decide(request_key(r), is_list, &r->fp);
    if (r->fp.latency_ms) {
        stats_inc(ST_FAULT_LATENCY);
        sleep_ms(r->fp.latency_ms);
    }
    switch (r->fp.error) {
    case FAULT_429:
    case FAULT_429_BARE: {
        sbuf b;
        sbuf_init(&b);
        json_error(&b, 429, "rateLimitExceeded",
                   "The rate of requests exceeds the rate limit. Please reduce your request rate.");
        size_t len;
        char *data = sbuf_take(&b, &len);
        struct MHD_Response *resp =
            data ? MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE) : NULL;
        if (resp) {
            MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                    "application/json; charset=UTF-8");
            if (r->fp.error == FAULT_429) {
                char ra[16];
                snprintf(ra, sizeof ra, "%u", faults_config()->retry_after_s);
                MHD_add_response_header(resp, "Retry-After", ra);
            }
        }
        stats_inc(r->fp.error == FAULT_429 ? ST_FAULT_429_RETRY_AFTER : ST_FAULT_429);
        *ret = queue(r, 429, resp);
        return 1;
    }
    case FAULT_500:
        stats_inc(ST_FAULT_500);
        r->fp.error = FAULT_NONE;
        *ret = send_error(r, 500, "backendError", "We encountered an internal error. Please try again.");
        return 1;
    case FAULT_503:
        stats_inc(ST_FAULT_503);
        r->fp.error = FAULT_NONE;
        *ret = send_error(r, 503, "backendError", "Service Unavailable");
        return 1;
    default:
        return 0;
    }
}

static enum MHD_Result route_storage(req *r, const char *path, int download)
{
    enum MHD_Result ret;
    if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD")) {
        stats_inc(ST_REQ_OTHER);
        return send_error(r, 405, "methodNotAllowed", "Method not allowed by this test server.");
    }
    int bucket_list = !*path || !strcmp(path, "/");
    const char *slash = NULL, *rest = "";
    size_t bn = 0;
    char bname[256] = "";
    if (!bucket_list) {
        path++; /* past '/' */
        slash = strchr(path, '/');
        bn = slash ? (size_t)(slash - path) : strlen(path);
        rest = slash ? slash : "";
        snprintf(bname, sizeof bname, "%.*s", (int)(bn < sizeof bname ? bn : 0), path);
    }
    int is_bucket = !bucket_list && (!*rest || !strcmp(rest, "/"));
    int is_list = !strcmp(rest, "/o") || !strcmp(rest, "/o/");
    int is_object = !strncmp(rest, "/o/", 3) && rest[3];
    int is_iam = !download && !strcmp(rest, "/iam");
    if (r->hostile) {
        unsigned ep = 0;
        const char *key = NULL;
        if (is_iam) {
            ep = EP_IAM;
        } else if (bucket_list || is_bucket) {
            ep = EP_BUCKET;
        } else if (is_list && !download) {
            ep = EP_LIST;
            key = arg(r, "prefix");
        } else if (is_object) {
            const char *alt = arg(r, "alt");
            ep = download || (alt && !strcmp(alt, "media")) ? EP_MEDIA : EP_GET;
            key = rest + 3;
        }
        if (ep && hostile_intercept(r, (hostile_endpoint)ep, bucket_list ? NULL : bname, key,
                                    NULL, &ret))
            return ret;
    }
    if (!authorized(r)) {
        stats_inc(ST_REQ_OTHER);
        return send_error(r, 401, "required", "Anonymous caller does not have storage access.");
    }
    if (bucket_list) {
        stats_inc(ST_REQ_BUCKET_LIST);
        return do_bucket_list(r);
    }
    bucket *b = find_bucket(r, path, bn);
    if (is_bucket) {
        stats_inc(ST_REQ_BUCKET_GET);
        if (!b)
            return no_such_bucket(r);
        if (inject(r, 0, &ret))
            return ret;
        fmask *owned;
        const fmask *m;
        if (parse_fields(r, &owned, &m) != 0)
            return send_error(r, 400, "invalidParameter", "Invalid field selection fields");
        sbuf out;
        sbuf_init(&out);
        json_bucket(&out, m, b, r->base_url);
        sbuf_putc(&out, '\n');
        fmask_free(owned);
        return send_json(r, 200, &out);
    }
    if (is_iam) {
        stats_inc(ST_REQ_IAM);
        if (!b)
            return no_such_bucket(r);
        if (inject(r, 0, &ret))
            return ret;
        return do_iam(r, bname);
    }
    if (is_list && !download) {
        stats_inc(ST_REQ_LIST);
        if (!b)
            return no_such_bucket(r);
        if (inject(r, 1, &ret))
            return ret;
        return do_list(r, b);
    }
    if (is_object) {
        if (!b) {
            stats_inc(ST_REQ_OTHER);
            return no_such_bucket(r);
        }
        if (inject(r, 0, &ret))
            return ret;
        return do_object(r, b, rest + 3, download);
    }
    stats_inc(ST_REQ_OTHER);
    return send_error(r, 404, "notFound", "Not Found");
}

/* ---- credentials endpoints ----------------------------------------------- */

static const char *issued_token(req *r)
{
    return r->cfg->require_token ? r->cfg->require_token : "ya29.gcs-test-server-token";
}

static enum MHD_Result token_json(req *r, int metadata)
{
    sbuf b;
    sbuf_init(&b);
    sbuf_puts(&b, "{\"access_token\":");
    sbuf_json_str(&b, issued_token(r), strlen(issued_token(r)));
    sbuf_puts(&b, ",\"expires_in\":3600,\"token_type\":\"Bearer\"}\n");
    struct MHD_Response *resp = buf_response(r, "application/json", &b);
    if (resp && metadata)
        MHD_add_response_header(resp, "Metadata-Flavor", "Google");
    return queue(r, 200, resp);
}

static enum MHD_Result oauth_error(req *r, const char *error, const char *desc)
{
    sbuf b;
    sbuf_init(&b);
    sbuf_puts(&b, "{\"error\":");
    sbuf_json_str(&b, error, strlen(error));
    sbuf_puts(&b, ",\"error_description\":");
    sbuf_json_str(&b, desc, strlen(desc));
    sbuf_puts(&b, "}\n");
    return send_buf(r, 400, "application/json", &b);
}

static int form_value(const char *body, const char *key, char *out, size_t cap)
{
    return hostile_form_value(body, key, out, cap);
}

static enum MHD_Result do_token(req *r, req_state *st)
{
    stats_inc(ST_REQ_TOKEN);
    sbuf_putc(&st->upload, '\0');
    const char *body = st->upload.data ? st->upload.data : "";
    enum MHD_Result ret;
    if (hostile_intercept(r, EP_TOKEN, NULL, NULL, body, &ret))
        return ret;
    char grant[128], val[8192];
    if (!form_value(body, "grant_type", grant, sizeof grant))
        return oauth_error(r, "invalid_request", "Missing required parameter: grant_type");
    if (!strcmp(grant, "urn:ietf:params:oauth:grant-type:jwt-bearer")) {
        if (!form_value(body, "assertion", val, sizeof val) || !*val)
            return oauth_error(r, "invalid_request", "Missing required parameter: assertion");
        /* a JWT is three base64url parts joined by dots */
        char *d1 = strchr(val, '.'), *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
        if (!d2)
            return oauth_error(r, "invalid_grant", "Invalid JWT: malformed assertion");
        return token_json(r, 0);
    }
    if (!strcmp(grant, "refresh_token")) {
        if (!form_value(body, "refresh_token", val, sizeof val) || !*val)
            return oauth_error(r, "invalid_request", "Missing required parameter: refresh_token");
        return token_json(r, 0);
    }
    return oauth_error(r, "unsupported_grant_type", "Invalid grant_type");
}

static enum MHD_Result do_metadata(req *r, const char *path)
{
    stats_inc(ST_REQ_METADATA);
    enum MHD_Result ret;
    if (hostile_intercept(r, EP_METADATA, NULL, NULL, NULL, &ret))
        return ret;
    const char *flavor = MHD_lookup_connection_value(r->c, MHD_HEADER_KIND, "Metadata-Flavor");
    if (!flavor || strcmp(flavor, "Google")) {
        sbuf b;
        sbuf_init(&b);
        sbuf_puts(&b, "Missing Metadata-Flavor:Google header.\n");
        return send_buf(r, 403, "text/html; charset=UTF-8", &b);
    }
    if (!strcmp(path, "/computeMetadata/v1/instance/service-accounts/default/token"))
        return token_json(r, 1);
    const char *text = NULL;
    if (!strcmp(path, "/computeMetadata/v1/project/project-id"))
        text = "test-project";
    else if (!strcmp(path, "/computeMetadata/v1/instance/service-accounts/default/email"))
        text = "default@test-project.iam.gserviceaccount.com";
    else if (!strcmp(path, "/computeMetadata/v1/") || !strcmp(path, "/"))
        text = "instance/\nproject/\n";
    sbuf b;
    sbuf_init(&b);
    sbuf_puts(&b, text ? text : "Not Found\n");
    struct MHD_Response *resp = buf_response(r, "application/text", &b);
    if (resp)
        MHD_add_response_header(resp, "Metadata-Flavor", "Google");
    return queue(r, text ? 200 : 404, resp);
}

/* ---- Resource Manager ------------------------------------------------------ */

/* {"error":{"code","message","status"}}, the shape of the newer Google APIs. */
static enum MHD_Result google_error(req *r, unsigned code, const char *status, const char *msg)
{
    sbuf b;
    sbuf_init(&b);
    sbuf_puts(&b, "{\"error\":{\"code\":");
    sbuf_u64(&b, code);
    sbuf_puts(&b, ",\"message\":");
    sbuf_json_str(&b, msg, strlen(msg));
    sbuf_puts(&b, ",\"status\":\"");
    sbuf_puts(&b, status);
    sbuf_puts(&b, "\"}}\n");
    return send_json(r, code, &b);
}

/* POST /v1/projects/ID:getIamPolicy and /v3/projects/ID:getIamPolicy: the
 * policy of a project the caller can see. Conditional bindings only for a
 * request of version 3 ({"options": {"requestedPolicyVersion": 3}}), as for
 * buckets. */
static enum MHD_Result do_project_iam(req *r, const char *id, const sbuf *body)
{
    const project *p = project_find(id);
    if (!p)
        return google_error(r, 403, "PERMISSION_DENIED", "The caller does not have permission");
    const iam_policy *pol = project_iam_find(p->id);
    if (pol && pol->deny) {
        char msg[300];
        snprintf(msg, sizeof msg, "The caller does not have permission "
                 "resourcemanager.projects.getIamPolicy on project %s.", p->id);
        return google_error(r, 403, "PERMISSION_DENIED", msg);
    }
    long want = 0;
    if (body->len > 0) {
        char *text = strndup(body->data, body->len);
        yajl_val v = text ? yajl_tree_parse(text, NULL, 0) : NULL;
        const char *path[] = {"options", "requestedPolicyVersion", NULL};
        yajl_val n = v ? yajl_tree_get(v, path, yajl_t_number) : NULL;
        if (n && YAJL_IS_INTEGER(n))
            want = (long)YAJL_GET_INTEGER(n);
        yajl_tree_free(v);
        free(text);
    }
    if (pol && pol->conditional && want != 3)
        return google_error(r, 400, "INVALID_ARGUMENT",
                            "The policy of this project has conditional role bindings: request "
                            "it with options.requestedPolicyVersion 3.");
    sbuf out;
    sbuf_init(&out);
    project_iam_render(&out, pol);
    return send_json(r, 200, &out);
}

/* GET /v1/roles/X, /v1/projects/P/roles/X, /v1/organizations/O/roles/X (IAM). */
static enum MHD_Result do_role(req *r, const char *name)
{
    stats_inc(ST_REQ_ROLE);
    if (!authorized(r))
        return google_error(r, 401, "UNAUTHENTICATED",
                            "Request had invalid authentication credentials.");
    if (strcmp(r->method, "GET") != 0)
        return google_error(r, 405, "UNIMPLEMENTED", "Method not allowed by this test server.");
    const role_def *d = role_find(name);
    if (!d) {
        char msg[400];
        snprintf(msg, sizeof msg, "The role named %.300s was not found.", name);
        return google_error(r, 404, "NOT_FOUND", msg);
    }
    if (d->deny) {
        char msg[400];
        snprintf(msg, sizeof msg, "Permission 'iam.roles.get' denied on resource '%.300s' (or "
                 "it may not exist).", name);
        return google_error(r, 403, "PERMISSION_DENIED", msg);
    }
    sbuf out;
    sbuf_init(&out);
    role_render(&out, d);
    return send_json(r, 200, &out);
}

/* GET /v1/projects/ID and /v3/projects/ID (ID or project number); POST
 * .../ID:getIamPolicy. */
static enum MHD_Result do_project(req *r, const char *url, const sbuf *body)
{
    stats_inc(ST_REQ_PROJECT);
    enum MHD_Result ret;
    if (hostile_intercept(r, EP_PROJECT, NULL, NULL, NULL, &ret))
        return ret;
    if (!authorized(r))
        return google_error(r, 401, "UNAUTHENTICATED",
                            "Request had invalid authentication credentials. Expected OAuth 2 "
                            "access token, login cookie or other valid authentication "
                            "credential. See https://developers.google.com/identity/sign-in/"
                            "web/devconsole-project.");
    const char *id = url + 13;
    const char *colon = strchr(id, ':');
    if (colon && !strcmp(colon, ":getIamPolicy") && colon > id && !memchr(id, '/', (size_t)(colon - id))) {
        if (strcmp(r->method, "POST") != 0)
            return google_error(r, 405, "UNIMPLEMENTED", "Method not allowed by this test server.");
        char pid[80];
        snprintf(pid, sizeof pid, "%.*s", (int)(colon - id < 79 ? colon - id : 79), id);
        return do_project_iam(r, pid, body);
    }
    if (strcmp(r->method, "GET") != 0)
        return google_error(r, 405, "UNIMPLEMENTED", "Method not allowed by this test server.");
    if (!*id || strchr(id, '/') || colon)
        return google_error(r, 404, "NOT_FOUND", "Not Found");
    const project *p = project_find(id);
    if (!p)
        return google_error(r, 403, "PERMISSION_DENIED", "The caller does not have permission");
    sbuf out;
    sbuf_init(&out);
    if (url[2] == '1')
        project_render_v1(&out, p);
    else
        project_render_v3(&out, p);
    return send_json(r, 200, &out);
}

/* ---- dispatch -------------------------------------------------------------- */

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    (void)version;
    req_state *st = *con_cls;
    if (!st) {
        st = calloc(1, sizeof *st);
        if (!st)
            return MHD_NO;
        *con_cls = st;
        return MHD_YES;
    }
    if (*upload_size) {
        if (st->upload.len + *upload_size <= UPLOAD_MAX)
            sbuf_put(&st->upload, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    const listener *l = cls;
    req r;
    memset(&r, 0, sizeof r);
    r.cfg = l->cfg;
    r.c = c;
    r.method = method;
    r.url = url;
    r.alt = l->alt;
    r.hostile = !l->alt && hostile_count() > 0;
    if (l->alt) {
        /* what a redirected client brought along */
        stats_inc(ST_H_ALT_REQUESTS);
        if (MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"))
            stats_inc(ST_H_ALT_AUTHORIZATION);
        static const char *const secrets[] = {"client_secret=", "refresh_token=", "assertion="};
        for (size_t i = 0; st->upload.len && i < 3; i++) {
            if (memmem(st->upload.data, st->upload.len, secrets[i], strlen(secrets[i]))) {
                stats_inc(ST_H_ALT_SECRETS);
                break;
            }
        }
    }
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    if (host && strlen(host) < 200)
        snprintf(r.base_url, sizeof r.base_url, "http://%s", host);
    else
        snprintf(r.base_url, sizeof r.base_url, "http://127.0.0.1:%u", r.cfg->port);
    stats_inc(ST_REQ_TOTAL);

    if (!strcmp(url, "/_stats")) {
        stats_inc(ST_REQ_STATS);
        sbuf b;
        sbuf_init(&b);
        stats_render(&b);
        sbuf_putc(&b, '\n');
        return send_json(&r, 200, &b);
    }
    if (!strcmp(url, "/token") && !strcmp(method, "POST"))
        return do_token(&r, st);
    if (!strncmp(url, "/computeMetadata/", 17))
        return do_metadata(&r, url);
    if (!strncmp(url, "/v1/roles/", 10) || !strncmp(url, "/v1/organizations/", 18) ||
        (!strncmp(url, "/v1/projects/", 13) && strstr(url + 13, "/roles/")))
        return do_role(&r, url + 4);
    if (!strncmp(url, "/v1/projects/", 13) || !strncmp(url, "/v3/projects/", 13))
        return do_project(&r, url, &st->upload);
    if (!strncmp(url, "/download/storage/v1/b", 22))
        return route_storage(&r, url + 22, 1);
    if (!strncmp(url, "/storage/v1/b", 13) && (url[13] == '\0' || url[13] == '/'))
        return route_storage(&r, url + 13, 0);
    if (r.cfg->log)
        request_key(&r);
    stats_inc(ST_REQ_OTHER);
    return send_error(&r, 404, "notFound", "Not Found");
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    req_state *st = *con_cls;
    if (st) {
        sbuf_free(&st->upload);
        free(st);
        *con_cls = NULL;
    }
}

static listener main_listener;
static listener alt_listeners[HTTP_MAX_ALT];
static struct MHD_Daemon *alt_daemons[HTTP_MAX_ALT];

static struct MHD_Daemon *start_one(listener *l, const char *host, uint16_t port, uint16_t *bound)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
        return NULL;
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL |
            MHD_USE_ERROR_LOG,
        port, NULL, NULL, handle, l, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)60, MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1, MHD_OPTION_END);
    if (!d)
        return NULL;
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    *bound = info ? info->port : port;
    return d;
}

struct MHD_Daemon *http_start(server_config *cfg, uint16_t port, char *err, size_t errlen)
{
    main_listener.cfg = cfg;
    main_listener.alt = 0;
    struct MHD_Daemon *d = start_one(&main_listener, "127.0.0.1", port, &cfg->port);
    if (!d) {
        snprintf(err, errlen, "cannot start the HTTP server on 127.0.0.1:%u", port);
        return NULL;
    }
    for (size_t i = 0; i < cfg->n_alt; i++) {
        alt_listeners[i].cfg = cfg;
        alt_listeners[i].alt = (unsigned)i + 1;
        alt_daemons[i] = start_one(&alt_listeners[i], cfg->alt[i].host, cfg->alt[i].port,
                                   &cfg->alt[i].port);
        if (!alt_daemons[i]) {
            snprintf(err, errlen, "cannot listen on %s:%u", cfg->alt[i].host, cfg->alt[i].port);
            http_stop(d);
            return NULL;
        }
    }
    return d;
}

void http_stop(struct MHD_Daemon *d)
{
    atomic_store(&stopping, 1);
    for (size_t i = 0; i < HTTP_MAX_ALT; i++) {
        if (alt_daemons[i])
            MHD_stop_daemon(alt_daemons[i]);
        alt_daemons[i] = NULL;
    }
    if (d)
        MHD_stop_daemon(d);
}
