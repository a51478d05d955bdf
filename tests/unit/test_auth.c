/* Credentials: each source against the test server (token endpoint and
 * metadata server) or a scripted one-connection-at-a-time fake that records
 * what it was sent; JWT signatures checked with the public key; errors
 * checked for clarity and for never quoting a secret.
 *
 * Every test injects getenv, so HOME and CLOUDSDK_CONFIG point into a
 * temporary directory and nothing here can reach past 127.0.0.1. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include "api.h"
#include "auth.h"
#include "auth_json.h"
#include "fake_http.h"
#include "jwt.h"
#include "test_support.h"

#define REQUIRED_TOKEN "ya29.required-by-the-test-server"
#define SA_EMAIL "loader@test-project.iam.gserviceaccount.com"
#define REFRESH_SECRET "1//refresh-token-secret-value"
#define CLIENT_SECRET "client-secret-value-XYZ"
#define ENV_MAX 16
#define CLEANUP_MAX 64

/* ---- environment, clock, files ------------------------------------------ */

static struct { const char *name; char value[4096]; } vars[ENV_MAX];
static int nvars;

static void env_reset(void) { nvars = 0; }

/* Set name, replacing an earlier value of it. */
static void env_set(const char *name, const char *fmt, ...)
{
    int i = 0;
    while (i < nvars && strcmp(vars[i].name, name) != 0)
        i++;
    assert_true(i < ENV_MAX);
    vars[i].name = name;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(vars[i].value, sizeof vars[i].value, fmt, ap);
    va_end(ap);
    if (i == nvars)
        nvars++;
}

static const char *fake_getenv(const char *name)
{
    for (int i = nvars - 1; i >= 0; i--)
        if (strcmp(vars[i].name, name) == 0)
            return vars[i].value;
    return NULL;
}

static time_t clock_s = 1000;
static time_t fake_now(void) { return clock_s; }

static char home[64];
static char cleanup_paths[CLEANUP_MAX][4200];
static int ncleanup;

/* Write a file under the temporary home; returns its path (static slot). */
static const char *home_file(const char *rel, const char *text)
{
    assert_true(ncleanup < CLEANUP_MAX);
    char *path = cleanup_paths[ncleanup++];
    snprintf(path, sizeof cleanup_paths[0], "%s/%s", home, rel);
    /* Make the directories on the way. */
    for (char *p = path + strlen(home) + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        mkdir(path, 0700);
        *p = '/';
    }
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

/* A configuration that sees only env_set variables, a fake clock, and no
 * GCE product file. */
static gcsplan__auth_config config(void)
{
    gcsplan__auth_config c;
    memset(&c, 0, sizeof c);
    c.getenv_fn = fake_getenv;
    c.now_fn = fake_now;
    c.timeout_ms = 5000;
    c.gce_product_file = "/nonexistent/gcsplan-test/product_name";
    return c;
}

static void assert_lacks(const char *text, const char *secret)
{
    if (text != NULL && strstr(text, secret) != NULL)
        fail_msg("\"%s\" contains a secret", text);
}

/* ---- keys and JWTs ------------------------------------------------------- */

static EVP_PKEY *rsa_key;
static char rsa_pem[8192];

static void make_key(void)
{
    if (rsa_key != NULL)
        return;
    rsa_key = EVP_RSA_gen(2048);
    assert_non_null(rsa_key);
    BIO *b = BIO_new(BIO_s_mem());
    assert_int_equal(PEM_write_bio_PrivateKey(b, rsa_key, NULL, NULL, 0, NULL, NULL), 1);
    int n = BIO_read(b, rsa_pem, sizeof rsa_pem - 1);
    assert_true(n > 0);
    rsa_pem[n] = '\0';
    BIO_free(b);
}

/* The PEM with its newlines as JSON escapes. */
static const char *pem_json(void)
{
    static char out[16384];
    size_t o = 0;
    for (const char *p = rsa_pem; *p; p++) {
        if (*p == '\n') {
            out[o++] = '\\';
            out[o++] = 'n';
        } else {
            out[o++] = *p;
        }
    }
    out[o] = '\0';
    return out;
}

static const char *sa_key_json(const char *token_uri)
{
    static char json[20000];
    snprintf(json, sizeof json,
             "{\"type\":\"service_account\",\"project_id\":\"test-project\","
             "\"private_key_id\":\"kid-0123\",\"private_key\":\"%s\","
             "\"client_email\":\"" SA_EMAIL "\",\"client_id\":\"1234\","
             "\"token_uri\":\"%s\",\"universe_domain\":\"googleapis.com\"}",
             pem_json(), token_uri);
    return json;
}

static const char *user_json(const char *token_uri)
{
    static char json[4096];
    snprintf(json, sizeof json,
             "{\"account\":\"\",\"client_id\":\"cid.apps.googleusercontent.com\","
             "\"client_secret\":\"" CLIENT_SECRET "\",\"quota_project_id\":\"p\","
             "\"refresh_token\":\"" REFRESH_SECRET "\",\"type\":\"authorized_user\"%s%s%s}",
             token_uri ? ",\"token_uri\":\"" : "", token_uri ? token_uri : "",
             token_uri ? "\"" : "");
    return json;
}

static size_t b64url_decode(unsigned char *out, const char *in, size_t n)
{
    char buf[4096];
    assert_true(n + 4 < sizeof buf);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        buf[k++] = in[i] == '-' ? '+' : in[i] == '_' ? '/' : in[i];
    while (k % 4)
        buf[k++] = '=';
    int len = EVP_DecodeBlock(out, (const unsigned char *)buf, (int)k);
    assert_true(len >= 0);
    return (size_t)len - (n % 4 == 2 ? 2 : n % 4 == 3 ? 1 : 0);
}

/* Check a JWT's signature with the test key and return its decoded claims. */
static const char *verify_jwt(const char *jwt, char *header_out, size_t cap)
{
    static char claims[4096];
    const char *d1 = strchr(jwt, '.');
    assert_non_null(d1);
    const char *d2 = strchr(d1 + 1, '.');
    assert_non_null(d2);
    unsigned char sig[1024];
    size_t sig_len = b64url_decode(sig, d2 + 1, strlen(d2 + 1));
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    assert_int_equal(EVP_DigestVerifyInit(md, NULL, EVP_sha256(), NULL, rsa_key), 1);
    assert_int_equal(EVP_DigestVerify(md, sig, sig_len, (const unsigned char *)jwt,
                                      (size_t)(d2 - jwt)), 1);
    EVP_MD_CTX_free(md);
    size_t n = b64url_decode((unsigned char *)header_out, jwt, (size_t)(d1 - jwt));
    assert_true(n < cap);
    header_out[n] = '\0';
    n = b64url_decode((unsigned char *)claims, d1 + 1, (size_t)(d2 - d1 - 1));
    claims[n] = '\0';
    return claims;
}

/* ---- a scripted HTTP server ---------------------------------------------- */

/* fake_http.c's server, given whole scripted responses (status line,
 * headers, blank line, body; "" closes the connection without an answer),
 * one per connection in order; url is its token endpoint. */
typedef struct fake_server {
    fake_http h;
    int port;
    char url[80];
} fake_server;

static void fake_start(fake_server *fs, const char *const *responses)
{
    static char heads[16][1024];
    fake_reply r[16];
    size_t n = 0;
    for (; responses[n] != NULL; n++) {
        assert_true(n < 16);
        if (responses[n][0] == '\0') {
            r[n] = (fake_reply){ .hangup = 1 };
            continue;
        }
        const char *end = strstr(responses[n], "\r\n\r\n");
        assert_non_null(end);
        size_t hl = (size_t)(end - responses[n]);
        assert_true(hl < sizeof heads[0]);
        memcpy(heads[n], responses[n], hl);
        heads[n][hl] = '\0';
        r[n] = (fake_reply){ .head = heads[n], .body = end + 4, .body_len = strlen(end + 4) };
    }
    fake_http_start(&fs->h, r, n, 0);
    fs->port = fs->h.port;
    snprintf(fs->url, sizeof fs->url, "%s/token", fs->h.url);
}

/* Stop the server and return what it was sent (static buffer). */
static const char *fake_stop(fake_server *fs)
{
    return fake_http_stop(&fs->h);
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

static const char *http_response(int status, const char *extra_headers, const char *body)
{
    static char slots[8][1024];
    static int next;
    char *r = slots[next++ % 8];
    snprintf(r, sizeof slots[0],
             "HTTP/1.1 %d X\r\nContent-Type: application/json\r\nConnection: close\r\n"
             "%sContent-Length: %zu\r\n\r\n%s", status, extra_headers, strlen(body), body);
    return r;
}

/* ---- the test server ------------------------------------------------------ */

static test_server server;
static int have_server;

/* One GET, no retries, through an API client of its own with no
 * credentials: the status, and the body into resp when given. */
static int http_get(const char *url, const char *const *headers, gcsplan__response *resp)
{
    gcsplan__api_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.timeout_ms = 5000;
    cfg.retry.retries = 0;
    cfg.auth_mode = GCSPLAN__API_AUTH_NONE;
    gcsplan__api *api;
    assert_int_equal(gcsplan__api_new(&api, &cfg, NULL), 0);
    gcsplan__request req;
    memset(&req, 0, sizeof req);
    req.service = -1;
    req.url = url;
    req.headers = headers;
    req.what = "test request";
    req.no_proxy = 1;
    gcsplan__response local;
    gcsplan__response *r = resp != NULL ? resp : &local;
    (void)gcsplan__api_fetch(api, &req, r, NULL);
    int status = r->status;
    if (resp == NULL)
        gcsplan__response_free(&local);
    gcsplan__api_free(api);
    return status;
}

static long long server_stat(const char *key)
{
    char url[128];
    snprintf(url, sizeof url, "%s/_stats", server.endpoint);
    gcsplan__response resp;
    assert_int_equal(http_get(url, NULL, &resp), 200);
    long long v = test_stats_value(resp.body, key);
    gcsplan__response_free(&resp);
    return v;
}

/* A storage request with the header: the status the test server gives. */
static long storage_status(const char *authorization)
{
    char url[128], h[4200];
    snprintf(url, sizeof url, "%s/storage/v1/b/bkt/o", server.endpoint);
    snprintf(h, sizeof h, "Authorization: %s", authorization);
    const char *headers[] = { h, NULL };
    return http_get(url, authorization ? headers : NULL, NULL);
}

#define NEED_SERVER()                                                                       \
    do {                                                                                    \
        if (!have_server)                                                                   \
            skip();                                                                         \
    } while (0)

static int setup_each(void **state)
{
    (void)state;
    env_reset();
    snprintf(home, sizeof home, "/tmp/gcsplan-auth-home-XXXXXX");
    assert_non_null(mkdtemp(home));
    env_set("HOME", "%s", home);
    clock_s = 1000;
    return 0;
}

static int teardown_each(void **state)
{
    (void)state;
    char cmd[200];
    /* Only the directory this test made. */
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", home);
    if (strncmp(home, "/tmp/gcsplan-auth-home-", 23) == 0 && system(cmd) != 0)
        return -1;
    ncleanup = 0;
    return 0;
}

static int setup_group(void **state)
{
    (void)state;
    const char *args[] = { "--gen-bucket", "bkt=3", "--require-token", REQUIRED_TOKEN, NULL };
    have_server = test_server_start(&server, args) == 0;
    make_key();
    return 0;
}

static int teardown_group(void **state)
{
    (void)state;
    if (have_server)
        free(test_server_stop(&server));
    EVP_PKEY_free(rsa_key);
    return 0;
}

/* ---- JWT ----------------------------------------------------------------- */

static void test_jwt_sign_verify(void **state)
{
    (void)state;
    gcsplan__jwt_claims c = { "kid-1", SA_EMAIL, GCSPLAN__AUTH_SCOPE,
                              "https://oauth2.googleapis.com/token", 1700000000, 1700003600 };
    char *jwt = NULL;
    assert_int_equal(gcsplan__jwt_sign_rs256(&jwt, &gcsplan__default_allocator, rsa_pem, &c,
                                             NULL), 0);
    assert_null(strchr(jwt, '=')); /* no padding */
    char header[512];
    const char *claims = verify_jwt(jwt, header, sizeof header);
    assert_string_equal(header, "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"kid-1\"}");
    assert_string_equal(claims, "{\"iss\":\"" SA_EMAIL "\",\"scope\":\"" GCSPLAN__AUTH_SCOPE
                                "\",\"aud\":\"https://oauth2.googleapis.com/token\","
                                "\"iat\":1700000000,\"exp\":1700003600}");
    gcsplan__free_secret(&gcsplan__default_allocator, jwt);
}

static void test_jwt_escapes_claims(void **state)
{
    (void)state;
    gcsplan__jwt_claims c = { NULL, "a\"b\\c\n", "s", "aud", 1, 2 };
    char *jwt = NULL;
    assert_int_equal(gcsplan__jwt_sign_rs256(&jwt, &gcsplan__default_allocator, rsa_pem, &c,
                                             NULL), 0);
    char header[512];
    const char *claims = verify_jwt(jwt, header, sizeof header);
    assert_string_equal(header, "{\"alg\":\"RS256\",\"typ\":\"JWT\"}");
    assert_non_null(strstr(claims, "\"iss\":\"a\\\"b\\\\c\\u000a\""));
    free(jwt);
}

static void test_jwt_bad_keys(void **state)
{
    (void)state;
    gcsplan__jwt_claims c = { NULL, "i", "s", "a", 1, 2 };
    char *jwt = NULL;
    gcsplan_error err;
    const char *garbage = "-----BEGIN PRIVATE KEY-----\nc2VjcmV0LWtleS1ieXRlcw==\n"
                          "-----END PRIVATE KEY-----\n";
    assert_int_equal(gcsplan__jwt_sign_rs256(&jwt, &gcsplan__default_allocator, garbage, &c,
                                             &err),
                     GCSPLAN_ESOURCE);
    assert_null(jwt);
    assert_lacks(err.message, "c2VjcmV0");

    /* An EC key is a valid key of the wrong kind. */
    EVP_PKEY *ec = EVP_EC_gen("P-256");
    assert_non_null(ec);
    BIO *b = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(b, ec, NULL, NULL, 0, NULL, NULL);
    char pem[2048];
    int n = BIO_read(b, pem, sizeof pem - 1);
    pem[n > 0 ? n : 0] = '\0';
    BIO_free(b);
    EVP_PKEY_free(ec);
    assert_int_equal(gcsplan__jwt_sign_rs256(&jwt, &gcsplan__default_allocator, pem, &c, &err),
                     GCSPLAN_ESOURCE);
    assert_non_null(strstr(err.message, "not an RSA key"));

    /* An encrypted key fails instead of prompting on the terminal. */
    b = BIO_new(BIO_s_mem());
    PEM_write_bio_PKCS8PrivateKey(b, rsa_key, EVP_aes_128_cbc(), NULL, 0, NULL,
                                  (void *)"passphrase");
    char enc[8192];
    n = BIO_read(b, enc, sizeof enc - 1);
    enc[n > 0 ? n : 0] = '\0';
    BIO_free(b);
    assert_int_equal(gcsplan__jwt_sign_rs256(&jwt, &gcsplan__default_allocator, enc, &c, &err),
                     GCSPLAN_ESOURCE);
    assert_non_null(strstr(err.message, "unencrypted PEM"));
}

/* ---- JSON fields ----------------------------------------------------------- */

static void test_json_fields(void **state)
{
    (void)state;
    gcsplan__json_field f[] = { { "a", NULL, 0, 0 }, { "n", NULL, 0, 0 },
                                { "e.message", NULL, 0, 0 }, { "obj", NULL, 0, 0 } };
    const char *j = "{\"x\":{\"a\":\"nested\"},\"a\":\"top\",\"n\":42,"
                    "\"e\":{\"message\":\"m\",\"deep\":{\"message\":\"no\"}},"
                    "\"obj\":\"first\",\"obj\":[1]}";
    assert_int_equal(gcsplan__json_fields(f, 4, &gcsplan__default_allocator, j, strlen(j),
                                          NULL), 0);
    assert_string_equal(f[0].value, "top");
    assert_int_equal(f[0].is_string, 1);
    assert_string_equal(f[1].value, "42");
    assert_int_equal(f[1].is_string, 0);
    assert_string_equal(f[2].value, "m");
    assert_null(f[3].value);
    gcsplan__json_fields_free(f, 4, &gcsplan__default_allocator);

    gcsplan_error err;
    const char *bad[] = { "", "[1]", "\"s\"", "{\"a\":", "{} x", "{\"a\":\"secret-value" };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(gcsplan__json_fields(f, 4, &gcsplan__default_allocator, bad[i],
                                              strlen(bad[i]), &err), GCSPLAN_ESOURCE);
        assert_null(f[0].value);
        assert_lacks(err.message, "secret-value");
    }
}

/* ---- given tokens ---------------------------------------------------------- */

static void test_token_file(void **state)
{
    (void)state;
    const char *path = home_file("tok", "  \tya29.from-a-file \n\n");
    env_set("CLOUDSDK_AUTH_ACCESS_TOKEN_FILE", "%s", path);
    gcsplan__auth_config cfg = config();
    gcsplan__auth *au = NULL;
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, NULL), 0);
    const char *h = NULL;
    assert_int_equal(gcsplan__auth_header(au, &h, NULL), 0);
    assert_string_equal(h, "Bearer ya29.from-a-file");
    const char *d = gcsplan__auth_describe(au);
    assert_non_null(strstr(d, "$CLOUDSDK_AUTH_ACCESS_TOKEN_FILE"));
    assert_non_null(strstr(d, path));
    assert_lacks(d, "ya29.from-a-file");
    /* A given token cannot be refreshed: a 401 is final. */
    assert_int_equal(gcsplan__auth_invalidate(au), 0);
    assert_int_equal(gcsplan__auth_header(au, &h, NULL), 0);
    assert_string_equal(h, "Bearer ya29.from-a-file");
    gcsplan__auth_free(au);
}

static void test_token_file_errors(void **state)
{
    (void)state;
    gcsplan__auth_config cfg = config();
    gcsplan__auth *au = NULL;
    gcsplan_error err;

    env_set("CLOUDSDK_AUTH_ACCESS_TOKEN_FILE", "%s", home_file("empty", " \n\t\n"));
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, &err), GCSPLAN_ESOURCE);
    assert_null(au);
    assert_non_null(strstr(err.message, "holds no access token"));

    env_set("CLOUDSDK_AUTH_ACCESS_TOKEN_FILE", "%s/missing", home);
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, &err), GCSPLAN_ESOURCE);
    assert_non_null(strstr(err.message, "cannot read"));
    assert_non_null(strstr(err.message, "missing"));
    assert_non_null(strstr(err.message, "No such file"));

    /* Two lines would inject a header; the message must not echo them. */
    env_set("CLOUDSDK_AUTH_ACCESS_TOKEN_FILE", "%s", home_file("two", "tok-one\nX-Evil: 1\n"));
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, &err), GCSPLAN_ESOURCE);
    assert_lacks(err.message, "tok-one");
}

/* Credential files are read whole, bounded, and only when they are regular
 * files. A file over the cap was read into a buffer without room for its
 * terminating NUL and then wiped with strlen (a heap overflow under ASan);
 * a FIFO blocked forever. */
static void test_credential_file_hazards(void **state)
{
    (void)state;
    gcsplan__auth_config cfg = config();
    gcsplan__auth *au = NULL;
    gcsplan_error err;
    static char big[GCSPLAN__AUTH_FILE_MAX + 2];
    memset(big, 'A', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    /* Exactly at the cap: read (and refused as a token: too long). */
    big[GCSPLAN__AUTH_FILE_MAX] = '\0';
    env_set("CLOUDSDK_AUTH_ACCESS_TOKEN_FILE", "%s", home_file("at-cap", big));
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, &err), GCSPLAN_ESOURCE);
    assert_non_null(strstr(err.message, "does not hold an access token"));
    /* One byte over, and far over: a limit, with the file named. */
    big[GCSPLAN__AUTH_FILE_MAX] = 'A';
    env_set("CLOUDSDK_AUTH_ACCESS_TOKEN_FILE", "%s", home_file("over-cap", big));
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, &err), GCSPLAN_ELIMIT);
    assert_non_null(strstr(err.message, "over-cap"));
    assert_non_null(strstr(err.message, "is over 65536 bytes"));
    env_reset();
    env_set("HOME", "%s", home);
    env_set("GOOGLE_APPLICATION_CREDENTIALS", "%s", home_file("key-over-cap", big));
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, &err), GCSPLAN_ELIMIT);
    /* A FIFO, a directory, a device: not regular files, at once. */
    char fifo[200];
    snprintf(fifo, sizeof fifo, "%s/fifo", home);
    assert_int_equal(mkfifo(fifo, 0600), 0);
    const char *odd[] = { fifo, home, "/dev/zero" };
    alarm(20); /* the old code blocked here forever */
    for (size_t i = 0; i < 3; i++) {
        env_reset();
        env_set("HOME", "%s", home);
        env_set("CLOUDSDK_AUTH_ACCESS_TOKEN_FILE", "%s", odd[i]);
        assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, &err), GCSPLAN_ESOURCE);
        assert_non_null(strstr(err.message, "is not a regular file"));
        env_reset();
        env_set("HOME", "%s", home);
        env_set("GOOGLE_APPLICATION_CREDENTIALS", "%s", odd[i]);
        assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, &err), GCSPLAN_ESOURCE);
        assert_non_null(strstr(err.message, "is not a regular file"));
    }
    /* gcloud's own file as a FIFO: refused, not blocked on. */
    env_reset();
    env_set("HOME", "%s", home);
    char gdir[200], gfile[260];
    snprintf(gdir, sizeof gdir, "%s/cfg", home);
    assert_int_equal(mkdir(gdir, 0700), 0);
    snprintf(gfile, sizeof gfile, "%s/application_default_credentials.json", gdir);
    assert_int_equal(mkfifo(gfile, 0600), 0);
    env_set("CLOUDSDK_CONFIG", "%s", gdir);
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, &err), GCSPLAN_ESOURCE);
    assert_non_null(strstr(err.message, "is not a regular file"));
    /* And the product file that tells a GCE VM. */
    env_reset();
    env_set("HOME", "%s", home);
    cfg.gce_product_file = fifo;
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, &err), GCSPLAN_ESOURCE);
    assert_non_null(strstr(err.message, "no credentials found"));
    alarm(0);
    /* A value with a NUL inside would be cut short and its tail left unwiped. */
    env_set("GOOGLE_APPLICATION_CREDENTIALS", "%s",
            home_file("nul.json", "{\"type\":\"authorized_user\",\"client_id\":\"c\","
                                  "\"client_secret\":\"s\\u0000tail\",\"refresh_token\":\"r\"}"));
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, &err), GCSPLAN_ESOURCE);
    assert_non_null(strstr(err.message, "client_secret holds a NUL character"));
    assert_lacks(err.message, "tail");
}

static void test_env_token_and_precedence(void **state)
{
    (void)state;
    gcsplan__auth_config cfg = config();
    gcsplan__auth *au = NULL;
    const char *h = NULL;

    /* The variable beats Application Default Credentials, even broken ones. */
    env_set("GOOGLE_APPLICATION_CREDENTIALS", "%s/no-such-key.json", home);
    env_set("GOOGLE_OAUTH_ACCESS_TOKEN", "ya29.from-env");
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, NULL), 0);
    assert_int_equal(gcsplan__auth_header(au, &h, NULL), 0);
    assert_string_equal(h, "Bearer ya29.from-env");
    assert_string_equal(gcsplan__auth_describe(au),
                        "credentials: access token from $GOOGLE_OAUTH_ACCESS_TOKEN");
    gcsplan__auth_free(au);

    /* The file beats the variable. */
    env_set("CLOUDSDK_AUTH_ACCESS_TOKEN_FILE", "%s", home_file("tok", "ya29.from-file"));
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, NULL), 0);
    assert_int_equal(gcsplan__auth_header(au, &h, NULL), 0);
    assert_string_equal(h, "Bearer ya29.from-file");
    gcsplan__auth_free(au);

    /* An empty variable is an unset one. */
    env_set("CLOUDSDK_AUTH_ACCESS_TOKEN_FILE", "");
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, NULL), 0);
    assert_int_equal(gcsplan__auth_header(au, &h, NULL), 0);
    assert_string_equal(h, "Bearer ya29.from-env");
    gcsplan__auth_free(au);

    /* Anonymous beats everything. */
    cfg.anonymous = 1;
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, NULL), 0);
    h = "unchanged";
    assert_int_equal(gcsplan__auth_header(au, &h, NULL), 0);
    assert_null(h);
    assert_non_null(strstr(gcsplan__auth_describe(au), "none"));
    assert_int_equal(gcsplan__auth_invalidate(au), 0);
    gcsplan__auth_free(au);
}

static void test_given_token_against_server(void **state)
{
    (void)state;
    NEED_SERVER();
    env_set("GOOGLE_OAUTH_ACCESS_TOKEN", REQUIRED_TOKEN);
    gcsplan__auth_config cfg = config();
    gcsplan__auth *au = NULL;
    const char *h = NULL;
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, NULL), 0);
    assert_int_equal(gcsplan__auth_header(au, &h, NULL), 0);
    assert_int_equal(storage_status(h), 200);
    assert_int_equal(storage_status("Bearer wrong"), 401);
    assert_int_equal(storage_status(NULL), 401);
    gcsplan__auth_free(au);
}

/* ---- Application Default Credentials --------------------------------------- */

static void test_service_account_test_server(void **state)
{
    (void)state;
    NEED_SERVER();
    char uri[128];
    snprintf(uri, sizeof uri, "%s/token", server.endpoint);
    env_set("GOOGLE_APPLICATION_CREDENTIALS", "%s", home_file("key.json", sa_key_json(uri)));
    gcsplan__auth_config cfg = config();
    gcsplan__auth *au = NULL;
    long long before = server_stat("token");
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, NULL), 0);
    assert_int_equal(server_stat("token"), before); /* lazily */
    const char *d = gcsplan__auth_describe(au);
    assert_string_equal(d, "credentials: service account key from "
                           "$GOOGLE_APPLICATION_CREDENTIALS (" SA_EMAIL ")");
    const char *h = NULL;
    assert_int_equal(gcsplan__auth_header(au, &h, NULL), 0);
    assert_string_equal(h, "Bearer " REQUIRED_TOKEN);
    assert_int_equal(storage_status(h), 200);
    assert_int_equal(server_stat("token"), before + 1);
    /* Cached. */
    assert_int_equal(gcsplan__auth_header(au, &h, NULL), 0);
    assert_int_equal(server_stat("token"), before + 1);
    d = gcsplan__auth_describe(au);
    assert_lacks(d, REQUIRED_TOKEN);
    assert_lacks(d, "PRIVATE KEY");
    gcsplan__auth_free(au);
}

static void test_service_account_assertion(void **state)
{
    (void)state;
    const char *responses[] = {
        http_response(200, "", "{\"access_token\":\"ya29.fake-1\",\"expires_in\":3599,"
                               "\"token_type\":\"Bearer\"}"),
        NULL
    };
    fake_server fs;
    fake_start(&fs, responses);
    env_set("GOOGLE_APPLICATION_CREDENTIALS", "%s", home_file("key.json", sa_key_json(fs.url)));
    gcsplan__auth_config cfg = config();
    gcsplan__auth *au = NULL;
    const char *h = NULL;
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, NULL), 0);
    time_t t0 = time(NULL);
    assert_int_equal(gcsplan__auth_header(au, &h, NULL), 0);
    assert_string_equal(h, "Bearer ya29.fake-1");
    gcsplan__auth_free(au);
    const char *got = fake_stop(&fs);

    assert_non_null(strstr(got, "POST /token HTTP/1.1\r\n"));
    assert_non_null(strstr(got, "Content-Type: application/x-www-form-urlencoded\r\n"));
    const char *body = strstr(got, "\r\n\r\n") + 4;
    const char *prefix = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer"
                         "&assertion=";
    assert_int_equal(strncmp(body, prefix, strlen(prefix)), 0);
    char jwt[4096];
    const char *a = body + strlen(prefix);
    size_t n = strcspn(a, "&\n");
    assert_true(n < sizeof jwt);
    memcpy(jwt, a, n); /* base64url and '.' need no form escaping */
    jwt[n] = '\0';
    char header[512];
    const char *claims = verify_jwt(jwt, header, sizeof header);
    assert_string_equal(header, "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"kid-0123\"}");
    char want[512];
    snprintf(want, sizeof want, "{\"iss\":\"" SA_EMAIL "\",\"scope\":\"" GCSPLAN__AUTH_SCOPE
             "\",\"aud\":\"%s\",\"iat\":", fs.url);
    assert_int_equal(strncmp(claims, want, strlen(want)), 0);
    long long iat = strtoll(claims + strlen(want), NULL, 10);
    assert_true(iat >= t0 - 1 && iat <= t0 + 5);
    char exp[64];
    snprintf(exp, sizeof exp, ",\"exp\":%lld}", iat + 3600);
    assert_non_null(strstr(claims, exp));
}

static void test_authorized_user(void **state)
{
    (void)state;
    NEED_SERVER();
    char uri[128];
    snprintf(uri, sizeof uri, "%s/token", server.endpoint);
    gcsplan__auth_config cfg = config();
    gcsplan__auth *au = NULL;
    const char *h = NULL;

    /* Named by the variable... */
    const char *path = home_file("user.json", user_json(uri));
    env_set("GOOGLE_APPLICATION_CREDENTIALS", "%s", path);
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, NULL), 0);
    assert_int_equal(gcsplan__auth_header(au, &h, NULL), 0);
    assert_string_equal(h, "Bearer " REQUIRED_TOKEN);
    assert_int_equal(storage_status(h), 200);
    const char *d = gcsplan__auth_describe(au);
    assert_non_null(strstr(d, "authorized user from $GOOGLE_APPLICATION_CREDENTIALS"));
    assert_lacks(d, REFRESH_SECRET);
    assert_lacks(d, CLIENT_SECRET);
    assert_lacks(d, REQUIRED_TOKEN);
    gcsplan__auth_free(au);
    env_reset();

    /* ...in gcloud's place under HOME... */
    env_set("HOME", "%s", home);
    home_file(".config/gcloud/application_default_credentials.json", user_json(uri));
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, NULL), 0);
    assert_non_null(strstr(gcsplan__auth_describe(au), "gcloud application default"));
    assert_non_null(strstr(gcsplan__auth_describe(au), "/.config/gcloud/"));
    assert_int_equal(gcsplan__auth_header(au, &h, NULL), 0);
    assert_string_equal(h, "Bearer " REQUIRED_TOKEN);
    gcsplan__auth_free(au);

    /* ...and under CLOUDSDK_CONFIG, which replaces HOME's. */
    const char *cpath = home_file("cfg/application_default_credentials.json", user_json(uri));
    env_set("CLOUDSDK_CONFIG", "%s/cfg", home);
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, NULL), 0);
    assert_non_null(strstr(gcsplan__auth_describe(au), cpath));
    assert_int_equal(gcsplan__auth_header(au, &h, NULL), 0);
    assert_string_equal(h, "Bearer " REQUIRED_TOKEN);
    gcsplan__auth_free(au);
}

static void test_authorized_user_request(void **state)
{
    (void)state;
    const char *responses[] = {
        http_response(200, "", "{\"access_token\":\"ya29.user\",\"expires_in\":3600}"), NULL
    };
    fake_server fs;
    fake_start(&fs, responses);
    env_set("GOOGLE_APPLICATION_CREDENTIALS", "%s", home_file("u.json", user_json(fs.url)));
    gcsplan__auth_config cfg = config();
    gcsplan__auth *au = NULL;
    const char *h = NULL;
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, NULL), 0);
    assert_int_equal(gcsplan__auth_header(au, &h, NULL), 0);
    assert_string_equal(h, "Bearer ya29.user");
    gcsplan__auth_free(au);
    const char *got = fake_stop(&fs);
    assert_non_null(strstr(got, "\r\n\r\ngrant_type=refresh_token&client_id=cid.apps."
                                "googleusercontent.com&client_secret=" CLIENT_SECRET
                                "&refresh_token=1%2F%2Frefresh-token-secret-value"));
}

static void test_metadata_server(void **state)
{
    (void)state;
    NEED_SERVER();
    env_set("GCE_METADATA_HOST", "127.0.0.1:%d", server.port);
    gcsplan__auth_config cfg = config();
    gcsplan__auth *au = NULL;
    const char *h = NULL;
    long long before = server_stat("metadata");
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, NULL), 0);
    char want[128];
    snprintf(want, sizeof want, "credentials: metadata server 127.0.0.1:%d ($GCE_METADATA_HOST)",
             server.port);
    assert_string_equal(gcsplan__auth_describe(au), want);
    assert_int_equal(gcsplan__auth_header(au, &h, NULL), 0);
    assert_string_equal(h, "Bearer " REQUIRED_TOKEN);
    assert_int_equal(storage_status(h), 200);
    assert_int_equal(server_stat("metadata"), before + 1);
    /* A 401 from storage: the next call asks again. */
    assert_int_equal(gcsplan__auth_invalidate(au), 1);
    assert_int_equal(gcsplan__auth_header(au, &h, NULL), 0);
    assert_string_equal(h, "Bearer " REQUIRED_TOKEN);
    assert_int_equal(server_stat("metadata"), before + 2);
    gcsplan__auth_free(au);

    /* The header is what the test server checks: without it, 403. */
    char url[160];
    snprintf(url, sizeof url, "%s/computeMetadata/v1/instance/service-accounts/default/token",
             server.endpoint);
    assert_int_equal(http_get(url, NULL, NULL), 403);
}

static void test_metadata_only_where_known(void **state)
{
    (void)state;
    gcsplan__auth_config cfg = config();
    gcsplan__auth *au = NULL;
    gcsplan_error err;

    /* Nothing anywhere: a clear message and where we looked. */
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, &err), GCSPLAN_ESOURCE);
    assert_null(au);
    assert_non_null(strstr(err.message, "no credentials found"));
    assert_non_null(strstr(err.message, "GOOGLE_APPLICATION_CREDENTIALS"));
    assert_non_null(strstr(err.message, "gcloud auth application-default login"));
    assert_non_null(strstr(err.hint, home));

    /* Without HOME too. */
    env_reset();
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, &err), GCSPLAN_ESOURCE);
    assert_non_null(strstr(err.message, "no credentials found"));

    /* A VM that says it is on Google: the real metadata server is chosen
     * (and not contacted here: no header call). */
    cfg.gce_product_file = home_file("product_name", "Google Compute Engine\n");
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, &err), 0);
    assert_string_equal(gcsplan__auth_describe(au),
                        "credentials: metadata server metadata.google.internal (GCE)");
    gcsplan__auth_free(au);
    cfg.gce_product_file = home_file("product_name2", "Standard PC (Q35 + ICH9, 2009)\n");
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, &err), GCSPLAN_ESOURCE);

    /* A metadata host that could smuggle a path is refused. */
    env_set("GCE_METADATA_HOST", "evil.example/x?");
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, &err), GCSPLAN_ESOURCE);
    assert_non_null(strstr(err.message, "GCE_METADATA_HOST"));
}

static void test_bad_credential_files(void **state)
{
    (void)state;
    gcsplan__auth_config cfg = config();
    gcsplan__auth *au = NULL;
    gcsplan_error err;
    static const struct { const char *json; const char *says; } cases[] = {
        { "{\"type\":\"service_account\",\"private_key\":\"k\"}", "without client_email" },
        { "{\"type\":\"service_account\",\"client_email\":\"e\"}", "without private_key" },
        /* Not an address: refused unquoted (fuzz_credentials: an address
         * holding the key's bytes was shown in the description). */
        { "{\"type\":\"service_account\",\"private_key\":\"k-0123456789abcdef\","
          "\"client_email\":\"o@o@k-0123456789abcdef\"}", "client_email is not an e-mail address" },
        { "{\"type\":\"service_account\",\"private_key\":\"k\",\"client_email\":\"a b@c\"}",
          "client_email is not an e-mail address" },
        { "{\"type\":\"service_account\",\"private_key\":\"k\",\"client_email\":\"x@\"}",
          "client_email is not an e-mail address" },
        { "{\"type\":\"authorized_user\",\"client_id\":\"c\",\"client_secret\":\"s\"}",
          "without refresh_token" },
        { "{\"type\":\"external_account\"}", "\"external_account\" is not supported" },
        { "{\"type\":\"x\\ny\"}", "type unknown is not supported" },
        /* fuzz_credentials: a type is quoted only when it is one of Google's
         * names, never the file's own words (which may hold the key). */
        { "{\"type\":\"external_account_abcdefghijklmnop\",\"private_key\":"
          "\"external_account_abcdefghijklmnop\"}", "type unknown is not supported" },
        { "{\"type\":\"impersonated_service_account\"}",
          "type \"impersonated_service_account\" is not supported" },
        { "{}", "type unknown" },
        { "{\"type\":\"authorized_user\",\"refresh_token\":\"" REFRESH_SECRET,
          "not a JSON object" },
        { "[]", "not a JSON object" },
        { "{\"type\":\"authorized_user\",\"client_id\":\"c\",\"client_secret\":\"s\","
          "\"refresh_token\":\"r\",\"token_uri\":\"http://example.com/token\"}",
          "token_uri must be an https URL" },
        /* Loopback by a string test, another host for libcurl: the refresh
         * token would go there in clear. */
        { "{\"type\":\"authorized_user\",\"client_id\":\"c\",\"client_secret\":\"s\","
          "\"refresh_token\":\"r\",\"token_uri\":\"http://127.0.0.1:1@other-host/token\"}",
          "token_uri must be an https URL" },
        { "{\"type\":\"authorized_user\",\"client_id\":\"c\",\"client_secret\":\"s\","
          "\"refresh_token\":\"r\",\"token_uri\":\"http://localhost.example.com/token\"}",
          "token_uri must be an https URL" },
        { "{\"type\":\"authorized_user\",\"client_id\":\"c\",\"client_secret\":\"s\","
          "\"refresh_token\":\"r\",\"token_uri\":\"https://u:p@oauth2.googleapis.com/token\"}",
          "token_uri must be an https URL" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "bad%zu.json", i);
        env_set("GOOGLE_APPLICATION_CREDENTIALS", "%s", home_file(name, cases[i].json));
        assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, &err), GCSPLAN_ESOURCE);
        if (strstr(err.message, cases[i].says) == NULL)
            fail_msg("case %zu: \"%s\" lacks \"%s\"", i, err.message, cases[i].says);
        assert_non_null(strstr(err.message, name));
        assert_lacks(err.message, REFRESH_SECRET);
    }
    /* A key whose private_key is not a key fails at the first token, without quoting it. */
    char json[512];
    snprintf(json, sizeof json, "{\"type\":\"service_account\",\"client_email\":\"e@x\","
             "\"private_key\":\"-----BEGIN PRIVATE KEY-----\\nbm90LWEta2V5\\n-----END "
             "PRIVATE KEY-----\\n\",\"token_uri\":\"http://127.0.0.1:9/token\"}");
    env_set("GOOGLE_APPLICATION_CREDENTIALS", "%s", home_file("notkey.json", json));
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, &err), 0);
    const char *h;
    assert_int_equal(gcsplan__auth_header(au, &h, &err), GCSPLAN_ESOURCE);
    assert_non_null(strstr(err.message, "service account key (e@x)"));
    assert_lacks(err.message, "bm90LWEta2V5");
    gcsplan__auth_free(au);
}

/* ---- expiry, refresh, errors and retries ---------------------------------- */

static void test_refresh_before_expiry(void **state)
{
    (void)state;
    NEED_SERVER();
    char uri[128];
    snprintf(uri, sizeof uri, "%s/token", server.endpoint);
    env_set("GOOGLE_APPLICATION_CREDENTIALS", "%s", home_file("key.json", sa_key_json(uri)));
    gcsplan__auth_config cfg = config();
    gcsplan__auth *au = NULL;
    const char *h = NULL;
    long long before = server_stat("token");
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, NULL), 0);
    assert_int_equal(gcsplan__auth_header(au, &h, NULL), 0);
    assert_int_equal(server_stat("token"), before + 1);
    /* The server's tokens last 3600 s: kept until 60 s before. */
    clock_s += 3600 - 61;
    assert_int_equal(gcsplan__auth_header(au, &h, NULL), 0);
    assert_int_equal(server_stat("token"), before + 1);
    clock_s += 1;
    assert_int_equal(gcsplan__auth_header(au, &h, NULL), 0);
    assert_int_equal(server_stat("token"), before + 2);
    assert_string_equal(h, "Bearer " REQUIRED_TOKEN);
    /* After a 401 the next call asks again. */
    assert_int_equal(gcsplan__auth_invalidate(au), 1);
    assert_int_equal(gcsplan__auth_header(au, &h, NULL), 0);
    assert_int_equal(server_stat("token"), before + 3);
    assert_int_equal(gcsplan__auth_header(au, &h, NULL), 0);
    assert_int_equal(server_stat("token"), before + 3);
    gcsplan__auth_free(au);
}

static void test_short_lived_token(void **state)
{
    (void)state;
    const char *responses[] = {
        http_response(200, "", "{\"access_token\":\"ya29.short-1\",\"expires_in\":10}"),
        http_response(200, "", "{\"access_token\":\"ya29.short-2\",\"expires_in\":10}"),
        NULL
    };
    fake_server fs;
    fake_start(&fs, responses);
    env_set("GOOGLE_APPLICATION_CREDENTIALS", "%s", home_file("u.json", user_json(fs.url)));
    gcsplan__auth_config cfg = config();
    gcsplan__auth *au = NULL;
    const char *h = NULL;
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, NULL), 0);
    assert_int_equal(gcsplan__auth_header(au, &h, NULL), 0);
    assert_string_equal(h, "Bearer ya29.short-1");
    /* Shorter than twice the margin: used for half its life. */
    clock_s += 4;
    assert_int_equal(gcsplan__auth_header(au, &h, NULL), 0);
    assert_string_equal(h, "Bearer ya29.short-1");
    clock_s += 1;
    assert_int_equal(gcsplan__auth_header(au, &h, NULL), 0);
    assert_string_equal(h, "Bearer ya29.short-2");
    gcsplan__auth_free(au);
    assert_int_equal(count(fake_stop(&fs), "POST /token"), 2);
}

static void test_token_endpoint_errors(void **state)
{
    (void)state;
    const char *responses[] = {
        http_response(400, "", "{\"error\":\"invalid_grant\","
                               "\"error_description\":\"Token has been expired or revoked.\"}"),
        http_response(400, "", "{\"error\":\"invalid_grant\",\"error_description\":\"bad "
                               "token " REFRESH_SECRET "\"}"),
        /* Quoted as sent (form-encoded) and cut short: the old filter looked
         * for the first 12 raw bytes only. */
        http_response(400, "", "{\"error\":\"invalid_grant\",\"error_description\":\"bad "
                               "token 1%2F%2Frefresh-token-sec\"}"),
        http_response(401, "", "{\"error\":{\"code\":401,\"message\":\"Request had invalid "
                               "authentication credentials.\",\"status\":\"UNAUTHENTICATED\"}}"),
        http_response(200, "", "{\"token_type\":\"Bearer\"}"),
        http_response(200, "", "{\"access_token\":\"two\\nlines\"}"),
        http_response(404, "", "not json\r\nat all"),
        NULL
    };
    /* A token endpoint is quoted only through the OAuth error fields, and
     * masked; a Google API error document or a plain text from it is not
     * quoted at all (docs/credentials.md). */
    static const struct { long status; const char *says; } want[] = {
        { 400, "HTTP 400: invalid_grant: Token has been expired or revoked." },
        { 400, "HTTP 400: invalid_grant: bad token <redacted>" },
        { 400, "HTTP 400: invalid_grant: bad token <redacted>" },
        { 401, "HTTP 401" },
        { 0, "failed: the answer holds no usable access_token" },
        { 0, "failed: the answer holds no usable access_token" },
        { 404, "HTTP 404" },
    };
    fake_server fs;
    fake_start(&fs, responses);
    env_set("GOOGLE_APPLICATION_CREDENTIALS", "%s", home_file("u.json", user_json(fs.url)));
    gcsplan__auth_config cfg = config();
    gcsplan__auth *au = NULL;
    gcsplan_error err;
    const char *h = NULL;
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, NULL), 0);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        assert_int_equal(gcsplan__auth_header(au, &h, &err), GCSPLAN_ESOURCE);
        assert_null(h);
        assert_int_equal(err.http_status, want[i].status);
        char full[256];
        snprintf(full, sizeof full, "token request to %s failed", fs.url);
        if (strstr(err.message, full) == NULL || strstr(err.message, want[i].says) == NULL ||
            strcmp(err.message + strlen(err.message) - strlen(want[i].says), want[i].says) != 0)
            fail_msg("response %zu: \"%s\" does not end with \"%s\"", i, err.message,
                     want[i].says);
        assert_lacks(err.message, REFRESH_SECRET);
        assert_lacks(err.message, "refresh-token-sec");
        assert_lacks(err.message, CLIENT_SECRET);
        assert_null(strchr(err.message, '\n'));
    }
    gcsplan__auth_free(au);
    fake_stop(&fs);
}

static void test_test_server_errors(void **state)
{
    (void)state;
    NEED_SERVER();
    char uri[128];
    snprintf(uri, sizeof uri, "%s/no-token-here", server.endpoint);
    env_set("GOOGLE_APPLICATION_CREDENTIALS", "%s", home_file("u.json", user_json(uri)));
    gcsplan__auth_config cfg = config();
    gcsplan__auth *au = NULL;
    gcsplan_error err;
    const char *h = NULL;
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, NULL), 0);
    assert_int_equal(gcsplan__auth_header(au, &h, &err), GCSPLAN_ESOURCE);
    assert_int_equal(err.http_status, 404);
    /* The test server's 404 is not an OAuth error document: not quoted. */
    assert_non_null(strstr(err.message, "failed: HTTP 404"));
    assert_null(strstr(err.message, "Not Found"));
    gcsplan__auth_free(au);
}

static void test_retries(void **state)
{
    (void)state;
    const char *responses[] = {
        http_response(503, "", "{\"error\":\"backend\"}"),
        http_response(429, "Retry-After: 0\r\n", "{}"),
        "", /* closes the connection without answering */
        http_response(200, "", "{\"access_token\":\"ya29.after-retries\"}"),
        NULL
    };
    fake_server fs;
    fake_start(&fs, responses);
    env_set("GOOGLE_APPLICATION_CREDENTIALS", "%s", home_file("u.json", user_json(fs.url)));
    gcsplan__auth_config cfg = config();
    gcsplan__auth *au = NULL;
    gcsplan_error err;
    const char *h = NULL;
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, NULL), 0);
    assert_int_equal(gcsplan__auth_header(au, &h, &err), 0);
    assert_string_equal(h, "Bearer ya29.after-retries");
    assert_int_equal(err.code, 0);
    gcsplan__auth_free(au);
    assert_int_equal(count(fake_stop(&fs), "POST /token"), 4);
}

static void test_retries_give_up(void **state)
{
    (void)state;
    const char *r503 = http_response(503, "", "{\"error\":\"unavailable\","
                                              "\"error_description\":\"try later\"}");
    const char *responses[] = { r503, r503, r503, r503, r503, NULL };
    fake_server fs;
    fake_start(&fs, responses);
    env_set("GCE_METADATA_HOST", "127.0.0.1:%d", fs.port);
    gcsplan__auth_config cfg = config();
    gcsplan__auth *au = NULL;
    gcsplan_error err;
    const char *h = NULL;
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, NULL), 0);
    assert_int_equal(gcsplan__auth_header(au, &h, &err), GCSPLAN_ESOURCE);
    assert_int_equal(err.http_status, 503);
    assert_string_equal(err.message,
                        "metadata server token request failed: HTTP 503: unavailable: try later");
    gcsplan__auth_free(au);
    const char *got = fake_stop(&fs);
    assert_int_equal(count(got, "GET /computeMetadata/v1/instance/service-accounts/default/"
                                "token HTTP/1.1\r\n"), GCSPLAN__TOKEN_ATTEMPTS);
    assert_int_equal(count(got, "Metadata-Flavor: Google\r\n"), GCSPLAN__TOKEN_ATTEMPTS);
}

static void test_connection_refused(void **state)
{
    (void)state;
    /* Bind a port, then close it: nothing listens there now. */
    fake_server fs;
    const char *none[] = { NULL };
    fake_start(&fs, none);
    fake_stop(&fs);
    env_set("GOOGLE_APPLICATION_CREDENTIALS", "%s", home_file("u.json", user_json(fs.url)));
    gcsplan__auth_config cfg = config();
    gcsplan__auth *au = NULL;
    gcsplan_error err;
    const char *h = NULL;
    assert_int_equal(gcsplan__auth_new(&au, NULL, &cfg, NULL), 0);
    assert_int_equal(gcsplan__auth_header(au, &h, &err), GCSPLAN_ESOURCE);
    assert_non_null(strstr(err.message, "token request to http://127.0.0.1:"));
    assert_int_equal(err.http_status, 0);
    gcsplan__auth_free(au);
}

/* ---- allocation failures ---------------------------------------------------- */

static long alloc_budget; /* allocations left before failing; <0: unlimited */
static long alloc_live;

static void *t_malloc(size_t n, void *ctx)
{
    (void)ctx;
    if (alloc_budget == 0)
        return NULL;
    if (alloc_budget > 0)
        alloc_budget--;
    void *p = malloc(n);
    if (p)
        alloc_live++;
    return p;
}

static void *t_realloc(void *p, size_t n, void *ctx)
{
    (void)ctx;
    if (alloc_budget == 0)
        return NULL;
    if (alloc_budget > 0)
        alloc_budget--;
    void *q = realloc(p, n);
    if (q && !p)
        alloc_live++;
    return q;
}

static void t_free(void *p, void *ctx)
{
    (void)ctx;
    if (p)
        alloc_live--;
    free(p);
}

static void test_allocation_failures(void **state)
{
    (void)state;
    NEED_SERVER();
    gcsplan_allocator al = { t_malloc, t_realloc, t_free, NULL };
    char uri[128];
    snprintf(uri, sizeof uri, "%s/token", server.endpoint);
    const char *paths[] = { home_file("key.json", sa_key_json(uri)),
                            home_file("u.json", user_json(uri)) };
    for (size_t k = 0; k < 2; k++) {
        env_set("GOOGLE_APPLICATION_CREDENTIALS", "%s", paths[k]);
        gcsplan__auth_config cfg = config();
        int ok = 0;
        for (long n = 0; n < 200 && !ok; n++) {
            alloc_budget = n;
            alloc_live = 0;
            gcsplan__auth *au = NULL;
            const char *h = NULL;
            int rc = gcsplan__auth_new(&au, &al, &cfg, NULL);
            if (rc == 0)
                rc = gcsplan__auth_header(au, &h, NULL);
            if (rc == 0) {
                assert_string_equal(h, "Bearer " REQUIRED_TOKEN);
                ok = 1;
            } else {
                assert_int_equal(rc, GCSPLAN_ENOMEM);
            }
            gcsplan__auth_free(au);
            assert_int_equal(alloc_live, 0);
        }
        assert_true(ok);
    }
    alloc_budget = -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_jwt_sign_verify, setup_each, teardown_each),
        cmocka_unit_test_setup_teardown(test_jwt_escapes_claims, setup_each, teardown_each),
        cmocka_unit_test_setup_teardown(test_jwt_bad_keys, setup_each, teardown_each),
        cmocka_unit_test_setup_teardown(test_json_fields, setup_each, teardown_each),
        cmocka_unit_test_setup_teardown(test_token_file, setup_each, teardown_each),
        cmocka_unit_test_setup_teardown(test_token_file_errors, setup_each, teardown_each),
        cmocka_unit_test_setup_teardown(test_credential_file_hazards, setup_each, teardown_each),
        cmocka_unit_test_setup_teardown(test_env_token_and_precedence, setup_each,
                                        teardown_each),
        cmocka_unit_test_setup_teardown(test_given_token_against_server, setup_each,
                                        teardown_each),
        cmocka_unit_test_setup_teardown(test_service_account_test_server, setup_each,
                                        teardown_each),
        cmocka_unit_test_setup_teardown(test_service_account_assertion, setup_each,
                                        teardown_each),
        cmocka_unit_test_setup_teardown(test_authorized_user, setup_each, teardown_each),
        cmocka_unit_test_setup_teardown(test_authorized_user_request, setup_each, teardown_each),
        cmocka_unit_test_setup_teardown(test_metadata_server, setup_each, teardown_each),
        cmocka_unit_test_setup_teardown(test_metadata_only_where_known, setup_each,
                                        teardown_each),
        cmocka_unit_test_setup_teardown(test_bad_credential_files, setup_each, teardown_each),
        cmocka_unit_test_setup_teardown(test_refresh_before_expiry, setup_each, teardown_each),
        cmocka_unit_test_setup_teardown(test_short_lived_token, setup_each, teardown_each),
        cmocka_unit_test_setup_teardown(test_token_endpoint_errors, setup_each, teardown_each),
        cmocka_unit_test_setup_teardown(test_test_server_errors, setup_each, teardown_each),
        cmocka_unit_test_setup_teardown(test_retries, setup_each, teardown_each),
        cmocka_unit_test_setup_teardown(test_retries_give_up, setup_each, teardown_each),
        cmocka_unit_test_setup_teardown(test_connection_refused, setup_each, teardown_each),
        cmocka_unit_test_setup_teardown(test_allocation_failures, setup_each, teardown_each),
    };
    alloc_budget = -1;
    signal(SIGPIPE, SIG_IGN);
    return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
