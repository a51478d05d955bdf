/* Fuzz target: listing files (src/source_file.c): JSON Lines records (the
 * hand-written fast path and yajl) and inventory report CSV, through the
 * lister, as `gcsplan ls --listing FILE` reads them.
 *
 * Input: the file. Checked, beyond no crash or leak: what is yielded comes
 * in strictly increasing order with names of 1..1024 bytes and no NUL; a
 * failure is one line naming the file; and for JSON Lines the same records
 * give the same answer
 *   - with a space after each line's '{' (which the fast path declines, so
 *     yajl reads every line: the two parsers must agree), and
 *   - with the lines in reverse order (the unsorted path, which collects and
 *     sorts, against the streaming one). */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_target.h"
#include "gcsplan/gcsplan.h"
#include "util/name.h"


static char path[64];
static gcsplan_pattern *all;

typedef struct outcome {
    int rc;
    size_t n;
    uint64_t h;
} outcome;

static void write_file(const char *p, size_t n)
{
    int fd = open(path, O_WRONLY | O_TRUNC | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        abort();
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k <= 0)
            abort();
        p += k;
        n -= (size_t)k;
    }
    close(fd);
}

static outcome run(const char *content, size_t n)
{
    outcome o = { 0, 0, 0xcbf29ce484222325u };
    write_file(content, n);
    gcsplan_lister_options lo = GCSPLAN_LISTER_OPTIONS_INIT;
    lo.source = GCSPLAN_SOURCE_LISTING;
    lo.path = path;
    gcsplan_lister *l;
    gcsplan_error err;
    if (gcsplan_lister_new(&l, all, &lo, &err) != 0)
        abort();
    const gcsplan_object *obj;
    static char prev[GCSPLAN_NAME_MAX + 1];
    size_t prev_len = 0;
    while ((o.rc = gcsplan_lister_next(&obj, l)) == 0) {
        FZ_CHECK(obj->name_len >= 1 && obj->name_len <= GCSPLAN_NAME_MAX, "a name of %zu bytes",
              obj->name_len);
        FZ_CHECK(strlen(obj->name) == obj->name_len, "a name with a NUL");
        FZ_CHECK(o.n == 0 || gcsplan__name_cmp(obj->name, obj->name_len, prev, prev_len) > 0,
              "names out of order");
        memcpy(prev, obj->name, obj->name_len);
        prev_len = obj->name_len;
        for (size_t i = 0; i < obj->name_len; i++)
            o.h = (o.h ^ (unsigned char)obj->name[i]) * 0x100000001b3u;
        o.h = (o.h ^ obj->size) * 0x100000001b3u;
        o.h = (o.h ^ (uint64_t)obj->generation) * 0x100000001b3u;
        o.n++;
    }
    if (o.rc != GCSPLAN_ITEROVER) {
        const gcsplan_error *e = gcsplan_lister_error(l);
        FZ_CHECK(o.rc == GCSPLAN_ESOURCE || o.rc == GCSPLAN_ELIMIT || o.rc == GCSPLAN_ENOMEM,
              "rc %d: %s", o.rc, e->message);
        FZ_CHECK(e->message[0] && strchr(e->message, '\n') == NULL, "error not one line");
        FZ_CHECK(strncmp(e->message, path, strlen(path)) == 0 || o.rc != GCSPLAN_ESOURCE,
              "error does not name the file: %s", e->message);
    }
    gcsplan_lister_free(l);
    return o;
}

/* The first non-blank line starts with '{' and no line holds a BOM or a CR. */
static int plain_jsonl(const char *s, size_t n)
{
    if (memchr(s, '\r', n) != NULL || (n >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0))
        return 0;
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n'))
        i++;
    return i < n && s[i] == '{';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_input("listing", data, size);
    if (path[0] == '\0') {
        snprintf(path, sizeof path, "/tmp/gcsplan-fuzz-listing-%d", (int)getpid());
        if (gcsplan_pattern_compile(&all, "gs://fuzz-bucket/**", 19, NULL, NULL) != 0)
            abort();
    }
    if (size > 64 * 1024)
        return 0;
    const char *s = (const char *)data;
    outcome a = run(s, size);
    if (!plain_jsonl(s, size)) {
        unlink(path);
        return 0;
    }
    /* Every line through yajl. */
    char *spaced = malloc(2 * size + 1), *rev = malloc(size + 2);
    size_t k = 0, r = 0;
    for (size_t i = 0; i < size; i++) {
        spaced[k++] = s[i];
        if (s[i] == '{' && (i == 0 || s[i - 1] == '\n'))
            spaced[k++] = ' ';
    }
    outcome b = run(spaced, k);
    FZ_CHECK(a.rc == b.rc, "fast path rc %d, yajl rc %d", a.rc, b.rc);
    FZ_CHECK(a.n == b.n && a.h == b.h, "fast path and yajl disagree (%zu and %zu objects)", a.n, b.n);
    /* The lines reversed: collected and sorted rather than streamed. */
    size_t end = size;
    while (end > 0) {
        size_t start = end;
        while (start > 0 && s[start - 1] != '\n')
            start--;
        memcpy(rev + r, s + start, end - start);
        r += end - start;
        rev[r++] = '\n';
        end = start > 0 ? start - 1 : 0;
    }
    outcome c = run(rev, r);
    if (a.rc == GCSPLAN_ITEROVER)
        FZ_CHECK(c.rc == GCSPLAN_ITEROVER && c.n == a.n && c.h == a.h,
              "streamed and sorted listings disagree (rc %d, %zu and %zu objects)", c.rc, a.n,
              c.n);
    else if (a.rc == GCSPLAN_ESOURCE)
        FZ_CHECK(c.rc == GCSPLAN_ESOURCE, "reversed rc %d, forward rc %d", c.rc, a.rc);
    free(spaced);
    free(rev);
    unlink(path);
    return 0;
}
