/*
** table.h: the transmog module's vtab and cursor (table.c). A cursor finds
** its rows with a plan (plan.h) and a locator (src/locate.h), which never
** call back into table.c.
*/
#ifndef TM_TABLE_H
#define TM_TABLE_H

#include <sqlite3ext.h>

#include "plan.h"
#include "../src/options.h"
#include "../src/jsonout.h"
#include "../src/locate.h"
#include "../src/scan.h"

typedef struct tm_vtab {
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
} tm_vtab;

typedef struct tm_cursor {
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
} tm_cursor;

#endif
