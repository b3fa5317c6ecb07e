/*
** buf.h: growable memory, one routine for all of it. tm_grow grows any
** array by doubling, from the same first capacity everywhere; tm_buf is a
** byte buffer built on it that text is appended to (JSON text, CSV lines,
** a batch's copies of records).
**
**   tm_buf b = {0};
**   tm_buf_put(&b, "abc", 3);  tm_buf_putc(&b, '\n');
**   if (b.nomem) ...          -- an append failed: the content is incomplete
**   tm_buf_free(&b);
*/
#ifndef TM_BUF_H
#define TM_BUF_H

#include <stddef.h>
#include <stdint.h>

/* The capacity an array gets at its first growth, in elements. */
#define TM_GROW_FIRST 16

/*
** Grow `arr`, an array of *cap elements of `size` bytes, to hold at least
** `need`: the capacity doubles from TM_GROW_FIRST until it does. Returns
** the array (perhaps moved) with *cap updated, or NULL when out of memory
** or when the size overflows (then arr and *cap are left as they were).
*/
void *tm_grow(void *arr, size_t *cap, size_t need, size_t size);

/* A growable byte buffer. */
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

/* Append the decimal digits of u, or of i with its sign (ids on every row
** of a file: snprintf would cost more than the rest of the line). */
void tm_buf_uint64(tm_buf *o, uint64_t u);
void tm_buf_int64(tm_buf *o, int64_t i);

/* Release the buffer. */
void tm_buf_free(tm_buf *o);

#endif
