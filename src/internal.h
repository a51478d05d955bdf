/* Library-internal helpers shared by the modules: allocation through a
 * handle's allocator and filling a caller's gcsplan_error. */
#ifndef GCSPLAN_INTERNAL_H
#define GCSPLAN_INTERNAL_H

#include <stddef.h>
#include "gcsplan/error.h"

#if defined(__GNUC__)
#  define GCSPLAN_PRINTF(f, a) __attribute__((format(printf, f, a)))
#  define GCSPLAN_LIKELY(x) __builtin_expect(!!(x), 1)
#  define GCSPLAN_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#  define GCSPLAN_PRINTF(f, a)
#  define GCSPLAN_LIKELY(x) (x)
#  define GCSPLAN_UNLIKELY(x) (x)
#endif

/* The allocator a handle was made with; a zeroed one means the C library's. */
extern const gcsplan_allocator gcsplan__default_allocator;
const gcsplan_allocator *gcsplan__allocator_or_default(const gcsplan_allocator *a);
void *gcsplan__malloc(const gcsplan_allocator *a, size_t size);
void *gcsplan__realloc(const gcsplan_allocator *a, void *ptr, size_t size);
void gcsplan__free(const gcsplan_allocator *a, void *ptr);
char *gcsplan__strndup(const gcsplan_allocator *a, const char *s, size_t len);

/* Fill err (which may be NULL) and return code. */
int gcsplan__error_set(gcsplan_error *err, int code, const char *fmt, ...) GCSPLAN_PRINTF(3, 4);

#endif
