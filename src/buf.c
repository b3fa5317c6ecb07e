/*
** buf.c: the growable memory declared in buf.h.
*/
#include "buf.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *tm_grow(void *arr, size_t *cap, size_t need, size_t size) {
  if (need <= *cap) return arr;
  size_t n = *cap ? *cap : TM_GROW_FIRST;
  while (n < need) {
    if (n > SIZE_MAX / 2) return NULL;
    n *= 2;
  }
  if (size && n > SIZE_MAX / size) return NULL;
  void *p = realloc(arr, n * size);
  if (p) *cap = n;
  return p;
}

int tm_buf_reserve(tm_buf *o, size_t n) {
  if (n <= o->cap - o->n) return 0;
  char *p = n <= SIZE_MAX - o->n ? tm_grow(o->p, &o->cap, o->n + n, 1) : NULL;
  if (!p) {
    o->nomem = 1;
    return -1;
  }
  o->p = p;
  return 0;
}

void tm_buf_put(tm_buf *o, const void *p, size_t n) {
  if (!n) return;   /* p and o->p may be NULL then: no pointer arithmetic */
  if (tm_buf_reserve(o, n)) return;
  memcpy(o->p + o->n, p, n);
  o->n += n;
}

/* Append the digits of u, after a minus sign when `negative`. */
static void buf_digits(tm_buf *o, uint64_t u, int negative) {
  char num[24], *p = num + sizeof num;
  do *--p = (char)('0' + u % 10);
  while (u /= 10);
  if (negative) *--p = '-';
  tm_buf_put(o, p, (size_t)(num + sizeof num - p));
}

void tm_buf_uint64(tm_buf *o, uint64_t u) { buf_digits(o, u, 0); }

void tm_buf_int64(tm_buf *o, int64_t i) {
  buf_digits(o, i < 0 ? 0 - (uint64_t)i : (uint64_t)i, i < 0);
}

void tm_buf_free(tm_buf *o) {
  free(o->p);
  o->p = NULL;
  o->n = o->cap = 0;
  o->nomem = 0;
}
