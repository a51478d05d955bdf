/* The raw HTTP test server. */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fake_http.h"

#define REQUEST_MAX (64 * 1024)

static void write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t k = write(fd, c, n);
        if (k <= 0)
            return;
        c += k;
        n -= (size_t)k;
    }
}

static void nap(unsigned ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* Read one request (headers and a Content-Length body) into req. */
static size_t read_request(int c, char *req, size_t cap)
{
    size_t n = 0;
    long want = -1;
    while (n < cap - 1) {
        ssize_t k = read(c, req + n, cap - 1 - n);
        if (k <= 0)
            break;
        n += (size_t)k;
        req[n] = '\0';
        char *end = strstr(req, "\r\n\r\n");
        if (end != NULL && want < 0) {
            char *cl = strstr(req, "Content-Length: ");
            want = (long)(end + 4 - req) + (cl ? strtol(cl + 16, NULL, 10) : 0);
        }
        if (want >= 0 && (long)n >= want)
            break;
    }
    req[n] = '\0';
    return n;
}

static void serve(int ls, const fake_reply *r, size_t n, int repeat, const char *capture)
{
    alarm(120); /* never outlive a failed test */
    signal(SIGPIPE, SIG_IGN);
    static char req[REQUEST_MAX];
    for (size_t i = 0;; i++) {
        if (i >= n && !repeat)
            break;
        const fake_reply *rep = &r[i < n ? i : n - 1];
        int c = accept(ls, NULL, NULL);
        if (c < 0)
            _exit(1);
        size_t len = read_request(c, req, sizeof req);
        FILE *f = fopen(capture, "ab");
        if (f != NULL) {
            fwrite(req, 1, len, f);
            fputs("\n=====\n", f);
            fclose(f);
        }
        if (rep->hangup) {
            close(c);
            continue;
        }
        if (rep->silent) {
            char sink[4096];
            while (read(c, sink, sizeof sink) > 0) {
            }
            close(c);
            continue;
        }
        write_all(c, rep->head, strlen(rep->head));
        write_all(c, "\r\n\r\n", 4);
        const char *b = rep->body;
        if (rep->drip_ms == 0) {
            write_all(c, b, rep->body_len);
        } else {
            for (size_t k = 0; k < rep->body_len; k++) {
                if (write(c, b + k, 1) != 1)
                    break;
                nap(rep->drip_ms);
            }
        }
        close(c);
    }
    _exit(0);
}

void fake_http_start(fake_http *f, const fake_reply *replies, size_t n, int repeat)
{
    memset(f, 0, sizeof *f);
    int ls = socket(AF_INET, SOCK_STREAM, 0);
    if (ls < 0)
        abort();
    int one = 1;
    setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t slen = sizeof sa;
    if (bind(ls, (struct sockaddr *)&sa, sizeof sa) != 0 || listen(ls, 64) != 0 ||
        getsockname(ls, (struct sockaddr *)&sa, &slen) != 0)
        abort();
    f->port = ntohs(sa.sin_port);
    snprintf(f->url, sizeof f->url, "http://127.0.0.1:%d", f->port);
    snprintf(f->capture, sizeof f->capture, "/tmp/gcsplan-fake-http-XXXXXX");
    int fd = mkstemp(f->capture);
    if (fd < 0)
        abort();
    close(fd);
    f->pid = fork();
    if (f->pid < 0)
        abort();
    if (f->pid == 0)
        serve(ls, replies, n, repeat, f->capture);
    close(ls);
}

static char got[4 * REQUEST_MAX];

const char *fake_http_stop(fake_http *f)
{
    if (f->pid > 0) {
        kill(f->pid, SIGTERM);
        waitpid(f->pid, NULL, 0);
        f->pid = 0;
    }
    FILE *fp = fopen(f->capture, "rb");
    size_t n = fp ? fread(got, 1, sizeof got - 1, fp) : 0;
    if (fp)
        fclose(fp);
    got[n] = '\0';
    unlink(f->capture);
    return got;
}

int fake_http_requests(const fake_http *f)
{
    FILE *fp = fopen(f->capture, "rb");
    if (fp == NULL)
        return 0;
    int n = 0, c, state = 0;
    static const char sep[] = "\n=====\n";
    while ((c = fgetc(fp)) != EOF) {
        state = c == sep[state] ? state + 1 : c == sep[0] ? 1 : 0;
        if (sep[state] == '\0') {
            n++;
            state = 0;
        }
    }
    fclose(fp);
    return n;
}
