#include "http.h"
#include "content.h"
#include "faults.h"
#include "fields.h"
#include "json_out.h"
#include "listing.h"
#include "stats.h"
#include "util.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* POST bodies are tiny form posts to /token; anything larger is refused. */
#define UPLOAD_MAX 65536
#define MEDIA_BLOCK 65536

typedef struct {
    sbuf upload;
    int started;
} req_state;

typedef struct {
    server_config *cfg;
    struct MHD_Connection *c;
    const char *method;
    const char *url;
    char base_url[300];
    fault_plan fp;
} req;

static void sleep_ms(unsigned ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* ---- response bodies ------------------------------------------------------ */

typedef struct {
    char *mem; /* owned; NULL for synthetic object content */
    content_src content;
    uint64_t base;     /* object offset of body position 0 */
    uint64_t total;
    uint64_t abort_at; /* UINT64_MAX: never */
    size_t chunk;      /* 0: no limit */
    unsigned delay_ms;
} body_src;

static ssize_t body_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    body_src *s = cls;
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
    if (s->delay_ms && pos > 0)
        sleep_ms(s->delay_ms);
    if (s->mem)
        memcpy(buf, s->mem + pos, (size_t)n);
    else
        content_fill(&s->content, s->base + pos, buf, (size_t)n);
    stats_add(ST_BODY_BYTES, n);
    return (ssize_t)n;
}

static void body_free(void *cls)
{
    body_src *s = cls;
    free(s->mem);
    free(s);
}

/* Builds the response for a body, applying abort and slow faults; takes
 * ownership of src (and of src->mem). */
static struct MHD_Response *body_response(req *r, body_src *src)
{
    src->abort_at = UINT64_MAX;
    if (r->fp.error == FAULT_ABORT) {
        src->abort_at = src->total ? r->fp.rnd % src->total : 0;
        stats_inc(ST_FAULT_ABORT);
    }
    if (r->fp.slow) {
        const fault_config *fc = faults_config();
        src->chunk = fc->slow_chunk ? fc->slow_chunk : 64;
        src->delay_ms = fc->slow_delay_ms;
        stats_inc(ST_FAULT_SLOW_BODY);
    }
    if (src->mem && src->abort_at == UINT64_MAX && !src->chunk) {
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

static enum MHD_Result send_buf(req *r, unsigned status, const char *ctype, sbuf *b)
{
    size_t len;
    char *data = sbuf_take(b, &len);
    if (!data)
        return MHD_NO;
    body_src *src = calloc(1, sizeof *src);
    if (!src) {
        free(data);
        return MHD_NO;
    }
    src->mem = data;
    src->total = len;
    struct MHD_Response *resp = body_response(r, src);
    if (resp)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    return queue(r, status, resp);
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
    /* includeFoldersAsPrefixes only matters for hierarchical-namespace buckets,
     * which these are not; projection, versions and userProject change nothing. */
    if (r->fp.short_page && p.max_results > 1) {
        p.max_results = 1 + (size_t)(r->fp.rnd % (p.max_results - 1));
        stats_inc(ST_FAULT_SHORT_PAGE);
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
    sbuf out;
    sbuf_init(&out);
    json_object(&out, m, b, idx, r->base_url);
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
    if (!authorized(r)) {
        stats_inc(ST_REQ_OTHER);
        return send_error(r, 401, "required", "Anonymous caller does not have storage access.");
    }
    if (!*path || !strcmp(path, "/")) {
        stats_inc(ST_REQ_BUCKET_LIST);
        return do_bucket_list(r);
    }
    path++; /* past '/' */
    const char *slash = strchr(path, '/');
    size_t bn = slash ? (size_t)(slash - path) : strlen(path);
    bucket *b = find_bucket(r, path, bn);
    const char *rest = slash ? slash : "";
    int is_list = !strcmp(rest, "/o") || !strcmp(rest, "/o/");
    int is_object = !strncmp(rest, "/o/", 3) && rest[3];
    if (!*rest || !strcmp(rest, "/")) {
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
    size_t len;
    char *data = sbuf_take(&b, &len);
    struct MHD_Response *resp =
        data ? MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE) : NULL;
    if (resp) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
        if (metadata)
            MHD_add_response_header(resp, "Metadata-Flavor", "Google");
    }
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

/* Value of key in an application/x-www-form-urlencoded body, decoded into
 * out. Returns 1 when present. */
static int form_value(const char *body, const char *key, char *out, size_t cap)
{
    size_t kl = strlen(key);
    for (const char *p = body; p && *p; p = strchr(p, '&'), p = p ? p + 1 : NULL) {
        if (strncmp(p, key, kl) || p[kl] != '=')
            continue;
        const char *v = p + kl + 1;
        size_t o = 0;
        for (; *v && *v != '&' && o + 1 < cap; v++) {
            if (*v == '+') {
                out[o++] = ' ';
            } else if (*v == '%' && v[1] && v[2]) {
                char hex[3] = {v[1], v[2], 0};
                out[o++] = (char)strtol(hex, NULL, 16);
                v += 2;
            } else {
                out[o++] = *v;
            }
        }
        out[o] = '\0';
        return 1;
    }
    return 0;
}

static enum MHD_Result do_token(req *r, req_state *st)
{
    stats_inc(ST_REQ_TOKEN);
    sbuf_putc(&st->upload, '\0');
    const char *body = st->upload.data ? st->upload.data : "";
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
    size_t len;
    char *data = sbuf_take(&b, &len);
    struct MHD_Response *resp =
        data ? MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE) : NULL;
    if (resp) {
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/text");
        MHD_add_response_header(resp, "Metadata-Flavor", "Google");
    }
    return queue(r, text ? 200 : 404, resp);
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
    req r;
    memset(&r, 0, sizeof r);
    r.cfg = cls;
    r.c = c;
    r.method = method;
    r.url = url;
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

struct MHD_Daemon *http_start(server_config *cfg, uint16_t port, char *err, size_t errlen)
{
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL |
            MHD_USE_ERROR_LOG,
        port, NULL, NULL, handle, cfg, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
        MHD_OPTION_NOTIFY_COMPLETED, completed, NULL, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned int)60, MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1, MHD_OPTION_END);
    if (!d) {
        snprintf(err, errlen, "cannot start the HTTP server on 127.0.0.1:%u", port);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    cfg->port = info ? info->port : port;
    return d;
}

void http_stop(struct MHD_Daemon *d)
{
    if (d)
        MHD_stop_daemon(d);
}
