/*
** sqlwrite.c: the writer of SQLite tables declared in sqlwrite.h.
**
** The first table opened starts a savepoint; the commit releases it and
** freeing the writer without one rolls it back, so a failed export leaves
** no table behind and the connection outside any transaction it opened.
** The ROLLBACK TO, RELEASE and (when the savepoint began the transaction)
** ROLLBACK are prepared with the SAVEPOINT, so that undoing needs no
** parsing, except where SQLite prepares a statement again after a schema
** change (the RELEASE after a ROLLBACK TO that undid a CREATE TABLE): each
** step is tried again, and a failed RELEASE ends with the ROLLBACK of the
** whole transaction the savepoint began. While an interrupt is pending
** (sqlite3_interrupt, until the outer statement ends) SQLite runs no
** statement at all, the ROLLBACK TO included: then the whole transaction
** is rolled back, as SQLite does for an interrupted INSERT (see
** sqlw_rollback). Values are bound without copies: strings point into
** the background scan's batch that holds the record. Rows wait to go in several at
** a time, one INSERT per table (a statement costs SQLite about as much as
** binding a row): when a table has as many waiting as its INSERT takes,
** and when their batch goes back to the background scan (tm_writer_batch_over),
** every table's go in, parents' first, so that a row never goes in before
** its parent. A row of a new batch while rows wait is a broken promise:
** an assert, since they would point into a batch the background scan reuses.
*/
#include "sqlwrite.h"

#include <assert.h>
#include <string.h>

#include "../src/columns.h"
#include "declare.h"
#include "../src/options.h"
#include "values.h"

SQLITE_EXTENSION_INIT3

/* Rows a table's INSERT takes at once, at most, and the parameters it
** takes at most: a wide row costs more to bind than a statement to run,
** so wide tables take fewer rows (and need fewer statement sizes). */
#define SQLW_ROWS   16
#define SQLW_PARAMS 512

/* One table's INSERTs and waiting rows. */
typedef struct sqlw_table {
  const char *name;
  tm_coldecl *cols;         /* its declared columns */
  int ncols;
  sqlite3_stmt **ins;      /* ins[n] INSERTs n rows (1 to per), prepared
                              when first needed */
  tm_convert_reader *wait; /* the values of the rows waiting to go in */
  int nwait, per;
} sqlw_table;

typedef struct sql_writer {
  tm_writer base;
  sqlite3 *db;
  const char *zSchema;
  int mode;                /* TM_MODE_* */
  sqlw_table *tables;      /* one per table of the schema */
  int savepoint;           /* a savepoint is open */
  sqlite3_stmt *rollback;  /* ROLLBACK TO it */
  sqlite3_stmt *release;   /* RELEASE it */
  sqlite3_stmt *abandon;   /* ROLLBACK, when the savepoint began the transaction */
  sqlite3_stmt *undo;      /* a write that writes nothing (sqlw_rollback) */
  int nwaiting;            /* rows waiting, in every table */
  uint64_t batch;          /* the background scan's batch they lie in */
} sql_writer;

/* Run one statement of SQL; on error keep its message. */
static int sqlw_exec(sql_writer *q, const char *sql) {
  char *err = NULL;
  int rc = sql ? sqlite3_exec(q->db, sql, NULL, NULL, &err) : SQLITE_NOMEM;
  if (rc != SQLITE_OK) tm_writer_fail(&q->base, "%s", err ? err : sqlite3_errstr(rc));
  sqlite3_free(err);
  return rc == SQLITE_OK ? TM_WRITE_OK : TM_WRITE_ERROR;
}

/* Does an object named `name` exist in the target schema? */
static int sqlw_exists(sql_writer *q, const char *name) {
  sqlite3_stmt *st = NULL;
  char *sql = sqlite3_mprintf(
      "SELECT 1 FROM \"%w\".sqlite_master WHERE name = ?1 COLLATE NOCASE", q->zSchema);
  int found = 0;
  if (sql && sqlite3_prepare_v2(q->db, sql, -1, &st, NULL) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
  }
  sqlite3_finalize(st);
  sqlite3_free(sql);
  return found;
}

/* mode=append: every column we write must exist in the table already. */
static int sqlw_check_columns(sql_writer *q, const sqlw_table *g) {
  sqlite3_stmt *st = NULL;
  int rc =
      sqlite3_prepare_v2(
          q->db, "SELECT 1 FROM pragma_table_info(?1, ?2) WHERE name = ?3 COLLATE NOCASE",
          -1, &st, NULL) == SQLITE_OK
          ? TM_WRITE_OK
          : tm_writer_nomem(&q->base);
  for (int c = 0; rc == TM_WRITE_OK && c < g->ncols; c++) {
    sqlite3_bind_text(st, 1, g->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, q->zSchema, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, g->cols[c].name, -1, SQLITE_STATIC);
    int found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_reset(st);
    if (!found)
      rc = tm_writer_fail(&q->base,
                          "mode=append: table '%s' has no column '%s' (the file has it); "
                          "use mode=replace or another name",
                          g->name, g->cols[c].name);
  }
  sqlite3_finalize(st);
  return rc;
}

/* Prepare *st, an INSERT of `nrows` rows into table g. */
static int sqlw_prepare_insert(sql_writer *q, const sqlw_table *g, int nrows,
                               sqlite3_stmt **st) {
  sqlite3_str *s = sqlite3_str_new(q->db);
  sqlite3_str_appendf(s, "INSERT INTO \"%w\".\"%w\"(", q->zSchema, g->name);
  for (int c = 0; c < g->ncols; c++)
    sqlite3_str_appendf(s, "%s\"%w\"", c ? ", " : "", g->cols[c].name);
  sqlite3_str_appendall(s, ") VALUES");
  for (int r = 0; r < nrows; r++) {
    sqlite3_str_appendall(s, r ? ", (" : "(");
    for (int c = 0; c < g->ncols; c++) sqlite3_str_appendall(s, c ? ", ?" : "?");
    sqlite3_str_appendall(s, ")");
  }
  int built = sqlite3_str_errcode(s);   /* SQLITE_TOOBIG past SQLITE_LIMIT_LENGTH */
  char *sql = sqlite3_str_finish(s);
  int rc = sql     ? sqlite3_prepare_v2(q->db, sql, -1, st, NULL)
           : built ? built
                   : SQLITE_NOMEM;
  sqlite3_free(sql);
  if (rc == SQLITE_NOMEM) return tm_writer_nomem(&q->base);
  if (rc != SQLITE_OK)
    return tm_writer_fail(&q->base, "cannot insert into '%s': %s", g->name,
                          sql ? sqlite3_errmsg(q->db) : sqlite3_errstr(rc));
  return TM_WRITE_OK;
}

/* Room for table g's INSERTs, of up to SQLW_ROWS rows or SQLW_PARAMS
** parameters (fewer if SQLite's limit is lower), and for the rows that
** wait; prepare the INSERT of one row (it checks the table). */
static int sqlw_prepare(sql_writer *q, sqlw_table *g) {
  int limit = sqlite3_limit(q->db, SQLITE_LIMIT_VARIABLE_NUMBER, -1);
  int fit = (limit < SQLW_PARAMS ? limit : SQLW_PARAMS) / g->ncols;
  int per = fit < 1 ? 1 : fit < SQLW_ROWS ? fit : SQLW_ROWS;
  g->ins = sqlite3_malloc64((per + 1) * sizeof *g->ins);
  g->wait = sqlite3_malloc64(per * sizeof *g->wait);
  if (!g->ins || !g->wait) return tm_writer_nomem(&q->base);   /* sqlw_free: per is 0 */
  memset(g->ins, 0, (per + 1) * sizeof *g->ins);
  g->per = per;
  return sqlw_prepare_insert(q, g, 1, &g->ins[1]);
}

/* Make (or check, or replace) table g, t of the schema. */
static int sqlw_make(sql_writer *q, uint32_t t, const sqlw_table *g) {
  const tm_writer_config *cfg = &q->base.cfg;
  int exists = sqlw_exists(q, g->name), rc = TM_WRITE_OK;
  if (exists && q->mode == TM_MODE_CREATE)
    return tm_writer_fail(
        &q->base, "table '%s' already exists in '%s'; use mode=replace or mode=append",
        g->name, q->zSchema);
  if (exists && q->mode == TM_MODE_REPLACE) {
    char *sql = sqlite3_mprintf("DROP TABLE \"%w\".\"%w\"", q->zSchema, g->name);
    rc = sqlw_exec(q, sql);
    sqlite3_free(sql);
    exists = 0;
  }
  if (rc == TM_WRITE_OK && exists) rc = sqlw_check_columns(q, g);
  if (rc == TM_WRITE_OK && !exists) {
    char *sql = tm_decl_create(cfg->schema, t, q->zSchema, g->name, cfg->id,
                               cfg->types == TM_TYPES_TEXT);
    rc = sqlw_exec(q, sql);
    sqlite3_free(sql);
  }
  return rc;
}

/* Open the savepoint, with its ROLLBACK TO and RELEASE ready. */
static int sqlw_savepoint(sql_writer *q) {
  if (sqlite3_prepare_v2(q->db, "ROLLBACK TO transmog_export", -1, &q->rollback, NULL) !=
          SQLITE_OK ||
      sqlite3_prepare_v2(q->db, "RELEASE transmog_export", -1, &q->release, NULL) !=
          SQLITE_OK)
    return tm_writer_fail(&q->base, "%s", sqlite3_errmsg(q->db));
  if (sqlite3_get_autocommit(q->db) &&
      sqlite3_prepare_v2(q->db, "ROLLBACK", -1, &q->abandon, NULL) != SQLITE_OK)
    return tm_writer_fail(&q->base, "%s", sqlite3_errmsg(q->db));
  if (sqlw_exec(q, "SAVEPOINT transmog_export") != TM_WRITE_OK) return TM_WRITE_ERROR;
  q->savepoint = 1;
  return TM_WRITE_OK;
}

/* Prepare q->undo on table g, the first made: a DELETE of no row. */
static int sqlw_prepare_undo(sql_writer *q, const sqlw_table *g) {
  char *sql = sqlite3_mprintf("DELETE FROM \"%w\".\"%w\" WHERE 0", q->zSchema, g->name);
  int rc = sql ? sqlite3_prepare_v2(q->db, sql, -1, &q->undo, NULL) : SQLITE_NOMEM;
  sqlite3_free(sql);
  if (rc == SQLITE_NOMEM) return tm_writer_nomem(&q->base);
  if (rc != SQLITE_OK) return tm_writer_fail(&q->base, "%s", sqlite3_errmsg(q->db));
  return TM_WRITE_OK;
}

/* Open table t: the savepoint first if it is the first, then the table
** and its INSERTs. */
static int sqlw_table_open(tm_writer *w, uint32_t t, const char *name,
                           const tm_coldecl *cols, int ncols) {
  sql_writer *q = (sql_writer *)w;
  sqlw_table *g = &q->tables[t];
  if (!q->savepoint && sqlw_savepoint(q) != TM_WRITE_OK) return TM_WRITE_ERROR;
  g->name = name;
  g->cols = sqlite3_malloc64((sqlite3_uint64)ncols * sizeof *cols);
  if (!g->cols) return tm_writer_nomem(w);
  memcpy(g->cols, cols, (size_t)ncols * sizeof *cols);
  g->ncols = ncols;
  int rc = sqlw_make(q, t, g);
  if (rc == TM_WRITE_OK && !q->undo) rc = sqlw_prepare_undo(q, g);
  return rc == TM_WRITE_OK ? sqlw_prepare(q, g) : rc;
}

/* Bind a row's values to st's parameters of that row, the first at `base`. */
static int sqlw_bind_row(sqlite3_stmt *st, int base, tm_convert_reader *row) {
  int rc = SQLITE_OK, column;
  tm_value v;
  while (rc == SQLITE_OK && tm_convert_next(row, &column, &v))
    rc = tm_sql_bind(st, base + column + 1, &v);
  return rc;
}

/* Run st, an INSERT into table g whose binding gave rc, and make it ready
** for the next rows. */
static int sqlw_run(sql_writer *q, const sqlw_table *g, sqlite3_stmt *st, int rc) {
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  if (rc == SQLITE_INTERRUPT) return tm_writer_fail(&q->base, "interrupted");
  if (rc != SQLITE_DONE && rc != SQLITE_OK)
    return tm_writer_fail(&q->base, "cannot insert into '%s': %s", g->name,
                          rc == SQLITE_NOMEM ? "out of memory" : sqlite3_errmsg(q->db));
  return TM_WRITE_OK;
}

/* Insert the rows that wait for table g, with one statement. */
static int sqlw_flush(sql_writer *q, sqlw_table *g) {
  int n = g->nwait,
      rc = g->ins[n] ? TM_WRITE_OK : sqlw_prepare_insert(q, g, n, &g->ins[n]);
  g->nwait = 0;
  if (rc != TM_WRITE_OK) return rc;
  int brc = SQLITE_OK;
  for (int k = 0; k < n && brc == SQLITE_OK; k++)
    brc = sqlw_bind_row(g->ins[n], k * g->ncols, &g->wait[k]);
  return sqlw_run(q, g, g->ins[n], brc);
}

/* Insert the rows that wait, table after table: a table is made after
** its parent, so parents' rows go in first. */
static int sqlw_flush_all(tm_writer *w) {
  sql_writer *q = (sql_writer *)w;
  int rc = TM_WRITE_OK;
  for (uint32_t t = 0; t < w->cfg.schema->ntables && rc == TM_WRITE_OK; t++)
    if (q->tables[t].nwait) rc = sqlw_flush(q, &q->tables[t]);
  q->nwaiting = 0;
  return rc;
}

/* A row waits until its table has `per`; then every table's go in. */
static int sqlw_row(tm_writer *w, const tm_write_row *r) {
  sql_writer *q = (sql_writer *)w;
  sqlw_table *g = &q->tables[r->row->table];
  assert(q->nwaiting == 0 || r->batch == q->batch);   /* theirs still holds */
  q->batch = r->batch;
  q->nwaiting++;
  g->wait[g->nwait] = r->values;
  return ++g->nwait == g->per ? sqlw_flush_all(w) : TM_WRITE_OK;
}

/* Step st, a statement with no result, and make it ready again. */
static int sqlw_step(sqlite3_stmt *st) {
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

/* Release the savepoint: every table at once. If that fails the
** savepoint stays, for sqlw_free to roll back. */
static int sqlw_commit(tm_writer *w) {
  sql_writer *q = (sql_writer *)w;
  assert(q->nwaiting == 0);   /* their batch went back with the last */
  if (!q->savepoint) return TM_WRITE_OK;
  int rc = sqlw_step(q->release);
  if (rc != SQLITE_OK)
    return tm_writer_fail(w, "cannot commit: %s", sqlite3_errmsg(q->db));
  q->savepoint = 0;
  return TM_WRITE_OK;
}

/* After a ROLLBACK TO: release the savepoint, trying again (SQLite may
** have to prepare the RELEASE again, which can fail for want of memory);
** if it still fails, end the transaction the savepoint began. */
static void sqlw_release(sql_writer *q) {
  for (int tries = 0; tries < 3; tries++)
    if (sqlw_step(q->release) == SQLITE_OK) return;
  for (int tries = 0; q->abandon && !sqlite3_get_autocommit(q->db) && tries < 3; tries++)
    sqlw_step(q->abandon);
}

/* Undo what was not committed, with the statements prepared for it. A
** ROLLBACK TO can be interrupted (sqlite3_interrupt stops every statement
** until the outer one ends; a progress handler may stop any); a write
** stopped so makes SQLite roll back the whole transaction, as it does for
** any interrupted write. So if the ROLLBACK TO fails, q->undo, a write
** that changes nothing when it does run, is stepped, and the ROLLBACK TO
** tried again. No transaction left means nothing left to undo. */
static void sqlw_rollback(sql_writer *q) {
  for (int tries = 0; q->savepoint && !sqlite3_get_autocommit(q->db) && tries < 3;
       tries++) {
    if (sqlw_step(q->rollback) == SQLITE_OK) {
      sqlw_release(q);
      return;
    }
    if (q->undo) sqlw_step(q->undo);
  }
}

/* Roll back what was not committed; free the statements. */
static void sqlw_free(tm_writer *w) {
  sql_writer *q = (sql_writer *)w;
  sqlw_rollback(q);
  sqlite3_finalize(q->rollback);
  sqlite3_finalize(q->release);
  sqlite3_finalize(q->abandon);
  sqlite3_finalize(q->undo);
  for (uint32_t t = 0; q->tables && t < w->cfg.schema->ntables; t++) {
    sqlw_table *g = &q->tables[t];
    for (int n = 1; g->ins && n <= g->per; n++) sqlite3_finalize(g->ins[n]);
    sqlite3_free(g->ins);
    sqlite3_free(g->wait);
    sqlite3_free(g->cols);
  }
  sqlite3_free(q->tables);
}

static const tm_writer_class sqlw_class = {
    .name = "sqlite",
    .suffix = NULL,
    .size = sizeof(sql_writer),
    .convert = TM_WRITE_VALUES,
    .table = sqlw_table_open,
    .row = sqlw_row,
    .batch_over = sqlw_flush_all,
    .commit = sqlw_commit,
    .free = sqlw_free,
};

tm_writer *tm_sqlwrite_open(sqlite3 *db, const char *zSchema, int mode,
                            const tm_writer_config *cfg) {
  tm_writer *w = tm_writer_open(&sqlw_class, cfg);
  if (!w) return NULL;
  sql_writer *q = (sql_writer *)w;
  q->db = db;
  q->zSchema = zSchema;
  q->mode = mode;
  q->tables = sqlite3_malloc64(cfg->schema->ntables * sizeof *q->tables);
  if (!q->tables) {
    tm_writer_free(w);
    return NULL;
  }
  memset(q->tables, 0, cfg->schema->ntables * sizeof *q->tables);
  return w;
}
