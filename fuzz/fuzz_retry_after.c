/* Fuzz target: the Retry-After parser and the backoff (src/retry.c).
 *
 * Input: the header value. Checked: the parser accepts or refuses without
 * crash or overflow (UBSan); digits alone always parse, to their value in
 * milliseconds or saturated; white space around a value changes nothing; a
 * date gives no longer a wait when "now" is later, and nothing once now is
 * past it; the backoff with the parsed value stays within its bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_target.h"
#include "retry.h"

#define SAT_MS (((uint64_t)1 << 40) * 1000u)


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_input("value", data, size);
    const char *s = (const char *)data;
    static const int64_t nows[] = { 0, 784111777, 1700000000, INT64_MIN, INT64_MAX, -1 };
    uint64_t ms[6];
    int rc[6];
    for (int i = 0; i < 6; i++) {
        ms[i] = 777;
        rc[i] = gcsplan__retry_after_parse(s, size, nows[i], &ms[i]);
        FZ_CHECK(rc[i] == 0 || rc[i] == -1, "rc %d", rc[i]);
        FZ_CHECK(rc[i] == rc[0], "accepted at one now and not another");
        FZ_CHECK(rc[i] != 0 || ms[i] <= SAT_MS, "%llu ms", (unsigned long long)ms[i]);
        FZ_CHECK(rc[i] == 0 || ms[i] == 777, "a refused value changed the output");
    }
    /* A date: later now, no longer wait; now past it, nothing. */
    if (rc[0] == 0) {
        FZ_CHECK(ms[2] <= ms[1] && ms[1] <= ms[0], "a later now gave a longer wait");
        FZ_CHECK(ms[4] == 0 || ms[4] == ms[0], "now at the end of time left a wait");
    }
    /* Digits alone. */
    size_t a = 0, b = size;
    while (a < b && (s[a] == ' ' || s[a] == '\t'))
        a++;
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r' || s[b - 1] == '\n'))
        b--;
    int digits = a < b;
    for (size_t i = a; i < b && digits; i++)
        digits = s[i] >= '0' && s[i] <= '9';
    if (digits) {
        FZ_CHECK(rc[0] == 0, "digits refused");
        uint64_t v = 0;
        int over = 0;
        for (size_t i = a; i < b; i++) {
            if (v > (((uint64_t)1 << 40) - 9) / 10)
                over = 1;
            if (!over)
                v = v * 10 + (uint64_t)(s[i] - '0');
        }
        if (!over && v <= ((uint64_t)1 << 40))
            FZ_CHECK(ms[0] == v * 1000u, "%llu ms for %llu s", (unsigned long long)ms[0],
                  (unsigned long long)v);
    }
    /* White space around changes nothing. */
    char *padded = malloc(size + 4);
    if (padded != NULL) {
        memcpy(padded + 2, data, size);
        padded[0] = ' ';
        padded[1] = '\t';
        padded[size + 2] = '\r';
        padded[size + 3] = '\n';
        uint64_t pm = 777;
        int prc = gcsplan__retry_after_parse(padded, size + 4, nows[1], &pm);
        FZ_CHECK(prc == rc[1] && (prc != 0 || pm == ms[1]), "padding changed the value");
        free(padded);
    }
    /* The backoff with it. */
    gcsplan__retry_policy p = { 8, 250, 32000, 300000 };
    uint64_t rng = 1 + size;
    int64_t ra = rc[1] == 0 ? (ms[1] > INT64_MAX ? INT64_MAX : (int64_t)ms[1]) : -1;
    for (int attempt = 1; attempt <= 12; attempt++) {
        uint64_t w = gcsplan__backoff_ms(&rng, &p, attempt, ra);
        FZ_CHECK(w <= 300000, "waited %llu ms", (unsigned long long)w);
        FZ_CHECK(w >= 125, "waited only %llu ms", (unsigned long long)w);
    }
    return 0;
}
