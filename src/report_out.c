/* Writing the report page: a buffered writer and HTML escaping.
 *
 * Everything from outside goes through gcsplan__ro_text(), which is safe in
 * both text and quoted attribute values: '&', '<', '>', '"' and '\'' become
 * entities, so no input can close an element or an attribute, open a tag or
 * a comment, or start an entity. Characters that a page could use to hide
 * or disguise text are shown as escapes, the way the terminal escaper shows
 * them (src/util/escape.h): C0 and C1 controls, DEL (NUL and ESC included,
 * which are not even allowed in HTML), bytes that are not UTF-8, and the
 * invisible format characters (U+202E and friends). Noncharacters
 * (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF) are not allowed in XML and are shown as
 * escapes too, so the page stays well-formed as XHTML. */
#include <string.h>
#include <time.h>

#include "internal.h"
#include "report_internal.h"
#include "util/escape.h"
#include "util/num.h"
#include "util/utf8.h"

/* Hand write() pieces of about this size. */
#define FLUSH_AT 65536
/* The buffer never holds much more than one piece and one item: a job's
 * row or a finding's example, a few strings of at most
 * GCSPLAN_REPORT_TEXT_MAX bytes, each at most 6 times longer escaped
 * ("&quot;"). Writers flush at least that often. */
#define OUT_MAX (FLUSH_AT + 128 * GCSPLAN_REPORT_TEXT_MAX)

void gcsplan__ro_init(rp_out *o, const gcsplan_allocator *a, gcsplan_write_fn write, void *ctx)
{
    memset(o, 0, sizeof *o);
    gcsplan__buf_dynamic(&o->b, a, OUT_MAX);
    o->write = write;
    o->ctx = ctx;
}

void gcsplan__ro_flush(rp_out *o, int force)
{
    if (o->err != 0 || (!force && o->b.len < FLUSH_AT))
        return;
    if (gcsplan__buf_error(&o->b)) {
        o->err = gcsplan__buf_error(&o->b);
        return;
    }
    if (!o->stopped && o->b.len > 0 && o->write(o->b.p, o->b.len, o->ctx) != 0)
        o->stopped = 1;
    /* After write() refused, the rest is dropped as it comes. */
    gcsplan__buf_clear(&o->b);
}

int gcsplan__ro_done(rp_out *o)
{
    gcsplan__ro_flush(o, 1);
    int rc = o->err != 0 ? o->err : o->stopped ? GCSPLAN_ESOURCE : 0;
    gcsplan__buf_free(&o->b);
    return rc;
}

void gcsplan__ro_raw(rp_out *o, const char *s)
{
    gcsplan__buf_puts(&o->b, s);
}

static uint32_t code_point(const unsigned char *u, size_t k)
{
    if (k == 3)
        return (uint32_t)(u[0] & 0x0F) << 12 | (uint32_t)(u[1] & 0x3F) << 6 | (u[2] & 0x3F);
    return (uint32_t)(u[0] & 0x07) << 18 | (uint32_t)(u[1] & 0x3F) << 12 |
           (uint32_t)(u[2] & 0x3F) << 6 | (u[3] & 0x3F);
}

static int noncharacter(uint32_t cp)
{
    return (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
}

/* The characters of s[0..n) as the page shows them; returns the bytes of s
 * used, stopping after max characters. */
static size_t text(rp_out *o, const char *s, size_t n, size_t max, size_t *chars)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, c = 0;
    while (i < n && c < max) {
        /* Runs of plain ASCII go out in one piece. */
        size_t run = i;
        while (run < n && c < max && u[run] >= 0x20 && u[run] < 0x7F && u[run] != '&' &&
               u[run] != '<' && u[run] != '>' && u[run] != '"' && u[run] != '\'') {
            run++;
            c++;
        }
        gcsplan__buf_put(&o->b, s + i, run - i);
        i = run;
        if (i == n || c == max)
            break;
        switch (u[i]) {
        case '&': gcsplan__buf_puts(&o->b, "&amp;"); i++; c++; continue;
        case '<': gcsplan__buf_puts(&o->b, "&lt;"); i++; c++; continue;
        case '>': gcsplan__buf_puts(&o->b, "&gt;"); i++; c++; continue;
        case '"': gcsplan__buf_puts(&o->b, "&quot;"); i++; c++; continue;
        case '\'': gcsplan__buf_puts(&o->b, "&#39;"); i++; c++; continue;
        default: break;
        }
        size_t k = u[i] >= 0x80 ? gcsplan__utf8_seq(u + i, n - i) : 0;
        if (k >= 3 && noncharacter(code_point(u + i, k))) {
            gcsplan__buf_printf(&o->b, "\\u{%04X}", (unsigned)code_point(u + i, k));
            i += k;
        } else {
            /* The terminal's rule: as it is, or an escape of plain ASCII. */
            size_t width;
            i += gcsplan__term_char(&o->b, s + i, n - i, &width);
        }
        c++;
    }
    *chars = c;
    return i;
}

void gcsplan__ro_text(rp_out *o, const char *s, size_t n)
{
    size_t chars;
    if (s != NULL)
        text(o, s, n, SIZE_MAX, &chars);
}

void gcsplan__ro_str(rp_out *o, const rp_str *s)
{
    gcsplan__ro_text(o, s->p, s->n);
}

void gcsplan__ro_text_cut(rp_out *o, const char *s, size_t n, size_t max)
{
    size_t chars;
    if (s == NULL)
        return;
    size_t used = text(o, s, n, max > 0 ? max - 1 : 0, &chars);
    if (used < n) {
        /* One more character fits when it is the last one. */
        size_t rest = (const unsigned char)s[used] < 0x80
                           ? 1
                           : gcsplan__utf8_char((const unsigned char *)s + used, n - used);
        if (used + rest == n && max > 0)
            text(o, s + used, rest, 1, &chars);
        else
            gcsplan__buf_puts(&o->b, "\xE2\x80\xA6");
    }
}

/* Nonzero when s starts with the lower-case ASCII lit, in any case. */
static int starts_ci(const char *s, const char *lit, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != lit[i])
            return 0;
    }
    return 1;
}

int gcsplan__ro_url_ok(const char *s, size_t n)
{
    if (s == NULL || n > GCSPLAN_REPORT_TEXT_MAX)
        return 0;
    size_t scheme;
    if (n > 7 && starts_ci(s, "http://", 7))
        scheme = 7;
    else if (n > 8 && starts_ci(s, "https://", 8))
        scheme = 8;
    else
        return 0;
    for (size_t i = scheme; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7F || c == '"' || c == '\'' || c == '<' || c == '>' ||
            c == '\\' || c == '`')
            return 0;
    }
    return 1;
}

void gcsplan__ro_u64(rp_out *o, uint64_t v)
{
    gcsplan__buf_u64(&o->b, v);
}

void gcsplan__ro_count(rp_out *o, uint64_t v)
{
    char d[32];
    int n = 0;
    do {
        d[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0) {
        gcsplan__buf_putc(&o->b, d[--n]);
        if (n > 0 && n % 3 == 0)
            gcsplan__buf_putc(&o->b, ',');
    }
}

void gcsplan__ro_bytes(rp_out *o, uint64_t v)
{
    char b[32];
    gcsplan__human_bytes(b, sizeof b, v);
    gcsplan__buf_puts(&o->b, b);
}

void gcsplan__ro_dec(rp_out *o, double v)
{
    /* Integer arithmetic: printf's "%.1f" follows LC_NUMERIC, and a page
     * with "12,5" in its SVG coordinates would be broken. */
    if (!(v > -1e15 && v < 1e15))
        v = 0;
    long long t = (long long)(v * 10 + (v < 0 ? -0.5 : 0.5));
    if (t < 0) {
        gcsplan__buf_putc(&o->b, '-');
        t = -t;
    }
    gcsplan__buf_u64(&o->b, (unsigned long long)(t / 10));
    if (t % 10 != 0)
        gcsplan__buf_printf(&o->b, ".%d", (int)(t % 10));
}

void gcsplan__ro_rect(rp_out *o, const char *cls, double x, double y, double w, double h)
{
    gcsplan__ro_raw(o, "<rect");
    if (cls != NULL) {
        gcsplan__ro_raw(o, " class=\"");
        gcsplan__ro_raw(o, cls);
        gcsplan__ro_raw(o, "\"");
    }
    gcsplan__ro_raw(o, " x=\"");
    gcsplan__ro_dec(o, x);
    gcsplan__ro_raw(o, "\" y=\"");
    gcsplan__ro_dec(o, y);
    gcsplan__ro_raw(o, "\" width=\"");
    gcsplan__ro_dec(o, w);
    gcsplan__ro_raw(o, "\" height=\"");
    gcsplan__ro_dec(o, h);
    gcsplan__ro_raw(o, "\"");
}

void gcsplan__ro_time(rp_out *o, int64_t ms)
{
    /* Up to the year 9999: later is not a time a journal holds. */
    if (ms <= 0 || ms > 253402300799999LL) {
        gcsplan__buf_puts(&o->b, "unknown");
        return;
    }
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    if (gmtime_r(&t, &tm) == NULL) {
        gcsplan__buf_puts(&o->b, "unknown");
        return;
    }
    gcsplan__buf_printf(&o->b, "%04d-%02d-%02d %02d:%02d:%02d UTC", tm.tm_year + 1900,
                        tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void gcsplan__ro_duration(rp_out *o, int64_t ms)
{
    int64_t s = ms < 0 ? 0 : ms / 1000;
    if (s < 60)
        gcsplan__buf_printf(&o->b, "%d s", (int)s);
    else if (s < 3600)
        gcsplan__buf_printf(&o->b, "%d min %02d s", (int)(s / 60), (int)(s % 60));
    else if (s < 86400)
        gcsplan__buf_printf(&o->b, "%d h %02d min", (int)(s / 3600), (int)(s % 3600 / 60));
    else
        gcsplan__buf_printf(&o->b, "%lld d %d h", (long long)(s / 86400), (int)(s % 86400 / 3600));
}

/* Okabe-Ito-like and ColorBrewer Set3 tones: light enough for dark labels,
 * neighbours distinct. Jobs cycle through them by index. */
static const char *const palette[GCSPLAN__RP_PALETTE] = {
    "#8dd3c7", "#ffd92f", "#bebada", "#fb8072", "#80b1d3", "#fdb462",
    "#b3de69", "#fccde5", "#a6cee3", "#bc80bd", "#ccebc5", "#e5c494"
};

const char *gcsplan__rp_job_colour(size_t j)
{
    return palette[j % GCSPLAN__RP_PALETTE];
}
