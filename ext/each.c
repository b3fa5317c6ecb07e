/*
** each.c: transmog_each, an eponymous table-valued function.
**
**   SELECT * FROM transmog_each('orders.jsonl.gz');
**   SELECT _id, row ->> 'sku' FROM transmog_each('orders.jsonl', 'orders_items');
**   SELECT count(*) FROM transmog_each('dump.json', 'dump', 'root=data.items');
**
** One pass over the file with no schema pass: every flattened row of every
** table, in file order, as
**
**   table_name  the row's table (the main table is the file's base name
**               without extensions, or name=)
**   _id         1-based ordinal of the row in its table (or the id= field)
**   _parent_id  the _id of the parent row (NULL for the main table)
**   _root_id    the _id of the main row (NULL for the main table)
**   _index      position in the source array or map (NULL for main)
**   row         the row's columns as a JSON object
**
** Tables and columns are named as they are met, so a map object is only
** recognised once it has grown past max_columns: rows read before that keep
** its members as columns. Memory is bounded by the largest record.
*/
#include <stdlib.h>
#include <string.h>

#include "../src/options.h"
#include "../src/rowtext.h"
#include "transmog.h"
#include "vtab.h"
#include "values.h"

SQLITE_EXTENSION_INIT3

enum {
  EACH_TABLE,
  EACH_ID,
  EACH_PARENT,
  EACH_ROOT,
  EACH_INDEX,
  EACH_ROW,
  EACH_PATH,
  EACH_TBL,
  EACH_OPTIONS
};
#define EACH_NARGS    3
#define EACH_ROW_USED (1 << 8)   /* idxNum bit: the row column is read */

typedef struct each_cursor {
  sqlite3_vtab_cursor base;
  tm_opts opts;
  char *path;
  char *table;           /* the table asked for, or NULL for all */
  uint32_t want;         /* its id once it has been met, else TM_NONE */
  int row_used;          /* the row column is read: collect cells */
  tm_scan *scan;
  const tm_row *rows;    /* the current record's rows */
  uint32_t nrows, cur;
  int eof;
  sqlite3_int64 rowid;
  tm_buf tmp;
} each_cursor;

/* xConnect: the fixed columns; the arguments are hidden ones. */
static int each_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
                        sqlite3_vtab **ppVtab, char **pzErr) {
  (void)aux;
  (void)argc;
  (void)argv;
  (void)pzErr;
  return tm_vtab_connect(
      db,
      "CREATE TABLE x(table_name TEXT, _id, _parent_id, _root_id, _index INTEGER,"
      " row TEXT, path HIDDEN, \"table\" HIDDEN, options HIDDEN)",
      sizeof(sqlite3_vtab), ppVtab);
}

/* xBestIndex: arguments are hidden columns; note whether row is read. */
static int each_best_index(sqlite3_vtab *v, sqlite3_index_info *info) {
  (void)v;
  int rc = tm_vtab_best_index(info, EACH_PATH, EACH_NARGS);
  if (rc == SQLITE_OK && (info->colUsed & (1ull << EACH_ROW)))
    info->idxNum |= EACH_ROW_USED;
  return rc;
}

/* xOpen: an empty cursor. */
static int each_open(sqlite3_vtab *v, sqlite3_vtab_cursor **pp) {
  (void)v;
  return tm_vtab_open(sizeof(each_cursor), pp);
}

/* Free what one filter set up, so a cursor can be filtered again. */
static void each_reset(each_cursor *c) {
  tm_scan_close(c->scan);
  c->scan = NULL;
  tm_opts_free(&c->opts);
  sqlite3_free(c->path);
  sqlite3_free(c->table);
  c->path = c->table = NULL;
  c->rows = NULL;
  c->nrows = c->cur = 0;
  c->eof = 1;
}

/* xClose */
static int each_close(sqlite3_vtab_cursor *cur) {
  each_cursor *c = (each_cursor *)cur;
  each_reset(c);
  tm_buf_free(&c->tmp);
  sqlite3_free(c);
  return SQLITE_OK;
}

/* Fail the statement with "transmog: <msg>". */
static int each_error(each_cursor *c, const char *msg) {
  return tm_vtab_error(c->base.pVtab, msg);
}

/* Resolve the table asked for once it exists (it appears with the record
** that first has it; the schema grows only between records). */
static void each_find_table(each_cursor *c) {
  c->want = tm_schema_find_table(tm_scan_schema(c->scan), c->table);
  if (c->want != TM_NONE) tm_scan_want(c->scan, c->want, c->row_used);
}

/* Move to the next wanted row, reading records as needed. */
static int each_advance(each_cursor *c) {
  for (;;) {
    while (++c->cur < c->nrows)
      if (!c->table || c->rows[c->cur].table == c->want) {
        c->rowid++;
        return SQLITE_OK;
      }
    int rc = tm_vtab_next_rows(c->base.pVtab, c->scan, c->opts.o.errors == TM_ERRORS_SKIP,
                               &c->rows, &c->nrows);
    if (rc <= 0) {
      c->eof = 1;
      return rc < 0 ? SQLITE_ERROR : SQLITE_OK;
    }
    c->cur = UINT32_MAX;   /* the loop above steps to row 0 */
    if (c->table && c->want == TM_NONE) each_find_table(c);
  }
}

/* xFilter: open the file and step to the first row. */
static int each_filter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr, int argc,
                       sqlite3_value **argv) {
  (void)idxStr;
  each_cursor *c = (each_cursor *)cur;
  char *args[EACH_NARGS], *err = NULL;
  each_reset(c);
  int rc = tm_vtab_args(cur->pVtab, idxNum, argc, argv, EACH_NARGS, args);
  if (rc != SQLITE_OK) return rc;
  c->path = args[0];
  c->table = args[1];
  int fail = tm_opts_parse(&c->opts, args[2], TM_FN_EACH, "transmog_each", &err);
  sqlite3_free(args[2]);
  if (!c->path) {
    free(err);
    return each_error(
        c, "transmog_each needs a file path: transmog_each(path [, table [, options]])");
  }
  c->row_used = (idxNum & EACH_ROW_USED) != 0;
  if (!fail)
    c->scan = tm_scan_open(c->path, &c->opts.o, NULL, TM_NONE, c->row_used, 0, &err);
  if (!c->scan) {
    int rc = each_error(c, err ? err : "out of memory");
    free(err);
    return rc;
  }
  c->want = TM_NONE;
  c->eof = 0;
  c->rowid = 0;
  c->nrows = 0;
  c->cur = 0;
  return each_advance(c);
}

/* xNext */
static int each_next(sqlite3_vtab_cursor *cur) {
  return each_advance((each_cursor *)cur);
}

/* xEof */
static int each_eof(sqlite3_vtab_cursor *cur) { return ((each_cursor *)cur)->eof; }

/* The _id of row r (its ordinal, or the natural id of a main row). */
static void each_id(each_cursor *c, sqlite3_context *ctx, const tm_row *r) {
  tm_sql_result_id(ctx, tm_scan_record(c->scan), r, c->opts.o.types, &c->tmp);
}

/* xColumn */
static int each_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i) {
  each_cursor *c = (each_cursor *)cur;
  const tm_row *r = &c->rows[c->cur];
  const tm_schema *s = tm_scan_schema(c->scan);
  int main = r->parent == TM_NONE;
  switch (i) {
    case EACH_TABLE:
      sqlite3_result_text(ctx, tm_schema_name(s, s->tables[r->table].name), -1,
                          SQLITE_TRANSIENT);
      break;
    case EACH_ID: each_id(c, ctx, r); break;
    case EACH_PARENT:
      if (!main) each_id(c, ctx, &c->rows[r->parent]);
      break;
    case EACH_ROOT:
      if (!main) each_id(c, ctx, &c->rows[0]);
      break;
    case EACH_INDEX:
      if (!main) sqlite3_result_int64(ctx, (sqlite3_int64)r->index);
      break;
    case EACH_ROW: {
      tm_rows v;
      tm_flat_view(tm_scan_flat(c->scan), tm_scan_record(c->scan), &v);
      c->tmp.n = 0;
      tm_rowtext_json(&c->tmp, s, &v, r, c->opts.o.types == TM_TYPES_TEXT, NULL, 0);
      tm_sql_result_json(ctx, &c->tmp);
      break;
    }
    default: break;   /* hidden argument columns read back as NULL */
  }
  return SQLITE_OK;
}

/* xRowid: the row's position in this scan. */
static int each_rowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid) {
  *pRowid = ((each_cursor *)cur)->rowid;
  return SQLITE_OK;
}

/* The slots it fills; the others are NULL. */
static sqlite3_module each_module = {
    .xConnect = each_connect,
    .xBestIndex = each_best_index,
    .xDisconnect = tm_vtab_disconnect,
    .xOpen = each_open,
    .xClose = each_close,
    .xFilter = each_filter,
    .xNext = each_next,
    .xEof = each_eof,
    .xColumn = each_column,
    .xRowid = each_rowid,
};

int tm_each_register(sqlite3 *db) {
  return sqlite3_create_module(db, "transmog_each", &each_module, NULL);
}
