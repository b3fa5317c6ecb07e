/*
** locate.h: finding the record that holds row N of a table, for lookups by
** _id, _parent_id and _root_id without reading the file from its start.
**
**   tm_locator l = {scan, seek, skip};
**   if (tm_locate(&l, u, n) > 0) ...  l.rows: the record with row n of u
**   while (tm_locate_next(&l) > 0) ...  read on from there
**
** A locator moves a scan (opened on a frozen schema) and keeps its record
** in hand. SQLite runs a join with a virtual table as a nested loop and
** filters the inner table once per outer row, so lookups come one at a
** time, mostly in file order; see locate.c for how each is answered.
*/
#ifndef TM_LOCATE_H
#define TM_LOCATE_H

#include <stdint.h>

#include "flatten.h"
#include "scan.h"
#include "seek.h"

typedef struct tm_locator {
  tm_scan *scan;            /* the caller's scan, moved by the locator */
  const tm_seek *seek;      /* the sparse index of the scan's file */
  int skip;                 /* pass over bad records (errors=skip) */
  const tm_row *rows;       /* the record in hand (none while nrows is 0) */
  uint32_t nrows;
} tm_locator;

/*
** Read the next good record of a scan (passing over bad ones when `skip`)
** and point *rows at its *n rows. Returns 1, 0 at the end, or -1 with
** tm_scan_message set; on 0 and -1, *rows and *n are left as they were.
*/
int tm_locate_read(tm_scan *sc, int skip, const tm_row **rows, uint32_t *n);

/* Put the next good record in hand (see tm_locate_read). */
int tm_locate_next(tm_locator *l);

/* Go back to the file's start, nothing in hand. Returns 0, or -1 with
** tm_scan_message set. */
int tm_locate_rewind(tm_locator *l);

/*
** Put in hand the record that holds row n (n >= 1) of table u, which the
** scan must count (the wanted table or one that leads to it). Returns 1,
** 0 when the file has no such row, or -1 with tm_scan_message set; on 0
** and -1 nothing is in hand.
*/
int tm_locate(tm_locator *l, uint32_t u, uint64_t n);

#endif
