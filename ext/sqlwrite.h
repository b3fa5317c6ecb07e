/*
** sqlwrite.h: the writer (src/writer.h) of an export to real SQLite
** tables, typed as the virtual tables declare them, inside one savepoint.
*/
#ifndef TM_SQLWRITE_H
#define TM_SQLWRITE_H

#include <sqlite3ext.h>

#include "../src/writer.h"

/* A writer of tables in database zSchema of db, made, replaced or added
** to as `mode` (TM_MODE_*) says. NULL when out of memory. */
tm_writer *tm_sqlwrite_open(sqlite3 *db, const char *zSchema, int mode,
                            const tm_writer_config *cfg);

#endif
