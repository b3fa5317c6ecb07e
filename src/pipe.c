/*
** pipe.c: the threaded scan declared in pipe.h.
**
** Three batches circulate between the two threads: the producer fills an
** empty one with whole records (about a megabyte of text, or 2048 records)
** and queues it; the consumer reads the oldest queued one record by record
** and gives it back when done. Each record in a batch is kept as offsets
** into the batch's arrays, so a batch is a handful of growable buffers
** reused from one round to the next: no allocation per record.
*/
#define _POSIX_C_SOURCE 200809L   /* strdup */
#include "pipe.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonout.h"

#define PIPE_BATCHES 3
#define PIPE_TEXT (1u << 20)     /* a batch is full past this much text */
#define PIPE_RECORDS 2048        /* ... or this many records */

/* One record in a batch: where its parts are, or what went wrong. */
typedef struct pipe_rec {
  int rc;                        /* TM_REC_OK, TM_REC_BAD or TM_REC_FATAL */
  uint64_t number, offset;
  size_t text, len;              /* text (or the message, when not OK) */
  size_t tok, ntok;
  size_t row, nrows, cell, ncells, extra, nextras;
} pipe_rec;

typedef struct pipe_batch {
  tm_out text, tok, row, cell, extra, recs;
  size_t n;                      /* records */
  uint64_t records, consumed;    /* progress at the end of the batch */
  int last;                      /* nothing follows this batch */
} pipe_batch;

struct tm_pipe {
  tm_scan *scan;                 /* the producer's */
  int (*tick)(void *arg, const tm_progress *p);
  void *tick_arg;
  tm_progress progress;          /* as of the batch being consumed */
  tm_file_id id;
  pthread_t thread;
  int started;
  pthread_mutex_t mu;
  pthread_cond_t cond;
  pipe_batch batch[PIPE_BATCHES];
  int queue[PIPE_BATCHES];       /* batches ready, oldest first */
  int nqueue;
  int free[PIPE_BATCHES];        /* batches to fill */
  int nfree;
  int stop;                      /* the consumer is leaving */
  int cur;                       /* the batch being consumed, or -1 */
  size_t next;                   /* its next record */
  tm_record rec;                 /* the record handed out */
  tm_tape tape;
  const char *msg;
  int nomem;
};

/* Append n bytes to buffer b, returning where they start. */
static size_t pipe_put(tm_out *b, const void *p, size_t n) {
  size_t at = b->n;
  tm_out_put(b, p, n);
  return at;
}

/* Copy the scan's last result into batch b. */
static void pipe_copy(tm_pipe *p, pipe_batch *b, int rc) {
  pipe_rec r;
  memset(&r, 0, sizeof r);
  r.rc = rc;
  if (rc != TM_REC_OK) {
    const char *msg = tm_scan_message(p->scan);
    r.text = pipe_put(&b->text, msg, strlen(msg) + 1);
  } else {
    const tm_record *rec = tm_scan_record(p->scan);
    tm_rows v;
    tm_flat_view(tm_scan_flat(p->scan), rec, &v);
    r.number = rec->number;
    r.offset = rec->offset;
    r.len = rec->len;
    r.text = pipe_put(&b->text, rec->text, rec->len);
    r.ntok = rec->tape->n;
    r.tok = pipe_put(&b->tok, rec->tape->tok, r.ntok * sizeof(tm_tok));
    r.nrows = v.nrows;
    r.row = pipe_put(&b->row, v.row, v.nrows * sizeof(tm_row));
    r.ncells = v.ncells;
    r.cell = pipe_put(&b->cell, v.cells, v.ncells * sizeof(tm_cell));
    r.nextras = v.nextras;
    r.extra = pipe_put(&b->extra, v.extras, v.nextras * sizeof(tm_extra));
  }
  pipe_put(&b->recs, &r, sizeof r);
  b->n++;
}

/* Fill batch b with records; returns 1 when the scan is over. */
static int pipe_fill(tm_pipe *p, pipe_batch *b) {
  b->n = 0;
  b->text.n = b->tok.n = b->row.n = b->cell.n = b->extra.n = b->recs.n = 0;
  int rc = TM_REC_OK;
  while (b->n < PIPE_RECORDS && b->text.n < PIPE_TEXT) {
    rc = tm_scan_next(p->scan);
    if (rc == TM_REC_END) break;
    pipe_copy(p, b, rc);
    if (rc == TM_REC_FATAL) break;
  }
  b->records = p->progress.records + b->n;
  b->consumed = tm_scan_consumed(p->scan);
  int nomem = b->text.nomem || b->tok.nomem || b->row.nomem || b->cell.nomem ||
              b->extra.nomem || b->recs.nomem;
  if (nomem) p->nomem = 1;
  return rc == TM_REC_END || rc == TM_REC_FATAL || nomem;
}

/* The producer: fill free batches and queue them until the scan ends. */
static void *pipe_main(void *arg) {
  tm_pipe *p = arg;
  int last = 0;
  while (!last) {
    pthread_mutex_lock(&p->mu);
    while (!p->nfree && !p->stop) pthread_cond_wait(&p->cond, &p->mu);
    if (p->stop) {
      pthread_mutex_unlock(&p->mu);
      break;
    }
    int i = p->free[--p->nfree];
    pthread_mutex_unlock(&p->mu);
    last = pipe_fill(p, &p->batch[i]);
    p->batch[i].last = last;
    pthread_mutex_lock(&p->mu);
    p->queue[p->nqueue++] = i;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->mu);
  }
  return NULL;
}

tm_pipe *tm_pipe_open(const char *path, const tm_options *o, tm_schema *schema,
                      char **err) {
  tm_options quiet = *o;
  quiet.tick = NULL;   /* ticks run on the consumer's thread */
  tm_pipe *p = calloc(1, sizeof *p);
  if (!p) {
    *err = strdup("out of memory");
    return NULL;
  }
  p->cur = -1;
  p->tick = o->tick;
  p->tick_arg = o->tick_arg;
  pthread_mutex_init(&p->mu, NULL);
  pthread_cond_init(&p->cond, NULL);
  for (int i = 0; i < PIPE_BATCHES; i++) p->free[p->nfree++] = i;
  p->scan = tm_scan_open(path, &quiet, schema, TM_NONE, 1, 0, err);
  if (!p->scan) {
    tm_pipe_close(p);
    return NULL;
  }
  p->id = tm_scan_file_id(p->scan);
  p->progress.size = p->id.size;
  if (pthread_create(&p->thread, NULL, pipe_main, p) != 0) {
    *err = strdup("cannot start the parsing thread");
    tm_pipe_close(p);
    return NULL;
  }
  p->started = 1;
  return p;
}

/* Give the consumed batch back and wait for the next one. Returns 0 when
** there is none (the scan ended with the last batch). */
static int pipe_advance(tm_pipe *p) {
  pthread_mutex_lock(&p->mu);
  if (p->cur >= 0) {
    int last = p->batch[p->cur].last;
    p->free[p->nfree++] = p->cur;
    p->cur = -1;
    pthread_cond_broadcast(&p->cond);
    if (last) {
      pthread_mutex_unlock(&p->mu);
      return 0;
    }
  }
  while (!p->nqueue) pthread_cond_wait(&p->cond, &p->mu);
  p->cur = p->queue[0];
  memmove(p->queue, p->queue + 1, (size_t)--p->nqueue * sizeof *p->queue);
  pthread_mutex_unlock(&p->mu);
  p->next = 0;
  const pipe_batch *b = &p->batch[p->cur];
  p->progress.records = b->records;
  p->progress.consumed = b->consumed;
  return 1;
}

int tm_pipe_next(tm_pipe *p, tm_rows *v) {
  while (p->cur < 0 || p->next == p->batch[p->cur].n) {
    if (!pipe_advance(p)) {
      if (!p->nomem) return TM_REC_END;
      p->msg = "out of memory";
      return TM_REC_FATAL;
    }
  }
  if (p->tick && (p->next & 255) == 255 && p->tick(p->tick_arg, &p->progress)) {
    p->msg = "interrupted";
    return TM_REC_FATAL;
  }
  pipe_batch *b = &p->batch[p->cur];
  const pipe_rec *r = (const pipe_rec *)(const void *)b->recs.p + p->next++;
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
  v->rec = &p->rec;
  v->row = (const tm_row *)(const void *)(b->row.p + r->row);
  v->nrows = (uint32_t)r->nrows;
  v->cells = (const tm_cell *)(const void *)(b->cell.p + r->cell);
  v->ncells = (uint32_t)r->ncells;
  v->extras = (const tm_extra *)(const void *)(b->extra.p + r->extra);
  v->nextras = (uint32_t)r->nextras;
  return TM_REC_OK;
}

const char *tm_pipe_message(const tm_pipe *p) { return p->msg ? p->msg : ""; }
tm_file_id tm_pipe_file_id(const tm_pipe *p) { return p->id; }

void tm_pipe_close(tm_pipe *p) {
  if (!p) return;
  if (p->started) {
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
  }
  tm_scan_close(p->scan);
  for (int i = 0; i < PIPE_BATCHES; i++) {
    pipe_batch *b = &p->batch[i];
    tm_out_free(&b->text);
    tm_out_free(&b->tok);
    tm_out_free(&b->row);
    tm_out_free(&b->cell);
    tm_out_free(&b->extra);
    tm_out_free(&b->recs);
  }
  pthread_cond_destroy(&p->cond);
  pthread_mutex_destroy(&p->mu);
  free(p);
}
