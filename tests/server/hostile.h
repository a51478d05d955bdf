/*
 * Hostile behaviours: deterministic, flag-driven misbehaviour of the server
 * so that client tests can prove a client survives it (docs/test-server.md,
 * "Hostile mode"). One rule per --hostile flag:
 *
 *   KIND[=ARG][,KEY=VALUE]...[@BUCKET[/PREFIX]]
 *
 * A rule applies to the endpoints named by on= (each kind has a default),
 * within its scope: a bucket, and for lists a `prefix` parameter that starts
 * with PREFIX, for objects a name that starts with PREFIX. after=N skips the
 * first N requests that match; times=N stops after N. Rules are only ever
 * applied on the main listener, never on the --alt-listen ones, so that a
 * redirect target answers cleanly.
 *
 * This file is pure logic (no HTTP): parsing, matching, page tokens and the
 * hostile texts, so that unit tests link it directly.
 */
#ifndef GCS_TEST_SERVER_HOSTILE_H
#define GCS_TEST_SERVER_HOSTILE_H

#include "util.h"

#include <stddef.h>
#include <stdint.h>

#define HOSTILE_MAX_RULES 32
#define HOSTILE_SPEC_MAX 2048
/* The most items one oversize page may claim: it is streamed, so this bounds
 * only time, not memory. */
#define HOSTILE_OVERSIZE_MAX 100000000ULL
/* Padding per item and gzip-bomb inflated size: streamed too. */
#define HOSTILE_PAD_MAX (64ULL << 30)
#define HOSTILE_BOMB_MAX (1ULL << 40)
#define HOSTILE_VALUE_MAX 200

typedef enum {
    EP_LIST = 1 << 0,     /* objects.list */
    EP_GET = 1 << 1,      /* objects.get (metadata) */
    EP_MEDIA = 1 << 2,    /* alt=media and /download/ */
    EP_BUCKET = 1 << 3,   /* buckets.get, buckets.list */
    EP_IAM = 1 << 4,      /* buckets.getIamPolicy */
    EP_TOKEN = 1 << 5,    /* POST /token */
    EP_METADATA = 1 << 6, /* /computeMetadata/... */
    EP_PROJECT = 1 << 7,  /* Resource Manager projects.get */
    EP_ALL = 0xFF
} hostile_endpoint;

typedef enum {
    /* page shapers: they change a list page, several may apply at once */
    HK_TOKEN_REPEAT,
    HK_TOKEN_CYCLE,
    HK_EMPTY_PAGES,
    HK_OVERSIZE,
    HK_PADDING,
    HK_EVIL_NAMES,
    HK_SIZE,
    /* answers: the first one that applies decides the response */
    HK_GZIP_BOMB,
    HK_STALL_HEADERS,
    HK_STALL_BODY,
    HK_SILENT,
    HK_EVIL_ERROR,
    HK_RETRY_AFTER,
    HK_ECHO_SECRETS,
    HK_REDIRECT,
    HK__COUNT
} hostile_kind;

#define HK_FIRST_ANSWER HK_GZIP_BOMB

/* echo-secrets encodings and places */
enum {
    ENC_RAW = 1 << 0,
    ENC_PCT = 1 << 1,
    ENC_JSON = 1 << 2,
    ENC_PREFIX = 1 << 3,
    ENC_BASE64 = 1 << 4,
    ENC_BASE64URL = 1 << 5,
    ENC_ALL = 0x3F
};
enum { IN_DESC = 1 << 0, IN_FIELD = 1 << 1, IN_TEXT = 1 << 2 };

typedef struct {
    hostile_kind kind;
    unsigned on;       /* hostile_endpoint bits */
    char *bucket;      /* NULL: any bucket */
    char *prefix;      /* NULL: any name / prefix */
    uint64_t after, times;
    uint64_t n;        /* oversize items, padding bytes, bomb size, stall-body bytes */
    int has_n;
    unsigned status;   /* evil-error, retry-after, echo-secrets, redirect */
    char value[HOSTILE_VALUE_MAX + 1]; /* size digits, Retry-After value, redirect to= */
    unsigned enc, in;  /* echo-secrets */
    int force;         /* gzip-bomb even without Accept-Encoding: gzip */
    /* counters, updated atomically */
    uint64_t matched, fired;
} hostile_rule;

/* Parses one --hostile SPEC and adds it. Returns 0, or -1 with a message. */
int hostile_add(const char *spec, char *err, size_t errlen);
void hostile_free_all(void);
size_t hostile_count(void);
const hostile_rule *hostile_rule_at(size_t i);
/* 1 when some rule uses redirect to=alt or to=altN (N = 1..4) beyond the
 * number of alternate listeners given: checked at start. */
int hostile_needs_alt(unsigned n_alt, char *err, size_t errlen);

/* What one request is: its endpoint, bucket and the name or list prefix the
 * scope is matched against, and whether gzip was offered. */
typedef struct {
    hostile_endpoint ep;
    const char *bucket; /* NULL where there is none */
    const char *key;    /* object name, or the list request's prefix ("" for none) */
    int accepts_gzip;
} hostile_req;

typedef enum { TM_NONE, TM_REPEAT, TM_CYCLE, TM_EMPTY } hostile_token_mode;

/* The shapers of one list page, merged from every rule that applies. */
typedef struct {
    hostile_token_mode token_mode;
    uint64_t oversize;  /* 0: the page holds what maxResults says */
    uint64_t padding;   /* bytes of "padding" per item */
    int evil_names;
    const char *size;   /* NULL, or the digits every item's size becomes */
} hostile_shape;

/* The first answer rule that applies to rq (counting after= and times=), or
 * NULL. Thread-safe. */
const hostile_rule *hostile_answer(const hostile_req *rq);
/* Merges the shapers that apply to rq into *out; returns 1 when any does. */
int hostile_shapes(const hostile_req *rq, hostile_shape *out);

/* ---- page tokens of the token modes -------------------------------------
 * Wrapped tokens are base64 of 'H', a mode byte and keys (names a page
 * starts at), so the server stays stateless: a cycle token B carries the key
 * of A, and the token of an endless empty page carries a counter. */
#define HTOKEN_MAX (4 * (2 * 1024 + 16) / 3 + 8)

typedef struct {
    char mode;        /* 'R' repeat, 'A'/'B' cycle, 'E' empty; 0 when not wrapped */
    char key[1025];   /* where this page starts */
    size_t keylen;
    char key_a[1025]; /* 'B' only: the key of token A */
    size_t key_a_len;
    uint64_t counter; /* 'E' only */
} htoken;

/* Decodes a page token made by hostile_token_*; 0 when it is one, else -1
 * (an ordinary token, or garbage). */
int hostile_token_decode(const char *token, htoken *out);
/* Writes a wrapped token (NUL-terminated, at most HTOKEN_MAX bytes). */
void hostile_token_repeat(const char *key, size_t len, char *out);
void hostile_token_cycle_a(const char *key, size_t len, char *out);
void hostile_token_cycle_b(const char *ka, size_t la, const char *kb, size_t lb, char *out);
void hostile_token_empty(uint64_t counter, char *out);

/* ---- hostile texts -------------------------------------------------------- */

/* The names evil-names injects after PREFIX, in byte order: NUL, BEL, LF,
 * CR, CSI clear screen, SGR colours, an OSC window title and a C1 CSI. */
#define HOSTILE_EVIL_NAMES 8
/* Name i (0-based) without the prefix; *len receives its length (it holds
 * NUL bytes, so it is not a C string). */
const char *hostile_evil_name(size_t i, size_t *len);
/* The error message of evil-error: ESC sequences, CR/LF, a fake log line, an
 * OSC 8 hyperlink, a C1 CSI, DEL and a NUL. */
const char *hostile_evil_message(size_t *len);

/* Builds the echo-secrets answer to a token request with form body `body`:
 * the body in b, its content type in *ctype. */
void hostile_echo_body(const hostile_rule *r, const char *body, sbuf *b, const char **ctype);
/* The value of key in an x-www-form-urlencoded body, decoded into out.
 * Returns 1 when present. */
int hostile_form_value(const char *body, const char *key, char *out, size_t cap);

/* A HTTP reason for a status, for the error documents ("forbidden", ...). */
const char *hostile_reason(unsigned status);

#endif
