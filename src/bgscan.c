/*
** bgscan.c: the threaded scan declared in bgscan.h.
**
** Three batches circulate between the two threads in a ring (ring.h): the
** producer fills an empty one with whole records (about a megabyte of
** text, or 2048 records); the consumer reads the oldest filled one record
** by record and gives it back when done. Each record in a batch is kept as offsets
** into the batch's arrays, so a batch is a handful of growable buffers
** reused from one round to the next: no allocation per record. What the
** work (if any) makes of a record goes in the batch too.
*/
#define _POSIX_C_SOURCE 200809L   /* strdup */
#include "bgscan.h"

#include <assert.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonout.h"
#include "ring.h"

#define BGSCAN_BATCHES 3
#define BGSCAN_TEXT    (1u << 20)     /* a batch is full past this much text */
#define BGSCAN_RECORDS 2048        /* ... or this many records */

/* One record in a batch: where its parts are, or what went wrong. */
typedef struct bgscan_rec {
  int rc;                        /* TM_REC_OK, TM_REC_BAD or TM_REC_FATAL */
  uint64_t number, offset;
  uint32_t file;
  size_t text, len;              /* text (or the message, when not OK) */
  size_t tok, ntok;
  size_t row, nrows, cell, ncells, extra, nextras;
  size_t made;                   /* what the work made of it */
} bgscan_rec;

typedef struct bgscan_batch {
  tm_buf text, tok, row, cell, extra, made, recs;
  size_t n;                      /* records */
  uint64_t records, consumed;    /* progress at the end of the batch */
  int nomem;                     /* the record after the n did not fit */
} bgscan_batch;

struct tm_bgscan {
  tm_scan *scan;                 /* the producer's */
  const tm_schema *schema;       /* frozen: both threads read it */
  int (*tick)(void *arg, const tm_progress *p);
  void *tick_arg;
  tm_bgscan_work work;             /* run by the producer, or NULL */
  void *work_arg;
  uint64_t produced;             /* records put in batches (the producer's) */
  uint64_t handed;               /* records handed out (the consumer's) */
  tm_progress progress;          /* as of the batch being consumed */
  tm_input_id id;                /* the files' identities at open */
  tm_ring *ring;
  bgscan_batch batch[BGSCAN_BATCHES];
  int cur;                       /* the batch being consumed, or -1 */
  uint64_t taken;                /* batches taken (tm_bgscan_batches) */
  size_t next;                   /* its next record */
  tm_record rec;                 /* the record handed out */
  tm_tape tape;
  const char *made;              /* what the work made of it */
  const char *msg;
};

/* Append n bytes to buffer b, returning where they start. */
static size_t bgscan_put(tm_buf *b, const void *p, size_t n) {
  size_t at = b->n;
  tm_buf_put(b, p, n);
  return at;
}

/* Where offset `at` of buffer b is; NULL for a buffer never written to
** (the record's part is empty: NULL plus an offset would be undefined). */
static const char *bgscan_at(const tm_buf *b, size_t at) {
  return b->p ? b->p + at : NULL;
}

/* Did an append to batch b fail? */
static int bgscan_nomem(const bgscan_batch *b) {
  return b->text.nomem || b->tok.nomem || b->row.nomem || b->cell.nomem ||
         b->extra.nomem || b->made.nomem || b->recs.nomem;
}

/* Run the work on rows v into batch b, aligned for any type; returns
** where its output starts. */
static size_t bgscan_work(tm_bgscan *p, bgscan_batch *b, const tm_rows *v) {
  static const char pad[_Alignof(max_align_t)];
  size_t misaligned = b->made.n % sizeof pad;
  if (misaligned) tm_buf_put(&b->made, pad, sizeof pad - misaligned);
  size_t at = b->made.n;
  if (p->work(p->work_arg, v, &b->made)) b->made.nomem = 1;
  return at;
}

/* Copy the scan's last result into batch b. Returns -1 when it did not fit
** (out of memory): the record is then not counted in the batch. */
static int bgscan_copy(tm_bgscan *p, bgscan_batch *b, int rc) {
  bgscan_rec r;
  memset(&r, 0, sizeof r);
  r.rc = rc;
  if (rc != TM_REC_OK) {
    const char *msg = tm_scan_message(p->scan);
    r.text = bgscan_put(&b->text, msg, strlen(msg) + 1);
  } else {
    const tm_record *rec = tm_scan_record(p->scan);
    tm_rows v;
    tm_flat_view(tm_scan_flat(p->scan), rec, &v);
    r.number = rec->number;
    r.offset = rec->offset;
    r.file = rec->file;
    r.len = rec->len;
    r.text = bgscan_put(&b->text, rec->text, rec->len);
    r.ntok = rec->tape->n;
    r.tok = bgscan_put(&b->tok, rec->tape->tok, r.ntok * sizeof(tm_tok));
    r.nrows = v.nrows;
    r.row = bgscan_put(&b->row, v.row, v.nrows * sizeof(tm_row));
    r.ncells = v.ncells;
    r.cell = bgscan_put(&b->cell, v.cells, v.ncells * sizeof(tm_cell));
    r.nextras = v.nextras;
    r.extra = bgscan_put(&b->extra, v.extras, v.nextras * sizeof(tm_extra));
    if (p->work) r.made = bgscan_work(p, b, &v);
  }
  bgscan_put(&b->recs, &r, sizeof r);
  if (bgscan_nomem(b)) return -1;
  b->n++;
  return 0;
}

/* The ring's producer: fill batch i with records; returns 1 when the scan
** is over (out of memory included). */
static int bgscan_fill(void *arg, int i) {
  tm_bgscan *p = arg;
  assert(tm_schema_frozen(p->schema));   /* shared: only ever read */
  bgscan_batch *b = &p->batch[i];
  b->n = 0;
  b->nomem = 0;
  b->text.n = b->tok.n = b->row.n = b->cell.n = b->extra.n = b->made.n = b->recs.n = 0;
  int rc = TM_REC_OK;
  while (b->n < BGSCAN_RECORDS && b->text.n < BGSCAN_TEXT) {
    rc = tm_scan_next(p->scan);
    if (rc == TM_REC_END) break;
    b->nomem = bgscan_copy(p, b, rc) != 0;
    if (b->nomem || rc == TM_REC_FATAL) break;
  }
  p->produced += b->n;
  b->records = p->produced;
  b->consumed = tm_scan_consumed(p->scan);
  return rc == TM_REC_END || rc == TM_REC_FATAL || b->nomem;
}

/*
** The scan's schema: tm_scan_open_files takes one it may grow, but a scan
** of a frozen schema that does not observe writes nothing to it (every
** call of schema.c that adds a node, column or table returns first when
** the schema is frozen; only observing scans count statistics, and
** flatten.c keeps what its walks remember in a tm_flat). So casting the
** const away is safe here, and only here.
*/
static tm_schema *bgscan_schema(const tm_schema *s) {
  assert(tm_schema_frozen(s));
  return (tm_schema *)s;
}

tm_bgscan *tm_bgscan_open_files(const char *const *paths, uint32_t n, const tm_options *o,
                                const tm_schema *schema, tm_bgscan_work work,
                                void *work_arg, char **err) {
  /* the parsing thread does not tick: tm_bgscan_next does, on the caller's */
  tm_options quiet = tm_options_for_thread(o, NULL, NULL);
  tm_bgscan *p = calloc(1, sizeof *p);
  if (!p) {
    *err = strdup("out of memory");
    return NULL;
  }
  p->cur = -1;
  p->tick = o->tick;
  p->tick_arg = o->tick_arg;
  p->work = work;
  p->work_arg = work_arg;
  p->schema = schema;
  p->scan =
      tm_scan_open_files(paths, n, &quiet, bgscan_schema(schema), TM_NONE, 1, 0, err);
  if (!p->scan || tm_src_id_copy(&p->id, tm_scan_input_id(p->scan))) {
    if (p->scan) *err = strdup("out of memory");
    tm_bgscan_close(p);
    return NULL;
  }
  p->progress.size = tm_src_id_size(&p->id);
  p->ring = tm_ring_open(BGSCAN_BATCHES, 1, bgscan_fill, p);
  if (!p->ring) {
    *err = strdup("cannot start the parsing thread");
    tm_bgscan_close(p);
    return NULL;
  }
  return p;
}

/* The options' tick, if any: TM_REC_OK, or TM_REC_FATAL when it says to
** stop. */
static int bgscan_tick(tm_bgscan *p) {
  if (!p->tick || !p->tick(p->tick_arg, &p->progress)) return TM_REC_OK;
  p->msg = "interrupted";
  return TM_REC_FATAL;
}

/*
** After the last record of the batch being consumed: give it back and
** take the next one, with a tick (a batch may hold fewer than 256 big
** records). TM_REC_OK, TM_REC_END once the last batch is done (again on
** every call after that), or TM_REC_FATAL: out of memory after the
** batch's records (again on every call), or interrupted.
*/
static int bgscan_advance(tm_bgscan *p) {
  if (p->cur >= 0 && p->batch[p->cur].nomem) {
    p->msg = "out of memory";
    return TM_REC_FATAL;
  }
  p->cur = tm_ring_next(p->ring);
  if (p->cur < 0) return TM_REC_END;
  p->taken++;
  p->next = 0;
  const bgscan_batch *b = &p->batch[p->cur];
  p->progress.records = b->records;
  p->progress.consumed = b->consumed;
  return bgscan_tick(p);
}

int tm_bgscan_next(tm_bgscan *p, tm_rows *v) {
  while (p->cur < 0 || p->next == p->batch[p->cur].n) {
    int rc = bgscan_advance(p);
    if (rc != TM_REC_OK) return rc;
  }
  /* every 256 records across batches, as tm_scan_next ticks */
  if ((++p->handed & 255) == 0 && bgscan_tick(p) != TM_REC_OK) return TM_REC_FATAL;
  bgscan_batch *b = &p->batch[p->cur];
  const bgscan_rec *r = (const bgscan_rec *)(const void *)b->recs.p + p->next++;
  if (r->rc != TM_REC_OK) {
    p->msg = b->text.p + r->text;
    return r->rc;
  }
  p->tape.tok = (tm_tok *)(void *)(b->tok.p + r->tok);
  p->tape.n = p->tape.cap = r->ntok;
  p->rec.text = b->text.p + r->text;
  p->rec.len = r->len;
  p->rec.tape = &p->tape;
  p->rec.number = r->number;
  p->rec.offset = r->offset;
  p->rec.file = r->file;
  p->made = p->work ? bgscan_at(&b->made, r->made) : NULL;
  v->rec = &p->rec;
  v->row = (const tm_row *)(const void *)bgscan_at(&b->row, r->row);
  v->nrows = (uint32_t)r->nrows;
  v->cells = (const tm_cell *)(const void *)bgscan_at(&b->cell, r->cell);
  v->ncells = (uint32_t)r->ncells;
  v->extras = (const tm_extra *)(const void *)bgscan_at(&b->extra, r->extra);
  v->nextras = (uint32_t)r->nextras;
  return TM_REC_OK;
}

int tm_bgscan_batch_over(const tm_bgscan *p) {
  return p->cur >= 0 && p->next == p->batch[p->cur].n;
}

uint64_t tm_bgscan_batches(const tm_bgscan *p) { return p->taken; }
const void *tm_bgscan_made(const tm_bgscan *p) { return p->made; }
const char *tm_bgscan_message(const tm_bgscan *p) { return p->msg ? p->msg : ""; }
tm_bgscan *tm_bgscan_open(const char *path, const tm_options *o, const tm_schema *schema,
                          tm_bgscan_work work, void *work_arg, char **err) {
  return tm_bgscan_open_files(&path, 1, o, schema, work, work_arg, err);
}

const tm_input_id *tm_bgscan_input_id(const tm_bgscan *p) { return &p->id; }

void tm_bgscan_close(tm_bgscan *p) {
  if (!p) return;
  tm_ring_close(p->ring);
  tm_scan_close(p->scan);
  tm_src_id_free(&p->id);
  for (int i = 0; i < BGSCAN_BATCHES; i++) {
    bgscan_batch *b = &p->batch[i];
    tm_buf_free(&b->text);
    tm_buf_free(&b->tok);
    tm_buf_free(&b->row);
    tm_buf_free(&b->cell);
    tm_buf_free(&b->extra);
    tm_buf_free(&b->made);
    tm_buf_free(&b->recs);
  }
  free(p);
}
