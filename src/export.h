/*
** export.h: the export driver. It reads files into every table of their
** schema and hands every row to one table writer (writer.h), which
** commits them all or, on any failure, leaves nothing behind. The SQL
** function transmog_export (ext/export.c) and any other front end (a
** command-line tool) run exports through it.
**
**   tm_export *e = tm_export_new(paths, n, &o);   -- o.tick: progress, stop
**   tm_export_infer(e, "orders");                 -- or tm_export_use(e, s)
**   tm_writer *w = tm_writer_open(cls, &cfg);     -- cfg.schema: tm_export_schema(e)
**   if (tm_export_run(e, w) == TM_EXPORT_OK)      -- the export owns w now
**     tm_export_commit(e);                        -- report first: see ext/export.c
**   tm_export_counted(e)->records ...  tm_export_error(e) ...
**   tm_export_free(e);                            -- undoes what was not committed
**
** Records are parsed in a thread of their own (bgscan.h), which also
** converts the values when the writer wants them (convert.h); the options'
** tick is called on the caller's thread, in both passes.
*/
#ifndef TM_EXPORT_H
#define TM_EXPORT_H

#include "scan.h"
#include "writer.h"

/* What the calls return: the writer's codes. */
enum {
  TM_EXPORT_OK = TM_WRITE_OK,
  TM_EXPORT_ERROR = TM_WRITE_ERROR,   /* see tm_export_error */
  TM_EXPORT_NOMEM = TM_WRITE_NOMEM    /* out of memory, no message */
};

/* What an export wrote. */
typedef struct tm_export_counts {
  const uint64_t *rows;     /* per table of the schema (0 for dead ones) */
  uint64_t records;         /* records written */
  uint64_t skipped;         /* bad records skipped (errors=skip) */
  uint64_t bytes;           /* the files' size */
} tm_export_counts;

typedef struct tm_export tm_export;

/* An export of the n files of `paths` read as one (reader.h), with
** options o (copied; the paths and the options' strings must outlive the
** export). NULL when out of memory. */
tm_export *tm_export_new(const char *const *paths, uint32_t n, const tm_options *o);

/* The schema pass: the files' tables, the main one named `name`, and
** their identities, which the writing pass checks again. Returns
** TM_EXPORT_OK, TM_EXPORT_ERROR or TM_EXPORT_NOMEM. */
int tm_export_infer(tm_export *e, const char *name);

/* Or write into a frozen schema s made elsewhere (it must outlive the
** export; the files are then not checked against a schema pass). */
void tm_export_use(tm_export *e, const tm_schema *s);

/* The schema (after tm_export_infer or tm_export_use), for opening the
** writer. */
const tm_schema *tm_export_schema(const tm_export *e);

/* The writing pass into w, opened over the schema, which the export owns
** from now on (freed by tm_export_free): every live table opened, every
** row of every record written. Nothing is visible until tm_export_commit.
** Returns TM_EXPORT_*. */
int tm_export_run(tm_export *e, tm_writer *w);

/* Make everything the run wrote visible, all or nothing (after a run that
** returned TM_EXPORT_OK; a caller makes what it must report first, so that
** nothing can fail after the commit). Returns TM_EXPORT_*. */
int tm_export_commit(tm_export *e);

/* Undo what the writer did not commit, and free it (before an error is
** reported: see ext/export.c). Safe after a commit, which it keeps. */
void tm_export_abort(tm_export *e);

/* The message of the first TM_EXPORT_ERROR, naming the file or record
** ("" when none). */
const char *tm_export_error(const tm_export *e);

/* What the writing pass wrote so far. */
const tm_export_counts *tm_export_counted(const tm_export *e);

/* Free the export, its writer first (undoing what it did not commit).
** Accepts NULL. */
void tm_export_free(tm_export *e);

#endif
