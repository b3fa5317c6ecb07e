/*
** locate.c: the locator declared in locate.h.
**
** The rows a lookup wants lie in one record (a row and its parent, its
** children and its root always do): the one where the count of rows of
** some table U reaches N (for _id, the table itself; for _parent_id, the
** parent table; for _root_id, the main table). To get there:
**
**   - if the record in hand is that one, use it again (an IN list, or the
**     children of one parent asked for twice);
**   - if it lies ahead and no checkpoint of the sparse index lies between,
**     read forward (a join asks in file order, so it reads the file once);
**   - otherwise resume at the last checkpoint before it and read forward.
*/
#include "locate.h"

int tm_locate_read(tm_scan *sc, int skip, const tm_row **rows, uint32_t *n) {
  for (;;) {
    int rc = tm_scan_next(sc);
    if (rc == TM_REC_END) return 0;
    if (rc == TM_REC_BAD && skip) continue;
    if (rc != TM_REC_OK) return -1;
    *rows = tm_flat_rows(tm_scan_flat(sc), n);
    return 1;
  }
}

int tm_locate_next(tm_locator *l) {
  return tm_locate_read(l->scan, l->skip, &l->rows, &l->nrows);
}

int tm_locate_rewind(tm_locator *l) {
  l->nrows = 0;
  return tm_scan_seek(l->scan, l->seek, 0) ? -1 : 0;
}

/* Rows of table u in the record in hand. */
static uint64_t locate_in_hand(const tm_locator *l, uint32_t u) {
  uint64_t n = 0;
  for (uint32_t i = 0; i < l->nrows; i++) n += l->rows[i].table == u;
  return n;
}

int tm_locate(tm_locator *l, uint32_t u, uint64_t n) {
  tm_flat *f = tm_scan_flat(l->scan);
  uint64_t after = tm_flat_count(f, u);   /* rows of u read, the hand's too */
  if (l->nrows && n <= after && n > after - locate_in_hand(l, u)) return 1;
  uint32_t i = tm_seek_find(l->seek, u, n);
  if (n <= after || l->seek->marks[i].offset > tm_scan_offset(l->scan)) {
    l->nrows = 0;
    if (tm_scan_seek(l->scan, l->seek, i)) return -1;
  }
  for (;;) {
    int rc = tm_locate_next(l);
    if (rc <= 0) {
      l->nrows = 0;
      return rc;
    }
    if (tm_flat_count(f, u) >= n) return 1;
  }
}
