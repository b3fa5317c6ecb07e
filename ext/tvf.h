/*
** tvf.h: what the table-valued functions share: their arguments are hidden
** columns, planned and read the same way.
*/
#ifndef TM_TVF_H
#define TM_TVF_H

#include <sqlite3ext.h>

/*
** xBestIndex for a function whose arguments are the hidden columns
** [first, first+n). Every usable equality on an argument becomes an
** argument to xFilter, in column order, and sets bit k of idxNum for
** argument k. A plan that would leave an argument unusable is refused
** with SQLITE_CONSTRAINT; a plan without the first argument (the path) is
** allowed but costly, and xFilter reports it.
*/
int tm_tvf_best_index(sqlite3_index_info *info, int first, int n);

/*
** In xFilter: the n arguments as malloc'd strings (NULL when absent),
** following the idxNum bits set by tm_tvf_best_index. Returns SQLITE_OK or
** SQLITE_NOMEM.
*/
int tm_tvf_args(int idxNum, int argc, sqlite3_value **argv, int n, char **out);

#endif
