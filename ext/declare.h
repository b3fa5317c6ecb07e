/*
** declare.h: the SQL declaration of a flattened table, shared by the
** virtual tables (sqlite3_declare_vtab) and by exports to real tables.
**
** Column order: the metadata (_id; for child tables also _parent_id,
** _root_id, _index), then the table's columns in first-seen order (a map
** table's `key` first), then _extra when the table has one.
**
** A column's declared type says the one storage class of every value seen:
** INTEGER (integers, booleans), REAL, or TEXT (strings, big integers, JSON
** text). A column that held several, or only nulls, is declared without a
** type, so that CREATE TABLE ... AS SELECT keeps each value as it is
** (an INTEGER or REAL column would coerce '007' or 5.0).
*/
#ifndef TM_DECLARE_H
#define TM_DECLARE_H

#include <sqlite3ext.h>

#include "../src/schema.h"

/* Number of metadata columns before a table's own columns. */
int tm_decl_nmeta(const tm_schema *s, uint32_t t);

/* The declared type for values of the kinds in `types` (TM_* bits). */
const char *tm_decl_type(uint32_t types, int types_text);

/*
** "CREATE TABLE <qualified name>(<columns>)" for table t: the name is
** "schema"."name" when zSchema is given, else a bare x (for
** sqlite3_declare_vtab). Returns a sqlite3_malloc'd string or NULL.
*/
char *tm_decl_create(const tm_schema *s, uint32_t t, const char *zSchema,
                     const char *zName, const char *id, int types_text);

#endif
