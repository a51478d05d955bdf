/* Allocation through a handle's allocator hooks. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void *std_malloc(size_t size, void *ctx) { (void)ctx; return malloc(size); }
static void *std_realloc(void *ptr, size_t size, void *ctx) { (void)ctx; return realloc(ptr, size); }
static void std_free(void *ptr, void *ctx) { (void)ctx; free(ptr); }

const gcsplan_allocator gcsplan__default_allocator = { std_malloc, std_realloc, std_free, NULL };

const gcsplan_allocator *gcsplan__allocator_or_default(const gcsplan_allocator *a)
{
    if (a == NULL || a->malloc_fn == NULL || a->realloc_fn == NULL || a->free_fn == NULL)
        return &gcsplan__default_allocator;
    return a;
}

void *gcsplan__malloc(const gcsplan_allocator *a, size_t size)
{
    return a->malloc_fn(size ? size : 1, a->ctx);
}

void *gcsplan__realloc(const gcsplan_allocator *a, void *ptr, size_t size)
{
    return a->realloc_fn(ptr, size ? size : 1, a->ctx);
}

void gcsplan__free(const gcsplan_allocator *a, void *ptr)
{
    if (ptr != NULL)
        a->free_fn(ptr, a->ctx);
}

char *gcsplan__strndup(const gcsplan_allocator *a, const char *s, size_t len)
{
    char *d = gcsplan__malloc(a, len + 1);
    if (d != NULL) {
        memcpy(d, s, len);
        d[len] = '\0';
    }
    return d;
}
