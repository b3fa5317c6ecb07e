/*
** cache.c: the schema cache described in cache.h.
*/
#include "cache.h"

#include <string.h>

SQLITE_EXTENSION_INIT3

int tm_cache_put(sqlite3 *db, const char *zSchema, const char *tbl,
                 const tm_cache_row *row, char **pzErr) {
  char *sql = sqlite3_mprintf(
      "CREATE TABLE IF NOT EXISTS \"%w\".transmog_cache(tbl TEXT PRIMARY KEY,"
      " path TEXT, size INTEGER, mtime INTEGER, args TEXT, schema BLOB, seek BLOB)",
      zSchema);
  int rc = sql ? sqlite3_exec(db, sql, NULL, NULL, pzErr) : SQLITE_NOMEM;
  sqlite3_free(sql);
  if (rc != SQLITE_OK) return rc;
  sqlite3_stmt *st = NULL;
  sql = sqlite3_mprintf("INSERT OR REPLACE INTO \"%w\".transmog_cache"
                        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)", zSchema);
  rc = sql ? sqlite3_prepare_v2(db, sql, -1, &st, NULL) : SQLITE_NOMEM;
  sqlite3_free(sql);
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(st, 1, tbl, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, row->path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)row->id.size);
    sqlite3_bind_int64(st, 4, row->id.mtime_ns);
    sqlite3_bind_text(st, 5, row->args, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 6, row->blob, row->nblob, SQLITE_STATIC);
    if (row->seek) sqlite3_bind_blob(st, 7, row->seek, row->nseek, SQLITE_STATIC);
    rc = sqlite3_step(st);
    rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
  }
  if (rc != SQLITE_OK) *pzErr = sqlite3_mprintf("transmog: cannot write the schema cache: %s", sqlite3_errmsg(db));
  sqlite3_finalize(st);
  return rc;
}

/* A sqlite3_malloc'd copy of a blob column (NULL when empty). */
static void *cache_blob(sqlite3_stmt *st, int i, int *n) {
  *n = sqlite3_column_bytes(st, i);
  void *p = *n > 0 ? sqlite3_malloc(*n) : NULL;
  if (p) memcpy(p, sqlite3_column_blob(st, i), (size_t)*n);
  else *n = 0;
  return p;
}

/* A sqlite3_malloc'd copy of a text column. */
static char *cache_text(sqlite3_stmt *st, int i) {
  const unsigned char *t = sqlite3_column_text(st, i);
  return sqlite3_mprintf("%s", t ? (const char *)t : "");
}

int tm_cache_get(sqlite3 *db, const char *zSchema, const char *tbl,
                 tm_cache_row *row) {
  sqlite3_stmt *st = NULL;
  memset(row, 0, sizeof *row);
  char *sql = sqlite3_mprintf("SELECT path, size, mtime, args, schema, seek FROM"
                              " \"%w\".transmog_cache WHERE tbl = ?1", zSchema);
  int found = 0;
  if (sql && sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, tbl, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) {
      row->path = cache_text(st, 0);
      row->id.size = (uint64_t)sqlite3_column_int64(st, 1);
      row->id.mtime_ns = sqlite3_column_int64(st, 2);
      row->args = cache_text(st, 3);
      row->blob = cache_blob(st, 4, &row->nblob);
      row->seek = cache_blob(st, 5, &row->nseek);
      found = row->path && row->args && row->blob;
      if (!found) tm_cache_row_free(row);
    }
  }
  sqlite3_finalize(st);
  sqlite3_free(sql);
  return found;
}

/* sqlite3_exec callback: set *flag when a row has a non-NULL value. */
static int cache_flag(void *flag, int n, char **values, char **names) {
  (void)names;
  if (n > 0 && values[0]) *(int *)flag = 1;
  return 0;
}

int tm_cache_del(sqlite3 *db, const char *zSchema, const char *tbl) {
  char *sql = sqlite3_mprintf(
      "DELETE FROM \"%w\".transmog_cache WHERE tbl = %Q;"
      "SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM \"%w\".transmog_cache)"
      " THEN 1 END", zSchema, tbl, zSchema);
  int empty = 0;
  int rc = sql ? sqlite3_exec(db, sql, cache_flag, &empty, NULL) : SQLITE_NOMEM;
  sqlite3_free(sql);
  if (rc == SQLITE_OK && empty) {   /* the last row: leave no empty table */
    sql = sqlite3_mprintf("DROP TABLE \"%w\".transmog_cache", zSchema);
    rc = sql ? sqlite3_exec(db, sql, NULL, NULL, NULL) : SQLITE_NOMEM;
    sqlite3_free(sql);
  }
  return rc;
}

void tm_cache_row_free(tm_cache_row *row) {
  sqlite3_free(row->path);
  sqlite3_free(row->args);
  sqlite3_free(row->blob);
  sqlite3_free(row->seek);
  memset(row, 0, sizeof *row);
}
