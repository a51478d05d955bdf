/* Exclusion filters on PCRE2, compiled once (JIT when available). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <string.h>

#include "gcsplan/filter.h"
#include "internal.h"

/* A filter holds at most this many expressions: each costs a match per name. */
#define FILTER_MAX 64

struct gcsplan_filter {
    gcsplan_allocator alloc;
    pcre2_general_context *gctx;
    pcre2_code *code[FILTER_MAX];
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
        if (code == PCRE2_ERROR_NOMEMORY)
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
    f->code[f->n++] = re;
    return 0;
}

size_t gcsplan_filter_count(const gcsplan_filter *f)
{
    return f ? f->n : 0;
}

int gcsplan_filter_match(gcsplan_filter *f, const char *name, size_t len)
{
    if (f == NULL)
        return 0;
    for (size_t i = 0; i < f->n; i++)
        if (pcre2_match(f->code[i], (PCRE2_SPTR)name, len, 0, 0, f->md, NULL) >= 0)
            return 1;
    return 0;
}

void gcsplan_filter_free(gcsplan_filter *f)
{
    if (f == NULL)
        return;
    for (size_t i = 0; i < f->n; i++)
        pcre2_code_free(f->code[i]);
    pcre2_match_data_free(f->md);
    pcre2_general_context_free(f->gctx);
    gcsplan__free(&f->alloc, f);
}
