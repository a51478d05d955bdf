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

void fz_fail(const char *fmt, ...)
{
    va_list ap;
    fputs("gcsplan fuzz FAILURE: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    fflush(stderr);
    abort();
}
