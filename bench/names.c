/* Corpus generation for the benchmarks (see names.h). The mix is meant to
 * look like a real imaging bucket: most names are deep DICOM paths that
 * share long prefixes (the case a '**' import hits), with enough variety in
 * depth, length and characters that no matcher gets an easy ride. */
#include "names.h"

#include <stdlib.h>
#include <string.h>

/* Longest name the shapes below produce, with room to spare. */
#define NAME_ROOM 256

static uint64_t next(uint64_t *s) /* splitmix64 */
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static unsigned below(uint64_t *s, unsigned n)
{
    return (unsigned)(next(s) % n);
}

static const char *const utf8_folders[] = {
    "M\xC3\xBCller", "Jos\xC3\xA9", "Zo\xC3\xAB", "\xC5\x81\xC3\xB3" "d\xC5\xBA",
    "\xE6\x9D\xB1\xE4\xBA\xAC\xE5\xA4\xA7\xE5\xAD\xA6\xE7\x97\x85\xE9\x99\xA2", /* a hospital, in kanji */
    "\xCE\xA9mega", "S\xC3\xA3o Paulo", "K\xC3\xB8" "benhavn",
};

static const char *const exts[] = { ".dcm", ".dcm", ".dcm", ".json", ".png", ".txt" };

/* Write one name into out (NAME_ROOM bytes); return its length. */
static int make_name(char *out, uint64_t *s)
{
    unsigned shape = below(s, 100);
    unsigned year = 2015 + below(s, 10);
    if (shape < 55) /* the DICOM study layout */
        return snprintf(out, NAME_ROOM, "studies/%u/patient-%05u/series-%u/IM-%04u-%04u.dcm",
                        year, below(s, 100000), 1 + below(s, 12), 1 + below(s, 4),
                        1 + below(s, 300));
    if (shape < 65) {
        static const char *const side[] = { "report.json", "thumbs/IM-0001-0001.png",
                                            "notes.txt", "IM-0001-0001.dcm.tmp" };
        return snprintf(out, NAME_ROOM, "studies/%u/patient-%05u/series-%u/%s", year,
                        below(s, 100000), 1 + below(s, 12), side[below(s, 4)]);
    }
    if (shape < 80) { /* deep date paths, long hashed file names */
        uint64_t h1 = next(s), h2 = next(s);
        return snprintf(out, NAME_ROOM, "archive/site-%c/%u/%02u/%02u/%016llx%016llx%s",
                        'a' + below(s, 26), year, 1 + below(s, 12), 1 + below(s, 28),
                        (unsigned long long)h1, (unsigned long long)h2, exts[below(s, 6)]);
    }
    if (shape < 88) /* uploads under human-named folders, some not ASCII */
        return snprintf(out, NAME_ROOM, "uploads/%s/%u-%02u-%02u/scan-%u%s",
                        utf8_folders[below(s, sizeof utf8_folders / sizeof *utf8_folders)], year,
                        1 + below(s, 12), 1 + below(s, 28), below(s, 1000), exts[below(s, 6)]);
    if (shape < 95)
        return snprintf(out, NAME_ROOM, "exports/%u/part-%05u.%s", below(s, 5000),
                        below(s, 100000), below(s, 2) ? "ndjson" : "csv");
    static const char *const shorts[] = { "README.txt", "manifest.json", "tmp/x", "a.dcm" };
    if (below(s, 2))
        return snprintf(out, NAME_ROOM, "%s", shorts[below(s, 4)]);
    return snprintf(out, NAME_ROOM, "manifest-%u.json", below(s, 100000));
}

int bench_names_generate(bench_names *n, size_t count, uint64_t seed)
{
    memset(n, 0, sizeof *n);
    size_t cap = count * 64 + NAME_ROOM;
    n->text = malloc(cap);
    n->off = malloc(count * sizeof *n->off);
    n->len = malloc(count * sizeof *n->len);
    if (n->text == NULL || n->off == NULL || n->len == NULL) {
        bench_names_free(n);
        return -1;
    }
    uint64_t s = seed;
    size_t at = 0;
    for (size_t i = 0; i < count; i++) {
        if (cap - at < NAME_ROOM + 1) {
            char *grown = realloc(n->text, cap * 2);
            if (grown == NULL) {
                bench_names_free(n);
                return -1;
            }
            n->text = grown;
            cap *= 2;
        }
        int k;
        if (i % BENCH_KNOWN_EVERY == BENCH_KNOWN_EVERY - 1)
            k = snprintf(n->text + at, NAME_ROOM, "%s", BENCH_KNOWN_NAME);
        else
            k = make_name(n->text + at, &s);
        n->off[i] = at;
        n->len[i] = (uint32_t)k;
        at += (size_t)k + 1; /* snprintf left the NUL fnmatch needs */
        n->bytes += (size_t)k;
    }
    n->count = count;
    return 0;
}

void bench_names_free(bench_names *n)
{
    free(n->text);
    free(n->off);
    free(n->len);
    memset(n, 0, sizeof *n);
}

int bench_names_write(const bench_names *n, FILE *f)
{
    for (size_t i = 0; i < n->count; i++) {
        fwrite(n->text + n->off[i], 1, n->len[i], f);
        if (putc('\n', f) == EOF)
            return -1;
    }
    return fflush(f) == 0 ? 0 : -1;
}
