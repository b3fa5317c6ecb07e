/*
** catalog.c: transmog_tables and transmog_columns, eponymous table-valued
** functions that describe what a file flattens into, before creating
** anything.
**
**   SELECT * FROM transmog_tables('orders.jsonl.gz');
**     name, parent, path, rows, columns
**   SELECT * FROM transmog_columns('orders.jsonl.gz') WHERE types LIKE '%,%';
**     table_name, column_name, path, types, count, declared
**
** Each reads the file once (the same schema pass as CREATE VIRTUAL TABLE,
** so the same options apply, sample= included) and lists the catalogue:
**
**   path      where the values come from: keys joined by '.', [] for the
**             elements of an array, * for the members of a map
**   rows      rows of the table
**   columns   the table's own columns (the metadata _id, _parent_id,
**             _root_id, _index and _extra not counted)
**   types     the JSON types seen, e.g. "integer,string" (null, boolean,
**             integer, bigint for integers beyond 64 bits, real, string,
**             array, object)
**   count     non-null values
**   declared  the type the virtual table declares (empty when mixed)
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/columns.h"
#include "../src/infer.h"
#include "../src/options.h"
#include "transmog.h"
#include "vtab.h"

SQLITE_EXTENSION_INIT3

/* Which function a vtab serves (its pAux). */
enum { CAT_TABLES, CAT_COLUMNS };

/* Column numbers of each function, up to their hidden arguments. */
enum { TAB_NAME, TAB_PARENT, TAB_PATH, TAB_ROWS, TAB_COLUMNS, TAB_ARGS };
enum { COL_TABLE, COL_NAME, COL_PATH, COL_TYPES, COL_COUNT, COL_DECLARED, COL_ARGS };

typedef struct cat_vtab {
  sqlite3_vtab base;
  int kind;
} cat_vtab;

typedef struct cat_cursor {
  sqlite3_vtab_cursor base;
  tm_opts opts;
  tm_schema *schema;
  uint32_t table, col;   /* the current row: a table, or a table's column */
  int eof;
  sqlite3_int64 rowid;
} cat_cursor;

/* xConnect: the columns of transmog_tables or of transmog_columns. */
static int cat_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
                       sqlite3_vtab **ppVtab, char **pzErr) {
  (void)argc;
  (void)argv;
  (void)pzErr;
  int kind = aux == NULL ? CAT_TABLES : CAT_COLUMNS;
  int rc = tm_vtab_connect(
      db,
      kind == CAT_TABLES
          ? "CREATE TABLE x(name TEXT, parent TEXT, path TEXT, rows INTEGER,"
            " columns INTEGER, file HIDDEN, options HIDDEN)"
          : "CREATE TABLE x(table_name TEXT, column_name TEXT, path TEXT, types TEXT,"
            " count INTEGER, declared TEXT, file HIDDEN, options HIDDEN)",
      sizeof(cat_vtab), ppVtab);
  if (rc == SQLITE_OK) ((cat_vtab *)*ppVtab)->kind = kind;
  return rc;
}

/* xBestIndex: the arguments are the hidden columns. */
static int cat_best_index(sqlite3_vtab *p, sqlite3_index_info *info) {
  cat_vtab *v = (cat_vtab *)p;
  return tm_vtab_best_index(info, v->kind == CAT_TABLES ? TAB_ARGS : COL_ARGS, 2);
}

/* xOpen */
static int cat_open(sqlite3_vtab *v, sqlite3_vtab_cursor **pp) {
  (void)v;
  int rc = tm_vtab_open(sizeof(cat_cursor), pp);
  if (rc == SQLITE_OK) ((cat_cursor *)*pp)->eof = 1;
  return rc;
}

/* Free what a filter set up. */
static void cat_reset(cat_cursor *c) {
  tm_schema_free(c->schema);
  c->schema = NULL;
  tm_opts_free(&c->opts);
  c->eof = 1;
}

/* xClose */
static int cat_close(sqlite3_vtab_cursor *cur) {
  cat_reset((cat_cursor *)cur);
  sqlite3_free(cur);
  return SQLITE_OK;
}

/* Step to the next live table, or the next column of a live table. */
static int cat_advance(cat_cursor *c, int first) {
  const tm_schema *s = c->schema;
  int columns = ((cat_vtab *)c->base.pVtab)->kind == CAT_COLUMNS;
  if (first) {
    c->table = 0;
    c->col = 0;
  } else if (columns) {
    c->col++;
  } else {
    c->table++;
  }
  for (; c->table < s->ntables; c->table++, c->col = 0) {
    const tm_table *t = &s->tables[c->table];
    if (!t->dead && (!columns || c->col < t->ncols)) {
      c->rowid++;
      return SQLITE_OK;
    }
  }
  c->eof = 1;
  return SQLITE_OK;
}

/* xFilter: run the schema pass over the file. */
static int cat_filter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr, int argc,
                      sqlite3_value **argv) {
  (void)idxStr;
  cat_cursor *c = (cat_cursor *)cur;
  int tables = ((cat_vtab *)cur->pVtab)->kind == CAT_TABLES;
  const char *who = tables ? "transmog_tables" : "transmog_columns";
  unsigned fn = tables ? TM_FN_TABLES : TM_FN_COLUMNS;
  char *args[2], *err = NULL, *name = NULL;
  cat_reset(c);
  int rc = tm_vtab_args(cur->pVtab, idxNum, argc, argv, 2, args);
  if (rc != SQLITE_OK) return rc;
  int fail = tm_opts_parse(&c->opts, args[1], fn, who, &err);
  if (!fail && !args[0]) {
    char *msg = sqlite3_mprintf("%s needs a file path: %s(path [, options])", who, who);
    int rc = tm_vtab_error(cur->pVtab, msg ? msg : "out of memory");
    sqlite3_free(msg);
    sqlite3_free(args[1]);
    return rc;
  }
  if (!fail && (name = tm_options_name(&c->opts.o, args[0])) != NULL) {
    tm_file_id id;
    c->schema = tm_infer(args[0], &c->opts.o, name, &id, NULL, &err);
  }
  free(name);
  sqlite3_free(args[0]);
  sqlite3_free(args[1]);
  if (!c->schema) {
    int rc = tm_vtab_error(cur->pVtab, err ? err : "out of memory");
    free(err);
    return rc;
  }
  c->eof = 0;
  c->rowid = 0;
  return cat_advance(c, 1);
}

/* xNext */
static int cat_next(sqlite3_vtab_cursor *cur) {
  return cat_advance((cat_cursor *)cur, 0);
}

/* xEof */
static int cat_eof(sqlite3_vtab_cursor *cur) { return ((cat_cursor *)cur)->eof; }

/* Result: a malloc'd string, freed here. */
static void cat_text(sqlite3_context *ctx, char *s) {
  if (!s) sqlite3_result_error_nomem(ctx);
  else sqlite3_result_text(ctx, s, -1, SQLITE_TRANSIENT);
  free(s);
}

/* The JSON types in a column's `types` bits, comma-separated. */
static void cat_types(sqlite3_context *ctx, uint32_t types) {
  static const char *const names[] = {"null", "boolean", "boolean", "integer", "bigint",
                                      "real", "string",  "array",   "object"};
  char out[96] = "";
  size_t n = 0;
  for (unsigned k = 0; k < sizeof names / sizeof *names; k++) {
    if (!(types & (1u << k)) || (k == TM_TRUE && (types & (1u << TM_FALSE)))) continue;
    n += (size_t)snprintf(out + n, sizeof out - n, "%s%s", n ? "," : "", names[k]);
  }
  sqlite3_result_text(ctx, out, -1, SQLITE_TRANSIENT);
}

/* The columns of transmog_tables. */
static void cat_table_column(cat_cursor *c, sqlite3_context *ctx, int i) {
  const tm_schema *s = c->schema;
  const tm_table *t = &s->tables[c->table];
  switch (i) {
    case TAB_NAME:
      sqlite3_result_text(ctx, tm_schema_name(s, t->name), -1, SQLITE_TRANSIENT);
      break;
    case TAB_PARENT:
      if (t->parent != TM_NONE)
        sqlite3_result_text(ctx, tm_schema_name(s, s->tables[t->parent].name), -1,
                            SQLITE_TRANSIENT);
      break;
    case TAB_PATH: cat_text(ctx, tm_schema_source(s, t->elem)); break;
    case TAB_ROWS: sqlite3_result_int64(ctx, (sqlite3_int64)t->rows); break;
    case TAB_COLUMNS: sqlite3_result_int64(ctx, t->ncols); break;
    default: break;
  }
}

/* The columns of transmog_columns. */
static void cat_column_column(cat_cursor *c, sqlite3_context *ctx, int i) {
  const tm_schema *s = c->schema;
  const tm_table *t = &s->tables[c->table];
  const tm_column *col = &t->cols[c->col];
  switch (i) {
    case COL_TABLE:
      sqlite3_result_text(ctx, tm_schema_name(s, t->name), -1, SQLITE_TRANSIENT);
      break;
    case COL_NAME:
      sqlite3_result_text(ctx, tm_schema_name(s, col->name), -1, SQLITE_TRANSIENT);
      break;
    case COL_PATH:
      cat_text(ctx, tm_schema_source(s, col->node == TM_NONE ? t->elem : col->node));
      break;
    case COL_TYPES: cat_types(ctx, col->types); break;
    case COL_COUNT: sqlite3_result_int64(ctx, (sqlite3_int64)col->count); break;
    case COL_DECLARED:
      sqlite3_result_text(ctx,
                          tm_columns_type(col->types, c->opts.o.types == TM_TYPES_TEXT),
                          -1, SQLITE_STATIC);
      break;
    default: break;
  }
}

/* xColumn */
static int cat_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i) {
  cat_cursor *c = (cat_cursor *)cur;
  if (((cat_vtab *)cur->pVtab)->kind == CAT_TABLES) cat_table_column(c, ctx, i);
  else cat_column_column(c, ctx, i);
  return SQLITE_OK;
}

/* xRowid */
static int cat_rowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid) {
  *pRowid = ((cat_cursor *)cur)->rowid;
  return SQLITE_OK;
}

/* The slots it fills; the others are NULL. */
static sqlite3_module cat_module = {
    .xConnect = cat_connect,
    .xBestIndex = cat_best_index,
    .xDisconnect = tm_vtab_disconnect,
    .xOpen = cat_open,
    .xClose = cat_close,
    .xFilter = cat_filter,
    .xNext = cat_next,
    .xEof = cat_eof,
    .xColumn = cat_column,
    .xRowid = cat_rowid,
};

int tm_catalog_register(sqlite3 *db) {
  static int columns_tag;
  int rc = sqlite3_create_module(db, "transmog_tables", &cat_module, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_create_module(db, "transmog_columns", &cat_module, &columns_tag);
  return rc;
}
