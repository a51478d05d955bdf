/* The FHIR sniffer (fhir_sniff.h): one pass over at most a few KiB, a byte
 * at a time, with a fixed stack. JSON's grammar is checked as it goes
 * (structure, strings and their escapes and UTF-8, numbers, literals), so
 * that "not JSON" is said only of bytes a JSON parser would refuse; the
 * keys that matter are decoded on the way: "resourceType" and "id" of each
 * top-level object, "entry" of a Bundle, "resource" of an entry, and its
 * "id". */
#include <string.h>

#include "fhir_sniff.h"

/* What a container is, for the keys that matter. */
enum { R_NONE, R_TOP, R_ENTRIES, R_ENTRY, R_RES };
/* What comes next in a container. */
enum { W_FIRST, W_KEY, W_COLON, W_VALUE, W_NEXT };
/* The keys that matter. */
enum { K_OTHER, K_TYPE, K_ID, K_ENTRY, K_RESOURCE };
/* Tokens being read. */
enum { T_NONE, T_STRING, T_NUMBER, T_LITERAL };
/* The number grammar: - int frac exp. */
enum { N_SIGN, N_ZERO, N_INT, N_DOT, N_FRAC, N_E, N_ESIGN, N_EXP };

#define KEY_MAX 16

typedef struct frame {
    unsigned char is_obj, role, want, key, has_id;
} frame;

typedef struct sniff {
    gcsplan__fhir_head *out;
    frame st[GCSPLAN__FHIR_DEPTH_MAX];
    size_t depth;
    /* the token */
    int tok;
    int str_is_key;       /* the string is a key */
    int capture;          /* 0: none, 1: key, 2: resourceType, 3: id */
    char buf[GCSPLAN__FHIR_TYPE_MAX + 1];
    size_t blen, slen;    /* bytes kept, characters decoded */
    int esc;              /* 0, 1 after '\', 2..5 inside \uXXXX */
    unsigned int uval;
    int utf8_need;        /* continuation bytes still expected */
    unsigned char utf8_lo, utf8_hi; /* the range of the next continuation byte */
    int num;              /* number state */
    const char *lit;      /* literal being matched */
    size_t lit_at;
    /* the top-level value */
    int in_value;
    int type_known, is_bundle, top_has_id, multiline;
    uint32_t entry_res, entry_missing;
    /* the layout */
    int any_multiline, same_line;
    int nl_since_value;
    /* the result */
    int stop;             /* an error or a non-FHIR value: the status is final */
} sniff;

const char *gcsplan__cs_name(unsigned int cs)
{
    switch (cs) {
    case GCSPLAN__CS_BUNDLE: return "BUNDLE";
    case GCSPLAN__CS_RESOURCE: return "RESOURCE";
    case GCSPLAN__CS_BUNDLE_PRETTY: return "BUNDLE_PRETTY";
    case GCSPLAN__CS_RESOURCE_PRETTY: return "RESOURCE_PRETTY";
    default: return "";
    }
}

unsigned int gcsplan__cs_bit(const char *name, size_t len)
{
    for (unsigned int b = 1; b <= GCSPLAN__CS_RESOURCE_PRETTY; b <<= 1) {
        const char *n = gcsplan__cs_name(b);
        if (strlen(n) == len && memcmp(n, name, len) == 0)
            return b;
    }
    return 0;
}

static void fail(sniff *s, gcsplan__fhir_status status, const char *kind, size_t at)
{
    if (s->stop)
        return;
    s->stop = 1;
    /* What the values before showed does not count for bytes the import
     * cannot read as FHIR. */
    s->out->types = 0;
    s->out->resources = s->out->missing_id = 0;
    s->out->status = status;
    s->out->kind = kind;
    s->out->error_offset = at;
}

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int hexval(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* --- values and containers ---------------------------------------------------------- */

static frame *top(sniff *s)
{
    return s->depth > 0 ? &s->st[s->depth - 1] : NULL;
}

/* A top-level value ends (complete or cut): count what it showed. */
static void end_value(sniff *s, int complete)
{
    gcsplan__fhir_head *o = s->out;
    s->in_value = 0;
    if (s->multiline)
        s->any_multiline = 1;
    if (!s->type_known) {
        if (complete)
            fail(s, GCSPLAN__FHIR_NOT_FHIR, "no resourceType", 0);
        return;
    }
    o->types |= s->is_bundle ? GCSPLAN__FHIR_HAS_BUNDLE : GCSPLAN__FHIR_HAS_RESOURCE;
    if (s->is_bundle) {
        o->resources += s->entry_res;
        o->missing_id += s->entry_missing;
    } else if (complete || s->top_has_id) {
        o->resources++;
        o->missing_id += !s->top_has_id;
    }
}

/* A value (scalar or container) completed inside frame f. */
static void value_done(sniff *s)
{
    frame *f = top(s);
    if (f != NULL)
        f->want = W_NEXT;
}

static void open_container(sniff *s, int is_obj)
{
    frame *parent = top(s);
    unsigned char role = R_NONE;
    if (parent == NULL) {
        role = R_TOP;
    } else if (parent->role == R_TOP && parent->key == K_ENTRY && !is_obj) {
        role = R_ENTRIES;
    } else if (parent->role == R_ENTRIES && is_obj) {
        role = R_ENTRY;
    } else if (parent->role == R_ENTRY && parent->key == K_RESOURCE && is_obj) {
        role = R_RES;
    }
    if (s->depth == GCSPLAN__FHIR_DEPTH_MAX) {
        /* Deeper than any resource: read no further, as if cut here. */
        s->stop = 2;
        return;
    }
    frame *f = &s->st[s->depth++];
    memset(f, 0, sizeof *f);
    f->is_obj = (unsigned char)is_obj;
    f->role = role;
    f->want = W_FIRST;
}

static void close_container(sniff *s)
{
    frame *f = &s->st[--s->depth];
    if (f->role == R_RES) {
        s->entry_res++;
        s->entry_missing += !f->has_id;
    }
    if (s->depth == 0)
        end_value(s, 1);
    else
        value_done(s);
}

/* A string value ended: note it when its key matters. */
static void string_value_done(sniff *s)
{
    frame *f = top(s);
    if (s->capture == 2 && !s->type_known) {
        /* A repeated "resourceType": the first one counts, so that what the
         * first bytes say never changes with more bytes. */
        s->type_known = 1;
        s->is_bundle = s->slen == 6 && s->blen == 6 && memcmp(s->buf, "Bundle", 6) == 0;
    } else if (s->capture == 3 && s->slen > 0) {
        if (f->role == R_TOP)
            s->top_has_id = 1;
        f->has_id = 1;
    }
    value_done(s);
}

static void key_done(sniff *s)
{
    frame *f = top(s);
    f->key = K_OTHER;
    if (s->capture == 1 && s->slen == s->blen) { /* every character ASCII and kept */
        if (s->blen == 12 && memcmp(s->buf, "resourceType", 12) == 0)
            f->key = K_TYPE;
        else if (s->blen == 2 && memcmp(s->buf, "id", 2) == 0)
            f->key = K_ID;
        else if (s->blen == 5 && memcmp(s->buf, "entry", 5) == 0)
            f->key = K_ENTRY;
        else if (s->blen == 8 && memcmp(s->buf, "resource", 8) == 0)
            f->key = K_RESOURCE;
    }
    f->want = W_COLON;
}

/* Keep one decoded character of a captured string (ASCII only is kept for
 * keys; a longer one than fits is cut, which no key that matters is). */
static void keep(sniff *s, unsigned int c)
{
    s->slen++;
    size_t cap = s->capture == 1 ? KEY_MAX : GCSPLAN__FHIR_TYPE_MAX;
    if (s->capture == 0 || c > 0x7F || s->blen >= cap)
        return;
    s->buf[s->blen++] = (char)c;
}

static void begin_string(sniff *s, int is_key)
{
    frame *f = top(s);
    s->tok = T_STRING;
    s->str_is_key = is_key;
    s->esc = 0;
    s->utf8_need = 0;
    s->blen = s->slen = 0;
    s->capture = 0;
    if (is_key)
        s->capture = 1;
    else if (f != NULL && f->is_obj && f->key == K_TYPE && f->role == R_TOP)
        s->capture = 2;
    else if (f != NULL && f->is_obj && f->key == K_ID && (f->role == R_TOP || f->role == R_RES))
        s->capture = 3;
}

/* A non-string value where resourceType must be a string. */
static void non_string_value(sniff *s, size_t at)
{
    frame *f = top(s);
    if (f != NULL && f->is_obj && f->role == R_TOP && f->key == K_TYPE)
        fail(s, GCSPLAN__FHIR_NOT_FHIR, "resourceType not a string", at);
}

/* --- tokens ------------------------------------------------------------------------- */

static void string_byte(sniff *s, unsigned char c, size_t at)
{
    if (s->utf8_need > 0) {
        if (c < s->utf8_lo || c > s->utf8_hi)
            return fail(s, GCSPLAN__FHIR_NOT_JSON, "not UTF-8", at);
        s->utf8_lo = 0x80;
        s->utf8_hi = 0xBF;
        if (--s->utf8_need == 0)
            keep(s, 0x80); /* one non-ASCII character */
        return;
    }
    if (s->esc == 1) {
        static const char simple[] = "\"\\/bfnrt";
        static const char value[] = "\"\\/\b\f\n\r\t";
        const char *e = c != '\0' ? strchr(simple, c) : NULL;
        if (c == 'u') {
            s->esc = 2;
            s->uval = 0;
        } else if (e != NULL) {
            s->esc = 0;
            keep(s, (unsigned char)value[e - simple]);
        } else {
            fail(s, GCSPLAN__FHIR_NOT_JSON, "not JSON", at);
        }
        return;
    }
    if (s->esc >= 2) {
        int h = hexval(c);
        if (h < 0)
            return fail(s, GCSPLAN__FHIR_NOT_JSON, "not JSON", at);
        s->uval = s->uval << 4 | (unsigned int)h;
        if (++s->esc == 6) {
            s->esc = 0;
            keep(s, s->uval);
        }
        return;
    }
    if (c == '\\') {
        s->esc = 1;
    } else if (c == '"') {
        s->tok = T_NONE;
        if (s->str_is_key)
            key_done(s);
        else
            string_value_done(s);
    } else if (c < 0x20) {
        fail(s, GCSPLAN__FHIR_NOT_JSON, "not JSON", at);
    } else if (c < 0x80) {
        keep(s, c);
    } else if (c >= 0xC2 && c <= 0xDF) {
        s->utf8_need = 1;
        s->utf8_lo = 0x80, s->utf8_hi = 0xBF;
    } else if (c >= 0xE0 && c <= 0xEF) {
        s->utf8_need = 2;
        s->utf8_lo = c == 0xE0 ? 0xA0 : 0x80;
        s->utf8_hi = c == 0xED ? 0x9F : 0xBF;
    } else if (c >= 0xF0 && c <= 0xF4) {
        s->utf8_need = 3;
        s->utf8_lo = c == 0xF0 ? 0x90 : 0x80;
        s->utf8_hi = c == 0xF4 ? 0x8F : 0xBF;
    } else {
        fail(s, GCSPLAN__FHIR_NOT_JSON, "not UTF-8", at);
    }
}

/* One byte of a number; 0 when the byte ends it (not consumed), which only
 * a complete number lets happen: a byte that cannot follow is an error. */
static int number_byte(sniff *s, unsigned char c, size_t at)
{
    int d = c >= '0' && c <= '9';
    switch (s->num) {
    case N_SIGN:
        if (c == '0') return s->num = N_ZERO, 1;
        if (d) return s->num = N_INT, 1;
        break;
    case N_ZERO:
    case N_INT:
        if (d && s->num == N_INT) return 1;
        if (c == '.') return s->num = N_DOT, 1;
        if (c == 'e' || c == 'E') return s->num = N_E, 1;
        if (d) break; /* a leading zero */
        return 0;
    case N_DOT:
        if (d) return s->num = N_FRAC, 1;
        break;
    case N_FRAC:
        if (d) return 1;
        if (c == 'e' || c == 'E') return s->num = N_E, 1;
        return 0;
    case N_E:
        if (c == '+' || c == '-') return s->num = N_ESIGN, 1;
        if (d) return s->num = N_EXP, 1;
        break;
    case N_ESIGN:
        if (d) return s->num = N_EXP, 1;
        break;
    case N_EXP:
        if (d) return 1;
        return 0;
    }
    fail(s, GCSPLAN__FHIR_NOT_JSON, "not JSON", at);
    return 1;
}

/* --- structure ---------------------------------------------------------------------- */

/* The first byte of a top-level value that is not '{'. */
static void bad_top(sniff *s, const unsigned char *p, size_t n, size_t at)
{
    unsigned char c = p[at];
    if (c == '[')
        fail(s, GCSPLAN__FHIR_NOT_FHIR, "JSON array", at);
    else if (c == '"' || c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n')
        fail(s, GCSPLAN__FHIR_NOT_FHIR, "not a JSON object", at);
    else if (c == '<')
        fail(s, GCSPLAN__FHIR_NOT_JSON, "XML", at);
    else if (at + 1 < n && c == 0x1f && p[at + 1] == 0x8b)
        fail(s, GCSPLAN__FHIR_NOT_JSON, "gzip", at);
    else if (at + 3 < n && memcmp(p + at, "PK\003\004", 4) == 0)
        fail(s, GCSPLAN__FHIR_NOT_JSON, "zip", at);
    else if (at + 1 < n && ((c == 0xFF && p[at + 1] == 0xFE) || (c == 0xFE && p[at + 1] == 0xFF)))
        fail(s, GCSPLAN__FHIR_NOT_JSON, "UTF-16", at);
    else
        fail(s, GCSPLAN__FHIR_NOT_JSON, "not JSON", at);
}

static void value_start(sniff *s, const unsigned char *p, size_t n, size_t at)
{
    unsigned char c = p[at];
    if (s->depth == 0) {
        if (c != '{')
            return bad_top(s, p, n, at);
        if (s->out->values > 0 && !s->nl_since_value)
            s->same_line = 1;
        s->nl_since_value = 0;
        s->out->values++;
        s->in_value = 1;
        s->type_known = s->is_bundle = s->top_has_id = s->multiline = 0;
        s->entry_res = s->entry_missing = 0;
        open_container(s, 1);
        return;
    }
    if (c == '{' || c == '[') {
        non_string_value(s, at);
        open_container(s, c == '{');
    } else if (c == '"') {
        begin_string(s, 0);
    } else if (c == '-' || (c >= '0' && c <= '9')) {
        non_string_value(s, at);
        s->tok = T_NUMBER;
        s->num = c == '-' ? N_SIGN : c == '0' ? N_ZERO : N_INT;
    } else if (c == 't' || c == 'f' || c == 'n') {
        non_string_value(s, at);
        s->tok = T_LITERAL;
        s->lit = c == 't' ? "true" : c == 'f' ? "false" : "null";
        s->lit_at = 1;
    } else {
        fail(s, GCSPLAN__FHIR_NOT_JSON, "not JSON", at);
    }
}

/* A structural byte (not inside a token), at depth > 0 or between values. */
static void structure_byte(sniff *s, const unsigned char *p, size_t n, size_t at)
{
    unsigned char c = p[at];
    if (is_ws(c)) {
        if (c == '\n') {
            if (s->in_value)
                s->multiline = 1;
            else
                s->nl_since_value = 1;
        }
        return;
    }
    frame *f = top(s);
    if (f == NULL)
        return value_start(s, p, n, at);
    switch (f->want) {
    case W_FIRST:
        if ((f->is_obj && c == '}') || (!f->is_obj && c == ']'))
            return close_container(s);
        if (f->is_obj) {
            if (c != '"')
                return fail(s, GCSPLAN__FHIR_NOT_JSON, "not JSON", at);
            return begin_string(s, 1);
        }
        return value_start(s, p, n, at);
    case W_KEY:
        if (c != '"')
            return fail(s, GCSPLAN__FHIR_NOT_JSON, "not JSON", at);
        return begin_string(s, 1);
    case W_COLON:
        if (c != ':')
            return fail(s, GCSPLAN__FHIR_NOT_JSON, "not JSON", at);
        f->want = W_VALUE;
        return;
    case W_VALUE:
        return value_start(s, p, n, at);
    case W_NEXT:
        if (c == ',') {
            f->want = f->is_obj ? W_KEY : W_VALUE;
            return;
        }
        if ((f->is_obj && c == '}') || (!f->is_obj && c == ']'))
            return close_container(s);
        return fail(s, GCSPLAN__FHIR_NOT_JSON, "not JSON", at);
    }
}

/* --- the verdict -------------------------------------------------------------------- */

static void decide(sniff *s)
{
    gcsplan__fhir_head *o = s->out;
    int b = (o->types & GCSPLAN__FHIR_HAS_BUNDLE) != 0, r = (o->types & GCSPLAN__FHIR_HAS_RESOURCE) != 0;
    if (o->values >= 2)
        o->layout = s->any_multiline || s->same_line ? GCSPLAN__FHIR_OTHER : GCSPLAN__FHIR_NDJSON;
    else
        o->layout = s->any_multiline ? GCSPLAN__FHIR_PRETTY : GCSPLAN__FHIR_ONE_LINE;
    if (!b && !r) {
        o->status = GCSPLAN__FHIR_UNDECIDED;
        o->kind = "no resourceType within the bytes read";
        o->layout = GCSPLAN__FHIR_LAYOUT_NONE;
        return;
    }
    o->status = GCSPLAN__FHIR_OK;
    switch (o->layout) {
    case GCSPLAN__FHIR_NDJSON:
        o->kind = b && r ? "NDJSON of resources and Bundles" : b ? "NDJSON of Bundles"
                                                                 : "NDJSON of resources";
        o->fits = b && r ? 0 : b ? GCSPLAN__CS_BUNDLE : GCSPLAN__CS_RESOURCE;
        o->as_resource = b ? GCSPLAN__CS_RESOURCE : 0;
        break;
    case GCSPLAN__FHIR_PRETTY:
        o->kind = b ? "one Bundle over many lines" : "one resource over many lines";
        o->fits = b ? GCSPLAN__CS_BUNDLE_PRETTY : GCSPLAN__CS_RESOURCE_PRETTY;
        o->as_resource = b ? GCSPLAN__CS_RESOURCE_PRETTY : 0;
        break;
    case GCSPLAN__FHIR_ONE_LINE:
        o->kind = b ? "one Bundle on one line" : "one resource on one line";
        o->fits = b ? GCSPLAN__CS_BUNDLE | GCSPLAN__CS_BUNDLE_PRETTY
                    : GCSPLAN__CS_RESOURCE | GCSPLAN__CS_RESOURCE_PRETTY;
        o->as_resource = b ? GCSPLAN__CS_RESOURCE | GCSPLAN__CS_RESOURCE_PRETTY : 0;
        break;
    default:
        o->kind = "several JSON values, not one per line";
        o->fits = o->as_resource = 0;
        break;
    }
}

void gcsplan__fhir_sniff(gcsplan__fhir_head *out, const unsigned char *p, size_t n, int whole)
{
    sniff s;
    memset(out, 0, sizeof *out);
    memset(&s, 0, sizeof s);
    s.out = out;
    size_t i = 0;
    /* A UTF-8 byte order mark: JSON parsers may skip it, and the text after
     * it is what counts. */
    static const unsigned char bom[3] = { 0xEF, 0xBB, 0xBF };
    if (n >= 3 && memcmp(p, bom, 3) == 0)
        i = 3;
    else if (!whole && n > 0 && n < 3 && memcmp(p, bom, n) == 0)
        i = n; /* cut inside the mark: nothing read yet */
    for (; i < n && !s.stop; i++) {
        unsigned char c = p[i];
        if (s.tok == T_STRING) {
            string_byte(&s, c, i);
            continue;
        }
        if (s.tok == T_NUMBER) {
            if (number_byte(&s, c, i))
                continue;
            s.tok = T_NONE;
            value_done(&s);
        } else if (s.tok == T_LITERAL) {
            if (s.lit[s.lit_at] != '\0') {
                if (c != (unsigned char)s.lit[s.lit_at++])
                    fail(&s, GCSPLAN__FHIR_NOT_JSON, "not JSON", i);
                continue;
            }
            s.tok = T_NONE;
            value_done(&s);
        }
        structure_byte(&s, p, n, i);
    }
    if (s.stop == 1)
        return;
    /* The end of what was read. */
    if (s.depth > 0 || s.tok != T_NONE) {
        if (whole && s.stop == 0) {
            fail(&s, GCSPLAN__FHIR_NOT_JSON, "JSON cut short", n);
            return;
        }
        /* Cut at the read limit (or at the depth limit): the open resources
         * whose "id" was seen count; the others are not known yet. */
        for (size_t d = s.depth; d > 0; d--)
            if (s.st[d - 1].role == R_RES && s.st[d - 1].has_id)
                s.entry_res++;
        if (s.in_value)
            end_value(&s, 0);
        if (s.stop == 1)
            return;
    }
    if (out->values == 0) {
        out->status = GCSPLAN__FHIR_EMPTY;
        out->kind = "empty";
        return;
    }
    decide(&s);
}
