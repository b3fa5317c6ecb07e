/*
** export.c: transmog_export(path, name [, options]), which materialises a
** file's tables in one statement.
**
**   SELECT transmog_export('orders.jsonl.gz', 'orders');
**     -- {"tables":{"orders":1000000,"orders_items":1850365,...},
**     --  "records":1000000,"skipped":0,"bytes":595193032,"seconds":4.1}
**   SELECT transmog_export('dump.json', 'events', 'schema=archive mode=replace');
**   SELECT transmog_export('orders.jsonl', 'orders', 'to=out/ format=csv compression=gzip');
**
** The schema pass finds the tables and their columns; then one pass over
** the file writes every table at once: real tables name, name_items, ...
** (typed as the virtual tables declare them) in the current database or in
** schema=, inside one savepoint, or with to=DIR one file per table (CSV
** with a header, or JSONL), each written under a temporary name and renamed
** only when everything succeeded. A failure, or an interrupt (Ctrl-C in
** the shell), leaves no table and no file behind.
**
** Values are converted on the parsing thread (src/convert.h) and bound without
** copies: strings point into the batch that holds the record. Rows wait
** to go in several at a time, one INSERT per table (a statement costs
** SQLite about as much as binding a row): when a table has as many
** waiting as its INSERT takes, and before the pipe takes their batch
** back, every table's go in, parents' first, so that a row never goes in
** before its parent.
*/
#define _POSIX_C_SOURCE 200809L   /* clock_gettime */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../src/columns.h"
#include "../src/infer.h"
#include "../src/convert.h"
#include "../src/pipe.h"
#include "../src/rowtext.h"
#include "../src/sink.h"
#include "declare.h"
#include "options.h"
#include "transmog.h"
#include "values.h"

SQLITE_EXTENSION_INIT3

/* Rows a table's INSERT takes at once, at most, and the parameters it
** takes at most: a wide row costs more to bind than a statement to run,
** so wide tables take fewer rows (and need fewer statement sizes). */
#define EX_ROWS 16
#define EX_PARAMS 512

/* One table's destination. */
typedef struct ex_target {
  sqlite3_stmt **ins;    /* a real table: ins[n] INSERTs n rows (1 to per),
                            prepared when first needed; or */
  tm_sink *sink;         /* a file */
  tm_convert_reader *wait; /* the values of the rows waiting to go in */
  int nwait, per;
  uint64_t rows;
  int nmeta, ncols;      /* its metadata columns (_id ...), all its columns */
} ex_target;

typedef struct exporter {
  sqlite3 *db;
  tm_opts opts;
  const char *path, *name;
  const char *zSchema;   /* where tables go */
  tm_schema *schema;
  ex_target *targets;    /* one per table of the schema */
  tm_value *slot;        /* CSV: per column, its value */
  uint64_t *slotgen;     /* CSV: slot[c] holds for the row numbered slotgen[c] */
  uint64_t gen;
  sqlite3_stmt *poll;    /* a statement stepped to notice interrupts */
  tm_pipe *pipe;         /* the pass that writes: parsed in a thread */
  tm_convert *ready;       /* tables and CSV: the values, converted by the pipe */
  tm_convert_reader values;  /* the current record's */
  tm_out text;           /* a line of a file, or the CSV header */
  tm_out meta;           /* JSONL: the row's ids, as JSON members */
  tm_file_id id;          /* the file as the schema pass read it */
  uint64_t records, skipped;
  double t0, reported;
  double phase_t0;       /* when the current pass began (progress rates) */
  int phase;             /* the pass of the last report: 1 schema, 0 writing */
  int savepoint;         /* a savepoint is open */
  char *err;             /* sqlite3_malloc'd message */
} exporter;

/* Seconds on a monotonic clock. */
static double ex_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Keep the first error: "transmog: <printf>". Returns SQLITE_ERROR. */
static int ex_fail(exporter *x, const char *fmt, ...) {
  if (x->err) return SQLITE_ERROR;
  va_list ap;
  va_start(ap, fmt);
  char *msg = sqlite3_vmprintf(fmt, ap);
  va_end(ap);
  x->err = sqlite3_mprintf("transmog: %s", msg ? msg : "out of memory");
  sqlite3_free(msg);
  return SQLITE_ERROR;
}

/* Run one statement of SQL; on error keep its message. */
static int ex_exec(exporter *x, const char *sql) {
  char *err = NULL;
  int rc = sql ? sqlite3_exec(x->db, sql, NULL, NULL, &err) : SQLITE_NOMEM;
  if (rc != SQLITE_OK) ex_fail(x, "%s", err ? err : sqlite3_errstr(rc));
  sqlite3_free(err);
  return rc;
}

/* The name of table t. */
static const char *ex_table(const exporter *x, uint32_t t) {
  return tm_schema_name(x->schema, x->schema->tables[t].name);
}

/* The declared name of column c of table t (metadata, columns, _extra). */
static const char *ex_column(const exporter *x, uint32_t t, int c) {
  static const char *const meta[] = {"_id", "_parent_id", "_root_id", "_index"};
  const tm_table *tb = &x->schema->tables[t];
  int nmeta = x->targets[t].nmeta;
  if (c < nmeta) return meta[c];
  if ((uint32_t)(c - nmeta) < tb->ncols) return tm_schema_name(x->schema, tb->cols[c - nmeta].name);
  return "_extra";
}

/* Number of declared columns of table t. */
static int ex_ncolumns(const exporter *x, uint32_t t) { return x->targets[t].ncols; }

/* Does an object named `name` exist in the target schema? */
static int ex_exists(exporter *x, const char *name) {
  sqlite3_stmt *st = NULL;
  char *sql = sqlite3_mprintf("SELECT 1 FROM \"%w\".sqlite_master WHERE name = ?1 COLLATE NOCASE",
                              x->zSchema);
  int found = 0;
  if (sql && sqlite3_prepare_v2(x->db, sql, -1, &st, NULL) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
  }
  sqlite3_finalize(st);
  sqlite3_free(sql);
  return found;
}

/* mode=append: every column we write must exist in the table already. */
static int ex_check_columns(exporter *x, uint32_t t) {
  sqlite3_stmt *st = NULL;
  char *sql = sqlite3_mprintf("SELECT 1 FROM pragma_table_info(?1, ?2) WHERE name = ?3 COLLATE NOCASE");
  int rc = sql ? sqlite3_prepare_v2(x->db, sql, -1, &st, NULL) : SQLITE_NOMEM;
  sqlite3_free(sql);
  for (int c = 0; rc == SQLITE_OK && c < ex_ncolumns(x, t); c++) {
    sqlite3_bind_text(st, 1, ex_table(x, t), -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, x->zSchema, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, ex_column(x, t, c), -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    if (!found)
      rc = ex_fail(x, "mode=append: table '%s' has no column '%s' (the file has it); "
                      "use mode=replace or another name", ex_table(x, t), ex_column(x, t, c));
  }
  sqlite3_finalize(st);
  return rc;
}

/* Prepare *st, an INSERT of `nrows` rows into table t. */
static int ex_prepare_insert(exporter *x, uint32_t t, int nrows, sqlite3_stmt **st) {
  sqlite3_str *q = sqlite3_str_new(x->db);
  sqlite3_str_appendf(q, "INSERT INTO \"%w\".\"%w\"(", x->zSchema, ex_table(x, t));
  int n = ex_ncolumns(x, t);
  for (int c = 0; c < n; c++) sqlite3_str_appendf(q, "%s\"%w\"", c ? ", " : "", ex_column(x, t, c));
  sqlite3_str_appendall(q, ") VALUES");
  for (int r = 0; r < nrows; r++) {
    sqlite3_str_appendall(q, r ? ", (" : "(");
    for (int c = 0; c < n; c++) sqlite3_str_appendall(q, c ? ", ?" : "?");
    sqlite3_str_appendall(q, ")");
  }
  char *sql = sqlite3_str_finish(q);
  int rc = sql ? sqlite3_prepare_v2(x->db, sql, -1, st, NULL) : SQLITE_NOMEM;
  sqlite3_free(sql);
  if (rc != SQLITE_OK) return ex_fail(x, "%s", sqlite3_errmsg(x->db));
  return SQLITE_OK;
}

/* Room for table t's INSERTs, of up to EX_ROWS rows or EX_PARAMS
** parameters (fewer if SQLite's limit is lower), and for the rows that
** wait; prepare the INSERT of one row (it checks the table). */
static int ex_prepare(exporter *x, uint32_t t) {
  ex_target *g = &x->targets[t];
  int limit = sqlite3_limit(x->db, SQLITE_LIMIT_VARIABLE_NUMBER, -1);
  int fit = (limit < EX_PARAMS ? limit : EX_PARAMS) / g->ncols;
  int per = fit < 1 ? 1 : fit < EX_ROWS ? fit : EX_ROWS;
  g->ins = sqlite3_malloc64((per + 1) * sizeof *g->ins);
  g->wait = sqlite3_malloc64(per * sizeof *g->wait);
  if (!g->ins || !g->wait) return SQLITE_NOMEM;   /* ex_free: per is 0 */
  memset(g->ins, 0, (per + 1) * sizeof *g->ins);
  g->per = per;
  return ex_prepare_insert(x, t, 1, &g->ins[1]);
}

/* Make (or check, or replace) table t and prepare its INSERTs. */
static int ex_open_table(exporter *x, uint32_t t) {
  const char *name = ex_table(x, t);
  int exists = ex_exists(x, name), rc = SQLITE_OK;
  if (exists && x->opts.mode == TM_MODE_CREATE)
    return ex_fail(x, "table '%s' already exists in '%s'; use mode=replace or mode=append",
                   name, x->zSchema);
  if (exists && x->opts.mode == TM_MODE_REPLACE) {
    char *sql = sqlite3_mprintf("DROP TABLE \"%w\".\"%w\"", x->zSchema, name);
    rc = ex_exec(x, sql);
    sqlite3_free(sql);
    exists = 0;
  }
  if (rc == SQLITE_OK && exists) rc = ex_check_columns(x, t);
  if (rc == SQLITE_OK && !exists) {
    char *sql = tm_decl_create(x->schema, t, x->zSchema, name, x->opts.o.id,
                               x->opts.o.types == TM_TYPES_TEXT);
    rc = ex_exec(x, sql);
    sqlite3_free(sql);
  }
  return rc == SQLITE_OK ? ex_prepare(x, t) : rc;
}

/* A table's file name: its name with '/' and '%' escaped, then .csv or
** .jsonl (and .gz). */
static char *ex_file_name(const exporter *x, uint32_t t) {
  sqlite3_str *q = sqlite3_str_new(x->db);
  for (const char *p = ex_table(x, t); *p; p++) {
    if (*p == '/') sqlite3_str_appendall(q, "%2F");
    else if (*p == '%') sqlite3_str_appendall(q, "%25");
    else sqlite3_str_appendchar(q, 1, *p);
  }
  sqlite3_str_appendall(q, x->opts.out_format == TM_OUT_CSV ? ".csv" : ".jsonl");
  if (x->opts.out_gzip) sqlite3_str_appendall(q, ".gz");
  return sqlite3_str_finish(q);
}

/* Append one CSV field (RFC 4180: quoted when it holds , " CR or LF). */
static void ex_csv_field(tm_out *o, const char *p, size_t n) {
  size_t i = 0;
  while (i < n && p[i] != ',' && p[i] != '"' && p[i] != '\r' && p[i] != '\n') i++;
  if (i == n) {
    tm_out_put(o, p, n);
    return;
  }
  tm_out_putc(o, '"');
  for (i = 0; i < n; i++) {
    if (p[i] == '"') tm_out_putc(o, '"');
    tm_out_putc(o, p[i]);
  }
  tm_out_putc(o, '"');
}

/* Append value v as a CSV field: its text as the file spells it (numbers
** too), the digits of an integer that has none (an ordinal, a boolean),
** nothing for NULL. */
static void ex_csv_value(tm_out *o, const tm_value *v) {
  char num[32];
  if (v->kind == TM_VALUE_NULL) return;
  if (v->text || v->kind != TM_VALUE_INT) {
    ex_csv_field(o, v->text, v->n);
    return;
  }
  sqlite3_snprintf(sizeof num, num, "%lld", v->i);
  ex_csv_field(o, num, strlen(num));
}

/* Open table t's file (refusing to replace one unless mode=replace) and
** write the CSV header. */
static int ex_open_file(exporter *x, uint32_t t) {
  char err[400], *file = ex_file_name(x, t);
  if (!file) return SQLITE_NOMEM;
  char *target = sqlite3_mprintf("%s/%s", x->opts.to, file);
  tm_file_id id;
  int rc = SQLITE_OK;
  if (x->opts.mode == TM_MODE_CREATE && target && tm_src_stat(target, &id, err, sizeof err) == 0)
    rc = ex_fail(x, "'%s' already exists; use mode=replace", target);
  sqlite3_free(target);
  if (rc == SQLITE_OK) {
    x->targets[t].sink = tm_sink_open(x->opts.to, file, x->opts.out_gzip, err, sizeof err);
    if (!x->targets[t].sink) rc = ex_fail(x, "%s", err);
  }
  sqlite3_free(file);
  if (rc != SQLITE_OK || x->opts.out_format != TM_OUT_CSV) return rc;
  x->text.n = 0;
  for (int c = 0; c < ex_ncolumns(x, t); c++) {
    if (c) tm_out_putc(&x->text, ',');
    ex_csv_field(&x->text, ex_column(x, t, c), strlen(ex_column(x, t, c)));
  }
  tm_out_put(&x->text, "\r\n", 2);
  if (tm_sink_write(x->targets[t].sink, x->text.p, x->text.n))
    return ex_fail(x, "%s", tm_sink_error(x->targets[t].sink));
  return SQLITE_OK;
}

/* Every table's destination; tables go inside a savepoint. */
static int ex_open(exporter *x) {
  const tm_schema *s = x->schema;
  uint32_t widest = 0;
  x->targets = sqlite3_malloc64(s->ntables * sizeof *x->targets);
  if (!x->targets) return SQLITE_NOMEM;
  memset(x->targets, 0, s->ntables * sizeof *x->targets);
  if (!x->opts.to) {
    if (ex_exec(x, "SAVEPOINT transmog_export") != SQLITE_OK) return SQLITE_ERROR;
    x->savepoint = 1;
  }
  for (uint32_t t = 0; t < s->ntables; t++) {
    if (s->tables[t].dead) continue;
    x->targets[t].nmeta = tm_columns_nmeta(s, t);
    x->targets[t].ncols = x->targets[t].nmeta + (int)s->tables[t].ncols + s->tables[t].has_extra;
    int rc = x->opts.to ? ex_open_file(x, t) : ex_open_table(x, t);
    if (rc != SQLITE_OK) return rc;
    if ((uint32_t)ex_ncolumns(x, t) > widest) widest = (uint32_t)ex_ncolumns(x, t);
  }
  x->slot = sqlite3_malloc64(widest * sizeof *x->slot);
  x->slotgen = sqlite3_malloc64(widest * sizeof *x->slotgen);
  if (!x->slot || !x->slotgen) return SQLITE_NOMEM;
  memset(x->slotgen, 0, widest * sizeof *x->slotgen);
  return SQLITE_OK;
}

/*
** The next row of the record's values, row `ri`, into *row; fails if it
** has fields for an _extra column its table does not have (only if the
** file changed under us).
*/
static int ex_row(exporter *x, const tm_rows *rv, uint32_t ri, tm_convert_reader *row) {
  const tm_row *r = &rv->row[ri];
  if (r->nextra && !x->schema->tables[r->table].has_extra)
    return ex_fail(x, "'%s' changed during the export: record %llu has fields the schema pass did not see",
                   x->path, (unsigned long long)x->records + 1);
  tm_convert_row(&x->values, row);
  return SQLITE_OK;
}

/* Bind a row's values to st's parameters of that row, the first at `base`. */
static int ex_bind_row(sqlite3_stmt *st, int base, tm_convert_reader *row) {
  int rc = SQLITE_OK, column;
  tm_value v;
  while (rc == SQLITE_OK && tm_convert_next(row, &column, &v)) rc = tm_value_bind(st, base + column + 1, &v);
  return rc;
}

/* Run st, an INSERT into table t whose binding gave rc, and make it ready
** for the next rows. */
static int ex_run(exporter *x, uint32_t t, sqlite3_stmt *st, int rc) {
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  if (rc == SQLITE_INTERRUPT) return ex_fail(x, "interrupted");
  if (rc != SQLITE_DONE && rc != SQLITE_OK)
    return ex_fail(x, "cannot insert into '%s': %s", ex_table(x, t),
                   rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(x->db));
  return SQLITE_OK;
}

/* Insert the rows that wait for table t, with one statement. */
static int ex_flush(exporter *x, uint32_t t) {
  ex_target *g = &x->targets[t];
  int n = g->nwait, rc = g->ins[n] ? SQLITE_OK : ex_prepare_insert(x, t, n, &g->ins[n]);
  g->nwait = 0;
  if (rc != SQLITE_OK) return rc;
  for (int k = 0; k < n && rc == SQLITE_OK; k++) rc = ex_bind_row(g->ins[n], k * g->ncols, &g->wait[k]);
  return ex_run(x, t, g->ins[n], rc);
}

/* Insert the rows that wait, table after table: a table is made after
** its parent, so parents' rows go in first. */
static int ex_flush_all(exporter *x) {
  int rc = SQLITE_OK;
  for (uint32_t t = 0; t < x->schema->ntables && rc == SQLITE_OK; t++)
    if (x->targets[t].nwait) rc = ex_flush(x, t);
  return rc;
}

/* Insert row ri into its table: it waits until a table has `per`. */
static int ex_insert(exporter *x, const tm_rows *rv, uint32_t ri) {
  ex_target *g = &x->targets[rv->row[ri].table];
  int rc = ex_row(x, rv, ri, &g->wait[g->nwait]);
  if (rc != SQLITE_OK) return rc;
  return ++g->nwait == g->per ? ex_flush_all(x) : SQLITE_OK;
}

/* Write row ri as a CSV line: fields in declared order, empty for NULL. */
static int ex_write_csv(exporter *x, const tm_rows *rv, uint32_t ri) {
  uint32_t t = rv->row[ri].table;
  tm_convert_reader row;
  int rc = ex_row(x, rv, ri, &row), column;
  if (rc != SQLITE_OK) return rc;
  tm_value v;
  x->gen++;
  while (tm_convert_next(&row, &column, &v)) {   /* in the record's order */
    x->slot[column] = v;
    x->slotgen[column] = x->gen;
  }
  x->text.n = 0;
  for (int c = 0, n = ex_ncolumns(x, t); c < n; c++) {
    if (c) tm_out_putc(&x->text, ',');
    if (x->slotgen[c] == x->gen) ex_csv_value(&x->text, &x->slot[c]);
  }
  tm_out_put(&x->text, "\r\n", 2);
  if (x->text.nomem) return SQLITE_NOMEM;
  if (tm_sink_write(x->targets[t].sink, x->text.p, x->text.n))
    return ex_fail(x, "%s", tm_sink_error(x->targets[t].sink));
  return SQLITE_OK;
}

/* Write row ri as a JSONL line: the metadata, then the row's JSON. */
static int ex_write_jsonl(exporter *x, const tm_rows *rv, uint32_t ri) {
  const tm_record *rec = rv->rec;
  const tm_row *rows = rv->row, *r = &rows[ri];
  tm_out *meta = &x->meta;
  const tm_row *ids[3] = {r, r->parent == TM_NONE ? NULL : &rows[r->parent],
                          r->parent == TM_NONE ? NULL : &rows[0]};
  static const char *const names[] = {"\"_id\":", ",\"_parent_id\":", ",\"_root_id\":"};
  meta->n = 0;
  for (int k = 0; k < 3 && ids[k]; k++) {
    tm_out_put(meta, names[k], strlen(names[k]));
    if (ids[k]->natural != TM_NONE) {
      tm_rowtext_value(meta, rec->text, rec->tape->tok, ids[k]->natural, x->opts.o.types == TM_TYPES_TEXT);
    } else {
      char num[24];
      snprintf(num, sizeof num, "%llu", (unsigned long long)ids[k]->id);
      tm_out_put(meta, num, strlen(num));
    }
  }
  if (ids[1]) {
    char num[40];
    snprintf(num, sizeof num, ",\"_index\":%llu", (unsigned long long)r->index);
    tm_out_put(meta, num, strlen(num));
  }
  x->text.n = 0;
  tm_rowtext_json(&x->text, x->schema, rv, r, x->opts.o.types == TM_TYPES_TEXT,
                  meta->p, meta->n);
  tm_out_putc(&x->text, '\n');
  if (meta->nomem || x->text.nomem) return SQLITE_NOMEM;
  if (tm_sink_write(x->targets[r->table].sink, x->text.p, x->text.n))
    return ex_fail(x, "%s", tm_sink_error(x->targets[r->table].sink));
  return SQLITE_OK;
}

/*
** The scans' tick (every 256 records, the schema pass included): stop on
** an interrupt, which a tiny statement notices, and print progress at most
** once a second with progress=1.
*/
static int ex_tick(void *arg, const tm_progress *p) {
  exporter *x = arg;
  int rc = sqlite3_step(x->poll);
  sqlite3_reset(x->poll);
  if (rc == SQLITE_INTERRUPT) return 1;
  double now = ex_now();
  if (p->inferring != x->phase) {   /* the writing pass begins */
    x->phase = p->inferring;
    x->phase_t0 = now;
  }
  if (!x->opts.progress || now - x->reported < 1.0) return 0;
  x->reported = now;
  double secs = now - x->phase_t0, mb = (double)p->consumed / 1e6, rate = secs > 0 ? mb / secs : 0;
  const char *what = p->inferring ? "schema pass" : "writing";
  if (p->size) {   /* the time left is a guess at the current rate */
    double total = (double)p->size / 1e6;
    fprintf(stderr, "transmog_export: %s: %llu records, %.1f%% of %.0f MB, %.0f MB/s, %.0f s left\n",
            what, (unsigned long long)p->records, 100.0 * mb / total, total, rate,
            rate > 0 ? (total - mb) / rate : 0.0);
  } else {
    fprintf(stderr, "transmog_export: %s: %llu records, %.0f MB, %.0f MB/s\n", what,
            (unsigned long long)p->records, mb, rate);
  }
  return 0;
}

/* Every row of a record to its destination. */
static int ex_record(exporter *x, const tm_rows *rv) {
  if (x->ready) tm_convert_open(&x->values, tm_pipe_made(x->pipe), rv->rec);
  for (uint32_t i = 0; i < rv->nrows; i++) {
    int rc = !x->opts.to ? ex_insert(x, rv, i)
           : x->opts.out_format == TM_OUT_CSV ? ex_write_csv(x, rv, i)
           : ex_write_jsonl(x, rv, i);
    if (rc != SQLITE_OK) return rc;
    x->targets[rv->row[i].table].rows++;
  }
  x->records++;
  return SQLITE_OK;
}

/*
** The pass over the file: every row to its destination. Records are parsed
** in a thread of their own (see pipe.h) while this one writes.
*/
static int ex_pass(exporter *x) {
  char *err = NULL;
  if (!x->opts.to || x->opts.out_format == TM_OUT_CSV) {
    x->ready = tm_convert_new(x->schema, x->opts.o.types, x->opts.to != NULL);
    if (!x->ready) return SQLITE_NOMEM;
  }
  x->pipe = tm_pipe_open(x->path, &x->opts.o, x->schema, x->ready ? tm_convert_work : NULL,
                         x->ready, &err);
  if (!x->pipe) {
    int rc = ex_fail(x, "%s", err ? err : "out of memory");
    free(err);
    return rc;
  }
  tm_file_id now = tm_pipe_file_id(x->pipe);
  if (!tm_infer_same_file(x->id, now))
    return ex_fail(x, "'%s' changed after the schema pass (size %llu, now %llu bytes): nothing was written",
                   x->path, (unsigned long long)x->id.size, (unsigned long long)now.size);
  for (;;) {
    tm_rows rv;
    /* the rows that wait go in before their batch goes back (the last
       batch's too: it is over before the end is told) */
    int rc = tm_pipe_batch_over(x->pipe) ? ex_flush_all(x) : SQLITE_OK;
    if (rc != SQLITE_OK) return rc;
    rc = tm_pipe_next(x->pipe, &rv);
    if (rc == TM_REC_END) return SQLITE_OK;
    if (rc == TM_REC_BAD && x->opts.o.errors == TM_ERRORS_SKIP) {
      x->skipped++;
      continue;
    }
    if (rc != TM_REC_OK) return ex_fail(x, "%s", tm_pipe_message(x->pipe));
    if ((rc = ex_record(x, &rv)) != SQLITE_OK) return rc;
  }
}

/* Make it all visible (release the savepoint, rename the files). */
static int ex_commit(exporter *x) {
  if (x->savepoint) {
    x->savepoint = 0;
    return ex_exec(x, "RELEASE transmog_export");
  }
  for (uint32_t t = 0; t < x->schema->ntables; t++) {
    if (!x->targets[t].sink || tm_sink_commit(x->targets[t].sink) == 0) continue;
    int rc = ex_fail(x, "%s", tm_sink_error(x->targets[t].sink));
    while (t-- > 0)   /* the files renamed already go too: all or nothing */
      if (x->targets[t].sink) unlink(tm_sink_path(x->targets[t].sink));
    return rc;
  }
  return SQLITE_OK;
}

/* Leave nothing behind: roll the savepoint back (files are removed when
** their sinks are freed). */
static void ex_rollback(exporter *x) {
  if (!x->savepoint) return;
  x->savepoint = 0;
  sqlite3_exec(x->db, "ROLLBACK TO transmog_export; RELEASE transmog_export", NULL, NULL, NULL);
}

/* The JSON summary: rows per table, records, skipped, bytes, seconds. */
static void ex_summary(exporter *x, sqlite3_context *ctx) {
  tm_out o = {0};
  char num[96];
  tm_out_put(&o, "{\"tables\":{", 11);
  int first = 1;
  for (uint32_t t = 0; t < x->schema->ntables; t++) {
    if (x->schema->tables[t].dead) continue;
    if (!first) tm_out_putc(&o, ',');
    first = 0;
    tm_out_string(&o, ex_table(x, t), strlen(ex_table(x, t)));
    snprintf(num, sizeof num, ":%llu", (unsigned long long)x->targets[t].rows);
    tm_out_put(&o, num, strlen(num));
  }
  snprintf(num, sizeof num, "},\"records\":%llu,\"skipped\":%llu,\"bytes\":%llu,\"seconds\":%.3f}",
           (unsigned long long)x->records, (unsigned long long)x->skipped,
           (unsigned long long)tm_pipe_file_id(x->pipe).size, ex_now() - x->t0);
  tm_out_put(&o, num, strlen(num));
  tm_sql_result_json(ctx, &o);
  tm_out_free(&o);
}

/* Free everything an export holds (uncommitted files are removed). */
static void ex_free(exporter *x) {
  ex_rollback(x);
  if (x->targets) {
    for (uint32_t t = 0; t < x->schema->ntables; t++) {
      for (int n = 1; x->targets[t].ins && n <= x->targets[t].per; n++)
        sqlite3_finalize(x->targets[t].ins[n]);
      sqlite3_free(x->targets[t].ins);
      sqlite3_free(x->targets[t].wait);
      tm_sink_free(x->targets[t].sink);
    }
  }
  sqlite3_free(x->targets);
  sqlite3_finalize(x->poll);
  sqlite3_free(x->slot);
  sqlite3_free(x->slotgen);
  tm_pipe_close(x->pipe);   /* before the converter its thread uses */
  tm_convert_free(x->ready);
  tm_schema_free(x->schema);
  tm_opts_free(&x->opts);
  tm_out_free(&x->text);
  tm_out_free(&x->meta);
  sqlite3_free(x->err);
}

/* Is there a database (schema) named x->zSchema? (temp always is: SQLite
** makes it on first use.) */
static int ex_has_schema(exporter *x) {
  if (sqlite3_stricmp(x->zSchema, "temp") == 0) return 1;
  sqlite3_stmt *st = NULL;
  int found = sqlite3_prepare_v2(x->db, "SELECT 1 FROM pragma_database_list WHERE name = ?1 COLLATE NOCASE",
                                 -1, &st, NULL) == SQLITE_OK;
  if (found) {
    sqlite3_bind_text(st, 1, x->zSchema, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
  }
  sqlite3_finalize(st);
  return found;
}

/* Read the arguments: path, name, options. */
static int ex_args(exporter *x, int argc, sqlite3_value **argv) {
  char *err = NULL;
  x->path = (const char *)sqlite3_value_text(argv[0]);
  x->name = (const char *)sqlite3_value_text(argv[1]);
  const char *options = argc > 2 ? (const char *)sqlite3_value_text(argv[2]) : NULL;
  if (!x->path || !x->name || !*x->name)
    return ex_fail(x, "transmog_export needs a file and a table name: transmog_export(path, name [, options])");
  if (tm_opts_parse(&x->opts, options, TM_OPT_EXPORT & ~TM_OPT_NAME, "transmog", &err)) {
    x->err = sqlite3_mprintf("%s", err ? err : "transmog: out of memory");   /* prefixed already */
    free(err);
    return SQLITE_ERROR;
  }
  x->zSchema = x->opts.schema ? x->opts.schema : "main";
  if (x->opts.to && x->opts.mode == TM_MODE_APPEND)
    return ex_fail(x, "mode=append is for tables; with to=, use mode=create or mode=replace");
  if (!x->opts.to && !ex_has_schema(x))
    return ex_fail(x, "no database '%s' (schema=): attach it first", x->zSchema);
  if (sqlite3_prepare_v2(x->db, "SELECT 1", -1, &x->poll, NULL) != SQLITE_OK)
    return ex_fail(x, "%s", sqlite3_errmsg(x->db));
  x->opts.o.tick = ex_tick;
  x->opts.o.tick_arg = x;
  return SQLITE_OK;
}

/* transmog_export(path, name [, options]) */
static void exportFunc(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  exporter x;
  char *err = NULL;
  memset(&x, 0, sizeof x);
  x.db = sqlite3_context_db_handle(ctx);
  x.t0 = x.reported = x.phase_t0 = ex_now();
  x.phase = 1;
  int rc = ex_args(&x, argc, argv);
  if (rc == SQLITE_OK && tm_infer_rereadable(x.path, &err) == 0)
    x.schema = tm_infer(x.path, &x.opts.o, x.name, &x.id, NULL, &err);
  if (rc == SQLITE_OK && !x.schema) rc = ex_fail(&x, "%s", err ? err : "out of memory");
  free(err);
  if (rc == SQLITE_OK) rc = ex_open(&x);
  if (rc == SQLITE_OK) rc = ex_pass(&x);
  if (rc == SQLITE_OK) rc = ex_commit(&x);
  if (rc == SQLITE_OK) ex_summary(&x, ctx);
  else if (rc == SQLITE_NOMEM && !x.err) sqlite3_result_error_nomem(ctx);
  else sqlite3_result_error(ctx, x.err ? x.err : "transmog: export failed", -1);
  ex_free(&x);
}

int tm_export_register(sqlite3 *db) {
  int rc = SQLITE_OK;
  for (int n = 2; n <= 3 && rc == SQLITE_OK; n++)
    rc = sqlite3_create_function(db, "transmog_export", n, SQLITE_UTF8 | SQLITE_DIRECTONLY,
                                 NULL, exportFunc, NULL, NULL);
  return rc;
}
