/*
** writer.h: the table-writer seam. An export hands every row of every
** table to one writer, which puts the tables somewhere: files of a format
** (CSV, JSONL; src/csvwrite.c, src/jsonlwrite.c) or SQLite tables
** (ext/sqlwrite.c). A writer opens each table with its name and declared
** columns (columns.h), takes rows, and at the end either commits all its
** tables or, freed without a commit, leaves nothing behind.
**
**   tm_writer *w = tm_writer_open(tm_writer_find("csv"), &cfg);
**   tm_writer_table(w, t, name, cols, ncols);     -- every table
**   tm_writer_row(w, &row);                       -- every row
**   tm_writer_batch_over(w);                      -- before a batch goes back
**   tm_writer_commit(w);  tm_writer_free(w);      -- or only free: abort
**
** A file format is one file defining a tm_writer_class plus its line in
** writer.c's registry. Its files are written through sink.h under
** temporary names and renamed into place by the commit (writer.c does
** that for every file writer): "<dir>/<table>.<suffix>[.gz]".
*/
#ifndef TM_WRITER_H
#define TM_WRITER_H

#include "columns.h"
#include "convert.h"
#include "sink.h"

/* What a writer's calls return. */
enum { TM_WRITE_OK, TM_WRITE_ERROR, TM_WRITE_NOMEM };

/* What a writer needs converted of each row (tm_write_row.values). */
enum {
  TM_WRITE_RAW,          /* nothing: it reads the record's tokens */
  TM_WRITE_VALUES,       /* values: numbers as int64 and double */
  TM_WRITE_DIGITS        /* values: numbers as the file spells them */
};

/* The settings every writer is opened with. */
typedef struct tm_writer_config {
  const tm_schema *schema;  /* frozen; outlives the writer */
  const char *id;           /* the option id=, or NULL */
  int types;                /* TM_TYPES_* */
  const char *dir;          /* file writers: the directory written to */
  int gzip;                 /* file writers: gzip the files */
  int replace;              /* file writers: may replace existing files */
} tm_writer_config;

/* One row handed to a writer. */
typedef struct tm_write_row {
  const tm_rows *rows;      /* the record's rows */
  const tm_row *row;        /* this one, in rows; row->table is its table */
  tm_convert_reader values; /* its values, when the class asks for them */
  uint64_t batch;           /* the background scan's batch the record lies in
                               (tm_bgscan_batches) */
} tm_write_row;

typedef struct tm_writer tm_writer;

/* A kind of writer. Every call but free returns TM_WRITE_*, with the
** message in tm_writer_error. */
typedef struct tm_writer_class {
  const char *name;         /* the format's name: "csv" */
  const char *suffix;       /* its files' suffix ("csv"), NULL if none */
  size_t size;              /* of its writer struct, a tm_writer first */
  int convert;              /* TM_WRITE_RAW, _VALUES or _DIGITS */
  /* Open table t (of the config's schema) as `name` with its ncols
     declared columns: the array lasts for the call only (copy it to
     keep it), its strings and the name as long as the schema. */
  int (*table)(tm_writer *w, uint32_t t, const char *name, const tm_coldecl *cols,
               int ncols);
  /* Write one row of a table opened. */
  int (*row)(tm_writer *w, const tm_write_row *r);
  /* The rows handed so far go back to the background scan: let go of them. NULL
     when the writer keeps nothing of a row. */
  int (*batch_over)(tm_writer *w);
  /* Make every table visible, all or nothing. */
  int (*commit)(tm_writer *w);
  /* Free what the class added to the writer, undoing what was not
     committed. NULL when it added nothing. */
  void (*free)(tm_writer *w);
} tm_writer_class;

/* What every writer holds; a class's struct begins with it. */
struct tm_writer {
  const tm_writer_class *cls;
  tm_writer_config cfg;
  tm_sink **sinks;          /* file writers: one per table of the schema */
  char *err;                /* malloc'd message of the first error */
  int nomem;                /* that error was out of memory */
};

/* The file writer of format `name` ("csv", "jsonl"), or NULL. */
const tm_writer_class *tm_writer_find(const char *name);

/* A writer of class c (zeroed past its tm_writer). NULL when out of memory. */
tm_writer *tm_writer_open(const tm_writer_class *c, const tm_writer_config *cfg);

/* The class's calls. */
static inline int tm_writer_table(tm_writer *w, uint32_t t, const char *name,
                                  const tm_coldecl *cols, int ncols) {
  return w->cls->table(w, t, name, cols, ncols);
}
static inline int tm_writer_row(tm_writer *w, const tm_write_row *r) {
  return w->cls->row(w, r);
}
static inline int tm_writer_batch_over(tm_writer *w) {
  return w->cls->batch_over ? w->cls->batch_over(w) : TM_WRITE_OK;
}
static inline int tm_writer_commit(tm_writer *w) { return w->cls->commit(w); }

/* Free a writer; what it did not commit is undone (no file, no table).
** Accepts NULL. */
void tm_writer_free(tm_writer *w);

/* The first error's message ("" when none). */
const char *tm_writer_error(const tm_writer *w);

/* For classes: keep the first error, "<printf>"; returns TM_WRITE_ERROR. */
int tm_writer_fail(tm_writer *w, const char *fmt, ...);

/* For classes: an allocation failed; returns TM_WRITE_NOMEM. */
int tm_writer_nomem(tm_writer *w);

/* For file writers: open table t's file, "<dir>/<name>.<suffix>[.gz]"
** ('/' and '%' in the name escaped as %2F and %25), refusing to replace
** one unless the config says so. */
int tm_writer_file(tm_writer *w, uint32_t t, const char *name);

/* For file writers: append n bytes to table t's file. */
int tm_writer_put(tm_writer *w, uint32_t t, const void *p, size_t n);

/* For file writers, as their commit: write out, close and sync every file
** (a full disk fails here, with every target as it was), then rename each
** into place (if one fails, those renamed already are removed), then sync
** the directory. */
int tm_writer_commit_files(tm_writer *w);

#endif
