/* Exclusion filters on PCRE2, compiled once (JIT when available). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <string.h>

#include "gcsplan/filter.h"
#include "internal.h"

#include "util/buf.h"
#include "util/escape.h"

/* A filter holds at most this many expressions: each costs a match per name. */
#define FILTER_MAX 64
/* Bytes of an expression and of a name quoted in an error. */
#define REGEX_SHOWN 60
#define NAME_SHOWN 80

struct gcsplan_filter {
    gcsplan_allocator alloc;
    pcre2_general_context *gctx;
    pcre2_code *code[FILTER_MAX];
    char *text[FILTER_MAX];   /* each expression as given, for messages */
    size_t len[FILTER_MAX];
    size_t n;
    pcre2_match_data *md; /* scratch shared by all expressions */
};

static void *pc_malloc(PCRE2_SIZE size, void *ctx)
{
    return gcsplan__malloc(ctx, size);
}

static void pc_free(void *ptr, void *ctx)
{
    gcsplan__free(ctx, ptr);
}

int gcsplan_filter_new(gcsplan_filter **out, const gcsplan_allocator *allocator,
                       gcsplan_error *err)
{
    if (out == NULL)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "out is NULL");
    *out = NULL;
    const gcsplan_allocator *a = gcsplan__allocator_or_default(allocator);
    gcsplan_filter *f = gcsplan__malloc(a, sizeof *f);
    if (f == NULL)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    memset(f, 0, sizeof *f);
    f->alloc = *a;
    f->gctx = pcre2_general_context_create(pc_malloc, pc_free, &f->alloc);
    if (f->gctx != NULL)
        f->md = pcre2_match_data_create(1, f->gctx);
    if (f->md == NULL) {
        gcsplan_filter_free(f);
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    }
    *out = f;
    return 0;
}

int gcsplan_filter_add(gcsplan_filter *f, const char *regex, size_t len, gcsplan_error *err)
{
    if (f == NULL || (regex == NULL && len > 0))
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "filter or expression is NULL");
    if (f->n == FILTER_MAX)
        return gcsplan__error_set(err, GCSPLAN_ELIMIT, "at most %d exclusion expressions",
                                  FILTER_MAX);
    pcre2_compile_context *cc = pcre2_compile_context_create(f->gctx);
    if (cc == NULL)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    int code;
    PCRE2_SIZE at;
    /* Whole-name matching, in UTF-8; names that are not UTF-8 (local files)
     * still match where their valid parts allow. */
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)(regex ? regex : ""), len,
                                   PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | PCRE2_ANCHORED |
                                       PCRE2_ENDANCHORED | PCRE2_DOTALL,
                                   &code, &at, cc);
    pcre2_compile_context_free(cc);
    if (re == NULL) {
        /* pcre2_compile says HEAP_FAILED when an allocation fails: that is no
         * fault of the expression, and must not read as a usage error. */
        if (code == PCRE2_ERROR_NOMEMORY || code == PCRE2_ERROR_HEAP_FAILED)
            return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
        PCRE2_UCHAR msg[200];
        pcre2_get_error_message(code, msg, sizeof msg);
        gcsplan__error_set(err, GCSPLAN_EINVAL, "invalid regular expression: %s", (char *)msg);
        if (err != NULL) {
            err->offset = at;
            err->length = at < len ? 1 : 0;
        }
        return GCSPLAN_EINVAL;
    }
    /* The JIT is an optimisation: without it (no JIT on this platform, or no
     * memory for it) pcre2_match interprets the same expression. */
    (void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    f->text[f->n] = gcsplan__strndup(&f->alloc, regex ? regex : "", len);
    if (f->text[f->n] == NULL) {
        pcre2_code_free(re);
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory");
    }
    f->len[f->n] = len;
    f->code[f->n++] = re;
    return 0;
}

size_t gcsplan_filter_count(const gcsplan_filter *f)
{
    return f ? f->n : 0;
}

/* Why expression i could not decide name: its text and the name, escaped. */
static int undecided(gcsplan_filter *f, size_t i, const char *name, size_t len, int pcre_rc,
                     gcsplan_error *err)
{
    int code = pcre_rc == PCRE2_ERROR_NOMEMORY ? GCSPLAN_ENOMEM
               : pcre_rc == PCRE2_ERROR_MATCHLIMIT || pcre_rc == PCRE2_ERROR_DEPTHLIMIT ||
                       pcre_rc == PCRE2_ERROR_HEAPLIMIT || pcre_rc == PCRE2_ERROR_JIT_STACKLIMIT
                   ? GCSPLAN_ELIMIT
                   : GCSPLAN_ERROR;
    if (err == NULL)
        return code;
    PCRE2_UCHAR why[120];
    if (pcre2_get_error_message(pcre_rc, why, sizeof why) < 0)
        snprintf((char *)why, sizeof why, "PCRE2 error %d", pcre_rc);
    char re[4 * REGEX_SHOWN + 8], nm[4 * NAME_SHOWN + 8];
    gcsplan__buf b;
    gcsplan__buf_fixed(&b, re, sizeof re);
    gcsplan__term_cut(&b, f->text[i], f->len[i], REGEX_SHOWN);
    gcsplan__buf_fixed(&b, nm, sizeof nm);
    gcsplan__term_cut(&b, name, len, NAME_SHOWN);
    /* The reason before the name: a long escaped name is what a full
     * message cuts. */
    gcsplan__error_set(err, code, "the exclusion '%s' could not decide (%s) for '%s' (%zu bytes)",
                       re, (char *)why, nm, len);
    return code;
}

int gcsplan_filter_test(gcsplan_filter *f, const char *name, size_t len, gcsplan_error *err)
{
    if (f == NULL)
        return 0;
    for (size_t i = 0; i < f->n; i++) {
        int rc = pcre2_match(f->code[i], (PCRE2_SPTR)name, len, 0, 0, f->md, NULL);
        if (rc >= 0)
            return 1;
        if (rc != PCRE2_ERROR_NOMATCH)
            return undecided(f, i, name, len, rc, err);
    }
    return 0;
}

int gcsplan_filter_match(gcsplan_filter *f, const char *name, size_t len)
{
    return gcsplan_filter_test(f, name, len, NULL);
}

void gcsplan_filter_free(gcsplan_filter *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->n; i++) {
        pcre2_code_free(f->code[i]);
        gcsplan__free(&f->alloc, f->text[i]);
    }
    pcre2_match_data_free(f->md);
    pcre2_general_context_free(f->gctx);
    gcsplan__free(&f->alloc, f);
}
