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

/* The input of the run in progress and what to call it, set first thing
 * in LLVMFuzzerTestOneInput: a failed FZ_CHECK prints it. */
void fz_input(const char *label, const void *data, size_t len);

/* Print the input fz_input named, then fail as fz_fail does. */
#if defined(__GNUC__)
__attribute__((noreturn, format(printf, 1, 2)))
#endif
void fz_fail_input(const char *fmt, ...);

/* A property of the run: when it does not hold, the input and a one-line
 * reason (printf arguments) are printed and the run fails. */
#define FZ_CHECK(cond, ...)                                                                   \
    do {                                                                                      \
        if (!(cond))                                                                          \
            fz_fail_input(__VA_ARGS__);                                                       \
    } while (0)

#endif
