/* The planner alone, and the planner with its checker, on a generated
 * sorted listing held in memory: objects per second on one core, and the
 * peak resident memory, beside a baseline measured in the same run (a loop
 * that only walks the names and sums the sizes, the floor of any planner).
 *
 * Usage: bench_plan [STUDIES [SERIES [INSTANCES]]]   (default 1000 10 1000:
 * 10,000,000 objects) */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "gcsplan/gcsplan.h"
#include "gcsplan/plan.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The names are regenerated on the fly (the same sequence every pass), so
 * the listing itself takes no memory: what the benchmark measures is the
 * planner's. */
typedef struct gen {
    unsigned s, r, i, ns, nr, ni;
    char name[128];
    size_t len;
    uint64_t size;
} gen;

static void gen_start(gen *g, unsigned ns, unsigned nr, unsigned ni)
{
    memset(g, 0, sizeof *g);
    g->ns = ns;
    g->nr = nr;
    g->ni = ni;
    g->s = g->r = g->i = 1;
}

static int gen_next(gen *g)
{
    if (g->s > g->ns)
        return 0;
    g->len = (size_t)snprintf(g->name, sizeof g->name, "studies/S%05u/series-%02u/IM-%05u.dcm",
                              g->s, g->r, g->i);
    g->size = 100000 + (g->s * 7919u + g->r * 104729u + g->i * 1299709u) % 900000u;
    if (++g->i > g->ni) {
        g->i = 1;
        if (++g->r > g->nr) {
            g->r = 1;
            g->s++;
        }
    }
    return 1;
}

int main(int argc, char **argv)
{
    unsigned ns = argc > 1 ? (unsigned)atoi(argv[1]) : 1000;
    unsigned nr = argc > 2 ? (unsigned)atoi(argv[2]) : 10;
    unsigned ni = argc > 3 ? (unsigned)atoi(argv[3]) : 1000;
    const char *uri = "gs://bkt/studies/**.dcm";
    gcsplan_pattern *p;
    gcsplan_error err;
    if (gcsplan_pattern_compile(&p, uri, strlen(uri), NULL, &err) != 0)
        return 1;
    gen g;
    uint64_t n = 0, sum = 0;

    double t0 = now();
    for (gen_start(&g, ns, nr, ni); gen_next(&g);) {
        n++;
        sum += g.size + (uint64_t)g.name[g.len - 5];
    }
    double base = now() - t0;

    gcsplan_plan_options o = GCSPLAN_PLAN_OPTIONS_INIT;
    o.max_objects = 10000;
    o.max_bytes = (uint64_t)5 << 30;
    gcsplan_planner *pl;
    t0 = now();
    if (gcsplan_planner_new(&pl, p, &o, &err) != 0)
        return 1;
    for (gen_start(&g, ns, nr, ni); gen_next(&g);)
        if (gcsplan_planner_add(pl, g.name, g.len, g.size, 0, &err) != 0)
            return fprintf(stderr, "%s\n", err.message), 1;
    if (gcsplan_planner_finish(pl, &err) != 0)
        return 1;
    double plan = now() - t0;

    gcsplan_plan_check *c;
    t0 = now();
    if (gcsplan_plan_check_new(&c, pl, &err) != 0)
        return 1;
    for (gen_start(&g, ns, nr, ni); gen_next(&g);)
        if (gcsplan_plan_check_add(c, g.name, g.len, g.size, 0, 0, &err) != 0)
            return fprintf(stderr, "%s\n", err.message), 1;
    if (gcsplan_plan_check_finish(c, &err) != 0)
        return fprintf(stderr, "%s\n", err.message), 1;
    double check = now() - t0;

    gcsplan_plan_stats st;
    gcsplan_planner_stats(pl, &st);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("objects %llu, jobs %llu (lower bound %llu), checksum %llu\n", (unsigned long long)n,
           (unsigned long long)st.jobs, (unsigned long long)st.lower_bound,
           (unsigned long long)(sum & 0xff));
    printf("%-26s %12.0f objects/s\n", "baseline (walk + sum)", n / base);
    printf("%-26s %12.0f objects/s  %5.1fx the baseline's time\n", "planner", n / plan, plan / base);
    printf("%-26s %12.0f objects/s  %5.1fx the baseline's time\n", "checker", n / check,
           check / base);
    printf("peak resident memory       %12.1f MiB\n", ru.ru_maxrss / 1024.0);
    gcsplan_plan_check_free(c);
    gcsplan_planner_free(pl);
    gcsplan_pattern_free(p);
    return 0;
}
