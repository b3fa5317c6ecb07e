/*
** test_bgscan.c: the threaded scan (src/bgscan.c) through real files, as the
** export's writing pass uses it: tm_infer for the schema, then tm_bgscan_open
** and tm_bgscan_next to the end.
**
** What is checked is what the consumer can see: every record, in order,
** once; the tick called at least every 256 records whatever the records'
** size (a batch closes at a megabyte of text, so big records make batches
** of fewer than 256); progress that never goes back and never lags behind
** the records handed out; the end said again on later calls; a tick that
** says stop; the work run on the parsing thread, its output handed out
** with each record.
*/
#define _GNU_SOURCE   /* mkdtemp */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "util.h"
#include "infer.h"
#include "bgscan.h"

/* Write n records {"i":<k>,"pad":"xx..."} with `pad` x's, k from 1. */
static void write_records(int n, size_t pad) {
  FILE *f = fopen(g_path, "wb");
  char *x = malloc(pad + 1);
  if (!f || !x) abort();
  memset(x, 'x', pad);
  x[pad] = 0;
  for (int k = 1; k <= n; k++) fprintf(f, "{\"i\":%d,\"pad\":\"%s\"}\n", k, x);
  free(x);
  fclose(f);
}

/* What the tick saw, and what the consumer had been handed by then. */
typedef struct ticks {
  int handed;          /* records returned by tm_bgscan_next so far */
  int calls;
  int max_gap;         /* most records handed out between two ticks */
  int last_at;         /* handed at the last tick */
  int behind;          /* a tick reported fewer records than handed */
  int backwards;       /* records or bytes went down between two ticks */
  tm_progress last;
  int stop;            /* what the tick returns */
} ticks;

/* The options' tick: note where the consumer is and what it is told. */
static int on_tick(void *arg, const tm_progress *p) {
  ticks *t = arg;
  if (t->handed - t->last_at > t->max_gap) t->max_gap = t->handed - t->last_at;
  t->last_at = t->handed;
  if (p->records < (uint64_t)t->handed) t->behind = 1;
  if (t->calls && (p->records < t->last.records || p->consumed < t->last.consumed))
    t->backwards = 1;
  t->last = *p;
  t->calls++;
  return t->stop;
}

/* Open a background scan of g_path with the tick `t` and the work (or NULL), its
** schema inferred first, and check that it opened ("<what>: the scan
** opens"). NULL, with *schema freed, when it did not. */
static tm_bgscan *open_bgscan(ticks *t, tm_schema **schema, tm_bgscan_work work,
                              const char *what) {
  char w[200];
  snprintf(w, sizeof w, "%s: the scan opens", what);
  tm_options o;
  tm_options_init(&o);
  tm_file_id id;
  char *err = NULL;
  *schema = tm_infer(g_path, &o, "t", &id, NULL, &err);
  if (!*schema) {
    printf("# tm_infer: %s\n", err ? err : "out of memory");
    free(err);
    CHECK(0, w);
    return NULL;
  }
  o.tick = on_tick;
  o.tick_arg = t;
  tm_bgscan *p = tm_bgscan_open(g_path, &o, *schema, work, NULL, &err);
  if (!p) printf("# tm_bgscan_open: %s\n", err ? err : "out of memory");
  free(err);
  CHECK(p != NULL, w);
  if (!p) {
    tm_schema_free(*schema);
    *schema = NULL;
  }
  return p;
}

/* Does the record handed out hold {"i":k,...}? */
static int is_record(const tm_rows *v, int k) {
  char want[32];
  int n = snprintf(want, sizeof want, "{\"i\":%d,", k);
  return v->rec->number == (uint64_t)k && v->nrows == 1 && v->rec->len > (size_t)n &&
         memcmp(v->rec->text, want, (size_t)n) == 0;
}

/* n records of about `pad` bytes each through the scan, to the end. */
static void check_ticks(int n, size_t pad, const char *what) {
  char w[200];
  write_records(n, pad);
  ticks t;
  memset(&t, 0, sizeof t);
  tm_schema *schema = NULL;
  tm_bgscan *p = open_bgscan(&t, &schema, NULL, what);
  if (!p) return;
  tm_rows v;
  int rc, in_order = 1;
  while ((rc = tm_bgscan_next(p, &v)) == TM_REC_OK) {
    t.handed++;
    if (!is_record(&v, t.handed) || tm_bgscan_made(p)) in_order = 0;
  }
  snprintf(w, sizeof w, "%s: the scan ends cleanly", what);
  CHECK_INT(rc, TM_REC_END, w);
  snprintf(w, sizeof w, "%s: every record, in order", what);
  CHECK(in_order && t.handed == n, w);
  snprintf(w, sizeof w, "%s: the end again on the next calls", what);
  CHECK(tm_bgscan_next(p, &v) == TM_REC_END && tm_bgscan_next(p, &v) == TM_REC_END, w);
  if (t.handed - t.last_at > t.max_gap) t.max_gap = t.handed - t.last_at;
  snprintf(w, sizeof w, "%s: a tick at least every 256 records", what);
  CHECK(t.max_gap <= 256, w);
  snprintf(w, sizeof w, "%s: progress never behind the records handed out", what);
  CHECK(!t.behind, w);
  snprintf(w, sizeof w, "%s: progress never goes back", what);
  CHECK(!t.backwards, w);
  snprintf(w, sizeof w, "%s: the last tick counts every record", what);
  CHECK_INT(t.last.records, n, w);
  snprintf(w, sizeof w, "%s: progress knows the file's size", what);
  CHECK_INT(t.last.size, tm_src_id_size(tm_bgscan_input_id(p)), w);
  tm_bgscan_close(p);
  tm_schema_free(schema);
}

/* A tick that says stop at once: the first call fails, nothing is handed. */
static void test_interrupt(void) {
  write_records(3000, 10);
  ticks t;
  memset(&t, 0, sizeof t);
  t.stop = 1;
  tm_schema *schema = NULL;
  tm_bgscan *p = open_bgscan(&t, &schema, NULL, "interrupt");
  if (!p) return;
  tm_rows v;
  CHECK_INT(tm_bgscan_next(p, &v), TM_REC_FATAL, "interrupt: the first call stops");
  CHECK_STR(tm_bgscan_message(p), "interrupted", "interrupt: the message");
  tm_bgscan_close(p);   /* the producer may be waiting for a free batch */
  tm_schema_free(schema);
}

/* A work that appends the record's number, then number % 7 bytes (so
** that the next record's output starts misaligned unless padded). */
static int number_work(void *arg, const tm_rows *v, tm_buf *out) {
  (void)arg;
  tm_buf_put(out, &v->rec->number, sizeof v->rec->number);
  tm_buf_put(out, "1234567", v->rec->number % 7);
  return out->nomem;
}

/* The work's output comes back with its record, aligned for any type;
** the ends of batches (of 2048 small records) are told. */
static void test_work(void) {
  write_records(3000, 10);
  ticks t;
  memset(&t, 0, sizeof t);
  tm_schema *schema = NULL;
  tm_bgscan *p = open_bgscan(&t, &schema, number_work, "work");
  if (!p) return;
  tm_rows v;
  int rc, same = 1, aligned = 1, handed = 0, ends[3], nends = 0;
  while ((rc = tm_bgscan_next(p, &v)) == TM_REC_OK) {
    handed++;
    if (tm_bgscan_batch_over(p) && nends < 3) ends[nends++] = handed;
    const uint64_t *made = tm_bgscan_made(p);
    if ((uintptr_t)made % _Alignof(max_align_t)) aligned = 0;
    else if (!made || *made != v.rec->number) same = 0;
  }
  CHECK_INT(rc, TM_REC_END, "work: the scan ends cleanly");
  CHECK(same, "work: each record comes with what the work made of it");
  CHECK(aligned, "work: what it made is aligned for any type");
  CHECK(nends == 2 && ends[0] == 2048 && ends[1] == 3000,
        "work: batches end after records 2048 and 3000");
  tm_bgscan_close(p);
  tm_schema_free(schema);
}

int main(void) {
  if (tmp_dir_make("tm_bgscan", "input.jsonl")) return 1;
  check_ticks(3000, 10, "small records (batches of 2048)");
  check_ticks(1000, 5000, "5 KB records (batches of about 200)");
  check_ticks(300, 70000, "70 KB records (batches of 15)");
  test_interrupt();
  test_work();
  tmp_dir_remove();
  return check_failures != 0;
}
