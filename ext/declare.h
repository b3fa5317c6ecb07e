/*
** declare.h: the SQL declaration of a flattened table, shared by the
** virtual tables (sqlite3_declare_vtab) and by exports to real tables.
** Its columns and their types are src/columns.h's.
*/
#ifndef TM_DECLARE_H
#define TM_DECLARE_H

#include <sqlite3ext.h>

#include "../src/schema.h"

/*
** "CREATE TABLE <qualified name>(<columns>)" for table t: the name is
** "schema"."name" when zSchema is given, else a bare x (for
** sqlite3_declare_vtab). Returns a sqlite3_malloc'd string or NULL.
*/
char *tm_decl_create(const tm_schema *s, uint32_t t, const char *zSchema,
                     const char *zName, const char *id, int types_text);

#endif
