/* Blocking HTTP on libcurl's easy interface, for token requests. */
#include <curl/curl.h>
#include <openssl/crypto.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http_blocking.h"
#include "util/clock.h"

/* Header lines we read are short; longer ones are not ours. */
#define HEADER_LINE_MAX 256
/* A Retry-After longer than the backoff cap is clamped to it: a token
 * request that must wait minutes has failed for our purposes. */
#define RETRY_AFTER_MAX_S (GCSPLAN__HTTP_BACKOFF_CAP_MS / 1000u)

typedef struct sink {
    const gcsplan_allocator *alloc;
    gcsplan__http_response *resp;
    size_t cap;
    int too_big;
    int no_memory;
} sink;

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    sink *s = userdata;
    size_t n = size * nmemb;
    gcsplan__http_response *r = s->resp;
    if (n > GCSPLAN__HTTP_BODY_MAX - r->body_len) {
        s->too_big = 1;
        return 0; /* curl stops with CURLE_WRITE_ERROR */
    }
    if (r->body_len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 1024;
        while (cap < r->body_len + n + 1)
            cap *= 2;
        char *p = gcsplan__realloc(s->alloc, r->body, cap);
        if (p == NULL) {
            s->no_memory = 1;
            return 0;
        }
        r->body = p;
        s->cap = cap;
    }
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    r->body[r->body_len] = '\0';
    return n;
}

/* Only Retry-After in its delay-seconds form; an HTTP date is rare from
 * Google's token endpoints and the plain backoff covers it. */
static size_t on_header(char *data, size_t size, size_t nmemb, void *userdata)
{
    sink *s = userdata;
    size_t n = size * nmemb;
    static const char name[] = "retry-after:";
    if (n < sizeof name || n >= HEADER_LINE_MAX)
        return n;
    char line[HEADER_LINE_MAX];
    memcpy(line, data, n);
    line[n] = '\0';
    for (size_t i = 0; i < sizeof name - 1; i++)
        if (line[i] >= 'A' && line[i] <= 'Z')
            line[i] = (char)(line[i] - 'A' + 'a');
    if (strncmp(line, name, sizeof name - 1) != 0)
        return n;
    char *end;
    unsigned long v = strtoul(line + sizeof name - 1, &end, 10);
    s->resp->retry_after_s = (unsigned int)(v > RETRY_AFTER_MAX_S ? RETRY_AFTER_MAX_S : v);
    return n;
}

void gcsplan__http_response_free(gcsplan__http_response *resp, const gcsplan_allocator *a)
{
    if (resp == NULL)
        return;
    /* Token responses are secrets. */
    if (resp->body != NULL)
        OPENSSL_cleanse(resp->body, resp->body_len);
    gcsplan__free(a, resp->body);
    memset(resp, 0, sizeof *resp);
}

int gcsplan__http_fetch(gcsplan__http_response *resp, const gcsplan_allocator *a,
                        const gcsplan__http_request *req, gcsplan_error *err)
{
    memset(resp, 0, sizeof *resp);
    int rc = GCSPLAN_ESOURCE;
    CURL *h = curl_easy_init();
    struct curl_slist *headers = NULL;
    char curl_msg[CURL_ERROR_SIZE] = "";
    sink s = { a, resp, 0, 0, 0 };
    if (h == NULL) {
        rc = gcsplan__error_set(err, GCSPLAN_ENOMEM, "cannot start an HTTP request");
        goto done;
    }
    for (const char *const *p = req->headers; p != NULL && *p != NULL; p++) {
        struct curl_slist *next = curl_slist_append(headers, *p);
        if (next == NULL) {
            rc = gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory for HTTP headers");
            goto done;
        }
        headers = next;
    }
    int post = req->method != NULL && strcmp(req->method, "POST") == 0;
    if (post) {
        /* Without this curl waits for "100 Continue" on bodies over 1 KiB,
         * a signed assertion's size, and some servers never send it. */
        struct curl_slist *next = curl_slist_append(headers, "Expect:");
        if (next == NULL) {
            rc = gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory for HTTP headers");
            goto done;
        }
        headers = next;
    }
    unsigned int timeout = req->timeout_ms ? req->timeout_ms : GCSPLAN__HTTP_TIMEOUT_DEFAULT_MS;
    curl_easy_setopt(h, CURLOPT_URL, req->url);
    /* Tokens go to http(s) endpoints only, and never follow a redirect that
     * could carry the request body somewhere else. */
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)timeout);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_msg);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &s);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "gcsplan");
    if (req->no_proxy)
        curl_easy_setopt(h, CURLOPT_NOPROXY, "*");
    if (post) {
        curl_easy_setopt(h, CURLOPT_POST, 1L);
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    }
    CURLcode cc = curl_easy_perform(h);
    if (s.no_memory) {
        rc = gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory for an HTTP response");
        goto done;
    }
    if (s.too_big) {
        rc = gcsplan__error_set(err, GCSPLAN_ESOURCE, "%s: response body over %u bytes",
                                req->url, (unsigned)GCSPLAN__HTTP_BODY_MAX);
        goto done;
    }
    if (cc != CURLE_OK) {
        rc = gcsplan__error_set(err, GCSPLAN_ESOURCE, "%s: %s", req->url,
                                curl_msg[0] ? curl_msg : curl_easy_strerror(cc));
        goto done;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp->status);
    rc = 0;
done:
    curl_slist_free_all(headers);
    if (h != NULL)
        curl_easy_cleanup(h);
    if (rc != 0)
        gcsplan__http_response_free(resp, a);
    return rc;
}

static int retryable_status(long status)
{
    return status == 408 || status == 429 || status >= 500;
}

/* Jitter needs no quality, only to differ between processes that fail
 * together; a splitmix step over the clock and an address does. */
static uint64_t jitter_seed(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)(uintptr_t)&ts;
    x += 0x9e3779b97f4a7c15u;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    return x ^ (x >> 31);
}

int gcsplan__http_fetch_retry(gcsplan__http_response *resp, const gcsplan_allocator *a,
                              const gcsplan__http_request *req, gcsplan_error *err)
{
    unsigned int ceiling = GCSPLAN__HTTP_BACKOFF_BASE_MS;
    int rc = 0;
    for (int attempt = 1;; attempt++) {
        rc = gcsplan__http_fetch(resp, a, req, err);
        if (rc == GCSPLAN_ENOMEM || attempt == GCSPLAN__HTTP_ATTEMPTS)
            break;
        if (rc == 0 && !retryable_status(resp->status))
            break;
        /* Half the ceiling fixed, half random: spreads clients without
         * letting one retry come right back. */
        unsigned int wait = ceiling / 2 + (unsigned int)(jitter_seed() % (ceiling / 2 + 1));
        if (rc == 0 && resp->retry_after_s * 1000u > wait)
            wait = resp->retry_after_s * 1000u;
        if (rc == 0)
            gcsplan__http_response_free(resp, a);
        gcsplan__sleep_ms(wait);
        if (ceiling < GCSPLAN__HTTP_BACKOFF_CAP_MS)
            ceiling *= 2;
    }
    if (rc == 0)
        gcsplan_error_clear(err); /* an earlier attempt's failure is history */
    return rc;
}
