/*
** vtab.h: what every virtual table of transmog shares: the plain parts of
** connecting and opening, failing with a message, and the arguments of the
** table-valued functions, which are hidden columns planned and read alike.
*/
#ifndef TM_VTAB_H
#define TM_VTAB_H

#include <stddef.h>

#include <sqlite3ext.h>

#include "../src/scan.h"

/*
** xConnect of a table-valued function: declare `schema` (CREATE TABLE x(...)),
** make the table direct-only (it reads files), and allocate a zeroed vtab
** of `size` bytes (a struct that starts with its sqlite3_vtab).
*/
int tm_vtab_connect(sqlite3 *db, const char *schema, size_t size, sqlite3_vtab **ppVtab);

/* xDisconnect of a vtab made by tm_vtab_connect. */
int tm_vtab_disconnect(sqlite3_vtab *v);

/* xOpen: a zeroed cursor of `size` bytes. */
int tm_vtab_open(size_t size, sqlite3_vtab_cursor **pp);

/* Fail the statement running on v with "transmog: <msg>". Returns
** SQLITE_ERROR. */
int tm_vtab_error(sqlite3_vtab *v, const char *msg);

/*
** Read the next good record of scan sc (bad ones are passed over when
** `skip`) and point *rows at its *n rows. Returns 1, 0 at the end, or -1
** with the statement failed on v with the scan's message.
*/
int tm_vtab_next_rows(sqlite3_vtab *v, tm_scan *sc, int skip, const tm_row **rows,
                      uint32_t *n);

/*
** xBestIndex for a function whose arguments are the hidden columns
** [first, first+n). Every usable equality on an argument becomes an
** argument to xFilter, in column order, and sets bit k of idxNum for
** argument k. A plan that would leave an argument unusable is refused
** with SQLITE_CONSTRAINT; a plan without the first argument (the path) is
** allowed but costly, and xFilter reports it.
*/
int tm_vtab_best_index(sqlite3_index_info *info, int first, int n);

/*
** In xFilter: the n arguments as malloc'd strings (NULL when absent),
** following the idxNum bits set by tm_vtab_best_index. Returns SQLITE_OK,
** SQLITE_NOMEM, or SQLITE_ERROR (message in vt) for a NUL byte in one;
** on failure none is kept.
*/
int tm_vtab_args(sqlite3_vtab *vt, int idxNum, int argc, sqlite3_value **argv, int n,
                 char **out);

#endif
