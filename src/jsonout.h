/*
** jsonout.h: text out. A growable byte buffer, the compact JSON text of a
** parsed value (what a JSON column holds: the source's bytes without its
** insignificant whitespace), and JSON string literals for names.
*/
#ifndef TM_JSONOUT_H
#define TM_JSONOUT_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"

typedef struct tm_buf {
  char *p;
  size_t n, cap;
  int nomem;      /* an append failed; the content is incomplete */
} tm_buf;

/* Append n bytes. */
void tm_buf_put(tm_buf *o, const void *p, size_t n);

/* Make room for n more bytes without moving the content later on.
** Returns 0, or -1 (and nomem) when out of memory. */
int tm_buf_reserve(tm_buf *o, size_t n);

/* Append one byte. Inline: the row text writes its punctuation this way. */
static inline void tm_buf_putc(tm_buf *o, char c) {
  if (o->n < o->cap || tm_buf_reserve(o, 1) == 0) o->p[o->n++] = c;
}

/* Append the body of a JSON string (the len bytes between its quotes),
** unescaped: the text it stands for. */
void tm_jsonout_unescape(tm_buf *o, const char *raw, size_t len);

/* Append the compact JSON text of the value at tape index i. */
void tm_jsonout_value(tm_buf *o, const char *text, const tm_tok *tok, uint32_t i);

/* Append raw UTF-8 bytes (NULs included) as a JSON string literal. */
void tm_jsonout_string(tm_buf *o, const char *s, size_t n);

/* Release the buffer. */
void tm_buf_free(tm_buf *o);

#endif
