#include "faults.h"
#include "util.h"

#include <pthread.h>
#include <string.h>

#define SLOTS (1u << 16)
#define PROBES 32

typedef struct {
    uint64_t key;
    uint32_t attempts;
    uint32_t consecutive;
} slot;

static fault_config config = FAULT_CONFIG_INIT;
static slot table[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void faults_init(const fault_config *cfg) { config = *cfg; }

const fault_config *faults_config(void) { return &config; }

int faults_enabled(void)
{
    return config.p429 > 0 || config.p429_bare > 0 || config.p500 > 0 || config.p503 > 0 ||
           config.pabort > 0 || config.pshort > 0 || config.pslow > 0 ||
           config.latency_ms > 0 || config.latency_jitter_ms > 0;
}

static double unit(uint64_t r) { return (double)(r >> 11) * (1.0 / 9007199254740992.0); }

/* Finds or claims the slot for key; when the probe window is full the oldest
 * owner is evicted, which only restarts its attempt count. */
static slot *lookup(uint64_t key)
{
    key |= 1; /* 0 marks a free slot */
    size_t h = (size_t)(key % SLOTS);
    for (size_t i = 0; i < PROBES; i++) {
        slot *s = &table[(h + i) % SLOTS];
        if (s->key == key)
            return s;
        if (s->key == 0) {
            s->key = key;
            return s;
        }
    }
    slot *s = &table[h];
    memset(s, 0, sizeof *s);
    s->key = key;
    return s;
}

void faults_decide(uint64_t key, int is_list, fault_plan *out)
{
    memset(out, 0, sizeof *out);
    if (!faults_enabled())
        return;
    pthread_mutex_lock(&lock);
    slot *s = lookup(key);
    uint32_t attempt = s->attempts++;
    uint64_t r = srv_mix64(config.seed ^ srv_mix64(key ^ srv_mix64(attempt)));
    double u = unit(r);
    fault_error e = FAULT_NONE;
    if (s->consecutive < config.max_consecutive) {
        double acc = 0;
        const double p[] = {config.p429, config.p429_bare, config.p500, config.p503,
                            config.pabort};
        for (int i = 0; i < 5; i++) {
            acc += p[i];
            if (u < acc) {
                e = (fault_error)(FAULT_429 + i);
                break;
            }
        }
    }
    s->consecutive = e == FAULT_NONE ? 0 : s->consecutive + 1;
    pthread_mutex_unlock(&lock);

    out->error = e;
    out->rnd = srv_mix64(r ^ 0x3);
    out->short_page = is_list && unit(srv_mix64(r ^ 0x1)) < config.pshort;
    out->slow = unit(srv_mix64(r ^ 0x2)) < config.pslow;
    out->latency_ms = config.latency_ms;
    if (config.latency_jitter_ms)
        out->latency_ms += (unsigned)(srv_mix64(r ^ 0x4) % (config.latency_jitter_ms + 1));
}
