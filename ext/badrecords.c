/*
** badrecords.c: transmog_errors, an eponymous table-valued function.
**
**   SELECT * FROM transmog_errors('events.jsonl.gz');
**   SELECT record, line, message FROM transmog_errors('dump.json', 'format=json');
**
** One pass over the file that lists every bad record instead of stopping
** at the first:
**
**   record   1-based record number
**   line     line of the error (1-based)
**   col      column of the error, in bytes (1-based)
**   offset   byte offset of the error in the (inflated) content, 0-based
**   message  what was expected
**   snippet  the text around the error, on one line
**
** An error that stops the reading (a truncated gzip, a read error) is the
** last row. Memory is bounded by the largest record, as in any scan.
*/
#define _POSIX_C_SOURCE 200809L   /* strdup */
#include <stdlib.h>
#include <string.h>

#include "../src/options.h"
#include "transmog.h"
#include "vtab.h"

SQLITE_EXTENSION_INIT3

enum {
  ERR_RECORD,
  ERR_LINE,
  ERR_COL,
  ERR_OFFSET,
  ERR_MESSAGE,
  ERR_SNIPPET,
  ERR_PATH,
  ERR_OPTIONS
};
#define ERR_NARGS 2

typedef struct badrec_cursor {
  sqlite3_vtab_cursor base;
  tm_opts opts;
  tm_scan *scan;
  tm_rec_error err;      /* the current row */
  int fatal;             /* the current row stopped the reading */
  int eof;
  sqlite3_int64 rowid;
} badrec_cursor;

/* xConnect: the fixed columns; the arguments are hidden ones. */
static int badrec_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
                          sqlite3_vtab **ppVtab, char **pzErr) {
  (void)aux;
  (void)argc;
  (void)argv;
  (void)pzErr;
  return tm_vtab_connect(
      db,
      "CREATE TABLE x(record INTEGER, line INTEGER, col INTEGER, offset INTEGER,"
      " message TEXT, snippet TEXT, path HIDDEN, options HIDDEN)",
      sizeof(sqlite3_vtab), ppVtab);
}

/* xBestIndex: the arguments are hidden columns. */
static int badrec_best_index(sqlite3_vtab *v, sqlite3_index_info *info) {
  (void)v;
  return tm_vtab_best_index(info, ERR_PATH, ERR_NARGS);
}

/* xOpen */
static int badrec_open(sqlite3_vtab *v, sqlite3_vtab_cursor **pp) {
  (void)v;
  return tm_vtab_open(sizeof(badrec_cursor), pp);
}

/* Free what one filter set up. */
static void badrec_reset(badrec_cursor *c) {
  tm_scan_close(c->scan);
  c->scan = NULL;
  tm_opts_free(&c->opts);
  c->eof = 1;
}

/* xClose */
static int badrec_close(sqlite3_vtab_cursor *cur) {
  badrec_reset((badrec_cursor *)cur);
  sqlite3_free(cur);
  return SQLITE_OK;
}

/* Move to the next bad record. */
static int badrec_advance(badrec_cursor *c) {
  if (c->fatal) {
    c->eof = 1;
    return SQLITE_OK;
  }
  for (;;) {
    int rc = tm_scan_next(c->scan);
    if (rc == TM_REC_OK) continue;
    if (rc == TM_REC_END) {
      c->eof = 1;
      return SQLITE_OK;
    }
    c->err = *tm_scan_error(c->scan);
    c->fatal = rc == TM_REC_FATAL;
    c->rowid++;
    return SQLITE_OK;
  }
}

/* xFilter: open the file and find the first bad record. */
static int badrec_filter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                         int argc, sqlite3_value **argv) {
  (void)idxStr;
  badrec_cursor *c = (badrec_cursor *)cur;
  char *args[ERR_NARGS], *err = NULL;
  badrec_reset(c);
  int rc = tm_vtab_args(cur->pVtab, idxNum, argc, argv, ERR_NARGS, args);
  if (rc != SQLITE_OK) return rc;
  int fail = tm_opts_parse(&c->opts, args[1], TM_FN_ERRORS, "transmog_errors", &err);
  if (!args[0] && !fail) {
    err = strdup("transmog_errors needs a file path: transmog_errors(path [, options])");
    fail = 1;
  }
  if (!fail) c->scan = tm_scan_open(args[0], &c->opts.o, NULL, TM_NONE, 0, 0, &err);
  sqlite3_free(args[0]);
  sqlite3_free(args[1]);
  if (fail || !c->scan) {
    int rc = tm_vtab_error(cur->pVtab, err ? err : "out of memory");
    free(err);
    return rc;
  }
  c->eof = c->fatal = 0;
  c->rowid = 0;
  return badrec_advance(c);
}

/* xNext */
static int badrec_next(sqlite3_vtab_cursor *cur) {
  return badrec_advance((badrec_cursor *)cur);
}

/* xEof */
static int badrec_eof(sqlite3_vtab_cursor *cur) { return ((badrec_cursor *)cur)->eof; }

/* xColumn */
static int badrec_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i) {
  const tm_rec_error *e = &((badrec_cursor *)cur)->err;
  switch (i) {
    case ERR_RECORD: sqlite3_result_int64(ctx, (sqlite3_int64)e->record); break;
    case ERR_LINE: sqlite3_result_int64(ctx, (sqlite3_int64)e->line); break;
    case ERR_COL: sqlite3_result_int64(ctx, (sqlite3_int64)e->col); break;
    case ERR_OFFSET: sqlite3_result_int64(ctx, (sqlite3_int64)e->offset); break;
    case ERR_MESSAGE: sqlite3_result_text(ctx, e->msg, -1, SQLITE_TRANSIENT); break;
    case ERR_SNIPPET: sqlite3_result_text(ctx, e->snippet, -1, SQLITE_TRANSIENT); break;
    default: break;
  }
  return SQLITE_OK;
}

/* xRowid */
static int badrec_rowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid) {
  *pRowid = ((badrec_cursor *)cur)->rowid;
  return SQLITE_OK;
}

/* The slots it fills; the others are NULL. */
static sqlite3_module badrec_module = {
    .xConnect = badrec_connect,
    .xBestIndex = badrec_best_index,
    .xDisconnect = tm_vtab_disconnect,
    .xOpen = badrec_open,
    .xClose = badrec_close,
    .xFilter = badrec_filter,
    .xNext = badrec_next,
    .xEof = badrec_eof,
    .xColumn = badrec_column,
    .xRowid = badrec_rowid,
};

int tm_badrecords_register(sqlite3 *db) {
  return sqlite3_create_module(db, "transmog_errors", &badrec_module, NULL);
}
