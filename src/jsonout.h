/*
** jsonout.h: JSON text out, appended to a tm_buf (buf.h): the compact JSON
** text of a parsed value (what a JSON column holds: the source's bytes
** without its insignificant whitespace), JSON string literals for names,
** and a string's unescaped text.
*/
#ifndef TM_JSONOUT_H
#define TM_JSONOUT_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "json.h"

/* Append the body of a JSON string (the len bytes between its quotes),
** unescaped: the text it stands for. */
void tm_jsonout_unescape(tm_buf *o, const char *raw, size_t len);

/* Append the compact JSON text of the value at tape index i. */
void tm_jsonout_value(tm_buf *o, const char *text, const tm_tok *tok, uint32_t i);

/* Append raw UTF-8 bytes (NULs included) as a JSON string literal. */
void tm_jsonout_string(tm_buf *o, const char *s, size_t n);

#endif
