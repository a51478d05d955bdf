/* JSON Lines output on top of yajl's generator. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json_out.h"
#include "out.h"
#include "util/buf.h"
#include "util/escape.h"

yajl_gen json_open(void)
{
    yajl_gen g = yajl_gen_alloc(NULL);
    if (g == NULL) {
        fputs("gcsplan: out of memory\n", stderr);
        exit(EXIT_SOURCE);
    }
    return g;
}

void json_str(yajl_gen g, const char *s, size_t len)
{
    if (gcsplan__utf8_valid(s, len)) {
        yajl_gen_string(g, (const unsigned char *)s, len);
        return;
    }
    /* Rare: each byte that is not well-formed becomes U+FFFD. */
    gcsplan__buf fixed;
    gcsplan__buf_dynamic(&fixed, NULL, len * 3 + 1);
    gcsplan__utf8_repair(&fixed, s, len);
    if (gcsplan__buf_error(&fixed) != 0) {
        fputs("gcsplan: out of memory\n", stderr);
        exit(EXIT_SOURCE);
    }
    yajl_gen_string(g, (const unsigned char *)fixed.p, fixed.len);
    gcsplan__buf_free(&fixed);
}

void json_cstr(yajl_gen g, const char *s) { json_str(g, s, strlen(s)); }
void json_key(yajl_gen g, const char *key) { json_cstr(g, key); }
void json_int(yajl_gen g, long long v) { yajl_gen_integer(g, v); }

void json_u64(yajl_gen g, uint64_t v)
{
    /* yajl_gen_integer takes a long long: 2^63 and up would come out
     * negative. The decimal text goes in as a number instead. */
    char d[24];
    int n = snprintf(d, sizeof d, "%llu", (unsigned long long)v);
    yajl_gen_number(g, d, (size_t)n);
}

void json_raw(yajl_gen g, const char *json, size_t len)
{
    /* yajl_gen_number writes its text as it is, with the separators and
     * the state of a value: the one way to put a finished document in. */
    yajl_gen_number(g, json, len);
}

void json_line(yajl_gen g)
{
    const unsigned char *buf;
    size_t len;
    yajl_gen_get_buf(g, &buf, &len);
    out_json((const char *)buf, len);
    out_puts("\n");
    yajl_gen_clear(g);
    yajl_gen_reset(g, NULL);
}

static void json_diag(yajl_gen g, int rule, const char *message, size_t offset, size_t length,
                      const char *hint)
{
    yajl_gen_map_open(g);
    json_key(g, "code");
    json_cstr(g, gcsplan_rule_name(rule));
    json_key(g, "message");
    json_cstr(g, message);
    json_key(g, "offset");
    json_u64(g, offset);
    json_key(g, "length");
    json_u64(g, length);
    if (hint != NULL && hint[0] != '\0') {
        json_key(g, "hint");
        json_cstr(g, hint);
    }
    yajl_gen_map_close(g);
}

void json_warnings(yajl_gen g, const gcsplan_pattern *p)
{
    json_key(g, "warnings");
    yajl_gen_array_open(g);
    for (size_t i = 0; p != NULL && i < gcsplan_pattern_warning_count(p); i++) {
        const gcsplan_warning *w = gcsplan_pattern_warning(p, i);
        json_diag(g, w->rule, w->message, w->offset, w->length, w->hint);
    }
    yajl_gen_array_close(g);
}

void json_error(yajl_gen g, const gcsplan_error *err)
{
    json_key(g, "error");
    json_diag(g, err->rule, err->message, err->offset, err->length, err->hint);
}
