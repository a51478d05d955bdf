/* Shared helpers of the unit tests: test data paths, temporary files, and
 * the Cloud Storage test server as a child process. */
#ifndef GCSPLAN_TEST_SUPPORT_H
#define GCSPLAN_TEST_SUPPORT_H

#include <stddef.h>
#include <sys/types.h>

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

#endif
