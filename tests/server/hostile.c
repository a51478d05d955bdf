#include "hostile.h"
#include "stats.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static hostile_rule rules[HOSTILE_MAX_RULES];
static size_t n_rules;
/* after= and times= count requests across connection threads. */
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;

enum { ARG_NONE, ARG_COUNT, ARG_BYTES, ARG_STATUS, ARG_TEXT, ARG_ENC };

static const struct {
    const char *name;
    hostile_kind kind;
    unsigned on_default, on_allowed;
    int arg;         /* what =ARG is */
    int arg_needed;  /* 1: =ARG is required */
    stat_id stat;
} kinds[HK__COUNT] = {
    {"token-repeat", HK_TOKEN_REPEAT, EP_LIST, EP_LIST, ARG_NONE, 0, ST_H_TOKEN_REPEAT},
    {"token-cycle", HK_TOKEN_CYCLE, EP_LIST, EP_LIST, ARG_NONE, 0, ST_H_TOKEN_CYCLE},
    {"empty-pages", HK_EMPTY_PAGES, EP_LIST, EP_LIST, ARG_NONE, 0, ST_H_EMPTY_PAGES},
    {"oversize-items", HK_OVERSIZE, EP_LIST, EP_LIST, ARG_COUNT, 1, ST_H_OVERSIZE},
    {"padding", HK_PADDING, EP_LIST, EP_LIST, ARG_BYTES, 1, ST_H_PADDING},
    {"evil-names", HK_EVIL_NAMES, EP_LIST, EP_LIST, ARG_NONE, 0, ST_H_EVIL_NAMES},
    {"size", HK_SIZE, EP_LIST, EP_LIST | EP_GET, ARG_TEXT, 1, ST_H_SIZE},
    {"gzip-bomb", HK_GZIP_BOMB, EP_LIST, EP_ALL, ARG_BYTES, 0, ST_H_GZIP_BOMB},
    {"stall-headers", HK_STALL_HEADERS, EP_LIST, EP_ALL, ARG_NONE, 0, ST_H_STALL_HEADERS},
    {"stall-body", HK_STALL_BODY, EP_LIST, EP_ALL, ARG_BYTES, 0, ST_H_STALL_BODY},
    {"silent", HK_SILENT, EP_LIST, EP_ALL, ARG_NONE, 0, ST_H_SILENT},
    {"evil-error", HK_EVIL_ERROR, EP_LIST, EP_ALL, ARG_STATUS, 0, ST_H_EVIL_ERROR},
    {"retry-after", HK_RETRY_AFTER, EP_LIST, EP_ALL, ARG_TEXT, 1, ST_H_RETRY_AFTER},
    {"echo-secrets", HK_ECHO_SECRETS, EP_TOKEN, EP_TOKEN, ARG_ENC, 0, ST_H_ECHO_SECRETS},
    {"redirect", HK_REDIRECT, EP_LIST, EP_ALL, ARG_STATUS, 0, ST_H_REDIRECT},
};

static const struct {
    const char *name;
    unsigned bit;
} endpoints[] = {
    {"list", EP_LIST}, {"get", EP_GET}, {"media", EP_MEDIA}, {"bucket", EP_BUCKET},
    {"iam", EP_IAM}, {"token", EP_TOKEN}, {"metadata", EP_METADATA}, {"project", EP_PROJECT},
    {"all", EP_ALL},
};

static const struct {
    const char *name;
    unsigned bit;
} encodings[] = {
    {"raw", ENC_RAW}, {"pct", ENC_PCT}, {"json", ENC_JSON}, {"prefix", ENC_PREFIX},
    {"base64", ENC_BASE64}, {"base64url", ENC_BASE64URL}, {"all", ENC_ALL},
};

static const struct {
    const char *name;
    unsigned bit;
} places[] = {{"desc", IN_DESC}, {"field", IN_FIELD}, {"text", IN_TEXT}};

/* ---- parsing --------------------------------------------------------------- */

static int fail(char *err, size_t errlen, const char *spec, const char *what)
{
    snprintf(err, errlen, "--hostile %.200s: %s", spec, what);
    return -1;
}

static int parse_u64(const char *s, size_t n, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (n == 0 || n > 20)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (max - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* Plain bytes or a K M G T suffix (powers of 1024). */
static int parse_bytes(const char *s, size_t n, uint64_t max, uint64_t *out)
{
    unsigned shift = 0;
    if (n > 0) {
        switch (s[n - 1]) {
        case 'K': shift = 10; break;
        case 'M': shift = 20; break;
        case 'G': shift = 30; break;
        case 'T': shift = 40; break;
        default: break;
        }
    }
    if (shift)
        n--;
    uint64_t v;
    if (parse_u64(s, n, max, &v) != 0 || v > (max >> shift))
        return -1;
    *out = v << shift;
    return 0;
}

/* Parses "a+b+c" against a table of names; -1 on an unknown name. */
static int parse_set(const char *s, size_t n, const void *table, size_t count, size_t stride,
                     unsigned *out)
{
    unsigned bits = 0;
    while (n > 0) {
        const char *plus = memchr(s, '+', n);
        size_t len = plus ? (size_t)(plus - s) : n;
        size_t i;
        for (i = 0; i < count; i++) {
            const char *const *name = (const char *const *)((const char *)table + i * stride);
            if (strlen(*name) == len && !memcmp(*name, s, len))
                break;
        }
        if (i == count)
            return -1;
        bits |= *(const unsigned *)((const char *)table + i * stride + sizeof(const char *));
        if (!plus)
            break;
        n -= len + 1;
        s = plus + 1;
        if (n == 0)
            return -1;
    }
    if (!bits)
        return -1;
    *out = bits;
    return 0;
}

/* Text values go into headers and JSON strings verbatim: visible ASCII only,
 * so that no value can add a header line. */
static int plain_text(const char *s, size_t n)
{
    if (n == 0 || n > HOSTILE_VALUE_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x21 || s[i] > 0x7E || s[i] == '"' || s[i] == '\\')
            return 0;
    return 1;
}

static int valid_status(unsigned kind, uint64_t v)
{
    if (kind == HK_REDIRECT)
        return v == 301 || v == 302 || v == 303 || v == 307 || v == 308;
    if (kind == HK_RETRY_AFTER)
        return v == 429 || v == 503;
    return v >= 400 && v <= 599;
}

static int parse_arg(hostile_rule *r, int arg, const char *v, size_t n)
{
    uint64_t x;
    switch (arg) {
    case ARG_COUNT:
        if (parse_u64(v, n, HOSTILE_OVERSIZE_MAX, &x) != 0 || x == 0)
            return -1;
        r->n = x;
        r->has_n = 1;
        return 0;
    case ARG_BYTES:
        if (parse_bytes(v, n, r->kind == HK_GZIP_BOMB ? HOSTILE_BOMB_MAX : HOSTILE_PAD_MAX, &x))
            return -1;
        r->n = x;
        r->has_n = 1;
        return 0;
    case ARG_STATUS:
        if (parse_u64(v, n, 999, &x) != 0 || !valid_status(r->kind, x))
            return -1;
        r->status = (unsigned)x;
        return 0;
    case ARG_TEXT:
        if (!plain_text(v, n))
            return -1;
        memcpy(r->value, v, n);
        r->value[n] = '\0';
        return 0;
    case ARG_ENC:
        return parse_set(v, n, encodings, sizeof encodings / sizeof encodings[0],
                         sizeof encodings[0], &r->enc);
    default:
        return -1;
    }
}

static int parse_option(hostile_rule *r, const char *k, size_t kn, const char *v, size_t vn)
{
    uint64_t x;
#define IS(s) (kn == sizeof(s) - 1 && !memcmp(k, s, kn))
    if (IS("on"))
        return parse_set(v, vn, endpoints, sizeof endpoints / sizeof endpoints[0],
                         sizeof endpoints[0], &r->on);
    if (IS("after") || IS("times")) {
        if (parse_u64(v, vn, UINT64_MAX, &x) != 0)
            return -1;
        *(k[0] == 'a' ? &r->after : &r->times) = x;
        return 0;
    }
    if (IS("status")) {
        if (r->kind != HK_RETRY_AFTER && r->kind != HK_ECHO_SECRETS)
            return -1;
        if (parse_u64(v, vn, 999, &x) != 0 || !valid_status(r->kind, x))
            return -1;
        r->status = (unsigned)x;
        return 0;
    }
    if (IS("to")) {
        if (r->kind != HK_REDIRECT || !plain_text(v, vn))
            return -1;
        int url = (vn > 7 && !memcmp(v, "http://", 7)) || (vn > 8 && !memcmp(v, "https://", 8));
        if (!url && !(vn == 3 && !memcmp(v, "alt", 3)) &&
            !(vn == 4 && !memcmp(v, "alt", 3) && v[3] >= '1' && v[3] <= '4'))
            return -1;
        memcpy(r->value, v, vn);
        r->value[vn] = '\0';
        return 0;
    }
    if (IS("in")) {
        if (r->kind != HK_ECHO_SECRETS)
            return -1;
        return parse_set(v, vn, places, sizeof places / sizeof places[0], sizeof places[0],
                         &r->in);
    }
    if (IS("force")) {
        if (r->kind != HK_GZIP_BOMB || vn != 1 || (v[0] != '0' && v[0] != '1'))
            return -1;
        r->force = v[0] == '1';
        return 0;
    }
#undef IS
    return -1;
}

static int valid_bucket(const char *s, size_t n)
{
    if (n == 0 || n > 222)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
              s[i] == '_' || s[i] == '.'))
            return 0;
    return 1;
}

static void rule_clear(hostile_rule *r)
{
    free(r->bucket);
    free(r->prefix);
    memset(r, 0, sizeof *r);
}

int hostile_add(const char *spec, char *err, size_t errlen)
{
    size_t len = strlen(spec);
    if (len == 0 || len > HOSTILE_SPEC_MAX)
        return fail(err, errlen, spec, "empty or longer than 2048 bytes");
    if (n_rules == HOSTILE_MAX_RULES)
        return fail(err, errlen, spec, "too many rules (at most 32)");
    hostile_rule *r = &rules[n_rules];
    memset(r, 0, sizeof *r);

    const char *at = strchr(spec, '@');
    size_t head = at ? (size_t)(at - spec) : len;
    const char *comma = memchr(spec, ',', head);
    size_t first = comma ? (size_t)(comma - spec) : head;
    const char *eq = memchr(spec, '=', first);
    size_t kn = eq ? (size_t)(eq - spec) : first;
    size_t k;
    for (k = 0; k < HK__COUNT; k++)
        if (strlen(kinds[k].name) == kn && !memcmp(kinds[k].name, spec, kn))
            break;
    if (k == HK__COUNT)
        return fail(err, errlen, spec, "unknown kind (see docs/test-server.md)");
    r->kind = kinds[k].kind;
    r->on = kinds[k].on_default;
    r->enc = ENC_ALL;
    r->in = IN_DESC;
    r->status = r->kind == HK_REDIRECT ? 302 : r->kind == HK_RETRY_AFTER ? 429
              : r->kind == HK_ECHO_SECRETS ? 400 : 403;
    if (r->kind == HK_GZIP_BOMB) {
        r->n = 1ULL << 30;
        r->has_n = 1;
    }
    if (r->kind == HK_REDIRECT)
        strcpy(r->value, "alt");
    if (eq) {
        if (kinds[k].arg == ARG_NONE)
            return fail(err, errlen, spec, "this kind takes no =ARG");
        if (parse_arg(r, kinds[k].arg, eq + 1, first - kn - 1) != 0)
            return fail(err, errlen, spec, "bad =ARG (see docs/test-server.md)");
    } else if (kinds[k].arg_needed) {
        return fail(err, errlen, spec, "this kind needs =ARG");
    }
    for (const char *p = comma; p && p < spec + head;) {
        p++;
        const char *end = memchr(p, ',', (size_t)(spec + head - p));
        size_t n = end ? (size_t)(end - p) : (size_t)(spec + head - p);
        const char *e = memchr(p, '=', n);
        if (!e || parse_option(r, p, (size_t)(e - p), e + 1, n - (size_t)(e - p) - 1) != 0)
            return fail(err, errlen, spec, "bad option (see docs/test-server.md)");
        p = end;
    }
    if (r->on & ~kinds[k].on_allowed)
        return fail(err, errlen, spec, "on= names an endpoint this kind cannot apply to");
    if (at) {
        const char *b = at + 1;
        const char *slash = strchr(b, '/');
        size_t bn = slash ? (size_t)(slash - b) : strlen(b);
        if (!valid_bucket(b, bn))
            return fail(err, errlen, spec, "the scope must be @BUCKET or @BUCKET/PREFIX");
        r->bucket = strndup(b, bn);
        if (slash && slash[1])
            r->prefix = strdup(slash + 1);
        if (!r->bucket || (slash && slash[1] && !r->prefix)) {
            rule_clear(r);
            return fail(err, errlen, spec, "out of memory");
        }
        if (r->prefix && strlen(r->prefix) > 1024) {
            rule_clear(r);
            return fail(err, errlen, spec, "the prefix is longer than 1024 bytes");
        }
    }
    n_rules++;
    return 0;
}

void hostile_free_all(void)
{
    for (size_t i = 0; i < n_rules; i++)
        rule_clear(&rules[i]);
    n_rules = 0;
}

size_t hostile_count(void) { return n_rules; }

const hostile_rule *hostile_rule_at(size_t i) { return i < n_rules ? &rules[i] : NULL; }

int hostile_needs_alt(unsigned n_alt, char *err, size_t errlen)
{
    for (size_t i = 0; i < n_rules; i++) {
        const hostile_rule *r = &rules[i];
        if (r->kind != HK_REDIRECT || strncmp(r->value, "alt", 3) != 0)
            continue;
        const char *d = r->value + 3;
        unsigned want = 1;
        if (*d) {
            if (d[0] < '1' || d[0] > '4' || d[1]) {
                snprintf(err, errlen, "--hostile redirect: to= is alt, alt1..alt4 or a URL");
                return 1;
            }
            want = (unsigned)(d[0] - '0');
        }
        if (want > n_alt) {
            snprintf(err, errlen, "--hostile redirect to=%s needs %u --alt-listen address%s",
                     r->value, want, want > 1 ? "es" : "");
            return 1;
        }
    }
    return 0;
}

/* ---- matching ---------------------------------------------------------------- */

static int in_scope(const hostile_rule *r, const hostile_req *rq)
{
    if (!(r->on & rq->ep))
        return 0;
    /* Token, metadata and project requests have no bucket: a scope does not
     * restrict them. */
    if (rq->ep & (EP_TOKEN | EP_METADATA | EP_PROJECT))
        return 1;
    if (r->bucket && (!rq->bucket || strcmp(r->bucket, rq->bucket) != 0))
        return 0;
    if (r->prefix) {
        if (rq->ep == EP_BUCKET || rq->ep == EP_IAM)
            return 0; /* a prefix scope is about objects */
        const char *k = rq->key ? rq->key : "";
        if (strncmp(k, r->prefix, strlen(r->prefix)) != 0)
            return 0;
    }
    return 1;
}

/* Counts a request in the rule's scope; 1 when after= and times= let the
 * rule act on it. Called with count_lock held. */
static int eligible(hostile_rule *r)
{
    uint64_t m = r->matched++;
    return m >= r->after && (r->times == 0 || r->fired < r->times);
}

static void fired(hostile_rule *r)
{
    r->fired++;
    stats_inc(kinds[r->kind].stat);
}

const hostile_rule *hostile_answer(const hostile_req *rq)
{
    /* Every answer rule in scope counts the request, so that after=N means
     * "from the N+1-th request in its scope" whatever the other rules do;
     * the first eligible one answers. */
    hostile_rule *win = NULL;
    pthread_mutex_lock(&count_lock);
    for (size_t i = 0; i < n_rules; i++) {
        hostile_rule *r = &rules[i];
        if (r->kind < HK_FIRST_ANSWER || !in_scope(r, rq))
            continue;
        if (r->kind == HK_GZIP_BOMB && !rq->accepts_gzip && !r->force)
            continue;
        if (eligible(r) && !win)
            win = r;
    }
    if (win)
        fired(win);
    pthread_mutex_unlock(&count_lock);
    return win;
}

int hostile_shapes(const hostile_req *rq, hostile_shape *out)
{
    memset(out, 0, sizeof *out);
    int any = 0;
    pthread_mutex_lock(&count_lock);
    for (size_t i = 0; i < n_rules; i++) {
        hostile_rule *r = &rules[i];
        if (r->kind >= HK_FIRST_ANSWER || !in_scope(r, rq) || !eligible(r))
            continue;
        /* One token mode per page: the first one. */
        int is_token = r->kind == HK_TOKEN_REPEAT || r->kind == HK_TOKEN_CYCLE ||
                       r->kind == HK_EMPTY_PAGES;
        if (is_token && out->token_mode)
            continue;
        fired(r);
        any = 1;
        switch (r->kind) {
        case HK_TOKEN_REPEAT: out->token_mode = TM_REPEAT; break;
        case HK_TOKEN_CYCLE: out->token_mode = TM_CYCLE; break;
        case HK_EMPTY_PAGES: out->token_mode = TM_EMPTY; break;
        case HK_OVERSIZE: out->oversize = r->n; break;
        case HK_PADDING: out->padding = r->n; break;
        case HK_EVIL_NAMES: out->evil_names = 1; break;
        case HK_SIZE: out->size = r->value; break;
        default: break;
        }
    }
    pthread_mutex_unlock(&count_lock);
    return any;
}

/* ---- tokens ------------------------------------------------------------------ */

static void token_out(const unsigned char *raw, size_t n, char *out)
{
    sbuf b;
    sbuf_init(&b);
    sbuf_base64(&b, raw, n);
    size_t len = b.failed ? 0 : b.len;
    if (len > HTOKEN_MAX - 1)
        len = 0;
    if (len)
        memcpy(out, b.data, len);
    out[len] = '\0';
    sbuf_free(&b);
}

static size_t clamp_key(size_t n) { return n > 1024 ? 1024 : n; }

void hostile_token_repeat(const char *key, size_t len, char *out)
{
    unsigned char raw[2 + 1024];
    len = clamp_key(len);
    raw[0] = 'H';
    raw[1] = 'R';
    memcpy(raw + 2, key, len);
    token_out(raw, len + 2, out);
}

void hostile_token_cycle_a(const char *key, size_t len, char *out)
{
    unsigned char raw[2 + 1024];
    len = clamp_key(len);
    raw[0] = 'H';
    raw[1] = 'A';
    memcpy(raw + 2, key, len);
    token_out(raw, len + 2, out);
}

void hostile_token_cycle_b(const char *ka, size_t la, const char *kb, size_t lb, char *out)
{
    unsigned char raw[4 + 2048];
    la = clamp_key(la);
    lb = clamp_key(lb);
    raw[0] = 'H';
    raw[1] = 'B';
    raw[2] = (unsigned char)(la >> 8);
    raw[3] = (unsigned char)la;
    memcpy(raw + 4, ka, la);
    memcpy(raw + 4 + la, kb, lb);
    token_out(raw, 4 + la + lb, out);
}

void hostile_token_empty(uint64_t counter, char *out)
{
    unsigned char raw[10];
    raw[0] = 'H';
    raw[1] = 'E';
    for (int i = 0; i < 8; i++)
        raw[2 + i] = (unsigned char)(counter >> (56 - 8 * i));
    token_out(raw, sizeof raw, out);
}

int hostile_token_decode(const char *token, htoken *out)
{
    unsigned char raw[4 + 2048 + 4];
    memset(out, 0, sizeof *out);
    size_t tl = strlen(token);
    if (tl > HTOKEN_MAX)
        return -1;
    long n = srv_base64_decode(token, tl, raw, sizeof raw);
    if (n < 2 || raw[0] != 'H')
        return -1;
    size_t len = (size_t)n - 2;
    const unsigned char *p = raw + 2;
    switch (raw[1]) {
    case 'R':
    case 'A':
        if (len > 1024)
            return -1;
        memcpy(out->key, p, len);
        out->keylen = len;
        break;
    case 'B': {
        if (len < 2)
            return -1;
        size_t la = (size_t)p[0] << 8 | p[1];
        if (la > 1024 || la > len - 2 || len - 2 - la > 1024)
            return -1;
        memcpy(out->key_a, p + 2, la);
        out->key_a_len = la;
        memcpy(out->key, p + 2 + la, len - 2 - la);
        out->keylen = len - 2 - la;
        break;
    }
    case 'E':
        if (len != 8)
            return -1;
        for (int i = 0; i < 8; i++)
            out->counter = out->counter << 8 | p[i];
        break;
    default:
        return -1;
    }
    /* Names never hold NUL; a key that does is not one of ours. */
    if (memchr(out->key, '\0', out->keylen) || memchr(out->key_a, '\0', out->key_a_len))
        return -1;
    out->mode = (char)raw[1];
    return 0;
}

/* ---- texts --------------------------------------------------------------------- */

/* In byte order, so that injected at the start of a page after PREFIX they
 * keep the listing sorted ahead of any printable name. */
static const struct {
    const char *s;
    size_t n;
} evil_names[HOSTILE_EVIL_NAMES] = {
#define N(lit) {lit, sizeof(lit) - 1}
    N("\0nul-inside\0name.dcm"),
    N("\a-bell.dcm"),
    N("\n-newline\ngcsplan: fake log line.dcm"),
    N("\r-carriage-return\rOVERWRITTEN.dcm"),
    N("\x1b[2J\x1b[H-clear-screen.dcm"),
    N("\x1b[31m-red\x1b[0m.dcm"),
    N("\x1b]0;window title\a.dcm"),
    N("\x1b\xc2\x9b" "31m-c1-csi.dcm"),
#undef N
};

const char *hostile_evil_name(size_t i, size_t *len)
{
    if (i >= HOSTILE_EVIL_NAMES) {
        *len = 0;
        return "";
    }
    *len = evil_names[i].n;
    return evil_names[i].s;
}

static const char evil_message[] =
    "Access denied.\x1b[2J\x1b[H\x1b[1;31mCRITICAL: bucket deleted\x1b[0m\r\n"
    "gcsplan: all objects imported\n"
    "\x1b]0;owned\a\x1b]8;;http://evil.example/\ahere\x1b]8;;\a"
    "\xc2\x9b" "31m\x7f" "after-nul:\0end";

const char *hostile_evil_message(size_t *len)
{
    *len = sizeof evil_message - 1;
    return evil_message;
}

const char *hostile_reason(unsigned status)
{
    switch (status) {
    case 400: return "invalid";
    case 401: return "required";
    case 403: return "forbidden";
    case 404: return "notFound";
    case 409: return "conflict";
    case 410: return "gone";
    case 412: return "conditionNotMet";
    case 429: return "rateLimitExceeded";
    default: return status >= 500 ? "backendError" : "invalid";
    }
}

int hostile_form_value(const char *body, const char *key, char *out, size_t cap)
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

/* Writes s minimally escaped for the inside of a JSON string. */
static void json_inner(sbuf *b, const char *s, size_t n)
{
    sbuf t;
    sbuf_init(&t);
    sbuf_json_str(&t, s, n);
    if (!t.failed && t.len >= 2)
        sbuf_put(b, t.data + 1, t.len - 2);
    sbuf_free(&t);
}

static void base64url(sbuf *b, const char *s, size_t n)
{
    sbuf t;
    sbuf_init(&t);
    sbuf_base64(&t, (const unsigned char *)s, n);
    for (size_t i = 0; !t.failed && i < t.len; i++) {
        char c = t.data[i];
        if (c == '=')
            break;
        sbuf_putc(b, c == '+' ? '-' : c == '/' ? '_' : c);
    }
    sbuf_free(&t);
}

/* One secret in one encoding; in_json: the bytes land inside a JSON string. */
static void put_encoded(sbuf *b, unsigned enc, const char *v, size_t n, int in_json)
{
    static const char hex[] = "0123456789abcdef";
    switch (enc) {
    case ENC_RAW:
    case ENC_PREFIX: {
        size_t m = enc == ENC_PREFIX ? (n + 1) / 2 : n;
        if (in_json)
            json_inner(b, v, m);
        else
            sbuf_put(b, v, m);
        break;
    }
    case ENC_PCT: sbuf_pct(b, v, n); break;
    case ENC_JSON:
        /* every ASCII character as \u00XX: the secret's bytes never appear
         * as such, yet a JSON parser gives them back */
        for (size_t i = 0; i < n; i++) {
            unsigned char c = (unsigned char)v[i];
            if (c >= 0x80) {
                sbuf_putc(b, (char)c);
                continue;
            }
            char e[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
            sbuf_put(b, e, 6);
        }
        break;
    case ENC_BASE64: sbuf_base64(b, (const unsigned char *)v, n); break;
    default: base64url(b, v, n); break;
    }
}

static const char *const secret_keys[] = {"client_secret", "refresh_token", "assertion"};
#define N_SECRETS (sizeof secret_keys / sizeof secret_keys[0])
#define SECRET_MAX 8192

static const char *enc_name(unsigned bit)
{
    for (size_t i = 0; i < sizeof encodings / sizeof encodings[0]; i++)
        if (encodings[i].bit == bit)
            return encodings[i].name;
    return "?";
}

void hostile_echo_body(const hostile_rule *r, const char *body, sbuf *b, const char **ctype)
{
    /* Calls run on many connection threads: the decoded values live on the heap. */
    char(*v)[SECRET_MAX] = calloc(N_SECRETS, SECRET_MAX);
    int have[N_SECRETS] = {0};
    for (size_t s = 0; v && s < N_SECRETS; s++)
        have[s] = hostile_form_value(body, secret_keys[s], v[s], SECRET_MAX);

    if (r->in & IN_TEXT) {
        *ctype = "text/plain; charset=UTF-8";
        sbuf_puts(b, "invalid_grant: Bad Request\n");
        for (size_t s = 0; v && s < N_SECRETS; s++)
            for (unsigned e = 1; have[s] && e < ENC_ALL; e <<= 1) {
                if (!(r->enc & e))
                    continue;
                sbuf_puts(b, secret_keys[s]);
                sbuf_puts(b, " (");
                sbuf_puts(b, enc_name(e));
                sbuf_puts(b, "): ");
                put_encoded(b, e, v[s], strlen(v[s]), 0);
                sbuf_putc(b, '\n');
            }
        free(v);
        return;
    }
    *ctype = "application/json; charset=utf-8";
    sbuf_puts(b, "{\"error\":\"invalid_grant\",\"error_description\":\"Bad Request");
    if (r->in & IN_DESC) {
        for (size_t s = 0; v && s < N_SECRETS; s++)
            for (unsigned e = 1; have[s] && e < ENC_ALL; e <<= 1) {
                if (!(r->enc & e))
                    continue;
                sbuf_puts(b, "; ");
                sbuf_puts(b, secret_keys[s]);
                sbuf_puts(b, " (");
                sbuf_puts(b, enc_name(e));
                sbuf_puts(b, "): ");
                put_encoded(b, e, v[s], strlen(v[s]), 1);
            }
    }
    sbuf_putc(b, '"');
    if (r->in & IN_FIELD) {
        /* non-standard fields, flat and nested, as some servers add */
        unsigned first = 0;
        for (unsigned e = 1; e < ENC_ALL && !first; e <<= 1)
            if (r->enc & e)
                first = e;
        for (size_t s = 0; v && s < N_SECRETS; s++)
            for (unsigned e = 1; have[s] && e < ENC_ALL; e <<= 1) {
                if (!(r->enc & e))
                    continue;
                sbuf_puts(b, ",\"echo_");
                sbuf_puts(b, secret_keys[s]);
                sbuf_putc(b, '_');
                sbuf_puts(b, enc_name(e));
                sbuf_puts(b, "\":\"");
                put_encoded(b, e, v[s], strlen(v[s]), 1);
                sbuf_putc(b, '"');
            }
        sbuf_puts(b, ",\"details\":{\"request\":{");
        int comma = 0;
        for (size_t s = 0; v && s < N_SECRETS; s++) {
            if (!have[s])
                continue;
            if (comma)
                sbuf_putc(b, ',');
            comma = 1;
            sbuf_putc(b, '"');
            sbuf_puts(b, secret_keys[s]);
            sbuf_puts(b, "\":\"");
            put_encoded(b, first, v[s], strlen(v[s]), 1);
            sbuf_putc(b, '"');
        }
        sbuf_puts(b, "}}");
    }
    sbuf_puts(b, "}\n");
    free(v);
}
