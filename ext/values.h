/*
** values.h: the engine's values (src/value.h) as SQLite values: bound
** parameters (exports to tables) and results (xColumn). JSON text gets
** SQLite's JSON subtype as a result.
*/
#ifndef TM_VALUES_H
#define TM_VALUES_H

#include <sqlite3ext.h>

#include "../src/scan.h"
#include "../src/value.h"

/* SQLite's subtype for JSON text ('J'). */
#define TM_JSON_SUBTYPE 74

/* Bind a value without copying it: it must hold until the statement steps. */
int tm_sql_bind(sqlite3_stmt *st, int param, const tm_value *v);

/* Does v, as text, hold a NUL byte (which a C string would cut)? */
int tm_sql_has_nul(sqlite3_value *v);

/* Set the result to token i of a record, converted by tm_value_of (a copy). */
void tm_sql_result(sqlite3_context *ctx, const char *text, const tm_tok *tok, uint32_t i,
                   int types, tm_buf *tmp);

/* Set the result to row r's _id: its ordinal, or (a main row with id=)
** its natural id, token r->natural of the record. */
void tm_sql_result_id(sqlite3_context *ctx, const tm_record *rec, const tm_row *r,
                      int types, tm_buf *tmp);

/* Set the result to JSON text built in `o` (with the JSON subtype). */
void tm_sql_result_json(sqlite3_context *ctx, tm_buf *o);

#endif
