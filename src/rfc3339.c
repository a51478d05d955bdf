/* RFC 3339 times (rfc3339.h). */
#include "rfc3339.h"

#define MS_PER_DAY 86400000LL
/* 0000-01-01 and 10000-01-01 in days from 1970-01-01. */
#define DAY_MIN (-719528LL)
#define DAY_END 2932897LL

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar
 * (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static void put(char *p, unsigned v, int digits)
{
    for (int i = digits - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
}

void gcsplan__rfc3339_ms(char *buf, int64_t unix_ms)
{
    int64_t days = unix_ms >= 0 ? unix_ms / MS_PER_DAY : -((-unix_ms + MS_PER_DAY - 1) / MS_PER_DAY);
    int64_t ms = unix_ms - days * MS_PER_DAY;
    if (days < DAY_MIN) {
        days = DAY_MIN;
        ms = 0;
    } else if (days >= DAY_END) {
        days = DAY_END - 1;
        ms = MS_PER_DAY - 1;
    }
    int64_t y;
    unsigned m, d;
    civil_from_days(days, &y, &m, &d);
    put(buf, (unsigned)y, 4);
    buf[4] = '-';
    put(buf + 5, m, 2);
    buf[7] = '-';
    put(buf + 8, d, 2);
    buf[10] = 'T';
    put(buf + 11, (unsigned)(ms / 3600000), 2);
    buf[13] = ':';
    put(buf + 14, (unsigned)(ms / 60000 % 60), 2);
    buf[16] = ':';
    put(buf + 17, (unsigned)(ms / 1000 % 60), 2);
    buf[19] = '.';
    put(buf + 20, (unsigned)(ms % 1000), 3);
    buf[23] = 'Z';
    buf[24] = '\0';
}

/* k decimal digits at s into *v; 0 or -1. */
static int digits(const char *s, int k, unsigned *v)
{
    *v = 0;
    for (int i = 0; i < k; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        *v = *v * 10 + (unsigned)(s[i] - '0');
    }
    return 0;
}

static unsigned month_days(int64_t y, unsigned m)
{
    static const unsigned days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

int gcsplan__rfc3339_parse(const char *s, size_t n, int strict, int64_t *unix_ms)
{
    unsigned y, mo, d, h, mi, sec, frac = 0;
    if (n < 20 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) || s[7] != '-' ||
        digits(s + 8, 2, &d) || digits(s + 11, 2, &h) || s[13] != ':' ||
        digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &sec))
        return -1;
    if (!(s[10] == 'T' || (!strict && (s[10] == 't' || s[10] == ' '))))
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > month_days(y, mo) || h > 23 || mi > 59 || sec > 60)
        return -1;
    size_t i = 19;
    if (i < n && s[i] == '.') {
        size_t k = 0;
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++, k++) {
            if (k < 3)
                frac = frac * 10 + (unsigned)(s[i] - '0');
        }
        if (k == 0 || k > 9 || (strict && k != 3))
            return -1;
        for (; k < 3; k++)
            frac *= 10;
    } else if (strict) {
        return -1;
    }
    int64_t offset_min = 0;
    if (i < n && (s[i] == 'Z' || (!strict && s[i] == 'z'))) {
        i++;
    } else if (!strict && i + 6 == n && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
        unsigned oh, om;
        if (digits(s + i + 1, 2, &oh) || digits(s + i + 4, 2, &om) || oh > 23 || om > 59)
            return -1;
        offset_min = (int64_t)(oh * 60 + om) * (s[i] == '+' ? 1 : -1);
        i += 6;
    } else {
        return -1;
    }
    if (i != n)
        return -1;
    if (sec == 60)
        sec = 59;
    int64_t days = days_from_civil(y, mo, d);
    *unix_ms = days * MS_PER_DAY + ((int64_t)h * 3600 + mi * 60 + sec) * 1000 + frac -
               offset_min * 60000;
    return 0;
}
