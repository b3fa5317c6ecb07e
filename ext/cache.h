/*
** cache.h: the schema cache, a table transmog_cache in the schema (main,
** temp, an attached database) that holds the virtual tables. One row per
** main table: the file as it was scanned (path, size, mtime; the other
** files' identities when the input is a list), the options, the version of
** the flattening rules, and the serialised catalogue, so that opening the
** database again does not scan the file again while it is unchanged, and
** the sparse index of record positions that lookups use.
**
** A row is found only under the rules of this build (TM_RULES_VERSION,
** infer.h, kept with the catalogue): a row made under other rules, or by
** an older build, is never read, and the file is scanned again.
*/
#ifndef TM_CACHE_H
#define TM_CACHE_H

#include <sqlite3ext.h>

#include "../src/source.h"

/* What the cache holds for one main table. */
typedef struct tm_cache_row {
  char *path, *args;      /* sqlite3_malloc'd; args: the options' key (tm_opts_key) */
  tm_input_id id;         /* malloc'd list (tm_src_id_free) */
  void *blob;             /* the catalogue (tm_schema_save) */
  int nblob;
  void *seek;             /* the sparse index (tm_seek_save), may be NULL */
  int nseek;
} tm_cache_row;

/* Store (or replace) the row of main table `tbl`. Returns an SQLite code;
** on error *pzErr is set. */
int tm_cache_put(sqlite3 *db, const char *zSchema, const char *tbl,
                 const tm_cache_row *row, char **pzErr);

/* Read the row of `tbl` made under these rules into *row
** (sqlite3_malloc'd parts, but the identity's list). Returns 1 if found;
** 0 if not (no cache table, no row, or a row damaged or of other rules);
** -1 if the cache could not be read (busy, out of memory: see
** sqlite3_errmsg), which must not pass for "no row". */
int tm_cache_get(sqlite3 *db, const char *zSchema, const char *tbl, tm_cache_row *row);

/* Delete the row of `tbl` (no error if there is none); drop the cache
** table with its last row. */
int tm_cache_del(sqlite3 *db, const char *zSchema, const char *tbl);

/* Free the parts of a row read by tm_cache_get. */
void tm_cache_row_free(tm_cache_row *row);

#endif
