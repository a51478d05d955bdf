/* The listing-file source: a JSON Lines listing (SPEC section 2) or a Cloud
 * Storage inventory report CSV, from a file or standard input.
 *
 * SPEC asks for no partial result, so nothing is yielded before the whole
 * input is known to be well-formed. Pass 1 reads everything in constant
 * memory, validates every record and notes whether the names are strictly
 * increasing (input that cannot seek is spooled to a temporary file on the
 * way). Pass 2 yields:
 *   - sorted input: the names under the pattern's literal prefix form one
 *     contiguous byte range, found in pass 1; pass 2 seeks to it and streams
 *     it in constant memory (the read buffer, about 1.3 MiB, plus the yajl
 *     handle, whose buffers never exceed the longest line);
 *   - unsorted input: pass 2 collects the names the pattern matches into an
 *     arena, sorts them and yields them; memory grows with the matched
 *     objects, up to LISTING_SORT_MAX_*.
 *
 * Records are parsed in place, without an allocation per line: JSON Lines by a
 * yajl handle that takes one value after another (yajl_allow_multiple_values,
 * so one handle serves the whole file), with a hand-written fast path for the
 * exact shape most listings have; CSV by an RFC 4180 field splitter. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yajl/yajl_parse.h>

#include "internal.h"
#include "source.h"
#include "util/name.h"
#include "util/num.h"

/* Bytes asked of read(2) at a time. */
#define LISTING_READ_SIZE (256 * 1024)
/* Longest record (a JSON line, or a CSV record with its quoted newlines). */
#define LISTING_RECORD_MAX (1024 * 1024)
/* Unsorted input: most matched objects, and most name bytes, held to sort. */
#define LISTING_SORT_MAX_OBJECTS ((size_t)1 << 26)
#define LISTING_SORT_MAX_BYTES ((uint64_t)1 << 33)
/* Names of the unsorted path live in chunks of this size. */
#define LISTING_CHUNK_SIZE (1024 * 1024)

enum { ST_NEW, ST_STREAM, ST_SORTED, ST_DONE };

/* --- records: JSON Lines and inventory report CSV ---------------------------------- */

/* Most columns an inventory report header may have. */
#define CSV_COLUMNS_MAX 4096
/* Longest size or generation field: 20 digits and some room to say "too long". */
#define NUMBER_TEXT_MAX 32
/* Deepest nesting accepted in a JSON record (the same bound as live pages). */
#define LISTING_DEPTH_MAX 64

typedef enum { LISTING_UNKNOWN, LISTING_JSON, LISTING_CSV } listing_format;

typedef struct listing_record {
    char name[GCSPLAN_NAME_MAX + 1]; /* NUL-terminated */
    size_t name_len;
    uint64_t size;
    int64_t generation;
} listing_record;

enum { KEY_NONE, KEY_OTHER, KEY_NAME, KEY_SIZE, KEY_GEN };
enum { SEEN_NAME = 1, SEEN_SIZE = 2, SEEN_GEN = 4 };
enum { V_STRING, V_NUMBER, V_OTHER };

typedef struct listing_parser {
    listing_format format;
    listing_record rec;
    /* JSON: one handle for the whole input, and what the callbacks learn. */
    yajl_handle yajl;
    int depth;      /* open maps and arrays */
    int key;        /* the top-level key whose value comes next */
    int seen;       /* SEEN_* */
    int objects;    /* top-level values completed on this line */
    const char *why;
    char why_buf[160];
    /* CSV: the columns the header named. */
    char sep;
    size_t ncols, name_col, size_col, gen_col;
} listing_parser;

static const char listing_oom[] = "out of memory";

static const char *set_name(listing_record *rec, const char *p, size_t n)
{
    if (n == 0)
        return "empty \"name\"";
    if (n > GCSPLAN_NAME_MAX)
        return "\"name\" is longer than 1024 bytes";
    if (memchr(p, '\0', n) != NULL)
        return "\"name\" contains a NUL character";
    memcpy(rec->name, p, n);
    rec->name[n] = '\0';
    rec->name_len = n;
    return NULL;
}

static const char *set_number(listing_record *rec, int key, const char *p, size_t n)
{
    uint64_t v;
    if (key == KEY_SIZE) {
        if (gcsplan__parse_u64(p, n, UINT64_MAX, &v) != 0)
            return "\"size\" is not a non-negative integer";
        rec->size = v;
    } else {
        if (gcsplan__parse_u64(p, n, INT64_MAX, &v) != 0)
            return "\"generation\" is not a non-negative integer";
        rec->generation = (int64_t)v;
    }
    return NULL;
}

/* -- JSON, the reference path: yajl callbacks. Only depth 1 (the object's own
 * keys) counts; nested metadata, owner or acl objects have their own "name"
 * and "size" keys, which must be ignored. */

static int reject(listing_parser *lp, const char *why)
{
    lp->why = why;
    return 0;
}

static int top_value(listing_parser *lp, int type, const char *p, size_t n)
{
    if (lp->depth == 0)
        return reject(lp, lp->objects > 0 ? "more than one JSON value on the line"
                                          : "expected a JSON object");
    if (lp->depth > 1)
        return 1;
    int key = lp->key;
    lp->key = KEY_NONE;
    const char *why = NULL;
    if (key == KEY_NAME)
        why = type == V_STRING ? set_name(&lp->rec, p, n) : "\"name\" is not a string";
    else if (key == KEY_SIZE || key == KEY_GEN)
        why = type == V_OTHER ? (key == KEY_SIZE ? "\"size\" is not a non-negative integer"
                                                 : "\"generation\" is not a non-negative integer")
                              : set_number(&lp->rec, key, p, n);
    return why == NULL ? 1 : reject(lp, why);
}

static int y_null(void *ctx) { return top_value(ctx, V_OTHER, NULL, 0); }
static int y_boolean(void *ctx, int v) { (void)v; return top_value(ctx, V_OTHER, NULL, 0); }

static int y_number(void *ctx, const char *p, size_t n)
{
    return top_value(ctx, V_NUMBER, p, n);
}

static int y_string(void *ctx, const unsigned char *p, size_t n)
{
    return top_value(ctx, V_STRING, (const char *)p, n);
}

/* A map or an array opens: the record itself (a map at depth 0, the first
 * value of the line), or a value inside it, which only counts at depth 1. */
static int open_container(listing_parser *lp, int map)
{
    if (lp->depth == 0 && (!map || lp->objects > 0))
        return top_value(lp, V_OTHER, NULL, 0); /* refused, with why */
    if (lp->depth == 1 && !top_value(lp, V_OTHER, NULL, 0))
        return 0;
    if (lp->depth == LISTING_DEPTH_MAX)
        return reject(lp, "JSON nested too deeply");
    lp->depth++;
    return 1;
}

static int y_start_map(void *ctx) { return open_container(ctx, 1); }
static int y_start_array(void *ctx) { return open_container(ctx, 0); }

static int y_end(void *ctx)
{
    listing_parser *lp = ctx;
    if (--lp->depth == 0)
        lp->objects++;
    return 1;
}

static int y_map_key(void *ctx, const unsigned char *p, size_t n)
{
    listing_parser *lp = ctx;
    if (lp->depth != 1)
        return 1;
    static const struct { const char *text; int key, bit; } keys[] = {
        { "name", KEY_NAME, SEEN_NAME },
        { "size", KEY_SIZE, SEEN_SIZE },
        { "generation", KEY_GEN, SEEN_GEN },
    };
    lp->key = KEY_OTHER;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (strlen(keys[i].text) == n && memcmp(keys[i].text, p, n) == 0) {
            if (lp->seen & keys[i].bit) {
                snprintf(lp->why_buf, sizeof lp->why_buf, "duplicate key \"%s\"", keys[i].text);
                return reject(lp, lp->why_buf);
            }
            lp->seen |= keys[i].bit;
            lp->key = keys[i].key;
        }
    }
    return 1;
}

static const yajl_callbacks json_callbacks = {
    y_null, y_boolean, NULL, NULL, y_number, y_string,
    y_start_map, y_map_key, y_end, y_start_array, y_end,
};


static const char *json_yajl(listing_parser *lp, const char *p, size_t n)
{
    lp->depth = 0;
    lp->key = KEY_NONE;
    lp->seen = 0;
    lp->objects = 0;
    lp->why = NULL;
    lp->rec.generation = 0;
    /* yajl takes a vertical tab and a form feed for whitespace; JSON does not
     * (RFC 8259), and a line that opens with one would not have been taken for
     * JSON had it been the first: refuse them wherever they are, as yajl
     * refuses them inside strings. */
    if (memchr(p, '\v', n) != NULL || memchr(p, '\f', n) != NULL)
        return "invalid JSON (a vertical tab or form feed outside a string)";
    yajl_status st = yajl_parse(lp->yajl, (const unsigned char *)p, n);
    /* yajl holds a number that ends the line until a byte that cannot
     * continue it: a space ends it here, so that the line is judged alone
     * and not joined to the next one read by the same handle. */
    if (st == yajl_status_ok)
        st = yajl_parse(lp->yajl, (const unsigned char *)" ", 1);
    if (st == yajl_status_client_canceled)
        return lp->why;
    if (st != yajl_status_ok) {
        unsigned char *m = yajl_get_error(lp->yajl, 0, (const unsigned char *)p, n);
        size_t k = m != NULL ? strlen((char *)m) : 0;
        while (k > 0 && (m[k - 1] == '\n' || m[k - 1] == ' ' || m[k - 1] == '.'))
            k--;
        snprintf(lp->why_buf, sizeof lp->why_buf, "invalid JSON (%.*s)", (int)k,
                 m != NULL ? (char *)m : "");
        if (m != NULL)
            yajl_free_error(lp->yajl, m);
        return lp->why_buf;
    }
    if (lp->depth > 0)
        return "incomplete JSON object";
    if (lp->objects == 0)
        return "expected a JSON object";
    if (!(lp->seen & SEEN_NAME))
        return "missing \"name\"";
    if (!(lp->seen & SEEN_SIZE))
        return "missing \"size\"";
    return NULL;
}

/* -- JSON, the fast path: exactly {"name":"N","size":S} or with
 * ,"generation":G before the '}', where N is printable ASCII without '"' or
 * '\\', S and G are digits, quoted or not, and only white space follows.
 * Anything else, valid or not, goes to yajl, which has the last word. */

static const char *fast_int(const char *q, const char *e, uint64_t max, uint64_t *out)
{
    int quoted = q < e && *q == '"';
    q += quoted;
    const char *d = q;
    while (q < e && *q >= '0' && *q <= '9')
        q++;
    /* JSON numbers have no leading zeros: let yajl reject them. */
    if (!quoted && q - d > 1 && *d == '0')
        return NULL;
    if (gcsplan__parse_u64(d, (size_t)(q - d), max, out) != 0)
        return NULL;
    if (quoted) {
        if (q == e || *q != '"')
            return NULL;
        q++;
    }
    return q;
}

static int json_fast(listing_parser *lp, const char *p, size_t n)
{
    static const char head[] = "{\"name\":\"", size_key[] = ",\"size\":",
                      gen_key[] = ",\"generation\":";
    const char *e = p + n;
    while (e > p && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        e--;
    if ((size_t)(e - p) < sizeof head || memcmp(p, head, sizeof head - 1) != 0)
        return 0;
    const char *name = p + sizeof head - 1, *q = name;
    while (q < e && *q != '"') {
        unsigned char c = (unsigned char)*q++;
        if (c < 0x20 || c == '\\' || c >= 0x80)
            return 0;
    }
    size_t len = (size_t)(q - name);
    if (q == e || len == 0 || len > GCSPLAN_NAME_MAX)
        return 0;
    q++;
    if ((size_t)(e - q) < sizeof size_key - 1 || memcmp(q, size_key, sizeof size_key - 1) != 0)
        return 0;
    uint64_t size, gen = 0;
    if ((q = fast_int(q + sizeof size_key - 1, e, UINT64_MAX, &size)) == NULL)
        return 0;
    if (q < e && *q == ',') {
        if ((size_t)(e - q) < sizeof gen_key - 1 || memcmp(q, gen_key, sizeof gen_key - 1) != 0)
            return 0;
        if ((q = fast_int(q + sizeof gen_key - 1, e, INT64_MAX, &gen)) == NULL)
            return 0;
    }
    if (e - q != 1 || *q != '}')
        return 0;
    memcpy(lp->rec.name, name, len);
    lp->rec.name[len] = '\0';
    lp->rec.name_len = len;
    lp->rec.size = size;
    lp->rec.generation = (int64_t)gen;
    return 1;
}

/* -- CSV per RFC 4180: fields separated by one byte, optionally in double
 * quotes ("" is a quote; separators and newlines may be quoted). */

/* Split off the field at *pos; its decoded bytes go to out (up to cap; out
 * may be NULL) and *len gets their full count. *more says a separator
 * followed. */
static const char *csv_field(const char *p, size_t n, size_t *pos, char sep, char *out,
                             size_t cap, size_t *len, int *more)
{
    size_t i = *pos, k = 0;
    if (i < n && p[i] == '"') {
        for (i++;; i++) {
            if (i == n)
                return "a quoted field is not closed";
            if (p[i] == '"') {
                if (i + 1 < n && p[i + 1] == '"')
                    i++;
                else
                    break;
            }
            if (out != NULL && k < cap)
                out[k] = p[i];
            k++;
        }
        i++;
        if (i < n && p[i] != sep)
            return "text after the closing quote of a field";
    } else {
        for (; i < n && p[i] != sep; i++) {
            if (p[i] == '"')
                return "a quote inside an unquoted field";
            if (out != NULL && k < cap)
                out[k] = p[i];
            k++;
        }
    }
    *more = i < n;
    *pos = i + (i < n);
    *len = k;
    return NULL;
}

/* Try the header with one separator; 1 when it names name and size. */
static int csv_header(listing_parser *lp, const char *p, size_t n, char sep)
{
    size_t pos = 0, col = 0, len;
    int more = 1;
    lp->name_col = lp->size_col = lp->gen_col = SIZE_MAX;
    while (more) {
        char field[16];
        if (col == CSV_COLUMNS_MAX || csv_field(p, n, &pos, sep, field, sizeof field, &len,
                                                &more) != NULL)
            return 0;
        size_t *slot = NULL;
        if (len == 4 && memcmp(field, "name", 4) == 0)
            slot = &lp->name_col;
        else if (len == 4 && memcmp(field, "size", 4) == 0)
            slot = &lp->size_col;
        else if (len == 10 && memcmp(field, "generation", 10) == 0)
            slot = &lp->gen_col;
        if (slot != NULL && *slot == SIZE_MAX)
            *slot = col;
        col++;
    }
    lp->ncols = col;
    lp->sep = sep;
    return lp->name_col != SIZE_MAX && lp->size_col != SIZE_MAX;
}

static const char *csv_record(listing_parser *lp, const char *p, size_t n)
{
    char num[NUMBER_TEXT_MAX];
    size_t pos = 0, col = 0, len;
    int more = 1;
    if (n > 0 && p[n - 1] == '\r')
        n--;
    lp->rec.generation = 0;
    for (; more; col++) {
        if (col == lp->ncols) {
            snprintf(lp->why_buf, sizeof lp->why_buf,
                     "more fields than the header's %zu", lp->ncols);
            return lp->why_buf;
        }
        int is_name = col == lp->name_col, is_num = col == lp->size_col || col == lp->gen_col;
        char *out = is_name ? lp->rec.name : is_num ? num : NULL;
        size_t cap = is_name ? GCSPLAN_NAME_MAX + 1 : sizeof num;
        const char *why = csv_field(p, n, &pos, lp->sep, out, cap, &len, &more);
        if (why != NULL)
            return why;
        if (is_name) {
            if ((why = set_name(&lp->rec, lp->rec.name, len > cap ? cap : len)) != NULL)
                return why;
        } else if (col == lp->gen_col && len == 0) {
            /* an empty generation: the report has none for this object */
        } else if (is_num) {
            why = set_number(&lp->rec, col == lp->size_col ? KEY_SIZE : KEY_GEN, num,
                             len > sizeof num ? sizeof num : len);
            if (why != NULL)
                return why;
        }
    }
    if (col != lp->ncols) {
        snprintf(lp->why_buf, sizeof lp->why_buf, "%zu fields, the header has %zu", col,
                 lp->ncols);
        return lp->why_buf;
    }
    return NULL;
}

/* -- the parser's face */

static void listing_parser_init(listing_parser *lp)
{
    memset(lp, 0, sizeof *lp);
    lp->format = LISTING_UNKNOWN;
}

static void listing_parser_fini(listing_parser *lp)
{
    if (lp->yajl != NULL)
        yajl_free(lp->yajl);
    lp->yajl = NULL;
}

/* Decide the format from the first non-blank line: a JSON object, or a CSV
 * header naming name and size columns (the field separator of inventory
 * reports is configurable: ',' by default, or tab, ';' or '|'). */
static const char *listing_parse_detect(listing_parser *lp, const char *p, size_t n)
{
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
        i++;
    if (i < n && p[i] == '{') {
        /* yajl does not check its own allocations, so a failing allocator
         * hook would crash it: it gets the C library's (docs/internals.md). */
        lp->yajl = yajl_alloc(&json_callbacks, NULL, lp);
        if (lp->yajl == NULL)
            return listing_oom;
        /* One handle reads value after value: no allocation per line. */
        yajl_config(lp->yajl, yajl_allow_multiple_values, 1);
        lp->format = LISTING_JSON;
        return NULL;
    }
    size_t m = n > 0 && p[n - 1] == '\r' ? n - 1 : n;
    static const char seps[] = { ',', '\t', ';', '|' };
    for (size_t k = 0; k < sizeof seps; k++) {
        if (csv_header(lp, p, m, seps[k])) {
            lp->format = LISTING_CSV;
            return NULL;
        }
    }
    return "expected a JSON object, or an inventory report CSV header with name and size "
           "columns";
}

static const char *listing_parse_record(listing_parser *lp, const char *p, size_t n)
{
    if (lp->format == LISTING_CSV)
        return csv_record(lp, p, n);
    if (json_fast(lp, p, n))
        return NULL;
    return json_yajl(lp, p, n);
}

enum { CSV_FIELD_START, CSV_UNQUOTED, CSV_QUOTED, CSV_CLOSED };

/* A buffered reader that cuts the input into records and, in pass 1, copies
 * what it reads to the spool file when the input cannot seek. */
typedef struct reader {
    int fd;
    int spool_fd;      /* pass 1 copy target, or -1 */
    char *buf;         /* LISTING_RECORD_MAX + LISTING_READ_SIZE bytes */
    size_t start, end; /* unread bytes */
    size_t scan;       /* buf[start, scan) holds no record end */
    int eof;
    int csv;           /* CSV: where the scan is in a field (CSV_*) */
    uint64_t newlines; /* CSV: newlines inside quotes scanned so far */
    uint64_t off;      /* stream offset of buf[start] */
    uint64_t limit;    /* no record starts at or after this offset */
    uint64_t line;     /* physical line of buf[start] */
} reader;

/* One matched object kept for sorting; its name is NUL-terminated in a chunk. */
typedef struct cand {
    const char *name;
    size_t len;
    uint64_t size;
    int64_t generation;
    uint64_t line;
} cand;

typedef struct chunk {
    struct chunk *next;
    size_t used;
    char data[];
} chunk;

typedef struct file_source {
    gcsplan__source base;
    const gcsplan_allocator *a;
    const char *path;
    const char *shown;       /* the path in messages */
    int state;
    int own_fd;              /* the input fd is ours to close */
    FILE *spool;             /* tmpfile() of a non-seekable input */
    uint64_t base_off;       /* stream offset 0 in the input fd */
    reader rd;
    listing_parser lp;       /* format, yajl handle, the current record */
    const char *prefix;
    size_t prefix_len;
    /* Pass 1 results. */
    int sorted;
    int any_in_range;
    uint64_t data_off, data_line;   /* the first record after a CSV header */
    uint64_t range_off, range_line, range_end;
    /* Order and duplicate checks: the previous name and its line. */
    char prev[GCSPLAN_NAME_MAX + 1];
    size_t prev_len;
    uint64_t prev_line;
    int have_prev;
    /* The object handed out by next. */
    char name[GCSPLAN_NAME_MAX + 1];
    /* Unsorted path. */
    chunk *chunks;
    cand *cands;
    size_t ncands, cap_cands, pos;
    uint64_t cand_bytes;
    struct sort_key *order;  /* the candidates sorted */
} file_source;

static int fail(file_source *s, uint64_t line, const char *fmt, ...) GCSPLAN_PRINTF(3, 4);

/* "FILE:LINE: message", or "FILE: message" when line is 0. */
static int fail(file_source *s, uint64_t line, const char *fmt, ...)
{
    char msg[GCSPLAN_MESSAGE_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (line > 0)
        return gcsplan__error_set(s->base.env->err, GCSPLAN_ESOURCE, "%.120s:%llu: %s", s->shown,
                                  (unsigned long long)line, msg);
    return gcsplan__error_set(s->base.env->err, GCSPLAN_ESOURCE, "%.120s: %s", s->shown, msg);
}

static int oom(file_source *s)
{
    return gcsplan__error_set(s->base.env->err, GCSPLAN_ENOMEM, "out of memory");
}

/* --- reading ------------------------------------------------------------------------ */

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        p += k;
        n -= (size_t)k;
    }
    return 0;
}

static int refill(file_source *s)
{
    reader *r = &s->rd;
    const size_t cap = LISTING_RECORD_MAX + LISTING_READ_SIZE;
    /* A record is at most LISTING_RECORD_MAX, so after the move there is
     * always room for a full read. */
    if (r->start > 0 && cap - r->end < LISTING_READ_SIZE) {
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->scan -= r->start;
        r->start = 0;
    }
    for (;;) {
        ssize_t k = read(r->fd, r->buf + r->end, cap - r->end);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return fail(s, 0, "read error: %s", strerror(errno));
        if (k == 0) {
            r->eof = 1;
            return 0;
        }
        if (r->spool_fd >= 0 && write_all(r->spool_fd, r->buf + r->end, (size_t)k) != 0)
            return fail(s, 0, "cannot spool standard input to a temporary file: %s",
                        strerror(errno));
        r->end += (size_t)k;
        return 0;
    }
}

/* The next record into *p, *n (borrowed until the next call), its first line
 * and stream offset. Returns 1, 0 at the end, or an error code. A JSON record
 * is a line; a CSV record ends at a newline outside quotes. A trailing '\r'
 * stays in the record for the parsers to treat as white space. */
static int read_record(file_source *s, const char **p, size_t *n, uint64_t *line, uint64_t *off)
{
    reader *r = &s->rd;
    int csv = s->lp.format == LISTING_CSV;
    for (;;) {
        if (r->off >= r->limit)
            return 0;
        size_t i = r->scan, found = SIZE_MAX;
        if (csv) {
            /* Only a quote at the start of a field opens quoting, as the
             * field splitter reads it; a stray one is its error to report. */
            const char sep = s->lp.sep;
            for (; i < r->end; i++) {
                char c = r->buf[i];
                if (r->csv == CSV_QUOTED) {
                    if (c == '"')
                        r->csv = CSV_CLOSED;
                    else if (c == '\n')
                        r->newlines++;
                } else if (c == '\n') {
                    found = i;
                    break;
                } else if (c == sep) {
                    r->csv = CSV_FIELD_START;
                } else if (c == '"' && r->csv != CSV_UNQUOTED) {
                    r->csv = CSV_QUOTED; /* opening, or the second of "" */
                } else {
                    r->csv = CSV_UNQUOTED;
                }
            }
        } else {
            const char *nl = memchr(r->buf + i, '\n', r->end - i);
            if (nl != NULL)
                found = (size_t)(nl - r->buf);
            i = r->end;
        }
        if (found == SIZE_MAX) {
            r->scan = i;
            if (r->end - r->start > LISTING_RECORD_MAX)
                return fail(s, r->line, "%s longer than %d bytes", csv ? "record" : "line",
                            LISTING_RECORD_MAX);
            if (r->eof) {
                if (r->start == r->end)
                    return 0;
                if (csv && r->csv == CSV_QUOTED)
                    return fail(s, r->line, "a quoted field is not closed");
                found = r->end; /* the last record has no newline */
            } else {
                int rc = refill(s);
                if (rc != 0)
                    return rc;
                continue;
            }
        }
        size_t len = found - r->start;
        *p = r->buf + r->start;
        *n = len;
        *line = r->line;
        *off = r->off;
        size_t used = found < r->end ? len + 1 : len;
        r->line += 1 + r->newlines;
        r->off += used;
        r->start += used;
        r->scan = r->start;
        r->newlines = 0;
        r->csv = CSV_FIELD_START;
        return 1;
    }
}

/* Position the reader at a stream offset for pass 2. */
static int seek_to(file_source *s, uint64_t off, uint64_t line, uint64_t limit)
{
    reader *r = &s->rd;
    if (lseek(r->fd, (off_t)(s->base_off + off), SEEK_SET) < 0)
        return fail(s, 0, "cannot seek: %s", strerror(errno));
    r->start = r->end = r->scan = 0;
    r->eof = 0;
    r->csv = CSV_FIELD_START;
    r->newlines = 0;
    r->off = off;
    r->line = line;
    r->limit = limit;
    return 0;
}

static int open_input(file_source *s)
{
    reader *r = &s->rd;
    if (strcmp(s->path, "-") == 0) {
        r->fd = STDIN_FILENO;
    } else {
        r->fd = open(s->path, O_RDONLY | O_CLOEXEC);
        if (r->fd < 0)
            return fail(s, 0, "cannot open: %s", strerror(errno));
        s->own_fd = 1;
    }
    struct stat st;
    if (fstat(r->fd, &st) != 0)
        return fail(s, 0, "cannot stat: %s", strerror(errno));
    if (S_ISDIR(st.st_mode))
        return fail(s, 0, "is a directory (use --bucket-dir for a directory)");
    off_t cur = S_ISREG(st.st_mode) ? lseek(r->fd, 0, SEEK_CUR) : -1;
    if (cur >= 0) {
        s->base_off = (uint64_t)cur;
    } else {
        /* A pipe or a terminal: keep a copy to read again in pass 2. */
        s->spool = tmpfile();
        if (s->spool == NULL)
            return fail(s, 0, "cannot create a temporary file: %s", strerror(errno));
        r->spool_fd = fileno(s->spool);
    }
    r->buf = gcsplan__malloc(s->a, LISTING_RECORD_MAX + LISTING_READ_SIZE);
    if (r->buf == NULL)
        return oom(s);
    r->limit = UINT64_MAX;
    r->line = 1;
    return 0;
}

static int is_blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
            return 0;
    return 1;
}

/* Parse one non-blank record into s->lp.rec, naming its line in errors. */
static int parse(file_source *s, const char *p, size_t n, uint64_t line)
{
    const char *why = listing_parse_record(&s->lp, p, n);
    if (why == NULL)
        return 0;
    if (why == listing_oom)
        return oom(s);
    return fail(s, line, "%s", why);
}

static int has_prefix(const file_source *s, const listing_record *rec)
{
    return rec->name_len >= s->prefix_len && memcmp(rec->name, s->prefix, s->prefix_len) == 0;
}

/* --- pass 1: validate, learn the order and the prefix range ------------------------ */

static int pass1(file_source *s)
{
    const char *p;
    size_t n;
    uint64_t line, off;
    int rc;
    s->sorted = 1;
    s->data_line = 1;
    s->base.env->stats->pages++;
    while ((rc = read_record(s, &p, &n, &line, &off)) == 1) {
        if (line == 1 && n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
            p += 3; /* a UTF-8 byte order mark, as spreadsheet tools write */
            n -= 3;
            off += 3;
        }
        if (is_blank(p, n))
            continue;
        if (s->lp.format == LISTING_UNKNOWN) {
            const char *why = listing_parse_detect(&s->lp, p, n);
            if (why == listing_oom)
                return oom(s);
            if (why != NULL)
                return fail(s, line, "%s", why);
            if (s->lp.format == LISTING_CSV) {
                s->data_off = s->rd.off;
                s->data_line = s->rd.line;
                continue;
            }
        }
        if ((rc = parse(s, p, n, line)) != 0)
            return rc;
        const listing_record *rec = &s->lp.rec;
        s->base.env->stats->listed++;
        if (s->have_prev) {
            int c = gcsplan__name_cmp(rec->name, rec->name_len, s->prev, s->prev_len);
            if (c == 0)
                return fail(s, line, "duplicate name '%.100s' (first on line %llu)", rec->name,
                            (unsigned long long)s->prev_line);
            if (c < 0)
                s->sorted = 0;
        }
        memcpy(s->prev, rec->name, rec->name_len + 1);
        s->prev_len = rec->name_len;
        s->prev_line = line;
        s->have_prev = 1;
        if (has_prefix(s, rec)) {
            if (!s->any_in_range) {
                s->any_in_range = 1;
                s->range_off = off;
                s->range_line = line;
            }
            s->range_end = s->rd.off;
        }
    }
    return rc;
}

/* --- pass 2, unsorted input: collect the matches and sort them --------------------- */

static int add_cand(file_source *s, const listing_record *rec, uint64_t line)
{
    if (s->ncands == LISTING_SORT_MAX_OBJECTS ||
        s->cand_bytes + rec->name_len + 1 > LISTING_SORT_MAX_BYTES)
        return gcsplan__error_set(s->base.env->err, GCSPLAN_ELIMIT,
                                  "%.120s: more than %zu matching objects or %llu bytes of names "
                                  "in an unsorted listing; sort it by name to stream it",
                                  s->shown, (size_t)LISTING_SORT_MAX_OBJECTS,
                                  (unsigned long long)LISTING_SORT_MAX_BYTES);
    if (s->ncands == s->cap_cands) {
        size_t cap = s->cap_cands ? s->cap_cands * 2 : 1024;
        if (cap > LISTING_SORT_MAX_OBJECTS)
            cap = LISTING_SORT_MAX_OBJECTS;
        cand *c = gcsplan__realloc(s->a, s->cands, cap * sizeof *c);
        if (c == NULL)
            return oom(s);
        s->cands = c;
        s->cap_cands = cap;
    }
    chunk *ch = s->chunks;
    if (ch == NULL || LISTING_CHUNK_SIZE - ch->used < rec->name_len + 1) {
        ch = gcsplan__malloc(s->a, sizeof *ch + LISTING_CHUNK_SIZE);
        if (ch == NULL)
            return oom(s);
        ch->next = s->chunks;
        ch->used = 0;
        s->chunks = ch;
    }
    char *name = ch->data + ch->used;
    memcpy(name, rec->name, rec->name_len + 1);
    ch->used += rec->name_len + 1;
    s->cand_bytes += rec->name_len + 1;
    s->cands[s->ncands++] = (cand){ name, rec->name_len, rec->size, rec->generation, line };
    return 0;
}

static int cand_cmp(const cand *x, const cand *y)
{
    return gcsplan__name_cmp(x->name, x->len, y->name, y->len);
}

/* A sort entry: 8 bytes of the name from some offset, big-endian and
 * zero-padded (names hold no NUL, so the padding sorts first). Names read at
 * random are what makes sorting slow; comparing keys is sequential. */
typedef struct sort_key {
    uint64_t key;
    cand *c;
} sort_key;

static uint64_t key_at(const cand *c, size_t off)
{
    uint64_t k = 0;
    for (size_t i = 0; i < 8; i++)
        k = k << 8 | (off + i < c->len ? (unsigned char)c->name[off + i] : 0);
    return k;
}

static void merge_sort_keys(sort_key *a, sort_key *tmp, size_t n)
{
    sort_key *src = a, *dst = tmp;
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                dst[k++] = src[j].key < src[i].key ? src[j++] : src[i++];
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        sort_key *t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, n * sizeof *a);
}

/* Most significant digit first, 8 bytes a digit: sort by the key at off,
 * then each run of equal keys by the next 8 bytes. A key whose last byte is
 * padding ends every name in its run: the run is equal names. Depth is at
 * most GCSPLAN_NAME_MAX / 8. */
static void sort_keys(sort_key *a, sort_key *tmp, size_t n, size_t off)
{
    merge_sort_keys(a, tmp, n);
    for (size_t i = 0; i < n;) {
        size_t j = i + 1;
        while (j < n && a[j].key == a[i].key)
            j++;
        if (j - i > 1 && (a[i].key & 0xff) != 0) {
            for (size_t k = i; k < j; k++)
                a[k].key = key_at(a[k].c, off + 8);
            sort_keys(a + i, tmp, j - i, off + 8);
        }
        i = j;
    }
}

/* Sort the candidates; the scratch comes from the handle's allocator (qsort
 * may allocate behind it). Every candidate starts with the literal prefix. */
static int sort_cands(file_source *s)
{
    size_t n = s->ncands;
    sort_key *a = gcsplan__malloc(s->a, (n ? n : 1) * sizeof *a);
    sort_key *b = gcsplan__malloc(s->a, (n ? n : 1) * sizeof *b);
    if (a == NULL || b == NULL) {
        gcsplan__free(s->a, a);
        gcsplan__free(s->a, b);
        return oom(s);
    }
    for (size_t i = 0; i < n; i++)
        a[i] = (sort_key){ key_at(&s->cands[i], s->prefix_len), &s->cands[i] };
    sort_keys(a, b, n, s->prefix_len);
    gcsplan__free(s->a, b);
    s->order = a;
    return 0;
}

static int collect(file_source *s)
{
    const char *p;
    size_t n;
    uint64_t line, off;
    int rc = seek_to(s, s->data_off, s->data_line, UINT64_MAX);
    if (rc != 0)
        return rc;
    while ((rc = read_record(s, &p, &n, &line, &off)) == 1) {
        if (line == 1 && n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
            p += 3;
            n -= 3;
        }
        if (is_blank(p, n))
            continue;
        if ((rc = parse(s, p, n, line)) != 0)
            return rc;
        const listing_record *rec = &s->lp.rec;
        if (has_prefix(s, rec) &&
            gcsplan_pattern_match(s->base.env->pattern, rec->name, rec->name_len) &&
            (rc = add_cand(s, rec, line)) != 0)
            return rc;
    }
    if (rc != 0)
        return rc;
    if ((rc = sort_cands(s)) != 0)
        return rc;
    /* Pass 1 saw only neighbours; equal names are neighbours now. */
    for (size_t i = 1; i < s->ncands; i++) {
        const cand *x = s->order[i - 1].c, *y = s->order[i].c;
        if (cand_cmp(x, y) == 0) {
            uint64_t first = x->line < y->line ? x->line : y->line;
            uint64_t second = x->line < y->line ? y->line : x->line;
            return fail(s, second, "duplicate name '%.100s' (first on line %llu)", y->name,
                        (unsigned long long)first);
        }
    }
    return 0;
}

/* Everything pass 2 no longer needs: the reader, the parser, the spool. */
static void close_input(file_source *s)
{
    gcsplan__free(s->a, s->rd.buf);
    s->rd.buf = NULL;
    listing_parser_fini(&s->lp);
    if (s->own_fd && s->rd.fd >= 0)
        close(s->rd.fd);
    s->own_fd = 0;
    s->rd.fd = -1;
    if (s->spool != NULL)
        fclose(s->spool);
    s->spool = NULL;
}

static int prepare(file_source *s)
{
    int rc = open_input(s);
    if (rc == 0)
        rc = pass1(s);
    if (rc != 0)
        return rc;
    if (s->spool != NULL) {
        s->rd.fd = s->rd.spool_fd;
        s->rd.spool_fd = -1;
        s->base_off = 0;
    }
    if (s->sorted) {
        if (!s->any_in_range) {
            close_input(s);
            s->state = ST_DONE;
            return 0;
        }
        s->have_prev = 0;
        s->state = ST_STREAM;
        return seek_to(s, s->range_off, s->range_line, s->range_end);
    }
    if ((rc = collect(s)) != 0)
        return rc;
    close_input(s);
    s->state = ST_SORTED;
    return 0;
}

/* --- the source --------------------------------------------------------------------- */

static int next_streamed(file_source *s, gcsplan_object *obj)
{
    const char *p;
    size_t n;
    uint64_t line, off;
    int rc;
    while ((rc = read_record(s, &p, &n, &line, &off)) == 1) {
        if (is_blank(p, n))
            continue;
        if ((rc = parse(s, p, n, line)) != 0)
            return rc;
        const listing_record *rec = &s->lp.rec;
        /* Pass 1 proved the order; a file that changes in between must not
         * slip a wrong name through. */
        if (s->have_prev && gcsplan__name_cmp(rec->name, rec->name_len, s->prev, s->prev_len) <= 0)
            return fail(s, line, "the file changed while being read");
        memcpy(s->prev, rec->name, rec->name_len + 1);
        s->prev_len = rec->name_len;
        s->have_prev = 1;
        memcpy(s->name, rec->name, rec->name_len + 1);
        obj->name = s->name;
        obj->name_len = rec->name_len;
        obj->size = rec->size;
        obj->generation = rec->generation;
        return 0;
    }
    if (rc != 0)
        return rc;
    close_input(s);
    s->state = ST_DONE;
    return GCSPLAN_ITEROVER;
}

static int file_next(gcsplan__source *base, gcsplan_object *obj)
{
    file_source *s = (file_source *)base;
    if (s->state == ST_NEW) {
        int rc = prepare(s);
        if (rc != 0)
            return rc;
    }
    if (s->state == ST_STREAM)
        return next_streamed(s, obj);
    if (s->state == ST_SORTED && s->pos < s->ncands) {
        const cand *c = s->order[s->pos++].c;
        obj->name = c->name;
        obj->name_len = c->len;
        obj->size = c->size;
        obj->generation = c->generation;
        return 0;
    }
    return GCSPLAN_ITEROVER;
}

static void file_explain(const gcsplan__source *base, void (*put)(void *, const char *),
                         void *ctx)
{
    const file_source *s = (const file_source *)base;
    char line[512];
    const char *fmt = s->lp.format == LISTING_JSON  ? "JSON Lines"
                      : s->lp.format == LISTING_CSV ? "inventory report CSV"
                                                    : "JSON Lines or inventory report CSV";
    const char *order = s->state == ST_NEW      ? "stream it if sorted by name, else sort the matches"
                        : s->state == ST_SORTED ? "unsorted: sort the matches in memory"
                                                : "sorted: stream the prefix range";
    snprintf(line, sizeof line, "read listing %.200s (%s), validate every line, then yield "
             "names under prefix '%.*s': %s\n", s->shown, fmt,
             (int)(s->prefix_len > 200 ? 200 : s->prefix_len), s->prefix, order);
    put(ctx, line);
}

static void file_free(gcsplan__source *base)
{
    file_source *s = (file_source *)base;
    close_input(s);
    while (s->chunks != NULL) {
        chunk *next = s->chunks->next;
        gcsplan__free(s->a, s->chunks);
        s->chunks = next;
    }
    gcsplan__free(s->a, s->cands);
    gcsplan__free(s->a, s->order);
    gcsplan__free(s->a, s);
}

static const gcsplan__source_ops file_ops = { file_next, file_explain, file_free };

int gcsplan__source_file_new(gcsplan__source **out, const gcsplan__source_env *env)
{
    file_source *s = gcsplan__malloc(env->alloc, sizeof *s);
    if (s == NULL)
        return gcsplan__error_set(env->err, GCSPLAN_ENOMEM, "out of memory");
    memset(s, 0, sizeof *s);
    s->base.ops = &file_ops;
    s->base.env = env;
    s->a = env->alloc;
    s->path = env->opts->path;
    s->shown = strcmp(s->path, "-") == 0 ? "<stdin>" : s->path;
    s->rd.fd = -1;
    s->rd.spool_fd = -1;
    s->prefix = gcsplan_pattern_prefix(env->pattern, &s->prefix_len);
    listing_parser_init(&s->lp);
    s->state = ST_NEW;
    *out = &s->base;
    return 0;
}
