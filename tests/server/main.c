/*
 * gcs-test-server: a Cloud Storage JSON API server for tests and benchmarks.
 *
 * Protocol with the process that starts it: the first stdout line is
 * "PORT <n>" (flushed) once the server accepts connections on 127.0.0.1:<n>.
 * SIGTERM or SIGINT stop it; it then prints "STATS <json>" on stdout (and
 * writes the JSON to --stats-file if given) and exits 0.
 */
#include "bucket.h"
#include "faults.h"
#include "hostile.h"
#include "http.h"
#include "iam.h"
#include "listing.h"
#include "stats.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_BUCKETS 64

static const char usage[] =
    "usage: gcs-test-server [options]\n"
    "Buckets (at least one, repeatable):\n"
    "  --bucket NAME=FILE.jsonl       objects from a JSON Lines listing\n"
    "  --gen-bucket NAME=SPEC         generated objects, SPEC = COUNTS[,size=N|MIN-MAX]\n"
    "                                 [,content=auto|dicom|text|zero][:TEMPLATE]\n"
    "Server:\n"
    "  --port N                       port on 127.0.0.1 (default 0: any free port)\n"
    "  --page-cap N                   list pages hold at most N entries whatever maxResults asks\n"
    "  --require-token TOKEN          storage endpoints need 'Authorization: Bearer TOKEN'\n"
    "  --iam BUCKET=FILE.json|deny    the bucket's IAM policy (bindings from FILE), or 403\n"
    "  --project ID=NUMBER            a project Resource Manager knows (repeatable; default\n"
    "                                 test-project=123456789012); others are 403\n"
    "  --project-iam ID=FILE.json|deny  the project's IAM policy (projects.getIamPolicy), or 403\n"
    "  --role NAME=PERM,...|deleted:PERM,...|deny\n"
    "                                 an IAM role (roles/X, projects/P/roles/X,\n"
    "                                 organizations/O/roles/X) and its permissions, or 403\n"
    "  --stats-file FILE              write the stats JSON there at exit\n"
    "  --max-lifetime SECONDS         exit by itself after this long (default 0: never)\n"
    "  --log                          one line per request on stderr\n"
    "  --dump NAME                    print bucket NAME as JSON Lines and exit\n"
    "Faults (rates are probabilities 0..1 per request, decided from --seed):\n"
    "  --seed N                       (default 0)\n"
    "  --latency-ms N                 delay every storage request by N ms\n"
    "  --latency-jitter-ms N          plus 0..N ms more\n"
    "  --rate-429 P                   429 with Retry-After (see --retry-after)\n"
    "  --rate-429-bare P              429 without Retry-After\n"
    "  --rate-500 P  --rate-503 P     server errors\n"
    "  --rate-abort P                 close the connection part way through the body\n"
    "  --rate-short P                 list pages shorter than asked, still with a token\n"
    "  --rate-slow P                  dribble the body in --slow-chunk byte pieces\n"
    "                                 every --slow-delay-ms (defaults 64 and 20)\n"
    "  --retry-after SECONDS          value of Retry-After (default 1)\n"
    "  --max-consecutive N            error faults in a row for one request (default 2)\n"
    "Hostile behaviours (docs/test-server.md, \"Hostile mode\"), repeatable:\n"
    "  --hostile KIND[=ARG][,KEY=VALUE...][@BUCKET[/PREFIX]]\n"
    "        KIND: token-repeat token-cycle empty-pages oversize-items=N padding=BYTES\n"
    "              evil-names size=DIGITS gzip-bomb[=BYTES] stall-headers stall-body[=BYTES]\n"
    "              silent evil-error[=STATUS] retry-after=VALUE echo-secrets[=ENC+...]\n"
    "              redirect[=STATUS]\n"
    "        KEY:  on=list+get+media+bucket+iam+token+metadata+project|all after=N times=N\n"
    "              status=N (retry-after, echo-secrets) to=alt|altN|URL (redirect)\n"
    "              in=desc+field|text (echo-secrets) force=1 (gzip-bomb)\n"
    "  --alt-listen HOST:PORT         also serve on this IPv4 address (redirect targets;\n"
    "                                 no faults, no hostile rules); printed as ALT N HOST:PORT\n"
    "  --help\n";

static int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    errno = 0;
    unsigned long v = strtoul(s, &end, 10);
    if (!*s || *end || errno || v > max || s[0] == '-')
        return -1;
    *out = v;
    return 0;
}

static int parse_rate(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    if (!*s || *end || !(v >= 0 && v <= 1))
        return -1;
    *out = v;
    return 0;
}

static int die(const char *msg, const char *arg)
{
    fprintf(stderr, "gcs-test-server: %s%s%s\n", msg, arg ? ": " : "", arg ? arg : "");
    return 2;
}

static void print_stats(const char *stats_file)
{
    sbuf b;
    sbuf_init(&b);
    stats_render(&b);
    sbuf_putc(&b, '\0');
    if (b.data) {
        printf("STATS %s\n", b.data);
        fflush(stdout);
        if (stats_file) {
            FILE *f = fopen(stats_file, "w");
            if (f) {
                fprintf(f, "%s\n", b.data);
                fclose(f);
            } else {
                fprintf(stderr, "gcs-test-server: %s: %s\n", stats_file, strerror(errno));
            }
        }
    }
    sbuf_free(&b);
}

static int dump_bucket(const bucket *b)
{
    char buf[BUCKET_NAME_MAX + 1];
    sbuf line;
    sbuf_init(&line);
    for (size_t i = 0, n = bucket_count(b); i < n; i++) {
        size_t len;
        const char *name = bucket_name(b, i, buf, &len);
        line.len = 0;
        sbuf_puts(&line, "{\"name\":");
        sbuf_json_str(&line, name, len);
        sbuf_puts(&line, ",\"size\":");
        sbuf_u64(&line, bucket_size(b, i));
        sbuf_puts(&line, "}\n");
        if (line.failed || fwrite(line.data, 1, line.len, stdout) != line.len)
            break;
    }
    sbuf_free(&line);
    return fflush(stdout) == 0 ? 0 : 3;
}

static int served(const char *bucket, void *ctx)
{
    const server_config *cfg = ctx;
    for (size_t i = 0; i < cfg->n_buckets; i++)
        if (!strcmp(cfg->buckets[i]->id, bucket))
            return 1;
    return 0;
}

/* Every exit after the first allocation goes through `out`, so that a
 * sanitizer build reports no leak on a usage error. */
#define FAIL(...)                                                                              \
    do {                                                                                       \
        rc = die(__VA_ARGS__);                                                                 \
        goto out;                                                                              \
    } while (0)

int main(int argc, char **argv)
{
    static bucket *buckets[MAX_BUCKETS];
    server_config cfg;
    memset(&cfg, 0, sizeof cfg);
    cfg.buckets = buckets;
    fault_config fc = FAULT_CONFIG_INIT;
    unsigned long port = 0, lifetime = 0, v;
    const char *stats_file = NULL, *dump = NULL;
    char err[512];
    int rc = 0;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--help")) {
            fputs(usage, stdout);
            goto out;
        }
        if (!strcmp(a, "--log")) {
            cfg.log = 1;
            continue;
        }
        if (i + 1 >= argc)
            FAIL("missing value for option (see --help)", a);
        const char *val = argv[++i];
        if (!strcmp(a, "--bucket") || !strcmp(a, "--gen-bucket")) {
            const char *eq = strchr(val, '=');
            if (!eq || eq == val)
                FAIL("expected NAME=VALUE", val);
            if (cfg.n_buckets == MAX_BUCKETS)
                FAIL("too many buckets", NULL);
            char name[256];
            snprintf(name, sizeof name, "%.*s", (int)(eq - val), val);
            bucket *b = a[2] == 'b' ? bucket_file_load(name, eq + 1, err, sizeof err)
                                    : bucket_gen_new(name, eq + 1, err, sizeof err);
            if (!b)
                FAIL(err, NULL);
            buckets[cfg.n_buckets++] = b;
        } else if (!strcmp(a, "--port")) {
            if (parse_uint(val, 65535, &port))
                FAIL("bad --port", val);
        } else if (!strcmp(a, "--page-cap")) {
            if (parse_uint(val, LIST_MAX_RESULTS, &v) || v == 0)
                FAIL("bad --page-cap", val);
            cfg.page_cap = v;
        } else if (!strcmp(a, "--iam")) {
            if (iam_add(val, err, sizeof err) != 0)
                FAIL(err, NULL);
        } else if (!strcmp(a, "--project")) {
            if (project_add(val, err, sizeof err) != 0)
                FAIL(err, NULL);
        } else if (!strcmp(a, "--project-iam")) {
            if (project_iam_add(val, err, sizeof err) != 0)
                FAIL(err, NULL);
        } else if (!strcmp(a, "--role")) {
            if (role_add(val, err, sizeof err) != 0)
                FAIL(err, NULL);
        } else if (!strcmp(a, "--hostile")) {
            if (hostile_add(val, err, sizeof err) != 0) {
                rc = die(err, NULL);
                goto out;
            }
        } else if (!strcmp(a, "--alt-listen")) {
            const char *colon = strrchr(val, ':');
            if (cfg.n_alt == HTTP_MAX_ALT)
                FAIL("at most 4 --alt-listen", NULL);
            if (!colon || colon == val || (size_t)(colon - val) >= sizeof cfg.alt[0].host ||
                parse_uint(colon + 1, 65535, &v))
                FAIL("--alt-listen wants HOST:PORT (an IPv4 address)", val);
            alt_listen *al = &cfg.alt[cfg.n_alt++];
            snprintf(al->host, sizeof al->host, "%.*s", (int)(colon - val), val);
            al->port = (uint16_t)v;
        } else if (!strcmp(a, "--require-token")) {
            cfg.require_token = val;
        } else if (!strcmp(a, "--stats-file")) {
            stats_file = val;
        } else if (!strcmp(a, "--max-lifetime")) {
            if (parse_uint(val, 86400 * 365, &lifetime))
                FAIL("bad --max-lifetime", val);
        } else if (!strcmp(a, "--dump")) {
            dump = val;
        } else if (!strcmp(a, "--seed")) {
            char *end;
            errno = 0;
            fc.seed = strtoull(val, &end, 10);
            if (!*val || *end || errno)
                FAIL("bad --seed", val);
        } else if (!strcmp(a, "--latency-ms") || !strcmp(a, "--latency-jitter-ms") ||
                   !strcmp(a, "--retry-after") || !strcmp(a, "--slow-chunk") ||
                   !strcmp(a, "--slow-delay-ms") || !strcmp(a, "--max-consecutive")) {
            if (parse_uint(val, 3600000, &v))
                FAIL("bad number", val);
            unsigned u = (unsigned)v;
            switch (a[2]) {
            case 'l': *(a[10] == 'm' ? &fc.latency_ms : &fc.latency_jitter_ms) = u; break;
            case 'r': fc.retry_after_s = u; break;
            case 's': *(a[7] == 'c' ? &fc.slow_chunk : &fc.slow_delay_ms) = u; break;
            default: fc.max_consecutive = u; break;
            }
        } else if (!strncmp(a, "--rate-", 7)) {
            static const char *names[] = {"429", "429-bare", "500", "503", "abort", "short", "slow"};
            double *dst[] = {&fc.p429, &fc.p429_bare, &fc.p500, &fc.p503, &fc.pabort,
                             &fc.pshort, &fc.pslow};
            size_t k;
            for (k = 0; k < 7 && strcmp(a + 7, names[k]); k++) {
            }
            if (k == 7)
                FAIL("unknown option (see --help)", a);
            if (parse_rate(val, dst[k]))
                FAIL("rates are numbers from 0 to 1", val);
        } else {
            FAIL("unknown option (see --help)", a);
        }
    }
    if (fc.slow_chunk == 0)
        fc.slow_chunk = 1;
    if (fc.p429 + fc.p429_bare + fc.p500 + fc.p503 + fc.pabort > 1)
        FAIL("error rates add up to more than 1", NULL);

    if (dump) {
        for (size_t i = 0; i < cfg.n_buckets; i++)
            if (!strcmp(buckets[i]->id, dump)) {
                rc = dump_bucket(buckets[i]);
                goto out;
            }
        rc = die("no such bucket", dump);
        goto out;
    }
    if (cfg.n_buckets == 0) {
        rc = die("no bucket given (see --help)", NULL);
        goto out;
    }
    const char *typo = iam_unknown_bucket(served, &cfg);
    if (typo) {
        rc = die("--iam names a bucket that is not served", typo);
        goto out;
    }
    if ((typo = project_iam_unknown()) != NULL) {
        rc = die("--project-iam names a project that --project does not give", typo);
        goto out;
    }
    if (hostile_needs_alt((unsigned)cfg.n_alt, err, sizeof err)) {
        rc = die(err, NULL);
        goto out;
    }
    faults_init(&fc);

    /* Block the stop signals before the server threads exist so that they all
     * inherit the mask and only sigtimedwait below sees them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);

    struct MHD_Daemon *d = http_start(&cfg, (uint16_t)port, err, sizeof err);
    if (!d) {
        rc = die(err, NULL);
        goto out;
    }
    /* one write, so that whoever sees PORT sees the ALT lines too */
    sbuf hello;
    sbuf_init(&hello);
    char line[128];
    snprintf(line, sizeof line, "PORT %u\n", cfg.port);
    sbuf_puts(&hello, line);
    for (size_t i = 0; i < cfg.n_alt; i++) {
        snprintf(line, sizeof line, "ALT %zu %s:%u\n", i + 1, cfg.alt[i].host, cfg.alt[i].port);
        sbuf_puts(&hello, line);
    }
    if (!hello.failed)
        fwrite(hello.data, 1, hello.len, stdout);
    sbuf_free(&hello);
    fflush(stdout);

    time_t deadline = lifetime ? time(NULL) + (time_t)lifetime : 0;
    for (;;) {
        struct timespec ts = {1, 0};
        int sig = sigtimedwait(&set, NULL, &ts);
        if (sig > 0)
            break;
        if (deadline && time(NULL) >= deadline) {
            fprintf(stderr, "gcs-test-server: --max-lifetime reached, exiting\n");
            break;
        }
    }
    http_stop(d);
    print_stats(stats_file);
out:
    for (size_t i = 0; i < cfg.n_buckets; i++)
        bucket_free(buckets[i]);
    hostile_free_all();
    iam_free_all();
    return rc;
}
