/*
** table.c: the transmog module, virtual tables over a JSON or JSONL file.
**
**   CREATE VIRTUAL TABLE temp.orders USING transmog('orders.jsonl.gz');
**   SELECT name FROM pragma_table_list WHERE name LIKE 'orders%';
**     -- orders, orders_items, orders_items_discounts
**   SELECT o.customer_name, i.sku, i.qty
**     FROM orders o JOIN orders_items i ON i._parent_id = o._id;
**   DROP TABLE orders;                 -- drops the child tables too
**
** CREATE reads the whole file once (or its first sample=N records) to infer
** the tables and their columns, stores that catalogue in the schema's
** transmog_cache table, declares the main table and creates one virtual
** table per child table in the same schema. A child's own arguments are the
** file, the options and _main=<main table>, so a database opened again finds
** everything it needs; while the file keeps its size and mtime, the cache
** spares the scan. A file changed since CREATE is an error at query time
** that says to create the table again: never rows from a mix of versions.
**
** Every query is a scan of the file, or a lookup that starts it where the
** sparse index says (plan.c chooses, src/locate.c finds the record): a
** table's rows are produced in file order, and only the columns a query
** reads are converted.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/columns.h"
#include "../src/infer.h"
#include "../src/jsonout.h"
#include "../src/locate.h"
#include "../src/options.h"
#include "../src/rowtext.h"
#include "../src/scan.h"
#include "cache.h"
#include "declare.h"
#include "plan.h"
#include "transmog.h"
#include "values.h"
#include "vtab.h"

SQLITE_EXTENSION_INIT3

/* A transmog table: its file(s), options and frozen catalogue. */
typedef struct table_vtab {
  sqlite3_vtab base;
  sqlite3 *db;
  char *zSchema;         /* main, temp, or an attached database */
  char *zName;           /* this table */
  char *zMain;           /* the main table (zName for the main itself) */
  char *path;            /* the file, as given */
  char *args;            /* the option arguments, as written, joined */
  tm_opts opts;
  tm_schema *schema;     /* frozen catalogue */
  tm_seek *seek;         /* sparse index of record positions */
  tm_input_id id;        /* the files when the catalogue was made */
  uint32_t table;        /* this table in the catalogue */
  int nmeta;             /* metadata columns before the table's own */
} table_vtab;

/* A cursor: a plan, and the locator that moves its scan. */
typedef struct table_cursor {
  sqlite3_vtab_cursor base;
  tm_locator loc;        /* the scan, and its record in hand */
  tm_plan_keys keys;     /* what xFilter looks for */
  uint32_t cur;          /* the current row of the record in hand */
  uint32_t *slot;        /* per column: tape index of the current value */
  uint64_t *slotgen;     /* slot[i] holds for the row numbered slotgen[i] */
  uint64_t gen;          /* rows seen by this cursor */
  uint64_t filled;       /* the row whose slots are filled */
  int eof;
  tm_buf tmp;
} table_cursor;

/* Free a vtab and everything it holds. */
static void table_free(table_vtab *v) {
  if (!v) return;
  tm_schema_free(v->schema);
  tm_seek_free(v->seek);
  tm_src_id_free(&v->id);
  tm_opts_free(&v->opts);
  sqlite3_free(v->zSchema);
  sqlite3_free(v->zName);
  sqlite3_free(v->zMain);
  sqlite3_free(v->path);
  sqlite3_free(v->args);
  sqlite3_free(v->base.zErrMsg);   /* one SQLite never took (xDestroy's) */
  sqlite3_free(v);
}

/* Is argument a of the form "_main=..."? Sets *value to the dequoted name. */
static int table_main_arg(const char *a, char **value) {
  while (*a == ' ') a++;
  if (strncmp(a, "_main", 5) != 0) return 0;
  const char *p = a + 5;
  while (*p == ' ') p++;
  if (*p != '=') return 0;
  p++;
  while (*p == ' ') p++;
  *value = sqlite3_mprintf("%s", p);
  if (*value) tm_opts_dequote(*value);
  return 1;
}

/*
** Read the CREATE arguments: the path, then key=value options, then (for a
** child table) _main=<main table>. Keeps the options as written in v->args
** for the children and for the cache.
*/
static int table_args(table_vtab *v, int argc, const char *const *argv, char **pzErr) {
  if (argc < 4) {
    *pzErr = sqlite3_mprintf(
        "transmog: CREATE VIRTUAL TABLE ... USING transmog('file' [, key=value ...]) needs a file");
    return SQLITE_ERROR;
  }
  v->path = sqlite3_mprintf("%s", argv[3]);
  if (!v->path) return SQLITE_NOMEM;
  int quoted = v->path[0] == '\'' || v->path[0] == '"';
  const char *rest = tm_opts_dequote(v->path);
  while (quoted && rest && *rest == ' ') rest++;
  if (quoted && (!rest || *rest)) {
    *pzErr = sqlite3_mprintf("transmog: the file argument %s is not one quoted string",
                             argv[3]);
    return SQLITE_ERROR;
  }
  sqlite3_str *args = sqlite3_str_new(v->db);
  const char **opt = sqlite3_malloc((argc + 1) * (int)sizeof *opt);
  int nopt = 0;
  if (!opt) return SQLITE_NOMEM;
  for (int i = 4; i < argc; i++) {
    if (table_main_arg(argv[i], &v->zMain)) continue;
    sqlite3_str_appendf(args, "%s%s", nopt ? ", " : "", argv[i]);
    opt[nopt++] = argv[i];
  }
  int nomem = sqlite3_str_errcode(args) != SQLITE_OK;
  v->args = sqlite3_str_finish(args);   /* NULL when empty */
  if (!v->args && !nomem) v->args = sqlite3_mprintf("");
  if (!v->zMain) v->zMain = sqlite3_mprintf("%s", v->zName);
  char *err = NULL;
  int fail = tm_opts_parse_args(&v->opts, nopt, opt, TM_FN_CREATE, "transmog", &err);
  sqlite3_free(opt);
  if (fail) {
    *pzErr = sqlite3_mprintf("%s", err ? err : "out of memory");
    free(err);
    return SQLITE_ERROR;
  }
  return v->args && v->zMain ? SQLITE_OK : SQLITE_NOMEM;
}

/* The schema pass: scan the file into a new catalogue. */
static int table_infer(table_vtab *v, char **pzErr) {
  char *err = NULL;
  const char *path = v->path;
  if (tm_infer_rereadable(path, &err) == 0)
    v->schema = tm_infer_files(&path, 1, &v->opts.o, v->zMain, &v->id, &v->seek, &err);
  if (v->schema) return SQLITE_OK;
  *pzErr = sqlite3_mprintf("transmog: %s", err ? err : "out of memory");
  free(err);
  return SQLITE_ERROR;
}

/* Store the catalogue in the cache (at CREATE), under the options that
** made it (tm_opts_key). */
static int table_save_cache(table_vtab *v, char **pzErr) {
  tm_buf blob = {0}, seek = {0};
  int rc = SQLITE_NOMEM;
  char *key = tm_opts_key(&v->opts);
  if (key && !tm_schema_save(v->schema, &blob) && !tm_seek_save(v->seek, &seek)) {
    tm_cache_row row = {v->path, key, v->id, blob.p, (int)blob.n, seek.p, (int)seek.n};
    rc = tm_cache_put(v->db, v->zSchema, v->zMain, &row, pzErr);
  }
  free(key);
  tm_buf_free(&blob);
  tm_buf_free(&seek);
  return rc;
}

/* The catalogue from the cache, if it was made from this file and options
** that give the same catalogue; otherwise, at CREATE (`may_read`), scan the
** file again (in memory only). xConnect never reads the file: it runs for
** any use of the table, a trigger's pragma_table_xinfo in a hostile
** database included, which DIRECTONLY does not stop; without a cache row
** v->schema stays NULL (see table_init). */
static int table_load(table_vtab *v, int may_read, char **pzErr) {
  tm_cache_row row;
  char *key = tm_opts_key(&v->opts);
  int got = key ? tm_cache_get(v->db, v->zSchema, v->zMain, &row) : -1;
  if (got < 0) {   /* not "no row": the table must not settle for no catalogue */
    int rc = key ? SQLITE_ERROR : SQLITE_NOMEM;
    *pzErr = sqlite3_mprintf("transmog: cannot read the schema cache of '%s': %s",
                             v->zMain, key ? sqlite3_errmsg(v->db) : "out of memory");
    free(key);
    return rc;
  }
  if (got) {
    if (strcmp(row.path, v->path) == 0 && strcmp(row.args, key) == 0) {
      v->schema = tm_schema_load(row.blob, (size_t)row.nblob);
      /* no bound on the offsets: a gzip file's are in its inflated content,
         beyond the file's size (one past the end fails cleanly at the seek) */
      v->seek = v->schema ? tm_seek_load(row.seek, (size_t)row.nseek, v->schema->ntables,
                                         0, v->opts.o.format)
                          : NULL;
      v->id = row.id;   /* taken over from the row */
      row.id.files = NULL;
    }
    tm_cache_row_free(&row);
  }
  free(key);
  if (v->schema && v->seek) return SQLITE_OK;
  tm_schema_free(v->schema);
  v->schema = NULL;
  tm_src_id_free(&v->id);
  return may_read ? table_infer(v, pzErr) : SQLITE_OK;
}

/* Create one virtual table per child table, in the main table's schema. */
static int table_create_children(table_vtab *v, char **pzErr) {
  const tm_schema *s = v->schema;
  for (uint32_t t = 1; t < s->ntables; t++) {
    if (s->tables[t].dead) continue;
    char *sql = sqlite3_mprintf(
        "CREATE VIRTUAL TABLE \"%w\".\"%w\" USING transmog(%Q%s%s, _main=%Q)", v->zSchema,
        tm_schema_name(s, s->tables[t].name), v->path, *v->args ? ", " : "", v->args,
        v->zName);
    char *err = NULL;
    int rc = sql ? sqlite3_exec(v->db, sql, NULL, NULL, &err) : SQLITE_NOMEM;
    sqlite3_free(sql);
    if (rc != SQLITE_OK) {
      *pzErr = sqlite3_mprintf("transmog: cannot create child table '%s': %s",
                               tm_schema_name(s, s->tables[t].name),
                               err ? err : sqlite3_errstr(rc));
      sqlite3_free(err);
      return rc;
    }
  }
  return SQLITE_OK;
}

/* Declare this table's columns to SQLite. */
static int table_declare(table_vtab *v, char **pzErr) {
  char *sql = tm_decl_create(v->schema, v->table, NULL, NULL, v->opts.o.id,
                             v->opts.o.types == TM_TYPES_TEXT);
  int rc = sql ? sqlite3_declare_vtab(v->db, sql) : SQLITE_NOMEM;
  if (rc != SQLITE_OK && rc != SQLITE_NOMEM)
    *pzErr = sqlite3_mprintf("transmog: cannot declare table '%s': %s", v->zName,
                             sqlite3_errmsg(v->db));
  sqlite3_free(sql);
  return rc;
}

/* xCreate and xConnect: the catalogue, then the declaration; at CREATE of
** a main table, also the cache and the child tables. */
static int table_init(sqlite3 *db, int argc, const char *const *argv,
                      sqlite3_vtab **ppVtab, char **pzErr, int create) {
  table_vtab *v = sqlite3_malloc(sizeof *v);
  if (!v) return SQLITE_NOMEM;
  memset(v, 0, sizeof *v);
  v->db = db;
  v->zSchema = sqlite3_mprintf("%s", argv[1]);
  v->zName = sqlite3_mprintf("%s", argv[2]);
  int rc = v->zSchema && v->zName ? table_args(v, argc, argv, pzErr) : SQLITE_NOMEM;
  int is_main = rc == SQLITE_OK && strcmp(v->zMain, v->zName) == 0;
  if (rc == SQLITE_OK)
    rc = create && is_main ? table_infer(v, pzErr) : table_load(v, create, pzErr);
  if (rc == SQLITE_OK && create && is_main) rc = table_save_cache(v, pzErr);
  if (rc == SQLITE_OK && !v->schema) {   /* connected without a catalogue */
    rc = sqlite3_declare_vtab(db, "CREATE TABLE x(_no_catalogue)");
    if (rc == SQLITE_OK) sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
    if (rc != SQLITE_OK) table_free(v);
    else *ppVtab = &v->base;
    return rc;
  }
  if (rc == SQLITE_OK) {
    v->table = tm_schema_find_table(v->schema, v->zName);
    if (v->table == TM_NONE) {
      *pzErr = sqlite3_mprintf(
          "transmog: '%s' has no table '%s' any more; DROP TABLE %s and create it again",
          v->path, v->zName, v->zMain);
      rc = SQLITE_ERROR;
    }
  }
  if (rc == SQLITE_OK) {
    v->nmeta = tm_columns_nmeta(v->schema, v->table);
    rc = table_declare(v, pzErr);
  }
  if (rc == SQLITE_OK) sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
  if (rc == SQLITE_OK && create && is_main) rc = table_create_children(v, pzErr);
  if (rc != SQLITE_OK) {
    table_free(v);
    return rc;
  }
  *ppVtab = &v->base;
  return SQLITE_OK;
}

/* xCreate */
static int table_create(sqlite3 *db, void *aux, int argc, const char *const *argv,
                        sqlite3_vtab **ppVtab, char **pzErr) {
  (void)aux;
  return table_init(db, argc, argv, ppVtab, pzErr, 1);
}

/* xConnect */
static int table_connect(sqlite3 *db, void *aux, int argc, const char *const *argv,
                         sqlite3_vtab **ppVtab, char **pzErr) {
  (void)aux;
  return table_init(db, argc, argv, ppVtab, pzErr, 0);
}

/* xDisconnect */
static int table_disconnect(sqlite3_vtab *p) {
  table_free((table_vtab *)p);
  return SQLITE_OK;
}

/* Drop child table `name` of main table v. */
static int table_drop_child(table_vtab *v, const char *name) {
  char *sql = sqlite3_mprintf("DROP TABLE IF EXISTS \"%w\".\"%w\"", v->zSchema, name);
  int rc = sql ? sqlite3_exec(v->db, sql, NULL, NULL, NULL) : SQLITE_NOMEM;
  sqlite3_free(sql);
  if (rc != SQLITE_OK) {
    sqlite3_free(v->base.zErrMsg);
    v->base.zErrMsg = sqlite3_mprintf("transmog: cannot drop child table '%s': %s", name,
                                      sqlite3_errmsg(v->db));
  }
  return rc;
}

/* The children of a main table without a catalogue: the transmog tables
** of its schema whose CREATE ends in _main=<it> (table_create_children),
** found one at a time, since none can be dropped while sqlite_master is
** read. */
static int table_drop_orphans(table_vtab *v) {
  char *tail = sqlite3_mprintf(", _main=%Q)", v->zName);
  char *sql = sqlite3_mprintf("SELECT name FROM \"%w\".sqlite_master WHERE type = 'table'"
                              " AND sql LIKE 'CREATE VIRTUAL TABLE %% USING transmog(%%'"
                              " AND substr(sql, -length(?1)) = ?1 LIMIT 1",
                              v->zSchema);
  int rc = tail && sql ? SQLITE_ROW : SQLITE_NOMEM;
  while (rc == SQLITE_ROW) {
    sqlite3_stmt *st = NULL;
    char *name = NULL;
    rc = sqlite3_prepare_v2(v->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK) {
      sqlite3_bind_text(st, 1, tail, -1, SQLITE_STATIC);
      rc = sqlite3_step(st);
      if (rc == SQLITE_ROW && !(name = sqlite3_mprintf("%s", sqlite3_column_text(st, 0))))
        rc = SQLITE_NOMEM;
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_ROW && table_drop_child(v, name) != SQLITE_OK) rc = SQLITE_ERROR;
    sqlite3_free(name);
  }
  sqlite3_free(tail);
  sqlite3_free(sql);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* xDestroy: a main table drops its children and its cache row first. If a
** child cannot be dropped (a statement still reads it), nothing is freed
** and the DROP fails. */
static int table_destroy(sqlite3_vtab *p) {
  table_vtab *v = (table_vtab *)p;
  if (strcmp(v->zMain, v->zName) == 0) {
    const tm_schema *s = v->schema;
    int rc = s ? SQLITE_OK : table_drop_orphans(v);
    for (uint32_t t = s ? s->ntables : 0; t-- > 1 && rc == SQLITE_OK;)
      if (!s->tables[t].dead)
        rc = table_drop_child(v, tm_schema_name(s, s->tables[t].name));
    if (rc != SQLITE_OK) return rc;
    tm_cache_del(v->db, v->zSchema, v->zMain);
  }
  table_free(v);
  return SQLITE_OK;
}

/* xRename: refused, because the child tables and the cache are named
** after the main table. */
static int table_rename(sqlite3_vtab *p, const char *zNew) {
  table_vtab *v = (table_vtab *)p;
  char *msg = sqlite3_mprintf(
      "cannot rename '%s' to '%s': DROP TABLE %s, then CREATE VIRTUAL TABLE %s again",
      v->zName, zNew, v->zMain, zNew);
  int rc = tm_vtab_error(p, msg ? msg : "out of memory");
  sqlite3_free(msg);
  return rc;
}

/* xBestIndex: see tm_plan_best. */
static int table_best_index(sqlite3_vtab *p, sqlite3_index_info *info) {
  table_vtab *v = (table_vtab *)p;
  if (!v->schema) {
    char *msg = sqlite3_mprintf(
        "table '%s' has no catalogue in transmog_cache (its file is read only by "
        "CREATE VIRTUAL TABLE); DROP TABLE %s and create it again",
        v->zName, v->zMain);
    int rc = tm_vtab_error(p, msg ? msg : "out of memory");
    sqlite3_free(msg);
    return rc;
  }
  return tm_plan_best(v->schema, v->table, v->nmeta, v->opts.o.id != NULL,
                      tm_src_id_size(&v->id), info);
}

/* xOpen */
static int table_open(sqlite3_vtab *p, sqlite3_vtab_cursor **pp) {
  table_vtab *v = (table_vtab *)p;
  if (tm_vtab_open(sizeof(table_cursor), pp) != SQLITE_OK) return SQLITE_NOMEM;
  table_cursor *c = (table_cursor *)*pp;
  uint32_t n = v->schema->tables[v->table].ncols;
  c->slot = sqlite3_malloc64((n + 1) * sizeof *c->slot);
  c->slotgen = sqlite3_malloc64((n + 1) * sizeof *c->slotgen);
  if (!c->slot || !c->slotgen) {
    sqlite3_free(c->slot);
    sqlite3_free(c->slotgen);
    sqlite3_free(c);
    *pp = NULL;
    return SQLITE_NOMEM;
  }
  memset(c->slotgen, 0, (n + 1) * sizeof *c->slotgen);
  c->loc.seek = v->seek;
  c->loc.skip = v->opts.o.errors == TM_ERRORS_SKIP;
  c->eof = 1;
  return SQLITE_OK;
}

/* xClose */
static int table_close(sqlite3_vtab_cursor *cur) {
  table_cursor *c = (table_cursor *)cur;
  tm_scan_close(c->loc.scan);
  tm_buf_free(&c->tmp);
  sqlite3_free(c->slot);
  sqlite3_free(c->slotgen);
  sqlite3_free(c);
  return SQLITE_OK;
}

/* Fail the cursor's statement with "transmog: <msg>". */
static int table_error(table_cursor *c, const char *msg) {
  return tm_vtab_error(c->base.pVtab, msg);
}

/* Put the next record in hand. Returns 1, 0 at the end, or -1 after
** setting the statement's error. */
static int table_next_record(table_cursor *c) {
  int rc = tm_locate_next(&c->loc);
  if (rc > 0) c->cur = UINT32_MAX;   /* the next step goes to row 0 */
  if (rc < 0) table_error(c, tm_scan_message(c->loc.scan));
  return rc;
}

/* Step to the next row of the answer, reading records as the plan allows. */
static int table_advance(table_cursor *c) {
  table_vtab *v = (table_vtab *)c->base.pVtab;
  tm_locator *l = &c->loc;
  for (;;) {
    while (++c->cur < l->nrows) {
      const tm_row *r = &l->rows[c->cur];
      if (r->table != v->table) continue;
      int m = tm_plan_match(&c->keys, l->rows, r);
      if (m > 0) {
        c->gen++;
        return SQLITE_OK;
      }
      if (m < 0) break;
    }
    int rc = c->cur < l->nrows || !tm_plan_goes_on(&c->keys) ? 0 : table_next_record(c);
    if (rc <= 0) {
      c->eof = 1;
      return rc < 0 ? SQLITE_ERROR : SQLITE_OK;
    }
  }
}

/* The file the scan opened must be the one the catalogue describes (its
** identity is taken from the open file: nothing can change in between). */
static int table_check_file(table_cursor *c) {
  table_vtab *v = (table_vtab *)c->base.pVtab;
  const tm_input_id *now = tm_scan_input_id(c->loc.scan);
  if (tm_src_id_same(&v->id, now)) return SQLITE_OK;
  char err[600];
  snprintf(err, sizeof err,
           "'%s' changed since table '%s' was created (size %llu, now %llu bytes); "
           "DROP TABLE %s and CREATE VIRTUAL TABLE again to read it",
           v->path, v->zMain, (unsigned long long)tm_src_id_size(&v->id),
           (unsigned long long)tm_src_id_size(now), v->zMain);
  tm_scan_close(c->loc.scan);
  c->loc.scan = NULL;
  return table_error(c, err);
}

/* Open the cursor's scan at its first filter (checking the file once). */
static int table_open_scan(table_cursor *c, int cells) {
  table_vtab *v = (table_vtab *)c->base.pVtab;
  if (c->loc.scan) {
    if (cells) tm_scan_want(c->loc.scan, v->table, 1);
    return SQLITE_OK;
  }
  char *err = NULL;
  c->loc.scan = tm_scan_open(v->path, &v->opts.o, v->schema, v->table, cells, 0, &err);
  if (!c->loc.scan) {
    int rc = table_error(c, err ? err : "out of memory");
    free(err);
    return rc;
  }
  return table_check_file(c);
}

/* Position the cursor for the plan in idxNum, before the first row it
** could return: at the file's start, or with the record a lookup wants in
** hand (c->eof stays set when there is none). */
static int table_start(table_cursor *c, int idxNum, int argc, sqlite3_value **argv) {
  table_vtab *v = (table_vtab *)c->base.pVtab;
  tm_plan_keys *k = &c->keys;
  if (!tm_plan_read(v->schema, v->table, idxNum, argc, argv, k)) return SQLITE_OK;
  int found = 1;   /* a scan starts with nothing in hand */
  if (k->row) found = tm_locate(&c->loc, k->table, k->row);
  else if (tm_locate_rewind(&c->loc)) found = -1;
  if (found < 0) return table_error(c, tm_scan_message(c->loc.scan));
  c->eof = !found;
  c->cur = UINT32_MAX;   /* the next step goes to row 0 */
  return SQLITE_OK;
}

/* xFilter: a scan from the start, or a lookup (see plan.c). The scan stays
** open from one filter to the next, so lookups in file order (what a join
** makes) only ever read forward. */
static int table_filter(sqlite3_vtab_cursor *cur, int idxNum, const char *idxStr,
                        int argc, sqlite3_value **argv) {
  (void)idxStr;
  table_cursor *c = (table_cursor *)cur;
  c->eof = 1;
  int rc = table_open_scan(c, (idxNum & TM_PLAN_CELLS) != 0);
  if (rc == SQLITE_OK) rc = table_start(c, idxNum, argc, argv);
  if (rc != SQLITE_OK || c->eof) return rc;
  return table_advance(c);
}

/* xNext */
static int table_next(sqlite3_vtab_cursor *cur) {
  return table_advance((table_cursor *)cur);
}

/* xEof */
static int table_eof(sqlite3_vtab_cursor *cur) { return ((table_cursor *)cur)->eof; }

/* The _id of row r (or its natural id, for a main row with id=). */
static void table_id(table_cursor *c, sqlite3_context *ctx, const tm_row *r) {
  table_vtab *v = (table_vtab *)c->base.pVtab;
  tm_sql_result_id(ctx, tm_scan_record(c->loc.scan), r, v->opts.o.types, &c->tmp);
}

/* The tape index of column col in the current row, or TM_NONE. */
static uint32_t table_cell(table_cursor *c, const tm_row *r, uint32_t col) {
  if (c->filled != c->gen) {   /* first value read in this row: index it */
    const tm_cell *cells =
        r->ncells ? tm_flat_cells(tm_scan_flat(c->loc.scan)) + r->cell : NULL;
    for (uint32_t i = 0; i < r->ncells; i++) {
      c->slot[cells[i].col] = cells[i].tok;
      c->slotgen[cells[i].col] = c->gen;
    }
    c->filled = c->gen;
  }
  return c->slotgen[col] == c->gen ? c->slot[col] : TM_NONE;
}

/* The _extra column: this row's values outside the catalogue, as JSON. */
static void table_extra(table_cursor *c, sqlite3_context *ctx, const tm_row *r) {
  if (!r->nextra) return;
  table_vtab *v = (table_vtab *)c->base.pVtab;
  tm_rows rows;
  tm_flat_view(tm_scan_flat(c->loc.scan), tm_scan_record(c->loc.scan), &rows);
  c->tmp.n = 0;
  tm_rowtext_extra(&c->tmp, v->schema, &rows, r, v->opts.o.types == TM_TYPES_TEXT);
  tm_sql_result_json(ctx, &c->tmp);
}

/* xColumn */
static int table_column(sqlite3_vtab_cursor *cur, sqlite3_context *ctx, int i) {
  table_cursor *c = (table_cursor *)cur;
  table_vtab *v = (table_vtab *)cur->pVtab;
  const tm_row *rows = c->loc.rows, *r = &rows[c->cur];
  const tm_table *t = &v->schema->tables[v->table];
  if (i == 0) table_id(c, ctx, r);
  else if (i == 1 && v->nmeta > 1) table_id(c, ctx, &rows[r->parent]);
  else if (i == 2 && v->nmeta > 1) table_id(c, ctx, &rows[0]);
  else if (i == 3 && v->nmeta > 1) sqlite3_result_int64(ctx, (sqlite3_int64)r->index);
  else if ((uint32_t)(i - v->nmeta) >= t->ncols) table_extra(c, ctx, r);
  else {
    uint32_t col = (uint32_t)(i - v->nmeta);
    uint32_t tok = t->is_map && col == 0 ? r->key : table_cell(c, r, col);
    if (tok != TM_NONE) {
      const tm_record *rec = tm_scan_record(c->loc.scan);
      tm_sql_result(ctx, rec->text, rec->tape->tok, tok, v->opts.o.types, &c->tmp);
    }
  }
  return SQLITE_OK;
}

/* xRowid: the row's ordinal in its table. */
static int table_rowid(sqlite3_vtab_cursor *cur, sqlite_int64 *pRowid) {
  table_cursor *c = (table_cursor *)cur;
  *pRowid = (sqlite_int64)c->loc.rows[c->cur].id;
  return SQLITE_OK;
}

/* The slots it fills; the others are NULL. */
static sqlite3_module table_module = {
    .xCreate = table_create,
    .xConnect = table_connect,
    .xBestIndex = table_best_index,
    .xDisconnect = table_disconnect,
    .xDestroy = table_destroy,
    .xOpen = table_open,
    .xClose = table_close,
    .xFilter = table_filter,
    .xNext = table_next,
    .xEof = table_eof,
    .xColumn = table_column,
    .xRowid = table_rowid,
    .xRename = table_rename,
};

int tm_table_register(sqlite3 *db) {
  return sqlite3_create_module(db, "transmog", &table_module, NULL);
}
