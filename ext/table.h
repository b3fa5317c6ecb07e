/*
** table.h: the transmog module's vtab and cursor, shared by table.c (the
** tables' life and scans) and lookup.c (finding rows by their ids).
*/
#ifndef TM_TABLE_H
#define TM_TABLE_H

#include <sqlite3ext.h>

#include "options.h"
#include "../src/jsonout.h"
#include "../src/scan.h"

/* idxNum bit: a column other than the metadata is read. */
#define TABLE_CELLS 1

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
  tm_scan *scan;
  int plan;              /* how xFilter found the rows (lookup.c) */
  uint64_t key;          /* the _id, _parent_id or _root_id looked for */
  uint64_t lo, hi;       /* a range of _id, both ends included */
  const tm_row *rows;    /* rows of the current record */
  uint32_t nrows, cur;
  uint32_t *slot;        /* per column: tape index of the current value */
  uint64_t *slotgen;     /* slot[i] holds for the row numbered slotgen[i] */
  uint64_t gen;          /* rows seen by this cursor */
  uint64_t filled;       /* the row whose slots are filled */
  int eof;
  tm_out tmp;
} tm_cursor;

/* Fail the cursor's statement with "transmog: <msg>". */
int tm_table_error(tm_cursor *c, const char *msg);

/* Read the next record into the cursor (skipping bad ones with
** errors=skip). Returns 1 with c->rows set, 0 at the end, or -1 after
** setting the statement's error. */
int tm_table_next_record(tm_cursor *c);

/*
** xBestIndex: choose a scan or a lookup (_id =, _parent_id =, _root_id =,
** or a range of _id), with its cost. Sets info->idxNum (plan and
** TABLE_CELLS) and the constraints it takes.
*/
int tm_lookup_plan(tm_vtab *v, sqlite3_index_info *info);

/* xFilter: position the cursor's scan for the plan in idxNum, before the
** first row it could return. Returns an SQLite code; sets c->eof. */
int tm_lookup_start(tm_cursor *c, int idxNum, int argc, sqlite3_value **argv);

/* Does row r (of this table) belong to the answer? 1 yes, 0 no, -1 no and
** nothing after it will (the end of a range). */
int tm_lookup_match(const tm_cursor *c, const tm_row *r);

/* After the current record: may later records hold more rows? */
int tm_lookup_goes_on(const tm_cursor *c);

#endif
