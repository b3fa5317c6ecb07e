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
** The export itself is src/export.h's: the schema pass, then one pass
** over the file that hands every row of every table to one writer
** (src/writer.h). This file is its SQL face: the arguments and options,
** the writer (real tables name, name_items, ... in the current database
** or in schema=, through ext/sqlwrite.c; or with to=DIR one file per
** table in a format of writer.c's registry), the interrupt poll and
** progress, the JSON summary, and errors as SQLite results. The writer
** commits everything or, on a failure or an interrupt (Ctrl-C in the
** shell), leaves no table and no file behind.
*/
#define _POSIX_C_SOURCE 200809L   /* clock_gettime */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/export.h"
#include "../src/options.h"
#include "sqlwrite.h"
#include "transmog.h"
#include "values.h"

SQLITE_EXTENSION_INIT3

typedef struct exporter {
  sqlite3 *db;
  tm_opts opts;
  const char *path, *name;
  const char *zSchema;   /* where tables go */
  tm_export *e;          /* the export: schema, writer, counts */
  sqlite3_stmt *poll;    /* a statement stepped to notice interrupts */
  double t0, reported;
  double phase_t0;       /* when the current pass began (progress rates) */
  int phase;             /* the pass of the last report: 1 schema, 0 writing */
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

/* An SQLite code for what the export's call returned (TM_EXPORT_*),
** keeping its message. */
static int ex_exported(exporter *x, int rc) {
  if (rc == TM_EXPORT_OK) return SQLITE_OK;
  if (rc == TM_EXPORT_NOMEM) return SQLITE_NOMEM;
  return ex_fail(x, "%s", tm_export_error(x->e));
}

/* The name of table t. */
static const char *ex_table(const exporter *x, uint32_t t) {
  const tm_schema *s = tm_export_schema(x->e);
  return tm_schema_name(s, s->tables[t].name);
}

/* The writer: of tables, or of files in the format output_format= names
** (its word is the writer class's name). NULL with x->err set, or when out
** of memory. */
static tm_writer *ex_writer(exporter *x) {
  const char *format = tm_opts_word("output_format", x->opts.out_format);
  tm_writer_config cfg = {
      .schema = tm_export_schema(x->e),
      .id = x->opts.o.id,
      .types = x->opts.o.types,
      .dir = x->opts.to,
      .gzip = x->opts.out_gzip,
      .replace = x->opts.mode == TM_MODE_REPLACE,
  };
  const tm_writer_class *files = x->opts.to && format ? tm_writer_find(format) : NULL;
  if (x->opts.to && !files) {
    ex_fail(x, "no writer for format '%s'", format ? format : "?");
    return NULL;
  }
  return files ? tm_writer_open(files, &cfg)
               : tm_sqlwrite_open(x->db, x->zSchema, x->opts.mode, &cfg);
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
  double secs = now - x->phase_t0, mb = (double)p->consumed / 1e6,
         rate = secs > 0 ? mb / secs : 0;
  const char *what = p->inferring ? "schema pass" : "writing";
  if (p->size) {   /* the time left is a guess at the current rate */
    double total = (double)p->size / 1e6;
    fprintf(
        stderr,
        "transmog_export: %s: %llu records, %.1f%% of %.0f MB, %.0f MB/s, %.0f s left\n",
        what, (unsigned long long)p->records, 100.0 * mb / total, total, rate,
        rate > 0 ? (total - mb) / rate : 0.0);
  } else {
    fprintf(stderr, "transmog_export: %s: %llu records, %.0f MB, %.0f MB/s\n", what,
            (unsigned long long)p->records, mb, rate);
  }
  return 0;
}

/* The JSON summary in *o: rows per table, records, skipped, bytes,
** seconds. Made before the commit, so that nothing can fail after it.
** Returns SQLITE_OK or SQLITE_NOMEM. */
static int ex_summary(exporter *x, tm_buf *o) {
  const tm_schema *s = tm_export_schema(x->e);
  const tm_export_counts *n = tm_export_counted(x->e);
  char num[96];
  tm_buf_put(o, "{\"tables\":{", 11);
  int first = 1;
  for (uint32_t t = 0; t < s->ntables; t++) {
    if (s->tables[t].dead) continue;
    if (!first) tm_buf_putc(o, ',');
    first = 0;
    tm_jsonout_string(o, ex_table(x, t), strlen(ex_table(x, t)));
    snprintf(num, sizeof num, ":%llu", (unsigned long long)n->rows[t]);
    tm_buf_put(o, num, strlen(num));
  }
  snprintf(num, sizeof num,
           "},\"records\":%llu,\"skipped\":%llu,\"bytes\":%llu,\"seconds\":%.3f}",
           (unsigned long long)n->records, (unsigned long long)n->skipped,
           (unsigned long long)n->bytes, ex_now() - x->t0);
  tm_buf_put(o, num, strlen(num));
  return o->nomem ? SQLITE_NOMEM : SQLITE_OK;
}

/* Free everything an export holds; the writer undoes what it did not
** commit. */
static void ex_free(exporter *x) {
  tm_export_free(x->e);
  sqlite3_finalize(x->poll);
  tm_opts_free(&x->opts);
  sqlite3_free(x->err);
}

/* Is there a database (schema) named x->zSchema? (temp always is: SQLite
** makes it on first use.) Asked without SQL, which a low
** SQLITE_LIMIT_LENGTH could refuse. */
static int ex_has_schema(exporter *x) {
  if (sqlite3_stricmp(x->zSchema, "temp") == 0) return 1;
  const char *name;
  for (int i = 0; (name = sqlite3_db_name(x->db, i)) != NULL; i++)
    if (sqlite3_stricmp(name, x->zSchema) == 0) return 1;
  return 0;
}

/* Is PRAGMA query_only on? Tables are refused by SQLite itself; files
** must be refused here. (If it cannot be asked, it counts as on.) */
static int ex_query_only(exporter *x) {
  sqlite3_stmt *st = NULL;
  int on = 1;
  if (sqlite3_prepare_v2(x->db, "PRAGMA query_only", -1, &st, NULL) == SQLITE_OK &&
      sqlite3_step(st) == SQLITE_ROW)
    on = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  return on;
}

/* Read the arguments: path, name, options. */
static int ex_args(exporter *x, int argc, sqlite3_value **argv) {
  char *err = NULL;
  x->path = (const char *)sqlite3_value_text(argv[0]);
  x->name = (const char *)sqlite3_value_text(argv[1]);
  const char *options = argc > 2 ? (const char *)sqlite3_value_text(argv[2]) : NULL;
  if (!x->path || !x->name || !*x->name)
    return ex_fail(
        x,
        "transmog_export needs a file and a table name: transmog_export(path, name [, options])");
  for (int i = 0; i < argc; i++)
    if (tm_sql_has_nul(argv[i]))
      return ex_fail(x, "argument %d of transmog_export contains a NUL byte", i + 1);
  if (tm_opts_parse(&x->opts, options, TM_FN_EXPORT, "transmog", &err)) {
    x->err = sqlite3_mprintf(
        "%s", err ? err : "transmog: out of memory");   /* prefixed already */
    free(err);
    return SQLITE_ERROR;
  }
  x->zSchema = x->opts.schema ? x->opts.schema : "main";
  if (x->opts.to && x->opts.mode == TM_MODE_APPEND)
    return ex_fail(
        x, "mode=append is for tables; with to=, use mode=create or mode=replace");
  if (x->opts.to && ex_query_only(x))
    return ex_fail(x, "PRAGMA query_only is on: to= would write files");
  if (!x->opts.to && !ex_has_schema(x))
    return ex_fail(x, "no database '%s' (schema=): attach it first", x->zSchema);
  if (sqlite3_prepare_v2(x->db, "SELECT 1", -1, &x->poll, NULL) != SQLITE_OK)
    return ex_fail(x, "%s", sqlite3_errmsg(x->db));
  x->opts.o.tick = ex_tick;
  x->opts.o.tick_arg = x;
  x->e = tm_export_new(&x->path, 1, &x->opts.o);
  return x->e ? SQLITE_OK : SQLITE_NOMEM;
}

/* The export: the schema pass, the writer, the writing pass and commit. */
static int ex_run(exporter *x) {
  int rc = ex_exported(x, tm_export_infer(x->e, x->name));
  if (rc != SQLITE_OK) return rc;
  tm_writer *w = ex_writer(x);
  if (!w) return x->err ? SQLITE_ERROR : SQLITE_NOMEM;
  return ex_exported(x, tm_export_run(x->e, w));
}

static void export_func(sqlite3_context *ctx, int argc, sqlite3_value **argv) {
  exporter x;
  memset(&x, 0, sizeof x);
  x.db = sqlite3_context_db_handle(ctx);
  x.t0 = x.reported = x.phase_t0 = ex_now();
  x.phase = 1;
  tm_buf summary = {0};
  int rc = ex_args(&x, argc, argv);
  if (rc == SQLITE_OK) rc = ex_run(&x);
  if (rc == SQLITE_OK) rc = ex_summary(&x, &summary);
  if (rc == SQLITE_OK) rc = ex_exported(&x, tm_export_commit(x.e));
  /* undone before any result: an out-of-memory result would stop the
     rollback (SQLite runs no statement after it) */
  if (x.e) tm_export_abort(x.e);
  if (rc == SQLITE_OK) {   /* handed over, not copied: it cannot fail now */
    sqlite3_result_text64(ctx, summary.p, summary.n, free, SQLITE_UTF8);
    sqlite3_result_subtype(ctx, TM_JSON_SUBTYPE);
    summary.p = NULL;
  } else if (rc == SQLITE_NOMEM && !x.err) {
    sqlite3_result_error_nomem(ctx);
  } else {
    sqlite3_result_error(ctx, x.err ? x.err : "transmog: export failed", -1);
  }
  tm_buf_free(&summary);
  ex_free(&x);
}

int tm_export_register(sqlite3 *db) {
  int rc = SQLITE_OK;
  for (int n = 2; n <= 3 && rc == SQLITE_OK; n++)
    rc =
        sqlite3_create_function(db, "transmog_export", n, SQLITE_UTF8 | SQLITE_DIRECTONLY,
                                NULL, export_func, NULL, NULL);
  return rc;
}
