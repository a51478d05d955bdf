/* The import journal (docs/import.md): JSON Lines, one header line and then
 * one record per event of a job, appended and flushed to disk (fdatasync)
 * one line at a time.
 *
 *   The reader is a bytes-in engine (feed, finish: any chunking gives the
 *   same result, as the fuzzer checks) that checks every line against a
 *   plan: the header's plan digest and job count, each record's job and
 *   URI, and each job's records against the state machine of import.h. A
 *   last line without its newline that is not whole JSON was cut by a crash
 *   and is ignored (info->torn); anything else wrong is GCSPLAN_EJOURNAL
 *   naming the line.
 *
 *   The writer owns the open, locked file of one run: it reads what is
 *   there (through the reader), cuts off a torn last line, writes the
 *   header of a new journal, and appends records. A failed write is cut
 *   off again, so the file never holds half a line before a later one. */
#ifndef GCSPLAN_JOURNAL_H
#define GCSPLAN_JOURNAL_H

#include <stddef.h>
#include <stdint.h>

#include "gcsplan/import.h"
#include "gcsplan/plandoc.h"
#include "internal.h"
#include "util/buf.h"

/* The header's "journal" value: what the file is. */
#define GCSPLAN__JOURNAL_TAG "gcsplan import"
/* A kept error text in a record, at most (ours are far shorter). */
#define GCSPLAN__JOURNAL_TEXT_MAX 4096

typedef struct gcsplan__jreader gcsplan__jreader;

/* A reader checking against plan (borrowed). fn (optional) gets each
 * record. Returns 0 or GCSPLAN_ENOMEM. */
int gcsplan__jreader_new(gcsplan__jreader **out, const gcsplan_allocator *a,
                         const gcsplan_plan_doc *plan, gcsplan_journal_fn fn, void *payload,
                         gcsplan_error *err);
/* The next len bytes of the journal. Returns 0, GCSPLAN_EJOURNAL,
 * GCSPLAN_ESOURCE (fn stopped it) or GCSPLAN_ENOMEM; after an error every
 * later call returns it again. */
int gcsplan__jreader_feed(gcsplan__jreader *r, const char *data, size_t len, gcsplan_error *err);
/* The end of the journal: the last line, torn or not. Fills info. */
int gcsplan__jreader_finish(gcsplan__jreader *r, gcsplan_journal_info *info, gcsplan_error *err);
void gcsplan__jreader_free(gcsplan__jreader *r);

/* The line of a record (with its newline) appended to b, as the writer
 * writes it: 0, GCSPLAN_EINVAL (an unknown event) or b's error. */
int gcsplan__journal_line(gcsplan__buf *b, const gcsplan_journal_record *rec);
/* The header line of a journal of plan into store. */
void gcsplan__journal_header(gcsplan__buf *b, const gcsplan_plan_doc *plan, const char *store,
                             const char *content_structure, int64_t time_ms);

typedef struct gcsplan__journal gcsplan__journal;

typedef struct gcsplan__journal_config {
    const gcsplan_allocator *alloc;
    const char *path;
    const gcsplan_plan_doc *plan;
    const char *store;             /* the run's; the journal's must be the same */
    const char *content_structure; /* likewise (NULL: none) */
    int64_t now_ms;                /* the header's time, for a new journal */
    gcsplan_journal_fn fn;         /* each record already in the journal */
    void *payload;
} gcsplan__journal_config;

/* Open (creating it when missing), lock (flock, exclusive, not waiting) and
 * read the journal of one run; info (optional) says what reading found.
 * Returns 0, GCSPLAN_EJOURNAL (another plan's, store's or content
 * structure's journal, or malformed), GCSPLAN_EBUSY (locked by another
 * run), GCSPLAN_ESOURCE (not a regular file, I/O), GCSPLAN_ENOMEM. */
int gcsplan__journal_open(gcsplan__journal **out, const gcsplan__journal_config *cfg,
                          gcsplan_journal_info *info, gcsplan_error *err);
/* Append one record (its fields as gcsplan_journal_read gives them; job
 * from 0) and flush it to disk. Returns 0, or GCSPLAN_ESOURCE (the write
 * or the flush failed: the line is cut off again and the journal refuses
 * further records), GCSPLAN_ELIMIT (a line over GCSPLAN_JOURNAL_LINE_MAX),
 * GCSPLAN_ENOMEM. */
int gcsplan__journal_append(gcsplan__journal *j, const gcsplan_journal_record *rec,
                            gcsplan_error *err);
/* Appends so far, and the time they spent writing and flushing (ms). */
void gcsplan__journal_stats(const gcsplan__journal *j, uint64_t *records, double *seconds);
/* Close the file (which releases the lock). Accepts NULL. */
void gcsplan__journal_close(gcsplan__journal *j);

#endif
