/*
** values.h: tokens to SQLite values. INTEGER for int64, REAL for other
** numbers (TEXT with the exact digits when they do not fit: big integers,
** overflowing exponents), TEXT for strings (NULs kept), 1/0 for booleans,
** NULL for null, and JSON text with SQLite's JSON subtype for arrays and
** objects. types=text gives every scalar as TEXT, spelled as in the file.
*/
#ifndef TM_VALUES_H
#define TM_VALUES_H

#include <sqlite3ext.h>

#include "../src/jsonout.h"
#include "../src/scan.h"

/* SQLite's subtype for JSON text ('J'). */
#define TM_JSON_SUBTYPE 74

/* Set the result to the value of token i of a record; `tmp` is scratch. */
void tm_sql_result(sqlite3_context *ctx, const char *text, const tm_tok *tok,
                   uint32_t i, int types, tm_out *tmp);

/* Set the result to JSON text built in `o` (with the JSON subtype). */
void tm_sql_result_json(sqlite3_context *ctx, tm_out *o);

#endif
