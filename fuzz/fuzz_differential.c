/* Differential fuzz target: gcsplan's compiler and matcher against an
 * independent model of SPEC section 1 (oracle.c, PCRE2).
 *
 * Input format: the bytes before the first '\n' are the object pattern; the
 * URI compiled is "gs://fuzz-bucket/" + pattern. The rest is name material:
 * each '\n'-separated line is tried as a name as it is and behind the
 * pattern's literal prefix, and all of it steers the generated names
 * (namegen.h). An input without '\n' is a pattern alone.
 *
 * Checked, aborting on the first difference:
 *  - gcsplan accepts the pattern exactly when the model finds it valid;
 *  - for a valid pattern, kind, minimum length, literal prefix and object
 *    text agree with the model;
 *  - gcsplan_pattern_match and the PCRE2 translation agree on every name:
 *    the pattern's own text, the raw lines, and instances of the pattern with
 *    wildcards filled in, each also mutated.
 * Names outside the model (see ora_regex_match) are matched but not judged. */
#include <stdlib.h>
#include <string.h>

#include "gcsplan/gcsplan.h"
#include "fuzz_target.h"
#include "namegen.h"
#include "oracle.h"

#define BUCKET_URI "gs://fuzz-bucket/"
#define MAX_LINES 32
#define INSTANCES 48

typedef struct ctx {
    const gcsplan_pattern *p;
    ora_regex *re;
    const unsigned char *pat;
    size_t plen;
    size_t prefix_len; /* the model's literal prefix */
} ctx;

static void compare(const ctx *c, const unsigned char *name, size_t len)
{
    int got = gcsplan_pattern_match(c->p, (const char *)name, len) != 0;
    int want = ora_regex_match(c->re, name, len);
    if (want < 0 || got == want)
        return;
    fz_print_bytes("object pattern", c->pat, c->plen);
    fz_print_bytes("name", name, len);
    fz_fail("gcsplan_pattern_match says %s, the SPEC model says %s", got ? "match" : "no match",
            want ? "match" : "no match");
}

static void check_compile(const unsigned char *pat, size_t plen, const ora_pattern *o, int rc,
                          const gcsplan_pattern *p, const gcsplan_error *err)
{
    if ((rc == 0) != (o->valid != 0)) {
        fz_print_bytes("object pattern", pat, plen);
        if (rc == 0)
            fz_fail("gcsplan accepts a pattern the SPEC model rejects (%s)", o->why);
        fz_fail("gcsplan rejects a pattern the SPEC model accepts: code %d, rule %s, '%s'", rc,
                gcsplan_rule_name(err->rule), err->message);
    }
    if (rc != 0)
        return;
    size_t olen = 0, prefix_len = 0;
    const char *object = gcsplan_pattern_object(p, &olen);
    gcsplan_pattern_prefix(p, &prefix_len);
    int kind = (int)gcsplan_pattern_kind_of(p);
    static const int kinds[4] = { 0, GCSPLAN_PATTERN_LITERAL, GCSPLAN_PATTERN_RECURSIVE,
                                  GCSPLAN_PATTERN_SEGMENTED };
    const char *what = NULL;
    if (olen != plen || memcmp(object, pat, plen) != 0)
        what = "object text";
    else if (kind != kinds[o->kind])
        what = "kind";
    else if (gcsplan_pattern_min_length(p) != o->min_len)
        what = "minimum length";
    else if (prefix_len != o->prefix_len)
        what = "literal prefix length";
    if (what != NULL) {
        fz_print_bytes("object pattern", pat, plen);
        fz_fail("%s differs: gcsplan kind %d min %zu prefix %zu, model kind %d min %zu prefix %zu",
                what, kind, gcsplan_pattern_min_length(p), prefix_len, kinds[o->kind],
                o->min_len, o->prefix_len);
    }
}

static void try_names(const ctx *c, const unsigned char *rest, size_t rlen, ng_rand *r)
{
    unsigned char name[NG_NAME_CAP];

    /* A pattern matches its own text: each wildcard can stand for itself. */
    compare(c, c->pat, c->plen);

    size_t lines = 0;
    for (size_t i = 0; i < rlen && lines < MAX_LINES; lines++) {
        const unsigned char *nl = memchr(rest + i, '\n', rlen - i);
        size_t n = nl ? (size_t)(nl - (rest + i)) : rlen - i;
        compare(c, rest + i, n);
        if (c->prefix_len > 0 && c->prefix_len + n <= NG_NAME_CAP) {
            /* Behind the literal prefix, raw lines reach the wildcard part
             * instead of failing on the first byte. */
            memcpy(name, c->pat, c->prefix_len);
            memcpy(name + c->prefix_len, rest + i, n);
            compare(c, name, c->prefix_len + n);
        }
        i += n + 1;
    }

    for (int i = 0; i < INSTANCES; i++) {
        size_t n = ng_instantiate(r, c->pat, c->plen, name);
        compare(c, name, n);
        n = ng_mutate(r, name, n, c->pat, c->plen);
        compare(c, name, n);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const unsigned char *nl = memchr(data, '\n', size);
    size_t plen = nl ? (size_t)(nl - data) : size;
    const unsigned char *rest = nl ? nl + 1 : data + size;
    size_t rlen = (size_t)(data + size - rest);

    size_t ulen = sizeof BUCKET_URI - 1 + plen;
    char *uri = malloc(ulen + 1);
    if (uri == NULL)
        return 0;
    memcpy(uri, BUCKET_URI, sizeof BUCKET_URI - 1);
    memcpy(uri + sizeof BUCKET_URI - 1, data, plen);
    uri[ulen] = '\0';

    gcsplan_pattern *p = NULL;
    gcsplan_error err;
    int rc = gcsplan_pattern_compile(&p, uri, ulen, NULL, &err);
    ora_pattern o;
    ora_analyze(&o, data, plen);
    check_compile(data, plen, &o, rc, p, &err);

    if (rc == 0) {
        char why[512];
        ora_regex *re = ora_regex_new(data, plen, why, sizeof why);
        if (re == NULL) {
            fz_print_bytes("object pattern", data, plen);
            fz_fail("the SPEC model cannot translate a valid pattern: %s", why);
        }
        ctx c = { p, re, data, plen, o.prefix_len };
        ng_rand r;
        ng_rand_init(&r, data, size, rest, rlen);
        try_names(&c, rest, rlen, &r);
        ora_regex_free(re);
    }
    gcsplan_pattern_free(p);
    free(uri);
    return 0;
}
