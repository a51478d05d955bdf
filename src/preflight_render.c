/* Pre-flight findings as text for people and as one JSON document. Both go
 * through the public accessors only, into a caller's buffer, snprintf-like. */
#include <stdio.h>
#include <string.h>

#include "gcsplan/plandoc.h"
#include "gcsplan/preflight.h"
#include "internal.h"
#include "util/buf.h"
#include "util/escape.h"

/* Bytes of an example's head shown as text in the human output. */
#define HEAD_SHOWN 16

static void put_head_text(gcsplan__buf *t, const unsigned char *h, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (h[i] >= 0x20 && h[i] < 0x7F && h[i] != '"' && h[i] != '\\')
            gcsplan__buf_put(t, (const char *)h + i, 1);
        else
            gcsplan__buf_printf(t, "\\x%02X", h[i]);
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
    gcsplan__buf t;
    gcsplan__buf_fixed(&t, buf, cap);
    int colour = (flags & GCSPLAN_RENDER_COLOR) != 0;
    const char *off = colour ? "\033[0m" : "";
    size_t n = gcsplan_preflight_count(pf);
    uint64_t per[3] = { 0, 0, 0 };
    for (size_t i = 0; i < n; i++) {
        const gcsplan_finding *f = gcsplan_preflight_finding(pf, i);
        per[f->severity]++;
        gcsplan__buf_printf(&t, "%s%s[%s]%s: ", colour ? sev_colour(f->severity) : "",
             gcsplan_severity_name(f->severity), gcsplan_finding_code_name(f->code), off);
        /* Messages quote the URI and prefixes, kinds and details come from
         * names and servers: all of it is shown safely. */
        gcsplan__term_str(&t, f->message, strlen(f->message));
        gcsplan__buf_puts(&t, "\n");
        if (f->kind_count > 1 || (f->kind_count == 1 && f->code != GCSPLAN_FINDING_NOT_DICOM &&
                                  f->code != GCSPLAN_FINDING_NON_DICOM_NAME &&
                                  f->code != GCSPLAN_FINDING_OTHER_EXTENSION)) {
            gcsplan__buf_puts(&t, "  kinds:");
            for (size_t k = 0; k < f->kind_count; k++) {
                gcsplan__buf_puts(&t, k ? ", " : " ");
                gcsplan__term_str(&t, f->kinds[k].kind, strlen(f->kinds[k].kind));
                gcsplan__buf_printf(&t, " %llu", (unsigned long long)f->kinds[k].count);
            }
            gcsplan__buf_puts(&t, "\n");
        }
        for (size_t e = 0; e < f->example_count; e++) {
            const gcsplan_finding_example *x = &f->examples[e];
            gcsplan__buf_puts(&t, "    '");
            gcsplan__term_str(&t, x->name, x->name_len);
            gcsplan__buf_puts(&t, "'");
            if (x->head != NULL) {
                gcsplan__buf_puts(&t, "  ");
                gcsplan__term_str(&t, x->detail, strlen(x->detail));
                gcsplan__buf_printf(&t, ": %zu bytes read", x->head_len);
                if (x->head_len > 0) {
                    gcsplan__buf_puts(&t, ", starting \"");
                    put_head_text(&t, x->head, x->head_len < HEAD_SHOWN ? x->head_len : HEAD_SHOWN);
                    gcsplan__buf_puts(&t, x->head_len > HEAD_SHOWN ? "\"..." : "\"");
                }
                if (x->head_len > 128 && f->code == GCSPLAN_FINDING_NOT_DICOM) {
                    gcsplan__buf_puts(&t, ", bytes 128-131:");
                    for (size_t b = 128; b < x->head_len; b++)
                        gcsplan__buf_printf(&t, " %02x", x->head[b]);
                }
            } else if (x->detail != NULL && x->detail[0] != '\0') {
                gcsplan__buf_puts(&t, "  (");
                gcsplan__term_str(&t, x->detail, strlen(x->detail));
                gcsplan__buf_puts(&t, ")");
            }
            gcsplan__buf_puts(&t, "\n");
        }
        if (f->count > f->example_count && f->example_count > 0)
            gcsplan__buf_printf(&t, "    ... and %llu more\n", (unsigned long long)(f->count - f->example_count));
        if (f->hint != NULL && f->hint[0] != '\0') {
            gcsplan__buf_printf(&t, "  %shint:%s ", colour ? "\033[1;32m" : "", off);
            gcsplan__term_str(&t, f->hint, strlen(f->hint));
            gcsplan__buf_puts(&t, "\n");
        }
    }
    if (n > 0) {
        gcsplan_preflight_totals tot;
        gcsplan_preflight_totals_get(pf, &tot);
        gcsplan__buf_printf(&t, "preflight: %llu error%s, %llu warning%s, %llu info; %llu object%s matched",
             (unsigned long long)per[2], per[2] == 1 ? "" : "s", (unsigned long long)per[1],
             per[1] == 1 ? "" : "s", (unsigned long long)per[0], (unsigned long long)tot.objects,
             tot.objects == 1 ? "" : "s");
        if (tot.examined > 0)
            gcsplan__buf_printf(&t, ", %llu nearby examined", (unsigned long long)tot.examined);
        if (tot.probed > 0)
            gcsplan__buf_printf(&t, ", %llu probed", (unsigned long long)tot.probed);
        gcsplan_preflight_store_result st = GCSPLAN_PREFLIGHT_STORE_RESULT_INIT;
        if (gcsplan_preflight_store_get(pf, &st) == 0 && st.access == GCSPLAN_ACCESS_GRANTED)
            gcsplan__buf_puts(&t, "; the service agent may read the bucket");
        gcsplan__buf_puts(&t, "\n");
    }
    return gcsplan__buf_total(&t);
}

/* --- JSON ----------------------------------------------------------------------------- */

static void jcstr(gcsplan__buf *t, const char *s) { gcsplan__json_str(t, s, strlen(s)); }

static void jkey(gcsplan__buf *t, const char *k, int first)
{
    if (!first)
        gcsplan__buf_put(t, ",", 1);
    jcstr(t, k);
    gcsplan__buf_put(t, ":", 1);
}

static void jhex(gcsplan__buf *t, const unsigned char *h, size_t n)
{
    gcsplan__buf_put(t, "\"", 1);
    for (size_t i = 0; i < n; i++)
        gcsplan__buf_printf(t, "%02x", h[i]);
    gcsplan__buf_put(t, "\"", 1);
}

static void jstr_or_null(gcsplan__buf *t, const char *s)
{
    if (s != NULL && s[0] != '\0')
        jcstr(t, s);
    else
        gcsplan__buf_puts(t, "null");
}

/* "store": the store checks, present only when a store was given. */
static void put_store(gcsplan__buf *t, const gcsplan_preflight_store_result *st)
{
    jkey(t, "store", 0);
    gcsplan__buf_put(t, "{", 1);
    jkey(t, "name", 1);
    jcstr(t, st->store);
    jkey(t, "kind", 0);
    jcstr(t, st->kind == GCSPLAN_STORE_FHIR ? "fhir" : "dicom");
    jkey(t, "content_structure", 0);
    jstr_or_null(t, st->content_structure);
    jkey(t, "sampled", 0);
    gcsplan__buf_printf(t, "%llu", (unsigned long long)st->sampled);
    jkey(t, "undecided", 0);
    gcsplan__buf_printf(t, "%llu", (unsigned long long)st->undecided);
    jkey(t, "access", 0);
    if (st->access == GCSPLAN_ACCESS_NOT_CHECKED) {
        gcsplan__buf_puts(t, "null");
    } else {
        gcsplan__buf_put(t, "{", 1);
        jkey(t, "verdict", 1);
        jcstr(t, gcsplan_access_verdict_name(st->access));
        jkey(t, "member", 0);
        jstr_or_null(t, st->member);
        jkey(t, "project_number", 0);
        if (st->project_number != 0)
            gcsplan__buf_printf(t, "%llu", (unsigned long long)st->project_number);
        else
            gcsplan__buf_puts(t, "null");
        jkey(t, "granted_by", 0);
        jstr_or_null(t, st->granted_by);
        jkey(t, "detail", 0);
        jstr_or_null(t, st->detail);
        gcsplan__buf_put(t, "}", 1);
    }
    gcsplan__buf_put(t, "}", 1);
}

size_t gcsplan_preflight_render_json(const gcsplan_preflight *pf, char *buf, size_t cap)
{
    gcsplan__buf t;
    gcsplan__buf_fixed(&t, buf, cap);
    gcsplan_preflight_totals tot;
    gcsplan_preflight_totals_get(pf, &tot);
    size_t n = gcsplan_preflight_count(pf);
    uint64_t per[3] = { 0, 0, 0 };
    for (size_t i = 0; i < n; i++)
        per[gcsplan_preflight_finding(pf, i)->severity]++;
    gcsplan__buf_put(&t, "{", 1);
    jkey(&t, "uri", 1);
    jcstr(&t, tot.uri);
    jkey(&t, "objects", 0);
    gcsplan__buf_printf(&t, "%llu", (unsigned long long)tot.objects);
    jkey(&t, "bytes", 0);
    gcsplan__buf_printf(&t, "%llu", (unsigned long long)tot.bytes);
    jkey(&t, "examined", 0);
    gcsplan__buf_printf(&t, "%llu", (unsigned long long)tot.examined);
    jkey(&t, "examined_prefix", 0);
    if (tot.examined_prefix != NULL)
        jcstr(&t, tot.examined_prefix);
    else
        gcsplan__buf_puts(&t, "null");
    jkey(&t, "examined_capped", 0);
    gcsplan__buf_puts(&t, tot.examined_capped ? "true" : "false");
    jkey(&t, "probed", 0);
    gcsplan__buf_printf(&t, "%llu", (unsigned long long)tot.probed);
    gcsplan_preflight_store_result st = GCSPLAN_PREFLIGHT_STORE_RESULT_INIT;
    if (gcsplan_preflight_store_get(pf, &st) == 0 && st.store != NULL)
        put_store(&t, &st);
    jkey(&t, "summary", 0);
    gcsplan__buf_printf(&t, "{\"error\":%llu,\"warning\":%llu,\"info\":%llu}", (unsigned long long)per[2],
         (unsigned long long)per[1], (unsigned long long)per[0]);
    jkey(&t, "findings", 0);
    gcsplan__buf_put(&t, "[", 1);
    for (size_t i = 0; i < n; i++) {
        const gcsplan_finding *f = gcsplan_preflight_finding(pf, i);
        if (i)
            gcsplan__buf_put(&t, ",", 1);
        gcsplan__buf_put(&t, "{", 1);
        jkey(&t, "code", 1);
        jcstr(&t, gcsplan_finding_code_name(f->code));
        jkey(&t, "severity", 0);
        jcstr(&t, gcsplan_severity_name(f->severity));
        jkey(&t, "count", 0);
        gcsplan__buf_printf(&t, "%llu", (unsigned long long)f->count);
        jkey(&t, "bytes", 0);
        gcsplan__buf_printf(&t, "%llu", (unsigned long long)f->bytes);
        jkey(&t, "message", 0);
        jcstr(&t, f->message);
        jkey(&t, "hint", 0);
        if (f->hint != NULL && f->hint[0] != '\0')
            jcstr(&t, f->hint);
        else
            gcsplan__buf_puts(&t, "null");
        jkey(&t, "kinds", 0);
        gcsplan__buf_put(&t, "[", 1);
        for (size_t k = 0; k < f->kind_count; k++) {
            if (k)
                gcsplan__buf_put(&t, ",", 1);
            gcsplan__buf_put(&t, "{", 1);
            jkey(&t, "kind", 1);
            jcstr(&t, f->kinds[k].kind);
            jkey(&t, "count", 0);
            gcsplan__buf_printf(&t, "%llu}", (unsigned long long)f->kinds[k].count);
        }
        gcsplan__buf_put(&t, "]", 1);
        jkey(&t, "examples", 0);
        gcsplan__buf_put(&t, "[", 1);
        for (size_t e = 0; e < f->example_count; e++) {
            const gcsplan_finding_example *x = &f->examples[e];
            if (e)
                gcsplan__buf_put(&t, ",", 1);
            gcsplan__buf_put(&t, "{", 1);
            jkey(&t, "name", 1);
            gcsplan__json_str(&t, x->name, x->name_len);
            jkey(&t, "size", 0);
            gcsplan__buf_printf(&t, "%llu", (unsigned long long)x->size);
            if (x->detail != NULL && x->detail[0] != '\0') {
                jkey(&t, "detail", 0);
                jcstr(&t, x->detail);
            }
            if (x->head != NULL) {
                jkey(&t, "bytes_read", 0);
                gcsplan__buf_printf(&t, "%zu", x->head_len);
                jkey(&t, "head_hex", 0);
                jhex(&t, x->head, x->head_len);
            }
            gcsplan__buf_put(&t, "}", 1);
        }
        gcsplan__buf_put(&t, "]}", 2);
    }
    gcsplan__buf_put(&t, "]}", 2);
    return gcsplan__buf_total(&t);
}
