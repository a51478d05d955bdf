/* The libFuzzer entry point and the failure report both fuzz targets share.
 *
 * Each target defines LLVMFuzzerTestOneInput. Built with -fsanitize=fuzzer it
 * is driven by libFuzzer; built without, replay_main.c feeds it every file of
 * a corpus, so the corpora run as plain tests with any compiler. */
#ifndef GCSPLAN_FUZZ_TARGET_H
#define GCSPLAN_FUZZ_TARGET_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Print "label: bytes" to stderr with every byte that is not printable
 * ASCII, and backslash and double quote, as an escape, so that a report
 * shows exactly what went in. */
void fz_print_bytes(const char *label, const void *data, size_t len);

/* Print a one-line reason and abort(): libFuzzer saves the input as a crash
 * and the replay driver stops with a non-zero status. */
#if defined(__GNUC__)
__attribute__((noreturn, format(printf, 1, 2)))
#endif
void fz_fail(const char *fmt, ...);

#endif
