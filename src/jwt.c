/* RS256 JSON Web Tokens for service account keys. */
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <string.h>

#include "jwt.h"

/* Room for the header or the claims JSON: four escaped claims at most. */
#define JSON_MAX (6 * GCSPLAN__JWT_CLAIM_MAX + 256)

typedef struct jbuf {
    char data[JSON_MAX];
    size_t len;
    int overflow;
} jbuf;

static void put(jbuf *b, const char *s, size_t n)
{
    if (b->overflow || n > sizeof b->data - 1 - b->len) {
        b->overflow = 1;
        return;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void put_str(jbuf *b, const char *s)
{
    put(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[8];
        if (*p == '"' || *p == '\\') {
            esc[0] = '\\';
            esc[1] = (char)*p;
            put(b, esc, 2);
        } else if (*p < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", *p);
            put(b, esc, 6);
        } else {
            put(b, (const char *)p, 1);
        }
    }
    put(b, "\"", 1);
}

static void put_member(jbuf *b, const char *key, const char *value, int first)
{
    if (!first)
        put(b, ",", 1);
    put_str(b, key);
    put(b, ":", 1);
    put_str(b, value);
}

static void put_number(jbuf *b, const char *key, long long v)
{
    char num[32];
    put(b, ",", 1);
    put_str(b, key);
    int n = snprintf(num, sizeof num, ":%lld", v);
    put(b, num, (size_t)n);
}

static size_t b64url_len(size_t n)
{
    return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

/* Base64url (RFC 4648 section 5) without padding, as JWS wants; writes
 * b64url_len(n) bytes and returns that count. */
static size_t b64url(char *out, const unsigned char *in, size_t n)
{
    static const char abc[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    size_t o = 0;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        unsigned long v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8 | in[i + 2];
        out[o++] = abc[v >> 18 & 63];
        out[o++] = abc[v >> 12 & 63];
        out[o++] = abc[v >> 6 & 63];
        out[o++] = abc[v & 63];
    }
    if (n - i == 1) {
        unsigned long v = (unsigned long)in[i] << 16;
        out[o++] = abc[v >> 18 & 63];
        out[o++] = abc[v >> 12 & 63];
    } else if (n - i == 2) {
        unsigned long v = (unsigned long)in[i] << 16 | (unsigned long)in[i + 1] << 8;
        out[o++] = abc[v >> 18 & 63];
        out[o++] = abc[v >> 12 & 63];
        out[o++] = abc[v >> 6 & 63];
    }
    return o;
}

/* OpenSSL would otherwise prompt on the terminal for an encrypted key. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return 0;
}

static int claims_ok(const gcsplan__jwt_claims *c)
{
    const char *s[] = { c->iss, c->scope, c->aud, c->kid };
    for (size_t i = 0; i < sizeof s / sizeof s[0]; i++)
        if (s[i] != NULL && strlen(s[i]) > GCSPLAN__JWT_CLAIM_MAX)
            return 0;
    return c->iss != NULL && c->scope != NULL && c->aud != NULL;
}

int gcsplan__jwt_sign_rs256(char **out, const gcsplan_allocator *a, const char *pem,
                            const gcsplan__jwt_claims *claims, gcsplan_error *err)
{
    int rc = GCSPLAN_ESOURCE;
    BIO *bio = NULL;
    EVP_PKEY *key = NULL;
    EVP_MD_CTX *md = NULL;
    unsigned char *sig = NULL;
    char *jwt = NULL;
    jbuf *head = NULL, *body = NULL;
    *out = NULL;

    if (!claims_ok(claims)) {
        rc = gcsplan__error_set(err, GCSPLAN_ELIMIT, "JWT claims missing or over %d bytes",
                                GCSPLAN__JWT_CLAIM_MAX);
        goto done;
    }
    size_t pem_len = strlen(pem);
    if (pem_len == 0 || pem_len > GCSPLAN__JWT_PEM_MAX) {
        rc = gcsplan__error_set(err, GCSPLAN_ESOURCE, "private key is empty or over %d bytes",
                                GCSPLAN__JWT_PEM_MAX);
        goto done;
    }
    head = gcsplan__malloc(a, sizeof *head);
    body = gcsplan__malloc(a, sizeof *body);
    if (head == NULL || body == NULL) {
        rc = gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory signing a JWT");
        goto done;
    }
    head->len = body->len = 0;
    head->overflow = body->overflow = 0;
    put(head, "{", 1);
    put_member(head, "alg", "RS256", 1);
    put_member(head, "typ", "JWT", 0);
    if (claims->kid != NULL && claims->kid[0] != '\0')
        put_member(head, "kid", claims->kid, 0);
    put(head, "}", 1);
    put(body, "{", 1);
    put_member(body, "iss", claims->iss, 1);
    put_member(body, "scope", claims->scope, 0);
    put_member(body, "aud", claims->aud, 0);
    put_number(body, "iat", claims->iat);
    put_number(body, "exp", claims->exp);
    put(body, "}", 1);
    if (head->overflow || body->overflow) {
        rc = gcsplan__error_set(err, GCSPLAN_ELIMIT, "JWT claims over %d bytes", JSON_MAX);
        goto done;
    }

    bio = BIO_new_mem_buf(pem, (int)pem_len);
    key = bio ? PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL) : NULL;
    if (key == NULL) {
        rc = gcsplan__error_set(err, GCSPLAN_ESOURCE,
                                "private_key is not an unencrypted PEM private key");
        goto done;
    }
    if (EVP_PKEY_base_id(key) != EVP_PKEY_RSA) {
        rc = gcsplan__error_set(err, GCSPLAN_ESOURCE, "private_key is not an RSA key");
        goto done;
    }
    size_t sig_max = (size_t)EVP_PKEY_size(key);
    size_t hl = b64url_len(head->len), bl = b64url_len(body->len);
    size_t total = hl + 1 + bl + 1 + b64url_len(sig_max) + 1;
    sig = gcsplan__malloc(a, sig_max);
    jwt = gcsplan__malloc(a, total);
    md = EVP_MD_CTX_new();
    if (sig == NULL || jwt == NULL || md == NULL) {
        rc = gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory signing a JWT");
        goto done;
    }
    size_t n = b64url(jwt, (const unsigned char *)head->data, head->len);
    jwt[n++] = '.';
    n += b64url(jwt + n, (const unsigned char *)body->data, body->len);
    size_t sig_len = sig_max;
    if (EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
        EVP_DigestSign(md, sig, &sig_len, (const unsigned char *)jwt, n) != 1) {
        rc = gcsplan__error_set(err, GCSPLAN_ESOURCE, "cannot sign the JWT with private_key");
        goto done;
    }
    jwt[n++] = '.';
    n += b64url(jwt + n, sig, sig_len);
    jwt[n] = '\0';
    *out = jwt;
    jwt = NULL;
    rc = 0;
done:
    /* The library's error queue would otherwise hold PEM parse failures
     * that a later, unrelated OpenSSL caller could misread as its own. */
    ERR_clear_error();
    EVP_MD_CTX_free(md);
    EVP_PKEY_free(key);
    BIO_free(bio);
    gcsplan__free(a, sig);
    gcsplan__free(a, jwt);
    gcsplan__free(a, head);
    gcsplan__free(a, body);
    return rc;
}
