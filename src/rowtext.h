/*
** rowtext.h: a flattened row as text. The JSON object of a row (the `row`
** column of transmog_each, a line of a JSONL export) holds the map key
** first, then the row's cells in the order the record had them, then
** "_extra" for values outside a frozen schema.
*/
#ifndef TM_ROWTEXT_H
#define TM_ROWTEXT_H

#include "flatten.h"
#include "jsonout.h"

/* Append the JSON text of one scalar or container token. With as_text,
** numbers and booleans become JSON strings (types=text); so do numbers that
** SQLite cannot hold (beyond int64 or a double), as their columns give
** them as TEXT with their exact digits. */
void tm_rowtext_value(tm_buf *o, const char *text, const tm_tok *tok, uint32_t i,
                      int as_text);

/* Append row `row` of a record's rows `v` as a JSON object; `meta`
** (members already written as JSON, such as "_id":1, or NULL) come first. */
void tm_rowtext_json(tm_buf *o, const tm_schema *s, const tm_rows *v, const tm_row *row,
                     int as_text, const char *meta, size_t metalen);

/* Append the _extra values of a row as one JSON object. */
void tm_rowtext_extra(tm_buf *o, const tm_schema *s, const tm_rows *v, const tm_row *row,
                      int as_text);

/* Append the name of the _extra value x (raw bytes, not yet a JSON
** string): node's path, then the key as the record spells it, unescaped,
** joined by the separator (the key alone under a row's own element). */
void tm_rowtext_extra_name(tm_buf *o, const tm_schema *s, const tm_rows *v,
                           const tm_extra *x);

#endif
