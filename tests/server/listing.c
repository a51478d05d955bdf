#include "listing.h"
#include "glob.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOKEN_VERSION 'K'

void listing_token_encode(const char *key, size_t len, char *token)
{
    unsigned char raw[BUCKET_NAME_MAX + 1];
    raw[0] = TOKEN_VERSION;
    memcpy(raw + 1, key, len);
    sbuf b;
    sbuf_init(&b);
    sbuf_base64(&b, raw, len + 1);
    size_t n = b.failed ? 0 : b.len;
    memcpy(token, b.data, n);
    token[n] = '\0';
    sbuf_free(&b);
}

long listing_token_decode(const char *token, char *key, size_t cap)
{
    unsigned char raw[BUCKET_NAME_MAX + 2];
    long n = srv_base64_decode(token, strlen(token), raw, sizeof raw);
    if (n < 1 || raw[0] != TOKEN_VERSION || (size_t)n - 1 > cap)
        return -1;
    if (memchr(raw + 1, '\0', (size_t)n - 1))
        return -1;
    memcpy(key, raw + 1, (size_t)n - 1);
    return n - 1;
}

void list_page_free(list_page *page)
{
    free(page->items);
    for (size_t i = 0; i < page->n_prefixes; i++)
        free(page->prefixes[i]);
    free(page->prefixes);
    free(page->next_token);
    memset(page, 0, sizeof *page);
}

/* First index past every name that starts with p: seek to the smallest
 * string greater than all of them (drop trailing 0xFF bytes, bump the last). */
static size_t skip_prefix(const bucket *b, const char *p, size_t n)
{
    char tmp[BUCKET_NAME_MAX + 1];
    while (n > 0 && (unsigned char)p[n - 1] == 0xFF)
        n--;
    if (n == 0)
        return bucket_count(b);
    memcpy(tmp, p, n);
    tmp[n - 1] = (char)((unsigned char)tmp[n - 1] + 1);
    return bucket_lower_bound(b, tmp, n);
}

static const char *find_delim(const char *s, size_t n, const char *d, size_t dn)
{
    if (dn == 1)
        return memchr(s, d[0], n);
    for (size_t i = 0; i + dn <= n; i++)
        if (!memcmp(s + i, d, dn))
            return s + i;
    return NULL;
}

static int add_item(list_page *pg, size_t *cap, size_t idx)
{
    if (pg->n_items == *cap) {
        size_t nc = *cap ? *cap * 2 : 64;
        size_t *p = realloc(pg->items, nc * sizeof *p);
        if (!p)
            return -1;
        pg->items = p;
        *cap = nc;
    }
    pg->items[pg->n_items++] = idx;
    return 0;
}

static int add_prefix(list_page *pg, size_t *cap, const char *s, size_t n)
{
    if (pg->n_prefixes == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        char **p = realloc(pg->prefixes, nc * sizeof *p);
        if (!p)
            return -1;
        pg->prefixes = p;
        *cap = nc;
    }
    char *c = strndup(s, n);
    if (!c)
        return -1;
    pg->prefixes[pg->n_prefixes++] = c;
    return 0;
}

int listing_run(const bucket *b, const list_params *p, list_page *pg, char *err, size_t errlen)
{
    const char *prefix = p->prefix ? p->prefix : "";
    size_t plen = strlen(prefix);
    const char *delim = p->delimiter ? p->delimiter : "";
    size_t dlen = strlen(delim);
    size_t elen = p->end_offset ? strlen(p->end_offset) : 0;
    size_t scan_limit = p->scan_limit ? p->scan_limit : LIST_SCAN_LIMIT;
    size_t icap = 0, pcap = 0;

    if (p->match_glob && glob_check(p->match_glob) != 0) {
        snprintf(err, errlen, "Invalid matchGlob: %s", p->match_glob);
        return -1;
    }
    size_t i = bucket_lower_bound(b, prefix, plen);
    if (p->start_offset) {
        size_t s = bucket_lower_bound(b, p->start_offset, strlen(p->start_offset));
        if (s > i)
            i = s;
    }
    if (p->page_token) {
        char key[BUCKET_NAME_MAX + 1];
        long kn = listing_token_decode(p->page_token, key, sizeof key - 1);
        if (kn < 0) {
            snprintf(err, errlen, "Invalid page token.");
            return -1;
        }
        size_t s = bucket_lower_bound(b, key, (size_t)kn);
        if (s > i)
            i = s;
    }

    size_t n = bucket_count(b), emitted = 0, scanned = 0;
    char buf[BUCKET_NAME_MAX + 1];
    while (i < n) {
        size_t len;
        const char *name = bucket_name(b, i, buf, &len);
        if (len < plen || memcmp(name, prefix, plen) != 0)
            break;
        if (p->end_offset && srv_bytes_cmp(name, len, p->end_offset, elen) >= 0)
            break;
        if (scanned++ == scan_limit)
            goto more;
        if (p->match_glob && !glob_match(p->match_glob, name, len)) {
            i++;
            continue;
        }
        const char *d = dlen ? find_delim(name + plen, len - plen, delim, dlen) : NULL;
        if (d) {
            size_t pn = (size_t)(d - name) + dlen;
            /* "objects that end in exactly one instance of delimiter" are listed
             * beside their prefix; both count against maxResults */
            int also_item = p->include_trailing_delimiter && pn == len;
            /* ...unless the page is empty: a page of 1 then holds 2, or it would
             * never make progress */
            if (emitted > 0 && emitted + 1 + (size_t)also_item > p->max_results)
                goto more;
            if (emitted + 1 > p->max_results)
                goto more;
            if (add_prefix(pg, &pcap, name, pn) != 0 || (also_item && add_item(pg, &icap, i)))
                goto oom;
            emitted += 1 + (size_t)also_item;
            i = skip_prefix(b, name, pn);
            continue;
        }
        if (emitted + 1 > p->max_results)
            goto more;
        if (add_item(pg, &icap, i) != 0)
            goto oom;
        emitted++;
        i++;
    }
    return 0;

more:
    pg->next_token = malloc(LIST_TOKEN_MAX);
    if (!pg->next_token)
        goto oom;
    {
        size_t len;
        const char *name = bucket_name(b, i, buf, &len);
        listing_token_encode(name, len, pg->next_token);
    }
    return 0;
oom:
    snprintf(err, errlen, "out of memory");
    list_page_free(pg);
    return -1;
}
