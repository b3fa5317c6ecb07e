/*
** plan.h: how a transmog table finds the rows a query asks for: a scan, or
** a lookup by _id, _parent_id, _root_id or a range of _id. xBestIndex
** chooses (tm_plan_best), xFilter reads the choice back (tm_plan_read) and
** each row is kept or not (tm_plan_match). See plan.c for idxNum and argv.
*/
#ifndef TM_PLAN_H
#define TM_PLAN_H

#include <stdint.h>

#include <sqlite3ext.h>

#include "../src/flatten.h"
#include "../src/schema.h"

/* idxNum bit: a column other than the metadata is read. */
#define TM_PLAN_CELLS 1

/* What xFilter looks for. */
typedef struct tm_plan_keys {
  int plan;              /* the plan in idxNum (plan.c) */
  uint32_t table;        /* a lookup: the record holding row `row` of */
  uint64_t row;          /*   table `table`; row 0: a scan from the start */
  uint64_t key;          /* the _id, _parent_id or _root_id looked for */
  uint64_t lo, hi;       /* a range of _id, both ends included */
} tm_plan_keys;

/*
** xBestIndex for table `table` of catalogue s, whose first `nmeta` columns
** are the metadata, read from a file of `size` bytes; `natural`: option
** id= is given (the main table's _id holds field values). Chooses a scan or
** a lookup, with its cost; sets info->idxNum, idxStr and the constraints
** it takes. Returns SQLITE_OK.
*/
int tm_plan_best(const tm_schema *s, uint32_t table, int nmeta, int natural,
                 uint64_t size, sqlite3_index_info *info);

/* xFilter: what the plan in idxNum looks for with arguments argv, into *k.
** Returns 0 when no row can match, else 1. */
int tm_plan_read(const tm_schema *s, uint32_t table, int idxNum, int argc,
                 sqlite3_value **argv, tm_plan_keys *k);

/* Does row r of the table, in a record of rows `rows`, belong to the
** answer? 1 yes, 0 no, -1 no and nothing after it will (a range's end). */
int tm_plan_match(const tm_plan_keys *k, const tm_row *rows, const tm_row *r);

/* After the record in hand: may later records hold more rows? */
int tm_plan_goes_on(const tm_plan_keys *k);

#endif
