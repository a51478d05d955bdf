#include "gzbomb.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define BLOCK_PLAIN ((uint64_t)1 << 20)
#define PART_MAX 4096

/* The repeated block, made once for every bomb of the process. */
static unsigned char *block;
static size_t block_len;
static uLong block_crc;
static pthread_once_t block_once = PTHREAD_ONCE_INIT;

struct gzbomb {
    unsigned char head[10];     /* gzip header */
    unsigned char *pre;         /* deflated prefix + remainder, full-flushed */
    size_t pre_len;
    unsigned char *suf;         /* deflated suffix, finished */
    size_t suf_len;
    unsigned char trailer[8];   /* CRC-32 and ISIZE, little-endian */
    uint64_t blocks;            /* copies of the block */
    uint64_t inflated;
    uint64_t total;
};

/* Deflates n bytes (the text, then `fill` bytes of 'a') with a fresh raw
 * stream, then ends it with Z_FINISH (finish) or Z_FULL_FLUSH. Returns a
 * malloc'ed buffer. */
static unsigned char *deflate_part(const char *text, size_t n, size_t fill, int finish,
                                   size_t *out_len)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_DEFAULT_STRATEGY) != Z_OK)
        return NULL;
    size_t cap = deflateBound(&z, (uLong)(n + fill)) + 64;
    unsigned char *out = malloc(cap);
    unsigned char *ones = fill ? malloc(fill) : NULL;
    int ok = out && (!fill || ones);
    if (ok) {
        if (fill)
            memset(ones, 'a', fill);
        z.next_out = out;
        z.avail_out = (uInt)cap;
        z.next_in = (Bytef *)(uintptr_t)text;
        z.avail_in = (uInt)n;
        ok = deflate(&z, Z_NO_FLUSH) == Z_OK || n == 0;
        z.next_in = ones;
        z.avail_in = (uInt)fill;
        ok = ok && (deflate(&z, Z_NO_FLUSH) == Z_OK || fill == 0);
        int rc = deflate(&z, finish ? Z_FINISH : Z_FULL_FLUSH);
        /* the bound leaves room, so one call ends or flushes it all */
        ok = ok && z.avail_in == 0 && (finish ? rc == Z_STREAM_END : rc == Z_OK && z.avail_out > 0);
    }
    *out_len = cap - z.avail_out;
    deflateEnd(&z);
    free(ones);
    if (!ok) {
        free(out);
        return NULL;
    }
    return out;
}

static void make_block(void)
{
    size_t len;
    unsigned char *b = deflate_part("", 0, BLOCK_PLAIN, 0, &len);
    if (!b)
        return;
    unsigned char *ones = malloc(BLOCK_PLAIN);
    if (!ones) {
        free(b);
        return;
    }
    memset(ones, 'a', BLOCK_PLAIN);
    block_crc = crc32(0, ones, (uInt)BLOCK_PLAIN);
    free(ones);
    block = b;
    block_len = len;
}

/* CRC-32 of the block repeated k times, by doubling. */
static uLong repeated_crc(uint64_t k)
{
    uLong result = 0, cur = block_crc;
    uint64_t cur_len = BLOCK_PLAIN;
    int have = 0;
    while (k) {
        if (k & 1) {
            result = have ? crc32_combine(result, cur, (z_off_t)cur_len) : cur;
            have = 1;
        }
        k >>= 1;
        if (k) {
            cur = crc32_combine(cur, cur, (z_off_t)cur_len);
            cur_len *= 2;
        }
    }
    return result;
}

gzbomb *gzbomb_new(const char *prefix, const char *suffix, uint64_t fill)
{
    pthread_once(&block_once, make_block);
    size_t pl = strlen(prefix), sl = strlen(suffix);
    if (!block || pl > PART_MAX || sl > PART_MAX)
        return NULL;
    gzbomb *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->blocks = fill / BLOCK_PLAIN;
    size_t rem = (size_t)(fill % BLOCK_PLAIN);
    g->pre = deflate_part(prefix, pl, rem, 0, &g->pre_len);
    g->suf = deflate_part(suffix, sl, 0, 1, &g->suf_len);
    if (!g->pre || !g->suf) {
        gzbomb_free(g);
        return NULL;
    }
    /* the CRC of the text in its order: prefix, remainder, blocks, suffix */
    uLong crc = crc32(0, (const Bytef *)prefix, (uInt)pl);
    unsigned char a[4096];
    memset(a, 'a', sizeof a);
    for (size_t left = rem; left > 0;) {
        size_t n = left > sizeof a ? sizeof a : left;
        crc = crc32(crc, a, (uInt)n);
        left -= n;
    }
    if (g->blocks)
        crc = crc32_combine(crc, repeated_crc(g->blocks), (z_off_t)(g->blocks * BLOCK_PLAIN));
    crc = crc32(crc, (const Bytef *)suffix, (uInt)sl);
    g->inflated = pl + fill + sl;
    static const unsigned char head[10] = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 3};
    memcpy(g->head, head, sizeof head);
    for (int i = 0; i < 4; i++) {
        g->trailer[i] = (unsigned char)(crc >> (8 * i));
        g->trailer[4 + i] = (unsigned char)(g->inflated >> (8 * i));
    }
    g->total = sizeof g->head + g->pre_len + g->blocks * block_len + g->suf_len + 8;
    return g;
}

uint64_t gzbomb_size(const gzbomb *g) { return g->total; }

uint64_t gzbomb_inflated(const gzbomb *g) { return g->inflated; }

/* Copies from one segment [seg_start, seg_start + len) of the stream. */
static size_t from(const unsigned char *src, size_t len, uint64_t seg_start, uint64_t pos,
                   char *buf, size_t max)
{
    uint64_t off = pos - seg_start;
    size_t n = len - (size_t)off;
    if (n > max)
        n = max;
    memcpy(buf, src + off, n);
    return n;
}

size_t gzbomb_read(const gzbomb *g, uint64_t pos, char *buf, size_t max)
{
    size_t done = 0;
    while (done < max && pos < g->total) {
        uint64_t at = 0;
        size_t n;
        if (pos < (at += sizeof g->head)) {
            n = from(g->head, sizeof g->head, 0, pos, buf + done, max - done);
        } else if (pos < at + g->pre_len) {
            n = from(g->pre, g->pre_len, at, pos, buf + done, max - done);
        } else if (pos < (at += g->pre_len) + g->blocks * block_len) {
            uint64_t in = pos - at;
            n = from(block, block_len, pos - in % block_len, pos, buf + done, max - done);
        } else if (pos < (at += g->blocks * block_len) + g->suf_len) {
            n = from(g->suf, g->suf_len, at, pos, buf + done, max - done);
        } else {
            at += g->suf_len;
            n = from(g->trailer, 8, at, pos, buf + done, max - done);
        }
        done += n;
        pos += n;
    }
    return done;
}

void gzbomb_free(gzbomb *g)
{
    if (!g)
        return;
    free(g->pre);
    free(g->suf);
    free(g);
}
