/* Fuzz target: the import journal's reader (src/journal.c).
 *
 * Input: byte 0 seeds the chunking; the rest is a journal of a fixed plan
 * of three jobs (fuzz/corpus/fuzz_journal/ holds journals of it; the
 * dictionary has its digest and URIs). The reader must give the same
 * records, the same verdict and the same error, at the same byte, fed
 * whole and in random pieces; what it accepts must keep to the plan (jobs,
 * URIs) and to the state machine; and the records written again by the
 * writer's own formatter must read back to the same records. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_target.h"
#include "gcsplan/gcsplan.h"
#include "journal.h"
#include "util/buf.h"

#define STORE "projects/p/locations/us/datasets/d/dicomStores/s"
#define LOG_MAX (1u << 20)

static const char plan_text[] =
    "{\"uri\":\"gs://bkt/**\",\"objects\":3,\"bytes\":30,\"store\":\"" STORE "\",\"jobs\":["
    "{\"uri\":\"gs://bkt/a**\",\"objects\":1,\"bytes\":10},"
    "{\"uri\":\"gs://bkt/b**\",\"objects\":1,\"bytes\":10},"
    "{\"uri\":\"gs://bkt/c\\u00e9\",\"objects\":1,\"bytes\":10}]}";


typedef struct seen {
    const gcsplan_plan_doc *plan;
    gcsplan__buf log;     /* the records as text, for comparing */
    gcsplan__buf again;   /* the records as the writer writes them */
    unsigned char state[3];
} seen;

static int on_record(const gcsplan_journal_record *r, void *payload)
{
    seen *s = payload;
    FZ_CHECK(r->job < 3, "job %zu", r->job);
    const gcsplan_plan_job *pj = gcsplan_plan_doc_job(s->plan, r->job);
    unsigned char *st = &s->state[r->job];
    switch (r->event) {
    case GCSPLAN_JOURNAL_SUBMITTING:
        FZ_CHECK(r->uri != NULL && strcmp(r->uri, pj->uri) == 0, "another URI");
        FZ_CHECK(*st == GCSPLAN_IMPORT_WAITING || *st == GCSPLAN_IMPORT_FAILED, "submitting when %d",
              *st);
        *st = GCSPLAN_IMPORT_SUBMITTING;
        break;
    case GCSPLAN_JOURNAL_SUBMITTED:
        FZ_CHECK(*st == GCSPLAN_IMPORT_SUBMITTING && r->operation != NULL, "submitted");
        *st = GCSPLAN_IMPORT_RUNNING;
        break;
    case GCSPLAN_JOURNAL_LOST:
    case GCSPLAN_JOURNAL_DEFERRED:
        FZ_CHECK(*st == GCSPLAN_IMPORT_SUBMITTING, "lost or deferred when %d", *st);
        *st = GCSPLAN_IMPORT_WAITING;
        break;
    case GCSPLAN_JOURNAL_DONE:
        FZ_CHECK(r->state >= GCSPLAN_IMPORT_SUCCEEDED && r->state <= GCSPLAN_IMPORT_FAILED, "state");
        FZ_CHECK((*st == GCSPLAN_IMPORT_RUNNING && r->operation) ||
              (*st == GCSPLAN_IMPORT_SUBMITTING && !r->operation &&
               r->state == GCSPLAN_IMPORT_FAILED), "done when %d", *st);
        *st = (unsigned char)r->state;
        break;
    default:
        FZ_CHECK(0, "event %d", (int)r->event);
    }
    gcsplan__buf_printf(&s->log, "%d %zu %lld %s|%s|%d %d %llu %llu|%s|%s|%d %d %lld %lld\n",
                        (int)r->event, r->job, (long long)r->time_ms, r->uri ? r->uri : "-",
                        r->operation ? r->operation : "-", (int)r->state, r->has_counters,
                        (unsigned long long)r->success, (unsigned long long)r->failure,
                        r->logs_url ? r->logs_url : "-", r->error ? r->error : "-",
                        r->error_code, r->http_status, (long long)r->create_ms,
                        (long long)r->end_ms);
    FZ_CHECK(gcsplan__journal_line(&s->again, r) == 0, "the writer refuses a record read");
    return 0;
}

static int read_journal(const gcsplan_plan_doc *plan, const uint8_t *d, size_t n, size_t chunk,
                        seen *s, gcsplan_journal_info *info, gcsplan_error *err)
{
    memset(s->state, 0, sizeof s->state);
    s->plan = plan;
    gcsplan__buf_dynamic(&s->log, NULL, LOG_MAX * 4);
    gcsplan__buf_dynamic(&s->again, NULL, LOG_MAX * 4);
    gcsplan__jreader *r;
    FZ_CHECK(gcsplan__jreader_new(&r, NULL, plan, on_record, s, NULL) == 0, "new");
    int rc = 0;
    for (size_t off = 0; rc == 0 && off < n; off += chunk) {
        size_t k = n - off < chunk ? n - off : chunk;
        rc = gcsplan__jreader_feed(r, (const char *)d + off, k, err);
    }
    if (rc == 0)
        rc = gcsplan__jreader_finish(r, info, err);
    gcsplan__jreader_free(r);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_input("journal", data, size);
    static gcsplan_plan_doc *plan;
    if (plan == NULL) {
        gcsplan_plan_reader *pr;
        if (gcsplan_plan_reader_new(&pr, NULL, NULL) != 0 ||
            gcsplan_plan_reader_feed(pr, plan_text, sizeof plan_text - 1, NULL) != 0 ||
            gcsplan_plan_reader_finish(pr, &plan, NULL) != 0)
            fz_fail("the fixed plan does not read");
        gcsplan_plan_reader_free(pr);
    }
    if (size == 0)
        return 0;
    size_t chunk = 1 + data[0] % 37;
    const uint8_t *j = data + 1;
    size_t n = size - 1;
    seen whole, parts;
    gcsplan_journal_info iw, ip;
    gcsplan_error ew, ep;
    memset(&iw, 0, sizeof iw);
    memset(&ip, 0, sizeof ip);
    int rw = read_journal(plan, j, n, n ? n : 1, &whole, &iw, &ew);
    int rp = read_journal(plan, j, n, chunk, &parts, &ip, &ep);
    FZ_CHECK(rw == rp, "whole %d, in pieces of %zu %d", rw, chunk, rp);
    FZ_CHECK(rw == 0 || rw == GCSPLAN_EJOURNAL || rw == GCSPLAN_ELIMIT, "rc %d", rw);
    FZ_CHECK(whole.log.len == parts.log.len && memcmp(whole.log.p, parts.log.p, whole.log.len) == 0,
          "other records in pieces of %zu", chunk);
    if (rw != 0) {
        FZ_CHECK(strcmp(ew.message, ep.message) == 0 && ew.offset == ep.offset,
              "another error in pieces: '%s' / '%s'", ew.message, ep.message);
        FZ_CHECK(strchr(ew.message, '\n') == NULL, "the error is not one line");
    } else {
        FZ_CHECK(memcmp(&iw, &ip, sizeof iw) == 0, "other info in pieces");
        FZ_CHECK(iw.good_bytes <= n, "good bytes");
        FZ_CHECK(iw.lines == 0 || iw.plan_digest == gcsplan_plan_doc_digest(plan), "digest");
        if (iw.lines > 0) {
            /* Written again by the writer: the same records. */
            gcsplan__buf text;
            gcsplan__buf_dynamic(&text, NULL, LOG_MAX * 8);
            gcsplan__journal_header(&text, plan, iw.store,
                                    iw.content_structure[0] ? iw.content_structure : NULL,
                                    iw.time_ms);
            gcsplan__buf_put(&text, whole.again.p, whole.again.len);
            seen back;
            gcsplan_journal_info ib;
            gcsplan_error eb;
            int rb = read_journal(plan, (const uint8_t *)text.p, text.len, text.len ? text.len : 1,
                                  &back, &ib, &eb);
            FZ_CHECK(rb == 0, "written again, refused: %s", eb.message);
            FZ_CHECK(back.log.len == whole.log.len &&
                      memcmp(back.log.p, whole.log.p, whole.log.len) == 0,
                  "written again, other records");
            FZ_CHECK(ib.lines == iw.lines && !ib.torn && !ib.no_final_newline, "written again: lines");
            gcsplan__buf_free(&text);
            gcsplan__buf_free(&back.log);
            gcsplan__buf_free(&back.again);
        }
    }
    gcsplan__buf_free(&whole.log);
    gcsplan__buf_free(&whole.again);
    gcsplan__buf_free(&parts.log);
    gcsplan__buf_free(&parts.again);
    return 0;
}
