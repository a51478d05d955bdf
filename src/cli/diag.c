/* Diagnostics on stderr, shown the way a compiler shows them.
 *
 * Every line here may carry text from outside (a URI, a file path, a
 * server's message, an object name, a regex): the whole formatted text is
 * escaped for the terminal (src/util/escape.h) before it is written, so
 * nothing in it can move the cursor, retitle the window or hide itself.
 * The tool's own text is plain ASCII, which the escaping leaves alone; only
 * the colours are added afterwards. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "util/buf.h"
#include "util/escape.h"

/* A diagnostic longer than this is cut: no message needs more. */
#define DIAG_MAX ((size_t)64 << 10)

static int color;

void diag_init(void)
{
    const char *no = getenv("NO_COLOR");
    const char *term = getenv("TERM");
    color = isatty(STDERR_FILENO) && (no == NULL || no[0] == '\0') &&
            !(term != NULL && strcmp(term, "dumb") == 0);
}

int diag_color(void) { return color; }

static const char *c_on(const char *code) { return color ? code : ""; }
static const char *c_off(void) { return color ? "\033[0m" : ""; }

/* fmt and its arguments, formatted and escaped, into out (dynamic). */
static void escaped(gcsplan__buf *out, const char *fmt, va_list ap)
{
    gcsplan__buf raw;
    gcsplan__buf_dynamic(&raw, NULL, DIAG_MAX);
    gcsplan__buf_vprintf(&raw, fmt, ap);
    gcsplan__term_str(out, raw.p, raw.len);
    gcsplan__buf_free(&raw);
}

static void put_line(const char *head, const char *tag, const char *col, const char *fmt,
                     va_list ap)
{
    gcsplan__buf b;
    gcsplan__buf_dynamic(&b, NULL, 4 * DIAG_MAX);
    escaped(&b, fmt, ap);
    if (tag != NULL)
        fprintf(stderr, "%s%s%s:%s %s\n", head, c_on(col), tag, c_off(), b.p);
    else
        fprintf(stderr, "%s%s\n", head, b.p);
    gcsplan__buf_free(&b);
}

/* The text for a terminal, as a C string (caller frees with the buffer). */
static const char *term(gcsplan__buf *b, const char *s)
{
    gcsplan__buf_dynamic(b, NULL, 4 * DIAG_MAX);
    gcsplan__term_str(b, s, strlen(s));
    return b->p;
}

static void show(const char *what, const char *col, int rule, const char *uri, size_t len,
                 size_t offset, size_t length, const char *message, const char *hint)
{
    /* The caret rendering escapes the URI itself, column for column. */
    char small[4096];
    size_t need = gcsplan_render_caret(small, sizeof small, uri, len, offset, length, "  ");
    char *caret = small;
    if (need >= sizeof small) {
        caret = malloc(need + 1);
        if (caret != NULL)
            gcsplan_render_caret(caret, need + 1, uri, len, offset, length, "  ");
        else
            caret = small; /* truncated, still useful */
    }
    gcsplan__buf m, h;
    fprintf(stderr, "%s%s[%s]%s at byte %zu: %s\n", c_on(col), what, gcsplan_rule_name(rule),
            c_off(), offset, term(&m, message));
    /* The caret line gets the colour of the diagnostic. */
    char *nl = strchr(caret, '\n');
    if (nl != NULL) {
        fwrite(caret, 1, (size_t)(nl - caret) + 1, stderr);
        fprintf(stderr, "%s%s%s", c_on(col), nl + 1, c_off());
    }
    if (hint != NULL && hint[0] != '\0')
        fprintf(stderr, "  %shint:%s %s\n", c_on("\033[1;32m"), c_off(), term(&h, hint));
    gcsplan__buf_free(&m);
    if (hint != NULL && hint[0] != '\0')
        gcsplan__buf_free(&h);
    if (caret != small)
        free(caret);
}

void diag_uri_error(const char *uri, size_t len, const gcsplan_error *err)
{
    if (err->code != GCSPLAN_EURI) {
        diag_error("%s", err->message[0] ? err->message : gcsplan_strerror(err->code));
        return;
    }
    show("error", "\033[1;31m", err->rule, uri, len, err->offset, err->length, err->message,
         err->hint);
}

void diag_uri_warning(const char *uri, size_t len, const gcsplan_warning *w)
{
    show("warning", "\033[1;33m", w->rule, uri, len, w->offset, w->length, w->message, w->hint);
}

void diag_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    put_line("gcsplan: ", "error", "\033[1;31m", fmt, ap);
    va_end(ap);
}

void diag_warning(const char *sub, const char *fmt, ...)
{
    char head[64];
    snprintf(head, sizeof head, "gcsplan %s: ", sub);
    va_list ap;
    va_start(ap, fmt);
    put_line(head, "warning", "\033[1;33m", fmt, ap);
    va_end(ap);
}

void diag_note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    put_line("", NULL, NULL, fmt, ap);
    va_end(ap);
}

void diag_text(const char *text)
{
    /* Line by line, so that the text's own line ends stay line ends. */
    for (const char *s = text; *s != '\0';) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        gcsplan__buf b;
        gcsplan__buf_dynamic(&b, NULL, 4 * DIAG_MAX);
        gcsplan__term_str(&b, s, n);
        fprintf(stderr, "%s\n", b.p);
        gcsplan__buf_free(&b);
        s += n + (nl != NULL);
    }
}

int diag_usage(const char *sub, const char *fmt, ...)
{
    char head[64];
    snprintf(head, sizeof head, "gcsplan%s%s: ", sub ? " " : "", sub ? sub : "");
    va_list ap;
    va_start(ap, fmt);
    put_line(head, NULL, NULL, fmt, ap);
    va_end(ap);
    fprintf(stderr, "Try 'gcsplan%s%s --help'.\n", sub ? " " : "", sub ? sub : "");
    return EXIT_USAGE;
}
