/*
** bgscan.h: a background scan: a scan run in a thread of its own. The thread reads, tokenizes
** and flattens records and hands them over in batches (copies of the
** records' bytes, tokens and rows), so that whoever consumes the rows (an
** export writing into SQLite) works while the next records are parsed: on
** two cores, the slower of the two sets the pace instead of their sum.
**
** Everything that must happen on the consumer's thread stays there: the
** options' tick (progress, interrupts) is called from tm_bgscan_next, every
** 256 records and whenever a new batch starts. Work of the consumer's that
** can be done ahead (an export converting its values) can run on the
** parsing thread instead: see tm_bgscan_work.
*/
#ifndef TM_BGSCAN_H
#define TM_BGSCAN_H

#include "jsonout.h"
#include "scan.h"

typedef struct tm_bgscan tm_bgscan;

/*
** Work done on the parsing thread for each good record, once flattened:
** it appends what it makes of the record's rows `v` to `out` (offsets, no
** pointers: the buffer moves as it grows), which tm_bgscan_made hands to the
** consumer with the rows. It runs while the consumer works on earlier
** records, so it must touch nothing the consumer does. Returns nonzero
** when out of memory.
*/
typedef int (*tm_bgscan_work)(void *arg, const tm_rows *v, tm_buf *out);

/*
** Start scanning the n files of `paths` into the frozen `schema` (as
** tm_scan_open_files with all tables wanted and cells), with `work` (or
** NULL) done on each record. Both threads read the schema, which neither
** changes: it must stay as it is while the scan runs. Returns NULL with a
** malloc'd *err on failure.
*/
tm_bgscan *tm_bgscan_open_files(const char *const *paths, uint32_t n, const tm_options *o,
                                const tm_schema *schema, tm_bgscan_work work,
                                void *work_arg, char **err);

/* tm_bgscan_open_files for a list of one file. */
tm_bgscan *tm_bgscan_open(const char *path, const tm_options *o, const tm_schema *schema,
                          tm_bgscan_work work, void *work_arg, char **err);

/*
** The next record's rows into *v (valid until the next call): TM_REC_OK,
** TM_REC_END (and again on any later call), TM_REC_BAD (the record is
** lost; see tm_bgscan_message; call again to go on) or TM_REC_FATAL (out of
** memory, after the records that fitted; interrupted by the tick; or the
** scan's own fatal error).
*/
int tm_bgscan_next(tm_bgscan *p, tm_rows *v);

/* Was the record tm_bgscan_next handed out last the last of its batch?
** Then what points into the batch (its rows, text and what the work made)
** goes with the next call. */
int tm_bgscan_batch_over(const tm_bgscan *p);

/* How many batches the consumer has taken: what points into a batch
** (rows, text, what the work made) belongs to its number, and must be
** done with once tm_bgscan_batch_over says the batch goes back. */
uint64_t tm_bgscan_batches(const tm_bgscan *p);

/* What the work made of the record tm_bgscan_next handed out last (aligned
** for any type, valid as long as its rows); NULL without work. */
const void *tm_bgscan_made(const tm_bgscan *p);

/* The message of the last TM_REC_BAD or TM_REC_FATAL (as tm_scan_message). */
const char *tm_bgscan_message(const tm_bgscan *p);

/* The files' identities when the scan opened them (see tm_rd_id). */
const tm_input_id *tm_bgscan_input_id(const tm_bgscan *p);

/* Stop the thread and free everything. Accepts NULL. */
void tm_bgscan_close(tm_bgscan *p);

#endif
