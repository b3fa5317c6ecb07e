/*
** cache.c: the schema cache described in cache.h.
**
** The schema column holds a header, then the catalogue (tm_schema_save):
**
**   u32 TM_RULES_VERSION   the rules the catalogue was made under
**   u32 n                  files of the input after the first
**   n x (u64 size, i64 mtime_ns)   their identities
**
** all native integers; the first file's identity is in the size and mtime
** columns. A row whose header does not hold this build's rules is not
** found: a row of an older build, whose column starts with the
** catalogue's own magic, is never read as a catalogue.
*/
#include "cache.h"

#include <stdlib.h>
#include <string.h>

#include "../src/infer.h"

SQLITE_EXTENSION_INIT3

#define CACHE_HEAD 8       /* bytes of the header before the identities */
#define CACHE_FILE 16      /* bytes of one file's identity */

/* The schema column of `row`: header, identities, catalogue (sqlite3_malloc'd,
** *n bytes). NULL when out of memory. */
static unsigned char *cache_pack(const tm_cache_row *row, int *n) {
  uint32_t head[2] = {TM_RULES_VERSION, row->id.n - 1};
  size_t ids = (size_t)head[1] * CACHE_FILE;
  unsigned char *p = sqlite3_malloc64(CACHE_HEAD + ids + (size_t)row->nblob);
  if (!p) return NULL;
  memcpy(p, head, CACHE_HEAD);
  for (uint32_t i = 1; i < row->id.n; i++) {
    int64_t pair[2] = {(int64_t)row->id.files[i].size, row->id.files[i].mtime_ns};
    memcpy(p + CACHE_HEAD + (i - 1) * CACHE_FILE, pair, CACHE_FILE);
  }
  memcpy(p + CACHE_HEAD + ids, row->blob, (size_t)row->nblob);
  *n = (int)(CACHE_HEAD + ids + (size_t)row->nblob);
  return p;
}

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
                        " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        zSchema);
  rc = sql ? sqlite3_prepare_v2(db, sql, -1, &st, NULL) : SQLITE_NOMEM;
  sqlite3_free(sql);
  int npacked = 0;
  unsigned char *packed = rc == SQLITE_OK ? cache_pack(row, &npacked) : NULL;
  if (rc == SQLITE_OK && !packed) rc = SQLITE_NOMEM;
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(st, 1, tbl, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, row->path, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (sqlite3_int64)row->id.files[0].size);
    sqlite3_bind_int64(st, 4, row->id.files[0].mtime_ns);
    sqlite3_bind_text(st, 5, row->args, -1, SQLITE_STATIC);
    /* a catalogue longer than SQLITE_LIMIT_LENGTH is refused here, not
       stored as NULL (a table that would have no catalogue once opened) */
    rc = sqlite3_bind_blob(st, 6, packed, npacked, SQLITE_STATIC);
    if (rc == SQLITE_OK && row->seek)
      rc = sqlite3_bind_blob(st, 7, row->seek, row->nseek, SQLITE_STATIC);
    if (rc == SQLITE_OK) rc = sqlite3_step(st);
    rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
  }
  if (rc != SQLITE_OK)   /* a failed bind or allocation left no message in db */
    *pzErr =
        sqlite3_mprintf("transmog: cannot write the schema cache: %s",
                        rc == SQLITE_TOOBIG || rc == SQLITE_NOMEM ? sqlite3_errstr(rc)
                                                                  : sqlite3_errmsg(db));
  sqlite3_finalize(st);
  sqlite3_free(packed);
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

/*
** Read the schema column i: the files' identities into row->id (the first
** from columns size and mtime) and a copy of the catalogue into row->blob.
** Returns 0, or -1 when the header is not this build's, is damaged, or
** when out of memory.
*/
static int cache_unpack(sqlite3_stmt *st, int i, tm_cache_row *row) {
  const unsigned char *p = sqlite3_column_blob(st, i);
  uint64_t n = (uint64_t)sqlite3_column_bytes(st, i);
  uint32_t head[2];
  if (n < CACHE_HEAD) return -1;
  memcpy(head, p, CACHE_HEAD);
  uint64_t ids = (uint64_t)head[1] * CACHE_FILE;
  if (head[0] != TM_RULES_VERSION || n - CACHE_HEAD < ids) return -1;
  row->id.files = calloc((size_t)head[1] + 1, sizeof *row->id.files);
  if (!row->id.files) return -1;
  row->id.n = head[1] + 1;
  row->id.files[0].size = (uint64_t)sqlite3_column_int64(st, 1);
  row->id.files[0].mtime_ns = sqlite3_column_int64(st, 2);
  for (uint32_t k = 1; k <= head[1]; k++) {
    int64_t pair[2];
    memcpy(pair, p + CACHE_HEAD + (k - 1) * CACHE_FILE, CACHE_FILE);
    row->id.files[k].size = (uint64_t)pair[0];
    row->id.files[k].mtime_ns = pair[1];
  }
  row->nblob = (int)(n - CACHE_HEAD - ids);
  row->blob = row->nblob ? sqlite3_malloc(row->nblob) : NULL;
  if (row->blob) memcpy(row->blob, p + CACHE_HEAD + ids, (size_t)row->nblob);
  return row->blob ? 0 : -1;
}

/* A sqlite3_malloc'd copy of a text column. */
static char *cache_text(sqlite3_stmt *st, int i) {
  const unsigned char *t = sqlite3_column_text(st, i);
  return sqlite3_mprintf("%s", t ? (const char *)t : "");
}

int tm_cache_get(sqlite3 *db, const char *zSchema, const char *tbl, tm_cache_row *row) {
  sqlite3_stmt *st = NULL;
  memset(row, 0, sizeof *row);
  char *sql = sqlite3_mprintf("SELECT path, size, mtime, args, schema, seek FROM"
                              " \"%w\".transmog_cache WHERE tbl = ?1",
                              zSchema);
  int rc = sql ? sqlite3_prepare_v2(db, sql, -1, &st, NULL) : SQLITE_NOMEM;
  int found = rc == SQLITE_ERROR ? 0 : -1;   /* an error: no cache table yet */
  if (rc == SQLITE_OK) {
    sqlite3_bind_text(st, 1, tbl, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    found = rc == SQLITE_DONE ? 0 : -1;
  }
  if (rc == SQLITE_ROW) {
    row->path = cache_text(st, 0);
    row->args = cache_text(st, 3);
    row->seek = cache_blob(st, 5, &row->nseek);
    found = cache_unpack(st, 4, row) == 0 && row->path && row->args;
    if (!found) tm_cache_row_free(row);
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
  char *sql =
      sqlite3_mprintf("DELETE FROM \"%w\".transmog_cache WHERE tbl = %Q;"
                      "SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM \"%w\".transmog_cache)"
                      " THEN 1 END",
                      zSchema, tbl, zSchema);
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
  tm_src_id_free(&row->id);
  memset(row, 0, sizeof *row);
}
