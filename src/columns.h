/*
** columns.h: a flattened table's declared columns, the same for the
** virtual tables, the tables an export makes and the files it writes.
**
** Column order: the metadata (_id; for child tables also _parent_id,
** _root_id, _index), then the table's columns in first-seen order (a map
** table's `key` first), then _extra when the table has one.
**
** A column's declared type says the one storage class of every value seen:
** INTEGER (integers, booleans), REAL, or TEXT (strings, big integers, JSON
** text). A column that held several, or only nulls, is declared without a
** type ("" here), so that CREATE TABLE ... AS SELECT keeps each value as it
** is (an INTEGER or REAL column would coerce '007' or 5.0).
*/
#ifndef TM_COLUMNS_H
#define TM_COLUMNS_H

#include "schema.h"

/* One declared column. The strings are static or the schema's own. */
typedef struct tm_coldecl {
  const char *name;
  const char *type;      /* "INTEGER", "REAL", "TEXT" or "" */
} tm_coldecl;

/* Number of metadata columns before table t's own columns. */
int tm_columns_nmeta(const tm_schema *s, uint32_t t);

/* Number of declared columns of table t. */
int tm_columns_count(const tm_schema *s, uint32_t t);

/* The declared type for values of the kinds in `types` (TM_* bits). */
const char *tm_columns_type(uint32_t types, int types_text);

/* Fill cols[0 .. tm_columns_count) with table t's columns; `id` is the
** option id= (NULL for none), which types the main table's _id. */
void tm_columns_of(const tm_schema *s, uint32_t t, const char *id, int types_text,
                   tm_coldecl *cols);

#endif
