#include "stats.h"

#include <stdatomic.h>
#include <string.h>

static atomic_ullong counters[ST__COUNT];

/* group and key of each counter in the JSON document, in stat_id order */
static const struct {
    const char *group, *key;
} names[ST__COUNT] = {
    {"requests", "total"}, {"requests", "list"}, {"requests", "get"}, {"requests", "media"},
    {"requests", "bucket_get"}, {"requests", "bucket_list"}, {"requests", "token"},
    {"requests", "metadata"}, {"requests", "stats"}, {"requests", "other"},
    {"requests", "iam"}, {"requests", "project"}, {"requests", "role"},
    {"responses", "200"}, {"responses", "206"}, {"responses", "400"}, {"responses", "401"},
    {"responses", "403"}, {"responses", "404"}, {"responses", "405"}, {"responses", "416"},
    {"responses", "429"}, {"responses", "500"}, {"responses", "503"},
    {"responses", "301"}, {"responses", "302"}, {"responses", "303"}, {"responses", "307"},
    {"responses", "308"}, {"responses", "other"},
    {"listed", "pages"}, {"listed", "items"}, {"listed", "prefixes"}, {"listed", "body_bytes"},
    {"faults", "429_retry_after"}, {"faults", "429"}, {"faults", "500"}, {"faults", "503"},
    {"faults", "abort"}, {"faults", "short_page"}, {"faults", "slow_body"},
    {"faults", "latency"},
    {"hostile", "token_repeat"}, {"hostile", "token_cycle"}, {"hostile", "empty_pages"},
    {"hostile", "oversize_items"}, {"hostile", "padding"}, {"hostile", "evil_names"},
    {"hostile", "size"}, {"hostile", "gzip_bomb"}, {"hostile", "stall_headers"},
    {"hostile", "stall_body"}, {"hostile", "silent"}, {"hostile", "evil_error"},
    {"hostile", "retry_after"}, {"hostile", "echo_secrets"}, {"hostile", "redirect"},
    {"hostile", "stall_client_gone"}, {"hostile", "alt_requests"},
    {"hostile", "alt_authorization"}, {"hostile", "alt_secrets"},
};

void stats_add(stat_id id, uint64_t n) { atomic_fetch_add_explicit(&counters[id], n, memory_order_relaxed); }

uint64_t stats_get(stat_id id) { return atomic_load_explicit(&counters[id], memory_order_relaxed); }

void stats_count_status(unsigned status)
{
    static const unsigned codes[] = {200, 206, 400, 401, 403, 404, 405, 416, 429, 500, 503,
                                     301, 302, 303, 307, 308};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (codes[i] == status) {
            stats_inc((stat_id)(ST_RESP_200 + i));
            return;
        }
    stats_inc(ST_RESP_OTHER);
}

void stats_render(sbuf *b)
{
    const char *group = NULL;
    sbuf_putc(b, '{');
    for (int i = 0; i < ST__COUNT; i++) {
        if (!group || strcmp(group, names[i].group)) {
            if (group)
                sbuf_puts(b, "},");
            group = names[i].group;
            sbuf_json_str(b, group, strlen(group));
            sbuf_puts(b, ":{");
        } else {
            sbuf_putc(b, ',');
        }
        sbuf_json_str(b, names[i].key, strlen(names[i].key));
        sbuf_putc(b, ':');
        sbuf_u64(b, stats_get((stat_id)i));
    }
    sbuf_puts(b, "}}");
}
