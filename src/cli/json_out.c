/* JSON Lines output on top of yajl's generator. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

yajl_gen json_open(FILE *f)
{
    (void)f;
    yajl_gen g = yajl_gen_alloc(NULL);
    if (g == NULL) {
        fputs("gcsplan: out of memory\n", stderr);
        exit(EXIT_SOURCE);
    }
    return g;
}

/* Length of the well-formed UTF-8 sequence at s, or 0. */
static size_t seq_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t k = c < 0x80 ? 1 : c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
    if (k == 0 || k > n)
        return 0;
    for (size_t i = 1; i < k; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] >= 0xA0) ||
        (c == 0xF0 && s[1] < 0x90) || (c == 0xF4 && s[1] >= 0x90))
        return 0;
    return k;
}

void json_str(yajl_gen g, const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i < len && seq_len(u + i, len - i) > 0)
        i += seq_len(u + i, len - i);
    if (i == len) {
        yajl_gen_string(g, u, len);
        return;
    }
    /* Rare: rebuild with U+FFFD for each byte that is not well-formed. */
    unsigned char *fixed = malloc(len * 3 + 1);
    if (fixed == NULL) {
        fputs("gcsplan: out of memory\n", stderr);
        exit(EXIT_SOURCE);
    }
    size_t o = 0;
    for (i = 0; i < len;) {
        size_t k = seq_len(u + i, len - i);
        if (k == 0) {
            memcpy(fixed + o, "\xEF\xBF\xBD", 3);
            o += 3;
            i++;
        } else {
            memcpy(fixed + o, u + i, k);
            o += k;
            i += k;
        }
    }
    yajl_gen_string(g, fixed, o);
    free(fixed);
}

void json_cstr(yajl_gen g, const char *s) { json_str(g, s, strlen(s)); }
void json_key(yajl_gen g, const char *key) { json_cstr(g, key); }
void json_int(yajl_gen g, long long v) { yajl_gen_integer(g, v); }

void json_line(yajl_gen g, FILE *f)
{
    const unsigned char *buf;
    size_t len;
    yajl_gen_get_buf(g, &buf, &len);
    fwrite(buf, 1, len, f);
    fputc('\n', f);
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
    json_int(g, (long long)offset);
    json_key(g, "length");
    json_int(g, (long long)length);
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
