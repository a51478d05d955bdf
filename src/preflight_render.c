/* Pre-flight findings as text for people and as one JSON document. Both go
 * through the public accessors only, into a caller's buffer, snprintf-like. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gcsplan/preflight.h"
#include "internal.h"
#include "utf8.h"

/* Bytes of an example's head shown as text in the human output. */
#define HEAD_SHOWN 16
#define LINE_MAX_BYTES 512

typedef struct text {
    char *buf;
    size_t cap, len; /* cap excludes the NUL */
    int has_room;    /* the caller's cap was not 0 */
} text;

static void put(text *t, const char *s, size_t n)
{
    if (t->len < t->cap) {
        size_t room = t->cap - t->len;
        memcpy(t->buf + t->len, s, n < room ? n : room);
    }
    t->len += n;
}

static void puts_(text *t, const char *s) { put(t, s, strlen(s)); }

static void putf(text *t, const char *fmt, ...) GCSPLAN_PRINTF(2, 3);
static void putf(text *t, const char *fmt, ...)
{
    char line[LINE_MAX_BYTES];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    put(t, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

static size_t done(text *t)
{
    if (t->buf != NULL && t->has_room)
        t->buf[t->len < t->cap ? t->len : t->cap] = '\0';
    return t->len;
}

/* A name for a terminal: control characters and bytes that are not UTF-8
 * as \xNN, so nothing in a name can move the cursor or hide itself. */
static void put_shown(text *t, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    for (size_t i = 0; i < n;) {
        size_t k = u[i] < 0x80 ? 1 : gcsplan__utf8_seq(u + i, n - i);
        if (u[i] < 0x20 || u[i] == 0x7F || k == 0 || (k == 2 && u[i] == 0xC2 && u[i + 1] < 0xA0)) {
            putf(t, "\\x%02X", u[i]);
            i++;
            continue;
        }
        put(t, s + i, k);
        i += k;
    }
}

static void put_head_text(text *t, const unsigned char *h, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (h[i] >= 0x20 && h[i] < 0x7F && h[i] != '"' && h[i] != '\\')
            put(t, (const char *)h + i, 1);
        else
            putf(t, "\\x%02X", h[i]);
    }
}

static const char *sev_colour(int sev)
{
    switch (sev) {
    case GCSPLAN_SEVERITY_ERROR: return "\033[1;31m";
    case GCSPLAN_SEVERITY_WARNING: return "\033[1;33m";
    default: return "\033[1;36m";
    }
}

size_t gcsplan_preflight_render(const gcsplan_preflight *pf, char *buf, size_t cap,
                                unsigned int flags)
{
    text t = { buf, cap ? cap - 1 : 0, 0, cap > 0 };
    int colour = (flags & GCSPLAN_RENDER_COLOR) != 0;
    const char *off = colour ? "\033[0m" : "";
    size_t n = gcsplan_preflight_count(pf);
    uint64_t per[3] = { 0, 0, 0 };
    for (size_t i = 0; i < n; i++) {
        const gcsplan_finding *f = gcsplan_preflight_finding(pf, i);
        per[f->severity]++;
        putf(&t, "%s%s[%s]%s: ", colour ? sev_colour(f->severity) : "",
             gcsplan_severity_name(f->severity), gcsplan_finding_code_name(f->code), off);
        puts_(&t, f->message);
        puts_(&t, "\n");
        if (f->kind_count > 1 || (f->kind_count == 1 && f->code != GCSPLAN_FINDING_NOT_DICOM &&
                                  f->code != GCSPLAN_FINDING_NON_DICOM_NAME &&
                                  f->code != GCSPLAN_FINDING_OTHER_EXTENSION)) {
            puts_(&t, "  kinds:");
            for (size_t k = 0; k < f->kind_count; k++)
                putf(&t, "%s %s %llu", k ? "," : "", f->kinds[k].kind,
                     (unsigned long long)f->kinds[k].count);
            puts_(&t, "\n");
        }
        for (size_t e = 0; e < f->example_count; e++) {
            const gcsplan_finding_example *x = &f->examples[e];
            puts_(&t, "    '");
            put_shown(&t, x->name, x->name_len);
            puts_(&t, "'");
            if (x->head != NULL) {
                putf(&t, "  %s: %zu bytes read", x->detail, x->head_len);
                if (x->head_len > 0) {
                    puts_(&t, ", starting \"");
                    put_head_text(&t, x->head, x->head_len < HEAD_SHOWN ? x->head_len : HEAD_SHOWN);
                    puts_(&t, x->head_len > HEAD_SHOWN ? "\"..." : "\"");
                }
                if (x->head_len > 128) {
                    puts_(&t, ", bytes 128-131:");
                    for (size_t b = 128; b < x->head_len; b++)
                        putf(&t, " %02x", x->head[b]);
                }
            } else if (x->detail != NULL && x->detail[0] != '\0') {
                putf(&t, "  (%s)", x->detail);
            }
            puts_(&t, "\n");
        }
        if (f->count > f->example_count && f->example_count > 0)
            putf(&t, "    ... and %llu more\n", (unsigned long long)(f->count - f->example_count));
        if (f->hint != NULL && f->hint[0] != '\0') {
            putf(&t, "  %shint:%s ", colour ? "\033[1;32m" : "", off);
            put_shown(&t, f->hint, strlen(f->hint));
            puts_(&t, "\n");
        }
    }
    if (n > 0) {
        gcsplan_preflight_totals tot;
        gcsplan_preflight_totals_get(pf, &tot);
        putf(&t, "preflight: %llu error%s, %llu warning%s, %llu info; %llu object%s matched",
             (unsigned long long)per[2], per[2] == 1 ? "" : "s", (unsigned long long)per[1],
             per[1] == 1 ? "" : "s", (unsigned long long)per[0], (unsigned long long)tot.objects,
             tot.objects == 1 ? "" : "s");
        if (tot.examined > 0)
            putf(&t, ", %llu nearby examined", (unsigned long long)tot.examined);
        if (tot.probed > 0)
            putf(&t, ", %llu probed", (unsigned long long)tot.probed);
        puts_(&t, "\n");
    }
    return done(&t);
}

/* --- JSON ----------------------------------------------------------------------------- */

static void jstr(text *t, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    put(t, "\"", 1);
    for (size_t i = 0; i < n;) {
        unsigned char c = u[i];
        if (c == '"' || c == '\\') {
            put(t, "\\", 1);
            put(t, s + i, 1);
            i++;
        } else if (c < 0x20) {
            putf(t, "\\u%04x", c);
            i++;
        } else if (c < 0x80) {
            put(t, s + i, 1);
            i++;
        } else {
            size_t k = gcsplan__utf8_seq(u + i, n - i);
            if (k == 0) {
                put(t, "\xEF\xBF\xBD", 3); /* JSON carries only UTF-8: U+FFFD */
                i++;
            } else {
                put(t, s + i, k);
                i += k;
            }
        }
    }
    put(t, "\"", 1);
}

static void jcstr(text *t, const char *s) { jstr(t, s, strlen(s)); }

static void jkey(text *t, const char *k, int first)
{
    if (!first)
        put(t, ",", 1);
    jcstr(t, k);
    put(t, ":", 1);
}

static void jhex(text *t, const unsigned char *h, size_t n)
{
    put(t, "\"", 1);
    for (size_t i = 0; i < n; i++)
        putf(t, "%02x", h[i]);
    put(t, "\"", 1);
}

size_t gcsplan_preflight_render_json(const gcsplan_preflight *pf, char *buf, size_t cap)
{
    text t = { buf, cap ? cap - 1 : 0, 0, cap > 0 };
    gcsplan_preflight_totals tot;
    gcsplan_preflight_totals_get(pf, &tot);
    size_t n = gcsplan_preflight_count(pf);
    uint64_t per[3] = { 0, 0, 0 };
    for (size_t i = 0; i < n; i++)
        per[gcsplan_preflight_finding(pf, i)->severity]++;
    put(&t, "{", 1);
    jkey(&t, "uri", 1);
    jcstr(&t, tot.uri);
    jkey(&t, "objects", 0);
    putf(&t, "%llu", (unsigned long long)tot.objects);
    jkey(&t, "bytes", 0);
    putf(&t, "%llu", (unsigned long long)tot.bytes);
    jkey(&t, "examined", 0);
    putf(&t, "%llu", (unsigned long long)tot.examined);
    jkey(&t, "examined_prefix", 0);
    if (tot.examined_prefix != NULL)
        jcstr(&t, tot.examined_prefix);
    else
        puts_(&t, "null");
    jkey(&t, "examined_capped", 0);
    puts_(&t, tot.examined_capped ? "true" : "false");
    jkey(&t, "probed", 0);
    putf(&t, "%llu", (unsigned long long)tot.probed);
    jkey(&t, "summary", 0);
    putf(&t, "{\"error\":%llu,\"warning\":%llu,\"info\":%llu}", (unsigned long long)per[2],
         (unsigned long long)per[1], (unsigned long long)per[0]);
    jkey(&t, "findings", 0);
    put(&t, "[", 1);
    for (size_t i = 0; i < n; i++) {
        const gcsplan_finding *f = gcsplan_preflight_finding(pf, i);
        if (i)
            put(&t, ",", 1);
        put(&t, "{", 1);
        jkey(&t, "code", 1);
        jcstr(&t, gcsplan_finding_code_name(f->code));
        jkey(&t, "severity", 0);
        jcstr(&t, gcsplan_severity_name(f->severity));
        jkey(&t, "count", 0);
        putf(&t, "%llu", (unsigned long long)f->count);
        jkey(&t, "bytes", 0);
        putf(&t, "%llu", (unsigned long long)f->bytes);
        jkey(&t, "message", 0);
        jcstr(&t, f->message);
        jkey(&t, "hint", 0);
        if (f->hint != NULL && f->hint[0] != '\0')
            jcstr(&t, f->hint);
        else
            puts_(&t, "null");
        jkey(&t, "kinds", 0);
        put(&t, "[", 1);
        for (size_t k = 0; k < f->kind_count; k++) {
            if (k)
                put(&t, ",", 1);
            put(&t, "{", 1);
            jkey(&t, "kind", 1);
            jcstr(&t, f->kinds[k].kind);
            jkey(&t, "count", 0);
            putf(&t, "%llu}", (unsigned long long)f->kinds[k].count);
        }
        put(&t, "]", 1);
        jkey(&t, "examples", 0);
        put(&t, "[", 1);
        for (size_t e = 0; e < f->example_count; e++) {
            const gcsplan_finding_example *x = &f->examples[e];
            if (e)
                put(&t, ",", 1);
            put(&t, "{", 1);
            jkey(&t, "name", 1);
            jstr(&t, x->name, x->name_len);
            jkey(&t, "size", 0);
            putf(&t, "%llu", (unsigned long long)x->size);
            if (x->detail != NULL && x->detail[0] != '\0') {
                jkey(&t, "detail", 0);
                jcstr(&t, x->detail);
            }
            if (x->head != NULL) {
                jkey(&t, "bytes_read", 0);
                putf(&t, "%zu", x->head_len);
                jkey(&t, "head_hex", 0);
                jhex(&t, x->head, x->head_len);
            }
            put(&t, "}", 1);
        }
        put(&t, "]}", 2);
    }
    put(&t, "]}", 2);
    return done(&t);
}
