/*
** transmog.h: what the pieces of the SQLite face register, and the
** version. Each module or function lives in its own file of ext/.
*/
#ifndef TM_TRANSMOG_H
#define TM_TRANSMOG_H

#include <sqlite3ext.h>

#define TM_VERSION "0.1.0"

/* transmog_each(path [, table [, options]]): ext/each.c */
int tm_each_register(sqlite3 *db);

/* transmog_errors(path [, options]): ext/badrecords.c */
int tm_badrecords_register(sqlite3 *db);

/* CREATE VIRTUAL TABLE ... USING transmog(path, ...): ext/table.c */
int tm_table_register(sqlite3 *db);

/* transmog_tables(path [, options]), transmog_columns(...): ext/catalog.c */
int tm_catalog_register(sqlite3 *db);

/* transmog_export(path, name [, options]): ext/export.c */
int tm_export_register(sqlite3 *db);

#endif
