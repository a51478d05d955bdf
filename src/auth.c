/* Where credentials come from, and the cached access token. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "api.h"
#include "auth.h"
#include "auth_json.h"
#include "auth_token.h"
#include "jwt.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/escape.h"

#define JWT_LIFETIME_S 3600
#define JWT_GRANT "urn:ietf:params:oauth:grant-type:jwt-bearer"
#define METADATA_TOKEN_PATH "/computeMetadata/v1/instance/service-accounts/default/token"
#define METADATA_HOST_GCE "metadata.google.internal"
#define GCE_PRODUCT_FILE "/sys/class/dmi/id/product_name"
#define GCE_PRODUCT_MAX 256
#define HOST_MAX 255
#define WHAT_MAX 160
#define PATH_SHOWN_MAX 1024
#define BEARER "Bearer "

enum kind { K_NONE, K_TOKEN, K_SERVICE_ACCOUNT, K_AUTHORIZED_USER, K_METADATA };

struct gcsplan__auth {
    pthread_mutex_t lock;
    const gcsplan_allocator *alloc;
    enum kind kind;
    unsigned int timeout_ms;
    time_t (*now_fn)(void);
    gcsplan__transport *transport; /* token requests' (borrowed), or NULL: libcurl's */
    gcsplan__api *api;             /* token requests, made when first needed */
    char *header;      /* "Bearer TOKEN", or NULL until fetched */
    size_t header_len;
    uint64_t gen;      /* bumps with every token: which one a 401 refused */
    time_t refresh_at; /* a fetched token is replaced from this time on */
    char *token_url;   /* the token endpoint, or the metadata server's token URL */
    char *email, *key_id, *private_key;              /* service account */
    char *client_id, *client_secret, *refresh_token; /* authorized user */
    char describe[GCSPLAN__AUTH_DESCRIBE_MAX];
};

static void describe(gcsplan__auth *au, const char *fmt, ...) GCSPLAN_PRINTF(2, 3);

/* The --explain line, cut to fit. */
static void describe(gcsplan__auth *au, const char *fmt, ...)
{
    gcsplan__buf b;
    gcsplan__buf_fixed(&b, au->describe, sizeof au->describe);
    va_list ap;
    va_start(ap, fmt);
    gcsplan__buf_vprintf(&b, fmt, ap);
    va_end(ap);
}

static time_t monotonic_now(void)
{
    return (time_t)(gcsplan__clock_ms() / 1000u);
}

/* An unset and an empty variable mean the same, as in Google's tools. */
static const char *env(const gcsplan__auth_config *cfg, const char *name)
{
    const char *v = cfg->getenv_fn ? cfg->getenv_fn(name) : getenv(name);
    return v != NULL && v[0] != '\0' ? v : NULL;
}

/* A path for a message: escaped for a terminal, cut. */
static const char *shown(char *buf, size_t cap, const char *path)
{
    gcsplan__buf b;
    gcsplan__buf_fixed(&b, buf, cap);
    size_t n = strlen(path);
    gcsplan__term_str(&b, path, n > PATH_SHOWN_MAX ? PATH_SHOWN_MAX : n);
    return buf;
}

/* A service account's address is what the description shows and what the
 * token's assertion names: printable ASCII without spaces, one '@' with
 * text on both sides, at most 254 bytes (RFC 5321's path limit). Anything
 * else cannot sign in, and is not echoed: the bytes of a key file are not
 * quoted unless they are plainly an address. */
static int plausible_email(const char *s)
{
    size_t n = strlen(s), at = 0, ats = 0;
    if (n == 0 || n > 254)
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= ' ' || c >= 0x7F)
            return 0;
        if (c == '@') {
            at = i;
            ats++;
        }
    }
    return ats == 1 && at > 0 && at + 1 < n;
}

/* The whole of a small regular file into a block of GCSPLAN__AUTH_FILE_MAX
 * + 1 bytes (wipe that many: it may hold a key), NUL-terminated. Opened
 * without blocking and checked to be a regular file first: a FIFO or a
 * device named as a credential file would otherwise hang the read or never
 * end it. */
static int read_file(char **out, size_t *out_len, const gcsplan_allocator *a, const char *path,
                     const char *origin, gcsplan_error *err)
{
    char where[PATH_SHOWN_MAX * 4 + 8];
    shown(where, sizeof where, path);
    int rc = 0;
    char *buf = NULL;
    *out = NULL;
    *out_len = 0;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    struct stat st;
    if (fd < 0) {
        rc = gcsplan__error_set(err, GCSPLAN_ESOURCE, "cannot read %s (%s): %s", where, origin,
                                strerror(errno));
        goto done;
    }
    if (fstat(fd, &st) != 0) {
        rc = gcsplan__error_set(err, GCSPLAN_ESOURCE, "cannot read %s (%s): %s", where, origin,
                                strerror(errno));
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        rc = gcsplan__error_set(err, GCSPLAN_ESOURCE, "%s (%s) is not a regular file", where,
                                origin);
        goto done;
    }
    if (st.st_size > GCSPLAN__AUTH_FILE_MAX) {
        rc = gcsplan__error_set(err, GCSPLAN_ELIMIT, "%s (%s) is over %d bytes", where, origin,
                                GCSPLAN__AUTH_FILE_MAX);
        goto done;
    }
    buf = gcsplan__malloc(a, GCSPLAN__AUTH_FILE_MAX + 1);
    if (buf == NULL) {
        rc = gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory reading %s", where);
        goto done;
    }
    /* One byte more than the cap tells a file at the cap from one that grew
     * past it since fstat. */
    size_t n = 0;
    while (n < GCSPLAN__AUTH_FILE_MAX + 1) {
        ssize_t k = read(fd, buf + n, GCSPLAN__AUTH_FILE_MAX + 1 - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            rc = gcsplan__error_set(err, GCSPLAN_ESOURCE, "cannot read %s (%s): %s", where,
                                    origin, strerror(errno));
            goto done;
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
    if (n > GCSPLAN__AUTH_FILE_MAX) {
        rc = gcsplan__error_set(err, GCSPLAN_ELIMIT, "%s (%s) is over %d bytes", where, origin,
                                GCSPLAN__AUTH_FILE_MAX);
        goto done;
    }
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    buf = NULL;
done:
    if (fd >= 0)
        close(fd);
    gcsplan__free_secret_n(a, buf, GCSPLAN__AUTH_FILE_MAX + 1);
    return rc;
}

static void free_file(const gcsplan_allocator *a, char *text)
{
    gcsplan__free_secret_n(a, text, GCSPLAN__AUTH_FILE_MAX + 1);
}

static int set_header(gcsplan__auth *au, const char *token, size_t len)
{
    char *h = gcsplan__malloc(au->alloc, sizeof BEARER + len);
    if (h == NULL)
        return GCSPLAN_ENOMEM;
    memcpy(h, BEARER, sizeof BEARER - 1);
    memcpy(h + sizeof BEARER - 1, token, len);
    h[sizeof BEARER - 1 + len] = '\0';
    gcsplan__free_secret_n(au->alloc, au->header, au->header_len + 1);
    au->header = h;
    au->header_len = sizeof BEARER - 1 + len;
    au->gen++;
    return 0;
}

static void drop_header(gcsplan__auth *au)
{
    gcsplan__free_secret_n(au->alloc, au->header, au->header_len + 1);
    au->header = NULL;
    au->header_len = 0;
}

/* A token given by the user, trimmed of surrounding white space. */
static int use_given_token(gcsplan__auth *au, const char *text, size_t len, const char *origin,
                           gcsplan_error *err)
{
    while (len > 0 && isspace((unsigned char)*text)) {
        text++;
        len--;
    }
    while (len > 0 && isspace((unsigned char)text[len - 1]))
        len--;
    if (len == 0)
        return gcsplan__error_set(err, GCSPLAN_ESOURCE, "%s holds no access token", origin);
    if (!gcsplan__token_ok(text, len))
        return gcsplan__error_set(err, GCSPLAN_ESOURCE,
                                  "%s does not hold an access token (one line of at most %d "
                                  "printable characters)", origin, GCSPLAN__TOKEN_MAX);
    if (set_header(au, text, len) != 0)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory for a token");
    au->kind = K_TOKEN;
    return 0;
}

static int from_token_file(gcsplan__auth *au, const char *path, gcsplan_error *err)
{
    char *text = NULL;
    size_t len = 0;
    char where[PATH_SHOWN_MAX * 4 + 8];
    char origin[sizeof where + 64];
    shown(where, sizeof where, path);
    snprintf(origin, sizeof origin, "%s, named by $CLOUDSDK_AUTH_ACCESS_TOKEN_FILE", where);
    int rc = read_file(&text, &len, au->alloc, path, "$CLOUDSDK_AUTH_ACCESS_TOKEN_FILE", err);
    if (rc == 0)
        rc = use_given_token(au, text, len, origin, err);
    if (rc == 0)
        describe(au, "credentials: access token from $CLOUDSDK_AUTH_ACCESS_TOKEN_FILE (%s)", where);
    free_file(au->alloc, text);
    return rc;
}

/* Takes ownership of a string field's value. */
static char *take(gcsplan__json_field *f)
{
    char *v = f->is_string ? f->value : NULL;
    if (v != NULL)
        f->value = NULL;
    return v;
}

enum { F_TYPE, F_EMAIL, F_KEY, F_KEY_ID, F_TOKEN_URI, F_CLIENT_ID, F_SECRET, F_REFRESH, F_N };

static const char *const field_names[F_N] = {
    "type", "client_email", "private_key", "private_key_id", "token_uri", "client_id",
    "client_secret", "refresh_token"
};

static int adc_fields(gcsplan__auth *au, gcsplan__json_field *f, const char *where,
                      const char *origin, gcsplan_error *err)
{
    /* Every value we use is a C string from here on: one with a NUL inside
     * would be cut short somewhere and leave its tail unwiped. */
    for (int i = 0; i < F_N; i++)
        if (f[i].value != NULL && strlen(f[i].value) != f[i].len)
            return gcsplan__error_set(err, GCSPLAN_ESOURCE, "%s (%s): %s holds a NUL character",
                                      where, origin, field_names[i]);
    const char *type = f[F_TYPE].is_string ? f[F_TYPE].value : NULL;
    const char *missing = NULL;
    if (type != NULL && strcmp(type, "service_account") == 0) {
        missing = !f[F_EMAIL].is_string ? "client_email" : !f[F_KEY].is_string ? "private_key" : NULL;
        au->kind = K_SERVICE_ACCOUNT;
        au->email = take(&f[F_EMAIL]);
        au->private_key = take(&f[F_KEY]);
        au->key_id = take(&f[F_KEY_ID]);
    } else if (type != NULL && strcmp(type, "authorized_user") == 0) {
        missing = !f[F_CLIENT_ID].is_string ? "client_id"
                  : !f[F_SECRET].is_string  ? "client_secret"
                  : !f[F_REFRESH].is_string ? "refresh_token" : NULL;
        au->kind = K_AUTHORIZED_USER;
        au->client_id = take(&f[F_CLIENT_ID]);
        au->client_secret = take(&f[F_SECRET]);
        au->refresh_token = take(&f[F_REFRESH]);
    } else {
        /* Only the names of Google's other credential types are quoted: any
         * other value is the file's to choose, and may be a secret. */
        static const char *const known[] = { "external_account",
                                             "external_account_authorized_user",
                                             "impersonated_service_account",
                                             "gdch_service_account", NULL };
        int show = 0;
        for (const char *const *k = known; type != NULL && *k != NULL && !show; k++)
            show = strcmp(type, *k) == 0;
        return gcsplan__error_set(err, GCSPLAN_ESOURCE,
                                  "%s (%s): credential type %s%s%s is not supported "
                                  "(service_account, authorized_user)", where, origin,
                                  show ? "\"" : "", show ? type : "unknown", show ? "\"" : "");
    }
    if (missing != NULL)
        return gcsplan__error_set(err, GCSPLAN_ESOURCE, "%s (%s): %s credentials without %s",
                                  where, origin, type, missing);
    if (au->kind == K_SERVICE_ACCOUNT && !plausible_email(au->email))
        return gcsplan__error_set(err, GCSPLAN_ESOURCE,
                                  "%s (%s): client_email is not an e-mail address", where,
                                  origin);
    /* The token endpoint gets a refresh token or a signed assertion: judged
     * by the scheme and host libcurl will really connect to. */
    const char *uri = f[F_TOKEN_URI].is_string ? f[F_TOKEN_URI].value : GCSPLAN__AUTH_TOKEN_URI;
    if (strlen(uri) > GCSPLAN__JWT_CLAIM_MAX || !gcsplan__url_may_carry_secrets(uri))
        return gcsplan__error_set(err, GCSPLAN_ESOURCE,
                                  "%s (%s): token_uri must be an https URL (plain http only to "
                                  "127.0.0.1, ::1 or localhost; no user name in it)", where,
                                  origin);
    au->token_url = gcsplan__strndup(au->alloc, uri, strlen(uri));
    if (au->token_url == NULL)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory for credentials");
    if (au->kind == K_SERVICE_ACCOUNT) {
        char email[256];
        shown(email, sizeof email, au->email);
        describe(au, "credentials: service account key from %s (%s)", origin, email);
    } else {
        describe(au, "credentials: authorized user from %s (%s)", origin, where);
    }
    return 0;
}

/* An Application Default Credentials file: a service account key or a
 * user's refresh token, as gcloud writes it. */
static int from_adc_file(gcsplan__auth *au, const char *path, const char *origin,
                         gcsplan_error *err)
{
    gcsplan__json_field f[F_N];
    for (int i = 0; i < F_N; i++)
        f[i] = (gcsplan__json_field){ field_names[i], NULL, 0, 0 };
    char where[PATH_SHOWN_MAX * 4 + 8];
    shown(where, sizeof where, path);
    char *text = NULL;
    size_t len = 0;
    int rc = read_file(&text, &len, au->alloc, path, origin, err);
    if (rc != 0)
        goto done;
    gcsplan_error jerr;
    rc = gcsplan__json_fields(f, F_N, au->alloc, text, len, &jerr);
    if (rc != 0) {
        rc = gcsplan__error_set(err, rc, "%s (%s): %s", where, origin, jerr.message);
        goto done;
    }
    rc = adc_fields(au, f, where, origin, err);
done:
    gcsplan__json_fields_free(f, F_N, au->alloc);
    free_file(au->alloc, text);
    return rc;
}

/* gcloud's ADC file, "" when there is no directory to look in. */
static void gcloud_adc_path(char *out, size_t cap, const gcsplan__auth_config *cfg)
{
    const char *dir = env(cfg, "CLOUDSDK_CONFIG");
    const char *home = env(cfg, "HOME");
    int n = -1;
    if (dir != NULL)
        n = snprintf(out, cap, "%s/application_default_credentials.json", dir);
    else if (home != NULL)
        n = snprintf(out, cap, "%s/.config/gcloud/application_default_credentials.json", home);
    if (n < 0 || (size_t)n >= cap)
        out[0] = '\0';
}

/* Whether the product name file says Google; read as the credential files
 * are (never blocking on something that is not a regular file). */
static int on_gce(const gcsplan__auth_config *cfg)
{
    char buf[GCE_PRODUCT_MAX];
    const char *path = cfg->gce_product_file ? cfg->gce_product_file : GCE_PRODUCT_FILE;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return 0;
    struct stat st;
    ssize_t n = -1;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        do
            n = read(fd, buf, sizeof buf - 1);
        while (n < 0 && errno == EINTR);
    }
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    return strstr(buf, "Google") != NULL;
}

/* The metadata server, only where one is known to be: named by the user, or
 * on a GCE VM. Anywhere else metadata.google.internal may resolve to a
 * stranger, and tests must not reach outside the machine. Returns 1 when
 * chosen, 0 when not available, or an error. */
static int from_metadata(gcsplan__auth *au, const gcsplan__auth_config *cfg, gcsplan_error *err)
{
    const char *host = env(cfg, "GCE_METADATA_HOST");
    const char *origin = "$GCE_METADATA_HOST";
    if (host == NULL) {
        if (!on_gce(cfg))
            return 0;
        host = METADATA_HOST_GCE;
        origin = "GCE";
    }
    size_t n = strlen(host);
    int ok = n > 0 && n <= HOST_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = isalnum((unsigned char)host[i]) || strchr(".-_:[]", host[i]) != NULL;
    if (!ok)
        return gcsplan__error_set(err, GCSPLAN_ESOURCE,
                                  "GCE_METADATA_HOST must be HOST or HOST:PORT");
    au->token_url = gcsplan__malloc(au->alloc, sizeof "http://" + n + sizeof METADATA_TOKEN_PATH);
    if (au->token_url == NULL)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory for credentials");
    sprintf(au->token_url, "http://%s%s", host, METADATA_TOKEN_PATH);
    gcsplan__url u;
    if (gcsplan__url_parse(&u, au->token_url) != 0 || u.userinfo)
        return gcsplan__error_set(err, GCSPLAN_ESOURCE,
                                  "GCE_METADATA_HOST must be HOST or HOST:PORT");
    au->kind = K_METADATA;
    describe(au, "credentials: metadata server %s (%s)", host,
             origin);
    return 1;
}

static int choose(gcsplan__auth *au, const gcsplan__auth_config *cfg, gcsplan_error *err)
{
    const char *v;
    char path[GCSPLAN__AUTH_PATH_MAX];
    if (cfg->anonymous) {
        au->kind = K_NONE;
        describe(au, "credentials: none (anonymous requests)");
        return 0;
    }
    if ((v = env(cfg, "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE")) != NULL)
        return from_token_file(au, v, err);
    if ((v = env(cfg, "GOOGLE_OAUTH_ACCESS_TOKEN")) != NULL) {
        describe(au, "credentials: access token from $GOOGLE_OAUTH_ACCESS_TOKEN");
        return use_given_token(au, v, strlen(v), "$GOOGLE_OAUTH_ACCESS_TOKEN", err);
    }
    if ((v = env(cfg, "GOOGLE_APPLICATION_CREDENTIALS")) != NULL)
        return from_adc_file(au, v, "$GOOGLE_APPLICATION_CREDENTIALS", err);
    gcloud_adc_path(path, sizeof path, cfg);
    /* gcloud's file is optional: only its absence moves on (stat, not open:
     * opening a FIFO would block here). */
    struct stat st;
    if (path[0] && (stat(path, &st) == 0 || (errno != ENOENT && errno != ENOTDIR)))
        return from_adc_file(au, path, "gcloud application default credentials", err);
    int rc = from_metadata(au, cfg, err);
    if (rc != 0)
        return rc < 0 ? rc : 0;
    rc = gcsplan__error_set(err, GCSPLAN_ESOURCE,
                            "no credentials found: set GOOGLE_APPLICATION_CREDENTIALS, "
                            "CLOUDSDK_AUTH_ACCESS_TOKEN_FILE or GOOGLE_OAUTH_ACCESS_TOKEN, run "
                            "'gcloud auth application-default login', or use "
                            "STORAGE_EMULATOR_HOST");
    if (err != NULL) {
        char where[PATH_SHOWN_MAX * 4 + 8];
        snprintf(err->hint, sizeof err->hint,
                 "looked for $CLOUDSDK_AUTH_ACCESS_TOKEN_FILE, $GOOGLE_OAUTH_ACCESS_TOKEN, "
                 "$GOOGLE_APPLICATION_CREDENTIALS, %.2000s, and a metadata server "
                 "($GCE_METADATA_HOST, or a GCE VM)",
                 path[0] ? shown(where, sizeof where, path) : "gcloud's ADC file");
    }
    return rc;
}

int gcsplan__auth_new(gcsplan__auth **out, const gcsplan_allocator *a,
                      const gcsplan__auth_config *cfg, gcsplan_error *err)
{
    if (out == NULL || cfg == NULL)
        return gcsplan__error_set(err, GCSPLAN_EINVAL, "gcsplan__auth_new: NULL argument");
    *out = NULL;
    a = gcsplan__allocator_or_default(a);
    gcsplan__auth *au = gcsplan__malloc(a, sizeof *au);
    if (au == NULL)
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory for credentials");
    memset(au, 0, sizeof *au);
    if (pthread_mutex_init(&au->lock, NULL) != 0) {
        gcsplan__free(a, au);
        return gcsplan__error_set(err, GCSPLAN_ENOMEM, "cannot make a mutex for credentials");
    }
    au->alloc = a;
    au->timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : GCSPLAN__TOKEN_TIMEOUT_DEFAULT_MS;
    au->now_fn = cfg->now_fn ? cfg->now_fn : monotonic_now;
    au->transport = cfg->transport;
    int rc = choose(au, cfg, err);
    if (rc != 0) {
        gcsplan__auth_free(au);
        return rc;
    }
    *out = au;
    return 0;
}

/* --- the process-wide handle ----------------------------------------------------------- */

static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;
static gcsplan__auth *shared;

int gcsplan__auth_shared(gcsplan__auth **out, gcsplan_error *err)
{
    int rc = 0;
    pthread_mutex_lock(&shared_lock);
    if (shared == NULL) {
        gcsplan__auth_config cfg;
        memset(&cfg, 0, sizeof cfg);
        rc = gcsplan__auth_new(&shared, NULL, &cfg, err);
    }
    *out = shared;
    pthread_mutex_unlock(&shared_lock);
    return rc;
}

void gcsplan__auth_shared_reset(void)
{
    pthread_mutex_lock(&shared_lock);
    gcsplan__auth_free(shared);
    shared = NULL;
    pthread_mutex_unlock(&shared_lock);
}

/* --- tokens ----------------------------------------------------------------------------- */

/* The form body of a token request, and the secrets it carries. */
static int token_body(gcsplan__auth *au, char **body, size_t *len, char **jwt,
                      gcsplan_error *err)
{
    if (au->kind == K_AUTHORIZED_USER) {
        const char *pairs[] = { "grant_type", "refresh_token", "client_id", au->client_id,
                                "client_secret", au->client_secret, "refresh_token",
                                au->refresh_token, NULL };
        return gcsplan__form_encode(body, len, au->alloc, pairs, err);
    }
    time_t now = time(NULL);
    gcsplan__jwt_claims c = { au->key_id, au->email, GCSPLAN__AUTH_SCOPE, au->token_url,
                              (long long)now, (long long)now + JWT_LIFETIME_S };
    gcsplan_error jerr;
    int rc = gcsplan__jwt_sign_rs256(jwt, au->alloc, au->private_key, &c, &jerr);
    if (rc != 0) {
        char email[256];
        return gcsplan__error_set(err, rc, "service account key (%s): %s",
                                  shown(email, sizeof email, au->email), jerr.message);
    }
    const char *pairs[] = { "grant_type", JWT_GRANT, "assertion", *jwt, NULL };
    return gcsplan__form_encode(body, len, au->alloc, pairs, err);
}

/* The client token requests go through: no credentials of its own, the
 * token retry policy, made on first use. */
static int token_api(gcsplan__auth *au, gcsplan_error *err)
{
    if (au->api != NULL)
        return 0;
    gcsplan__api_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.alloc = au->alloc;
    cfg.parallel = 1;
    cfg.timeout_ms = au->timeout_ms;
    cfg.retry.retries = GCSPLAN__TOKEN_ATTEMPTS - 1;
    cfg.retry.base_ms = GCSPLAN__TOKEN_BACKOFF_BASE_MS;
    cfg.retry.max_ms = GCSPLAN__TOKEN_BACKOFF_CAP_MS;
    cfg.retry.retry_after_max_ms = GCSPLAN__TOKEN_BACKOFF_CAP_MS;
    cfg.transport = au->transport;
    cfg.auth_mode = GCSPLAN__API_AUTH_NONE;
    return gcsplan__api_new(&au->api, &cfg, err);
}

/* Fetch a token; the caller holds the lock. */
static int fetch(gcsplan__auth *au, gcsplan_error *err)
{
    char *body = NULL, *jwt = NULL;
    size_t body_len = 0;
    gcsplan__token tok = { NULL, 0, 0 };
    char what[WHAT_MAX];
    const char *form_headers[] = { "Content-Type: application/x-www-form-urlencoded", NULL };
    const char *metadata_headers[] = { "Metadata-Flavor: Google", NULL };
    gcsplan__request req;
    memset(&req, 0, sizeof req);
    req.service = -1;
    req.url = au->token_url;
    req.headers = metadata_headers;
    req.body_max = GCSPLAN__TOKEN_BODY_MAX;
    req.oauth = 1;
    req.no_proxy = 1;
    int rc = token_api(au, err);
    if (rc != 0)
        goto done;
    if (au->kind == K_METADATA) {
        snprintf(what, sizeof what, "metadata server token request");
    } else {
        rc = token_body(au, &body, &body_len, &jwt, err);
        if (rc != 0)
            goto done;
        gcsplan__buf w;
        gcsplan__buf_fixed(&w, what, sizeof what);
        gcsplan__buf_puts(&w, "token request to ");
        gcsplan__term_str(&w, au->token_url, strlen(au->token_url) > 120 ? 120 : strlen(au->token_url));
        req.method = "POST";
        req.headers = form_headers;
        req.body = body;
        req.body_len = body_len;
        req.no_proxy = 0;
    }
    const char *secrets[] = { jwt ? jwt : "", au->client_secret ? au->client_secret : "",
                              au->refresh_token ? au->refresh_token : "",
                              au->private_key ? au->private_key : "", NULL };
    req.secrets = secrets;
    req.what = what;
    rc = gcsplan__token_fetch(&tok, au->api, &req, what, err);
    if (rc != 0)
        goto done;
    if (set_header(au, tok.access_token, tok.len) != 0) {
        rc = gcsplan__error_set(err, GCSPLAN_ENOMEM, "out of memory for a token");
        goto done;
    }
    long long margin = GCSPLAN__AUTH_REFRESH_MARGIN_S;
    if (margin > tok.expires_in / 2)
        margin = tok.expires_in / 2;
    au->refresh_at = au->now_fn() + (time_t)(tok.expires_in - margin);
done:
    gcsplan__free_secret_n(au->alloc, tok.access_token, tok.len + 1);
    gcsplan__free_secret_n(au->alloc, body, body_len + 1);
    gcsplan__free_secret(au->alloc, jwt);
    return rc;
}

/* The current header, fetched or refreshed when due; the caller holds the lock. */
static int current(gcsplan__auth *au, gcsplan_error *err)
{
    if (au->kind == K_NONE || au->kind == K_TOKEN)
        return 0;
    if (au->header == NULL || au->now_fn() >= au->refresh_at)
        return fetch(au, err);
    return 0;
}

int gcsplan__auth_header(gcsplan__auth *au, const char **header, gcsplan_error *err)
{
    *header = NULL;
    pthread_mutex_lock(&au->lock);
    int rc = current(au, err);
    if (rc == 0)
        *header = au->header;
    pthread_mutex_unlock(&au->lock);
    return rc;
}

int gcsplan__auth_header_line(gcsplan__auth *au, char *line, size_t cap, const char **out,
                              uint64_t *gen, gcsplan_error *err)
{
    *out = NULL;
    *gen = 0;
    if (au == NULL)
        return 0;
    pthread_mutex_lock(&au->lock);
    int rc = current(au, err);
    if (rc == 0 && au->header != NULL) {
        static const char name[] = "Authorization: ";
        if (sizeof name - 1 + au->header_len + 1 > cap) {
            rc = gcsplan__error_set(err, GCSPLAN_ELIMIT, "the access token is too long");
        } else {
            memcpy(line, name, sizeof name - 1);
            memcpy(line + sizeof name - 1, au->header, au->header_len + 1);
            *out = line;
            *gen = au->gen;
        }
    }
    pthread_mutex_unlock(&au->lock);
    return rc;
}

int gcsplan__auth_invalidate(gcsplan__auth *au)
{
    if (au == NULL)
        return 0;
    pthread_mutex_lock(&au->lock);
    int can = au->kind != K_NONE && au->kind != K_TOKEN;
    if (can)
        drop_header(au);
    pthread_mutex_unlock(&au->lock);
    return can;
}

int gcsplan__auth_refresh_after_401(gcsplan__auth *au, uint64_t gen)
{
    if (au == NULL)
        return 0;
    pthread_mutex_lock(&au->lock);
    int can = au->kind != K_NONE && au->kind != K_TOKEN;
    if (can && au->gen == gen)
        drop_header(au); /* else a newer token is cached already */
    pthread_mutex_unlock(&au->lock);
    return can;
}

int gcsplan__auth_with_secrets(gcsplan__auth *au, int (*fn)(const char *const *secrets, void *ctx),
                               void *ctx)
{
    pthread_mutex_lock(&au->lock);
    const char *s[5];
    size_t k = 0;
    if (au->header != NULL)
        s[k++] = au->header + sizeof BEARER - 1;
    if (au->client_secret != NULL)
        s[k++] = au->client_secret;
    if (au->refresh_token != NULL)
        s[k++] = au->refresh_token;
    if (au->private_key != NULL)
        s[k++] = au->private_key;
    s[k] = NULL;
    int rc = fn(s, ctx);
    pthread_mutex_unlock(&au->lock);
    return rc;
}

const char *gcsplan__auth_describe(const gcsplan__auth *au)
{
    return au != NULL ? au->describe : "credentials: none";
}

void gcsplan__auth_free(gcsplan__auth *au)
{
    if (au == NULL)
        return;
    const gcsplan_allocator *a = au->alloc;
    gcsplan__api_free(au->api);
    drop_header(au);
    gcsplan__free_secret(a, au->token_url);
    gcsplan__free_secret(a, au->email);
    gcsplan__free_secret(a, au->key_id);
    gcsplan__free_secret(a, au->private_key);
    gcsplan__free_secret(a, au->client_id);
    gcsplan__free_secret(a, au->client_secret);
    gcsplan__free_secret(a, au->refresh_token);
    pthread_mutex_destroy(&au->lock);
    gcsplan__free(a, au);
}
