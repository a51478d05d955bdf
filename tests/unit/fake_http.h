/* A raw HTTP/1.1 server in a child process, for tests that need libcurl to
 * meet what a hostile or broken server does on the wire: redirects,
 * compressed bodies that inflate without end, bodies that trickle, answers
 * that never come. One connection at a time; each gets the next scripted
 * reply (the last one again when repeat is set); every request is
 * appended to a capture file. It binds 127.0.0.1 only. */
#ifndef GCSPLAN_TEST_FAKE_HTTP_H
#define GCSPLAN_TEST_FAKE_HTTP_H

#include <stddef.h>
#include <sys/types.h>

typedef struct fake_reply {
    const char *head;      /* "HTTP/1.1 200 OK\r\nName: value" (no final blank line) */
    const void *body;
    size_t body_len;
    unsigned drip_ms;      /* > 0: the body one byte at a time, this far apart */
    int silent;            /* read the request, answer nothing, wait for the client to leave */
    int hangup;            /* read the request and close the connection without an answer */
} fake_reply;

typedef struct fake_http {
    pid_t pid;
    int port;
    char url[64];          /* "http://127.0.0.1:PORT" */
    char capture[64];
} fake_http;

/* Start the server with n replies (copied into the child). */
void fake_http_start(fake_http *f, const fake_reply *replies, size_t n, int repeat);
/* Stop it; the requests it read, separated by "\n=====\n" (static buffer). */
const char *fake_http_stop(fake_http *f);
/* Connections it accepted so far (from the capture). */
int fake_http_requests(const fake_http *f);

#endif
