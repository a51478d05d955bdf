/* Shared helpers of the unit tests: test data paths, temporary files, the
 * Cloud Storage test server as a child process, and a counting allocator
 * that fails on demand. */
#ifndef GCSPLAN_TEST_SUPPORT_H
#define GCSPLAN_TEST_SUPPORT_H

#include <stddef.h>
#include <sys/types.h>

#include "gcsplan/error.h"

/* Path of a file under tests/data ($GCSPLAN_TEST_DATA). Static buffer. */
const char *test_data_path(const char *relative);

/* Write len bytes to a new temporary file; returns its path (static buffer,
 * overwritten by the next call); the file is removed at exit. */
const char *test_temp_file(const void *data, size_t len);

/* A running gcs-test-server. */
typedef struct test_server {
    pid_t pid;
    int port;
    int out_fd;          /* its stdout, for the STATS line at exit */
    char endpoint[64];   /* "http://127.0.0.1:PORT" */
} test_server;

/* Start $GCSPLAN_TEST_SERVER with args (NULL-terminated) and wait for its
 * PORT line. Returns 0, or -1 when there is no server binary (callers skip). */
int test_server_start(test_server *s, const char *const *args);

/* Stop the server; returns its STATS JSON (malloc'd, caller frees) or NULL. */
char *test_server_stop(test_server *s);

/* The integer after "\"key\":" in a stats JSON, or -1. */
long long test_stats_value(const char *json, const char *key);

/* ---- allocation failure ------------------------------------------------------------ */

/* An allocator that counts its calls and fails one of them (curl's torture
 * tests, libcbor): allocation-failure sweeps use it through test_alloc_sweep,
 * and tests that look at how much is allocated through its counters. */
typedef struct test_alloc {
    gcsplan_allocator hooks; /* the allocator to hand out; its ctx is this struct */
    long fail_at;            /* the malloc or realloc call (0: the first) that fails; -1: none */
    long calls;              /* malloc and realloc calls so far */
    long failed;             /* calls that returned NULL */
    long live;               /* blocks allocated and not yet freed */
} test_alloc;

void test_alloc_init(test_alloc *t, long fail_at);

/* One run of a sweep: call the entry points under test with allocator a,
 * check what they made (a run that returns 0 must have given the right
 * results, even if an allocation failed and was worked around), free it all,
 * and return 0 or the first error code, with err filled. */
typedef int (*test_sweep_fn)(const gcsplan_allocator *a, void *ctx, gcsplan_error *err);

/* Fail the Nth allocation for every N. A first run with no failure must
 * return 0; it counts the calls. Then, for every N below that count, a run
 * whose Nth call fails must return GCSPLAN_ENOMEM, or 0 when its own checks
 * passed (a failure worked around, or a run that did not reach call N), with
 * err->code equal to what it returned; and every run must leave no block
 * alive. A failure fails the cmocka test, naming what and N. Returns the
 * calls of the clean run. */
long test_alloc_sweep(const char *what, test_sweep_fn fn, void *ctx);

#endif
