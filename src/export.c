/*
** export.c: the export driver declared in export.h. The schema pass finds
** the tables and their columns; then one pass over the files hands every
** row of every table to the writer; the caller commits (tm_export_commit)
** only if every record went through.
*/
#include "export.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "infer.h"
#include "bgscan.h"

struct tm_export {
  const char *const *paths;
  uint32_t npaths;
  tm_options o;
  tm_schema *own;           /* the schema pass's, or NULL */
  const tm_schema *schema;  /* frozen: own, or given */
  tm_input_id id;           /* the files as the schema pass read them */
  tm_writer *w;             /* where every table goes */
  tm_bgscan *bg;              /* the pass that writes: parsed in a thread */
  tm_convert *convert;      /* the values, converted by the background scan, or NULL */
  uint64_t *rows;           /* per table, rows written */
  tm_export_counts counts;
  char *err;                /* malloc'd message of the first error */
};

tm_export *tm_export_new(const char *const *paths, uint32_t n, const tm_options *o) {
  tm_export *e = calloc(1, sizeof *e);
  if (!e) return NULL;
  e->paths = paths;
  e->npaths = n;
  e->o = *o;
  return e;
}

/* Keep the first error: "<printf>". Returns TM_EXPORT_ERROR, or
** TM_EXPORT_NOMEM when the message does not fit. */
static int ex_fail(tm_export *e, const char *fmt, ...) {
  if (e->err) return TM_EXPORT_ERROR;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  e->err = n < 0 ? NULL : malloc((size_t)n + 1);
  if (!e->err) return TM_EXPORT_NOMEM;
  va_start(ap, fmt);
  vsnprintf(e->err, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return TM_EXPORT_ERROR;
}

/* What a writer's call returned, its message kept. */
static int ex_wrote(tm_export *e, int rc) {
  if (rc == TM_WRITE_ERROR) return ex_fail(e, "%s", tm_writer_error(e->w));
  return rc;
}

/* A malloc'd message from a callee: kept, and freed; NULL means out of
** memory. */
static int ex_fail_with(tm_export *e, char *err) {
  int rc = ex_fail(e, "%s", err ? err : "out of memory");
  free(err);
  return rc;
}

int tm_export_infer(tm_export *e, const char *name) {
  char *err = NULL;
  int rereadable = 1;
  for (uint32_t i = 0; i < e->npaths && rereadable; i++)
    rereadable = tm_infer_rereadable(e->paths[i], &err) == 0;
  if (rereadable)
    e->own = tm_infer_files(e->paths, e->npaths, &e->o, name, &e->id, NULL, &err);
  if (!e->own) return ex_fail_with(e, err);
  free(err);
  e->schema = e->own;
  return TM_EXPORT_OK;
}

void tm_export_use(tm_export *e, const tm_schema *s) { e->schema = s; }

const tm_schema *tm_export_schema(const tm_export *e) { return e->schema; }

/* The name of table t. */
static const char *ex_table(const tm_export *e, uint32_t t) {
  return tm_schema_name(e->schema, e->schema->tables[t].name);
}

/* Open every live table of the schema in the writer. */
static int ex_open(tm_export *e) {
  const tm_schema *s = e->schema;
  e->rows = calloc(s->ntables ? s->ntables : 1, sizeof *e->rows);
  if (!e->rows) return TM_EXPORT_NOMEM;
  e->counts.rows = e->rows;
  int rc = TM_EXPORT_OK;
  for (uint32_t t = 0; t < s->ntables && rc == TM_EXPORT_OK; t++) {
    if (s->tables[t].dead) continue;
    int n = tm_columns_count(s, t);
    tm_coldecl *cols = malloc((size_t)n * sizeof *cols);
    if (!cols) return TM_EXPORT_NOMEM;
    tm_columns_of(s, t, e->o.id, e->o.types == TM_TYPES_TEXT, cols);
    rc = ex_wrote(e, tm_writer_table(e->w, t, ex_table(e, t), cols, n));
    free(cols);
  }
  return rc;
}

/* Start the background scan over the files, converting values if the writer wants
** them; fails if the files changed since the schema pass. */
static int ex_start(tm_export *e) {
  char *err = NULL;
  int convert = e->w->cls->convert;
  if (convert != TM_WRITE_RAW) {
    e->convert = tm_convert_new(e->schema, e->o.types, convert == TM_WRITE_DIGITS);
    if (!e->convert) return TM_EXPORT_NOMEM;
  }
  e->bg = tm_bgscan_open_files(e->paths, e->npaths, &e->o, e->schema,
                               e->convert ? tm_convert_work : NULL, e->convert, &err);
  if (!e->bg) return ex_fail_with(e, err);
  const tm_input_id *now = tm_bgscan_input_id(e->bg);
  e->counts.bytes = tm_src_id_size(now);
  if (!e->own || tm_src_id_same(&e->id, now)) return TM_EXPORT_OK;
  uint32_t i = tm_src_id_changed(&e->id, now);
  return ex_fail(
      e,
      "'%s' changed after the schema pass (size %llu, now %llu bytes): nothing was written",
      e->paths[i], (unsigned long long)e->id.files[i].size,
      (unsigned long long)now->files[i].size);
}

/* Every row of a record to the writer; fails if a row has fields for an
** _extra column its table does not have (only if the file changed under
** us). */
static int ex_record(tm_export *e, const tm_rows *rv) {
  tm_write_row row = {.rows = rv, .batch = tm_bgscan_batches(e->bg)};
  tm_convert_reader values;
  if (e->convert) tm_convert_open(&values, tm_bgscan_made(e->bg), rv->rec);
  for (uint32_t i = 0; i < rv->nrows; i++) {
    row.row = &rv->row[i];
    if (row.row->nextra && !e->schema->tables[row.row->table].has_extra)
      return ex_fail(
          e,
          "'%s' changed during the export: record %llu has fields the schema pass did not see",
          e->paths[rv->rec->file], (unsigned long long)e->counts.records + 1);
    if (e->convert) tm_convert_row(&values, &row.values);
    int rc = ex_wrote(e, tm_writer_row(e->w, &row));
    if (rc != TM_EXPORT_OK) return rc;
    e->rows[row.row->table]++;
  }
  e->counts.records++;
  return TM_EXPORT_OK;
}

/*
** The pass over the files: every row to the writer. Records are parsed in
** a thread of their own (see bgscan.h) while this one writes.
*/
static int ex_pass(tm_export *e) {
  for (;;) {
    tm_rows rv;
    /* the writer lets go of the rows before their batch goes back (the
       last batch's too: it is over before the end is told) */
    int rc = tm_bgscan_batch_over(e->bg) ? ex_wrote(e, tm_writer_batch_over(e->w))
                                         : TM_EXPORT_OK;
    if (rc != TM_EXPORT_OK) return rc;
    rc = tm_bgscan_next(e->bg, &rv);
    if (rc == TM_REC_END) return TM_EXPORT_OK;
    if (rc == TM_REC_BAD && e->o.errors == TM_ERRORS_SKIP) {
      e->counts.skipped++;
      continue;
    }
    if (rc != TM_REC_OK) return ex_fail(e, "%s", tm_bgscan_message(e->bg));
    if ((rc = ex_record(e, &rv)) != TM_EXPORT_OK) return rc;
  }
}

int tm_export_run(tm_export *e, tm_writer *w) {
  e->w = w;
  int rc = ex_open(e);
  if (rc == TM_EXPORT_OK) rc = ex_start(e);
  if (rc == TM_EXPORT_OK) rc = ex_pass(e);
  return rc;
}

int tm_export_commit(tm_export *e) { return ex_wrote(e, tm_writer_commit(e->w)); }

void tm_export_abort(tm_export *e) {
  tm_writer_free(e->w);
  e->w = NULL;
}

const char *tm_export_error(const tm_export *e) { return e->err ? e->err : ""; }

const tm_export_counts *tm_export_counted(const tm_export *e) { return &e->counts; }

void tm_export_free(tm_export *e) {
  if (!e) return;
  tm_writer_free(e->w);
  free(e->rows);
  tm_bgscan_close(e->bg);   /* before the converter its thread uses */
  tm_convert_free(e->convert);
  tm_schema_free(e->own);
  tm_src_id_free(&e->id);
  free(e->err);
  free(e);
}
