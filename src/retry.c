/* The retry policy, the backoff and the Retry-After parser. */
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "retry.h"
#include "util/num.h"

/* Delay-seconds are read saturating at this many seconds: far above any cap,
 * far below the point where milliseconds would overflow. */
#define DELAY_SECONDS_MAX ((uint64_t)1 << 40)

int gcsplan__http_retryable(int status)
{
    return status == 408 || status == 429 || (status >= 500 && status <= 599);
}

uint64_t gcsplan__backoff_ms(uint64_t *rng, const gcsplan__retry_policy *p, int attempt,
                             int64_t retry_after_ms)
{
    uint64_t cap = p->max_ms ? p->max_ms : 1, d = p->base_ms ? p->base_ms : 1;
    for (int i = 1; i < attempt && d < cap; i++)
        d *= 2; /* d < cap <= UINT_MAX before each doubling: no overflow */
    if (d > cap)
        d = cap;
    *rng ^= *rng << 13;
    *rng ^= *rng >> 7;
    *rng ^= *rng << 17;
    /* Half fixed, half random: spreads clients that failed together without
     * letting a retry come right back. */
    d = d / 2 + (d - d / 2) * (*rng % 10001) / 10000;
    if (retry_after_ms >= 0) {
        uint64_t ra = (uint64_t)retry_after_ms;
        if (ra > p->retry_after_max_ms)
            ra = p->retry_after_max_ms;
        if (ra > d)
            d = ra;
    }
    return d;
}

uint64_t gcsplan__rng_seed(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)getpid();
    /* splitmix64: a zero state would make xorshift stick at zero */
    x += 0x9e3779b97f4a7c15u;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
    x ^= x >> 31;
    return x ? x : 1;
}

/* --- HTTP-date (RFC 9110 section 5.6.7) ------------------------------------------ */

typedef struct cursor {
    const char *p, *e;
} cursor;

static int lit(cursor *c, const char *s)
{
    size_t n = strlen(s);
    if ((size_t)(c->e - c->p) < n || memcmp(c->p, s, n) != 0)
        return 0;
    c->p += n;
    return 1;
}

/* Exactly `digits` digits (or 1..digits when `upto`). */
static int num(cursor *c, int digits, int upto, int *out)
{
    int v = 0, k = 0;
    while (k < digits && c->p < c->e && *c->p >= '0' && *c->p <= '9') {
        v = v * 10 + (*c->p - '0');
        c->p++;
        k++;
    }
    if (k == 0 || (!upto && k != digits))
        return 0;
    *out = v;
    return 1;
}

static int month(cursor *c, int *out)
{
    static const char names[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
    for (int i = 0; i < 12; i++)
        if (lit(c, names[i])) {
            *out = i + 1;
            return 1;
        }
    return 0;
}

/* A day name, short ("Sun") or long ("Sunday", RFC 850 only). */
static int day_name(cursor *c, int long_form)
{
    static const char *const names[7][2] = {
        { "Mon", "Monday" }, { "Tue", "Tuesday" }, { "Wed", "Wednesday" }, { "Thu", "Thursday" },
        { "Fri", "Friday" }, { "Sat", "Saturday" }, { "Sun", "Sunday" }
    };
    for (int i = 0; i < 7; i++)
        if (lit(c, names[i][long_form]))
            return 1;
    return 0;
}

static int clock_of(cursor *c, int *h, int *m, int *s)
{
    return num(c, 2, 0, h) && lit(c, ":") && num(c, 2, 0, m) && lit(c, ":") && num(c, 2, 0, s);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
 * days_from_civil): no timegm, no time zone, no locale. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int valid(int y, int mo, int d, int h, int mi, int s)
{
    static const int mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap))
        return 0;
    return h <= 23 && mi <= 59 && s <= 60; /* 60: a leap second */
}

/* Seconds since the epoch of an HTTP-date into *out; 0, or -1 when c is none. */
static int http_date(cursor c, int64_t *out)
{
    int y, mo, d, h, mi, s;
    cursor a = c;
    /* IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT */
    if (day_name(&a, 0) && lit(&a, ", ") && num(&a, 2, 0, &d) && lit(&a, " ") && month(&a, &mo) &&
        lit(&a, " ") && num(&a, 4, 0, &y) && lit(&a, " ") && clock_of(&a, &h, &mi, &s) &&
        lit(&a, " GMT") && a.p == a.e)
        goto ok;
    /* RFC 850: Sunday, 06-Nov-94 08:49:37 GMT */
    a = c;
    if (day_name(&a, 1) && lit(&a, ", ") && num(&a, 2, 0, &d) && lit(&a, "-") && month(&a, &mo) &&
        lit(&a, "-") && num(&a, 2, 0, &y) && lit(&a, " ") && clock_of(&a, &h, &mi, &s) &&
        lit(&a, " GMT") && a.p == a.e) {
        /* Two-digit years: this century's up to 69, the last one's after. */
        y += y < 70 ? 2000 : 1900;
        goto ok;
    }
    /* asctime: Sun Nov  6 08:49:37 1994 */
    a = c;
    if (day_name(&a, 0) && lit(&a, " ") && month(&a, &mo) && lit(&a, " ") &&
        (lit(&a, " ") ? num(&a, 1, 0, &d) : num(&a, 2, 0, &d)) && lit(&a, " ") &&
        clock_of(&a, &h, &mi, &s) && lit(&a, " ") && num(&a, 4, 0, &y) && a.p == a.e)
        goto ok;
    return -1;
ok:
    if (!valid(y, mo, d, h, mi, s))
        return -1;
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
    return 0;
}

int gcsplan__retry_after_parse(const char *s, size_t n, int64_t now_s, uint64_t *ms)
{
    cursor c = { s, s + n };
    while (c.p < c.e && (*c.p == ' ' || *c.p == '\t'))
        c.p++;
    while (c.e > c.p && (c.e[-1] == ' ' || c.e[-1] == '\t' || c.e[-1] == '\r' || c.e[-1] == '\n'))
        c.e--;
    uint64_t secs;
    if (c.p < c.e && gcsplan__parse_u64_sat(c.p, (size_t)(c.e - c.p), DELAY_SECONDS_MAX, &secs) == 0) {
        *ms = secs * 1000u;
        return 0;
    }
    int64_t when;
    if (http_date(c, &when) != 0)
        return -1;
    /* Unsigned: the true difference always fits, whatever now_s is. */
    uint64_t delta = when > now_s ? (uint64_t)when - (uint64_t)now_s : 0;
    *ms = (delta > DELAY_SECONDS_MAX ? DELAY_SECONDS_MAX : delta) * 1000u;
    return 0;
}
