/* URLs parsed by libcurl itself, so that what we judge (scheme, host) is
 * what curl will connect to: a string test would read
 * http://127.0.0.1:1@other-host/ as loopback, curl sends it to other-host. */
#include <arpa/inet.h>
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "transport.h"

static int is_loopback(const char *host)
{
    if (strcasecmp(host, "localhost") == 0 || strcasecmp(host, "localhost.") == 0)
        return 1;
    struct in_addr v4;
    if (inet_pton(AF_INET, host, &v4) == 1)
        return (ntohl(v4.s_addr) >> 24) == 127;
    size_t n = strlen(host);
    if (n < 3 || host[0] != '[' || host[n - 1] != ']' || n - 2 >= 64)
        return 0;
    char inner[64];
    memcpy(inner, host + 1, n - 2);
    inner[n - 2] = '\0';
    struct in6_addr v6;
    if (inet_pton(AF_INET6, inner, &v6) != 1)
        return 0;
    static const unsigned char one[16] = { [15] = 1 };
    static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };
    if (memcmp(v6.s6_addr, one, 16) == 0)
        return 1;
    return memcmp(v6.s6_addr, mapped, 12) == 0 && v6.s6_addr[12] == 127;
}

static int copy_part(CURLU *u, CURLUPart part, char *out, size_t cap, int lower)
{
    char *v = NULL;
    if (curl_url_get(u, part, &v, 0) != CURLUE_OK || v == NULL)
        return -1;
    size_t n = strlen(v);
    int ok = n > 0 && n < cap;
    if (ok) {
        for (size_t i = 0; i <= n; i++)
            out[i] = lower && v[i] >= 'A' && v[i] <= 'Z' ? (char)(v[i] - 'A' + 'a') : v[i];
    }
    curl_free(v);
    return ok ? 0 : -1;
}

static int has_part(CURLU *u, CURLUPart part)
{
    char *v = NULL;
    int has = curl_url_get(u, part, &v, 0) == CURLUE_OK && v != NULL;
    curl_free(v);
    return has;
}

int gcsplan__url_parse(gcsplan__url *out, const char *url)
{
    memset(out, 0, sizeof *out);
    if (url == NULL || strlen(url) >= GCSPLAN_URL_MAX)
        return -1;
    CURLU *u = curl_url();
    if (u == NULL)
        return -1;
    int rc = -1;
    char port[16];
    /* No CURLU_GUESS_SCHEME: a URL without one is not a URL here. */
    if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
        goto done;
    if (copy_part(u, CURLUPART_SCHEME, out->scheme, sizeof out->scheme, 1) != 0 ||
        (strcmp(out->scheme, "http") != 0 && strcmp(out->scheme, "https") != 0))
        goto done;
    if (copy_part(u, CURLUPART_HOST, out->host, sizeof out->host, 1) != 0)
        goto done;
    char *p = NULL;
    if (curl_url_get(u, CURLUPART_PORT, &p, CURLU_DEFAULT_PORT) != CURLUE_OK || p == NULL)
        goto done;
    snprintf(port, sizeof port, "%s", p);
    curl_free(p);
    out->port = (unsigned)strtoul(port, NULL, 10);
    out->userinfo = has_part(u, CURLUPART_USER) || has_part(u, CURLUPART_PASSWORD) ||
                    has_part(u, CURLUPART_OPTIONS);
    out->loopback = is_loopback(out->host);
    rc = 0;
done:
    curl_url_cleanup(u);
    if (rc != 0)
        memset(out, 0, sizeof *out);
    return rc;
}

int gcsplan__url_may_carry_secrets(const char *url)
{
    gcsplan__url u;
    if (gcsplan__url_parse(&u, url) != 0 || u.userinfo)
        return 0;
    return strcmp(u.scheme, "https") == 0 || u.loopback;
}
