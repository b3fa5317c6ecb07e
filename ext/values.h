/*
** values.h: tokens to SQLite values. INTEGER for int64, REAL for other
** numbers (TEXT with the exact digits when they do not fit: big integers,
** overflowing exponents), TEXT for strings (NULs kept), 1/0 for booleans,
** NULL for null, and JSON text with SQLite's JSON subtype for arrays and
** objects. types=text gives every scalar as TEXT, spelled as in the file.
**
** A token is converted once into a tm_value, which then becomes a result
** (xColumn), a bound parameter (exports to tables) or text (CSV files).
*/
#ifndef TM_VALUES_H
#define TM_VALUES_H

#include <sqlite3ext.h>

#include "../src/jsonout.h"
#include "../src/scan.h"

/* SQLite's subtype for JSON text ('J'). */
#define TM_JSON_SUBTYPE 74

/* One value, as SQLite will see it. */
typedef struct tm_value {
  int type;            /* SQLITE_NULL, SQLITE_INTEGER, SQLITE_FLOAT, SQLITE_TEXT */
  int json;            /* TEXT that is JSON (gets the JSON subtype) */
  sqlite3_int64 i;
  double d;
  const char *text;    /* TEXT: the bytes, in the record or in the scratch;
                          a number: its digits as the file spells them */
  size_t n;
} tm_value;

/*
** Convert token i of a record. A string with escapes, or a container's JSON
** text, is appended to `scratch` and points there; it is the only kind of
** value that makes scratch grow, and its text starts where scratch ended
** before the call. Appending may move scratch: a caller that converts
** several values before using them keeps that offset, not the pointer.
*/
void tm_value_of(tm_value *v, const char *text, const tm_tok *tok, uint32_t i,
                 int types, tm_out *scratch);

/* Bind a value without copying it: it must hold until the statement steps. */
int tm_value_bind(sqlite3_stmt *st, int param, const tm_value *v);

/* Set the result to token i of a record, converted by tm_value_of (a copy). */
void tm_sql_result(sqlite3_context *ctx, const char *text, const tm_tok *tok,
                   uint32_t i, int types, tm_out *tmp);

/* Set the result to row r's _id: its ordinal, or (a main row with id=)
** its natural id, token r->natural of the record. */
void tm_sql_result_id(sqlite3_context *ctx, const tm_record *rec, const tm_row *r,
                      int types, tm_out *tmp);

/* Set the result to JSON text built in `o` (with the JSON subtype). */
void tm_sql_result_json(sqlite3_context *ctx, tm_out *o);

#endif
