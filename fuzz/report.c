/* Failure reports for the fuzz targets (see fuzz_target.h). */
#include "fuzz_target.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void fz_print_bytes(const char *label, const void *data, size_t len)
{
    const unsigned char *s = data;
    fprintf(stderr, "  %s (%zu bytes): \"", label, len);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\\' || s[i] == '"')
            fprintf(stderr, "\\%c", s[i]);
        else if (s[i] >= 0x20 && s[i] < 0x7F)
            fputc(s[i], stderr);
        else
            fprintf(stderr, "\\x%02X", s[i]);
    }
    fputs("\"\n", stderr);
}

#if defined(__GNUC__)
__attribute__((noreturn))
#endif
static void vfail(const char *fmt, va_list ap)
{
    fputs("gcsplan fuzz FAILURE: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    fflush(stderr);
    abort();
}

void fz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(fmt, ap);
}

static const char *in_label = "input";
static const void *in_data;
static size_t in_len;

void fz_input(const char *label, const void *data, size_t len)
{
    in_label = label;
    in_data = data;
    in_len = len;
}

void fz_fail_input(const char *fmt, ...)
{
    fz_print_bytes(in_label, in_data, in_len);
    va_list ap;
    va_start(ap, fmt);
    vfail(fmt, ap);
}
