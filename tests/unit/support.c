/* Shared helpers of the unit tests. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "test_support.h"

const char *test_data_path(const char *relative)
{
    static char path[4096];
    const char *dir = getenv("GCSPLAN_TEST_DATA");
    snprintf(path, sizeof path, "%s/%s", dir ? dir : "tests/data", relative);
    return path;
}

static char temp_paths[64][64];
static int ntemp;

static void remove_temps(void)
{
    for (int i = 0; i < ntemp; i++)
        unlink(temp_paths[i]);
}

const char *test_temp_file(const void *data, size_t len)
{
    if (ntemp == 64)
        abort();
    char *path = temp_paths[ntemp];
    snprintf(path, 64, "/tmp/gcsplan-test-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0)
        abort();
    if (ntemp++ == 0)
        atexit(remove_temps);
    const char *p = data;
    while (len > 0) {
        ssize_t k = write(fd, p, len);
        if (k <= 0)
            abort();
        p += k;
        len -= (size_t)k;
    }
    close(fd);
    return path;
}

/* Read one line from fd into buf, byte by byte (the pipe holds little). */
static int read_line(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    while (n + 1 < cap) {
        char c;
        ssize_t k = read(fd, &c, 1);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        if (c == '\n')
            break;
        buf[n++] = c;
    }
    buf[n] = '\0';
    return 0;
}

int test_server_start(test_server *s, const char *const *args)
{
    const char *bin = getenv("GCSPLAN_TEST_SERVER");
    memset(s, 0, sizeof *s);
    if (bin == NULL || access(bin, X_OK) != 0)
        return -1;
    int fds[2];
    if (pipe(fds) != 0)
        abort();
    const char *argv[64];
    int n = 0;
    argv[n++] = bin;
    for (; args != NULL && args[n - 1] != NULL && n < 62; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid < 0)
        abort();
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    close(fds[1]);
    s->pid = pid;
    s->out_fd = fds[0];
    char line[128];
    if (read_line(s->out_fd, line, sizeof line) != 0 || sscanf(line, "PORT %d", &s->port) != 1) {
        fprintf(stderr, "test server did not report its port\n");
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        abort();
    }
    snprintf(s->endpoint, sizeof s->endpoint, "http://127.0.0.1:%d", s->port);
    return 0;
}

char *test_server_stop(test_server *s)
{
    if (s->pid <= 0)
        return NULL;
    kill(s->pid, SIGTERM);
    char *stats = NULL;
    char line[65536];
    while (read_line(s->out_fd, line, sizeof line) == 0) {
        if (strncmp(line, "STATS ", 6) == 0) {
            stats = strdup(line + 6);
            break;
        }
    }
    close(s->out_fd);
    waitpid(s->pid, NULL, 0);
    s->pid = 0;
    return stats;
}

long long test_stats_value(const char *json, const char *key)
{
    char pat[128];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *p = json ? strstr(json, pat) : NULL;
    return p ? strtoll(p + strlen(pat), NULL, 10) : -1;
}

/* ---- allocation failure ------------------------------------------------------------ */

static void *ta_malloc(size_t size, void *ctx)
{
    test_alloc *t = ctx;
    if (t->calls++ == t->fail_at) {
        t->failed++;
        return NULL;
    }
    void *p = malloc(size);
    t->live += p != NULL;
    return p;
}

static void *ta_realloc(void *ptr, size_t size, void *ctx)
{
    test_alloc *t = ctx;
    if (t->calls++ == t->fail_at) {
        t->failed++;
        return NULL; /* ptr stays the caller's, and alive */
    }
    void *p = realloc(ptr, size);
    t->live += ptr == NULL && p != NULL;
    return p;
}

static void ta_free(void *ptr, void *ctx)
{
    test_alloc *t = ctx;
    t->live -= ptr != NULL;
    free(ptr);
}

void test_alloc_init(test_alloc *t, long fail_at)
{
    memset(t, 0, sizeof *t);
    t->hooks.malloc_fn = ta_malloc;
    t->hooks.realloc_fn = ta_realloc;
    t->hooks.free_fn = ta_free;
    t->hooks.ctx = t;
    t->fail_at = fail_at;
}

long test_alloc_sweep(const char *what, test_sweep_fn fn, void *ctx)
{
    test_alloc t;
    gcsplan_error err;
    test_alloc_init(&t, -1);
    memset(&err, 0, sizeof err);
    int rc = fn(&t.hooks, ctx, &err);
    if (rc != 0)
        fail_msg("%s: fails without any allocation failing: %d %s", what, rc, err.message);
    if (t.live != 0)
        fail_msg("%s: %ld blocks left alive", what, t.live);
    long clean = t.calls;
    for (long n = 0; n < clean; n++) {
        test_alloc_init(&t, n);
        memset(&err, 0, sizeof err);
        rc = fn(&t.hooks, ctx, &err);
        if (rc != 0 && rc != GCSPLAN_ENOMEM)
            fail_msg("%s: allocation %ld of %ld failing: %d, not GCSPLAN_ENOMEM: %s", what, n,
                     clean, rc, err.message);
        if (rc != 0 && err.code != rc)
            fail_msg("%s: allocation %ld failing: returned %d, error code %d (%s)", what, n, rc,
                     err.code, err.message);
        if (t.live != 0)
            fail_msg("%s: allocation %ld failing: %ld blocks left alive", what, n, t.live);
    }
    return clean;
}
