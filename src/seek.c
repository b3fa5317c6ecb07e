/*
** seek.c: the sparse index declared in seek.h.
*/
#include "seek.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "jsonout.h"

/* The form's version: "TSK2" since marks carry their file (reader.h). */
#define SEEK_MAGIC 0x324b5354u

tm_seek *tm_seek_new(uint64_t spacing) {
  tm_seek *k = calloc(1, sizeof *k);
  if (k) k->spacing = spacing;
  return k;
}

void tm_seek_free(tm_seek *k) {
  if (!k) return;
  free(k->marks);
  free(k->counts);
  free(k);
}

int tm_seek_due(const tm_seek *k, uint64_t offset) {
  return k->n == 0 || offset >= k->marks[k->n - 1].offset + k->spacing;
}

/* Widen every checkpoint's counts to `ntables` tables (new ones: 0). */
static int seek_widen(tm_seek *k, uint32_t ntables) {
  uint64_t *c = calloc((size_t)(k->cap ? k->cap : 1) * ntables, sizeof *c);
  if (!c) return -1;
  for (uint32_t i = 0; i < k->n; i++)
    memcpy(c + (size_t)i * ntables, k->counts + (size_t)i * k->ntables,
           k->ntables * sizeof *c);
  free(k->counts);
  k->counts = c;
  k->ntables = ntables;
  return 0;
}

/* Room for one more checkpoint. */
static int seek_grow(tm_seek *k) {
  if (k->n < k->cap) return 0;
  size_t cap = k->cap;
  tm_mark *m =
      k->n < UINT32_MAX ? tm_grow(k->marks, &cap, (size_t)k->n + 1, sizeof *m) : NULL;
  if (!m) return -1;
  k->marks = m;
  if (cap > UINT32_MAX) cap = UINT32_MAX;
  uint64_t *c = realloc(k->counts, cap * (k->ntables ? k->ntables : 1) * sizeof *c);
  if (!c) return -1;
  k->counts = c;
  k->cap = (uint32_t)cap;
  return 0;
}

int tm_seek_set_counts(tm_seek *k, uint32_t i, const uint64_t *counts, uint32_t ntables) {
  if (ntables > k->ntables && seek_widen(k, ntables)) return -1;
  uint64_t *row = k->counts + (size_t)i * k->ntables;
  memset(row, 0, k->ntables * sizeof *row);
  memcpy(row, counts, ntables * sizeof *row);
  return 0;
}

int tm_seek_add(tm_seek *k, const tm_mark *m, const uint64_t *counts, uint32_t ntables) {
  if (seek_grow(k) || tm_seek_set_counts(k, k->n, counts, ntables)) return -1;
  k->marks[k->n++] = *m;
  return 0;
}

void tm_seek_trim(tm_seek *k, uint64_t max_bytes) {
  uint64_t each = sizeof(tm_mark) + (uint64_t)k->ntables * 8;
  uint32_t step = 1;
  while ((uint64_t)((k->n + step - 1) / step) * each > max_bytes && step < k->n)
    step *= 2;
  if (step == 1) return;
  uint32_t j = 0;
  for (uint32_t i = 0; i < k->n; i += step, j++) {
    k->marks[j] = k->marks[i];
    memmove(k->counts + (size_t)j * k->ntables, k->counts + (size_t)i * k->ntables,
            k->ntables * sizeof *k->counts);
  }
  k->n = j;
  k->spacing *= step;
}

uint32_t tm_seek_find(const tm_seek *k, uint32_t t, uint64_t n) {
  uint32_t lo = 0, hi = k->n;   /* checkpoint 0 has 0 rows: always below n */
  while (hi - lo > 1) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (tm_seek_count(k, mid, t) < n) lo = mid;
    else hi = mid;
  }
  return lo;
}

int tm_seek_save(const tm_seek *k, tm_buf *o) {
  uint32_t head[3] = {SEEK_MAGIC, k->n, k->ntables};
  tm_buf_put(o, head, sizeof head);
  tm_buf_put(o, &k->spacing, sizeof k->spacing);
  tm_buf_put(o, k->marks, k->n * sizeof *k->marks);
  tm_buf_put(o, k->counts, (size_t)k->n * k->ntables * sizeof *k->counts);
  return o->nomem ? -1 : 0;
}

/* Does mark m follow mark p as a reader would have made them: in the same
** file further on, or in a later file that starts past p? */
static int seek_follows(const tm_mark *m, const tm_mark *p) {
  if (m->offset <= p->offset || m->number < p->number || m->first < p->first) return 0;
  if (m->file == p->file) return m->base == p->base && m->line >= p->line;
  return m->file > p->file && m->base > p->offset && m->first >= p->number;
}

/* Does checkpoint i follow checkpoint i-1 as a real scan would have made
** them (forward in the files, counts never going down)? */
static int seek_ordered(const tm_seek *k, uint32_t i, uint64_t size, int format) {
  const tm_mark *m = &k->marks[i];
  if (!tm_rd_mark_ok(m, format) || (size && m->offset > size) || m->unused) return 0;
  if (i == 0) return m->number == 0 && m->file == 0 && m->base == 0;   /* the start */
  const tm_mark *p = &k->marks[i - 1];
  if (!seek_follows(m, p)) return 0;
  for (uint32_t t = 0; t < k->ntables; t++)
    if (tm_seek_count(k, i, t) < tm_seek_count(k, i - 1, t)) return 0;
  return 1;
}

tm_seek *tm_seek_load(const void *data, size_t n, uint32_t ntables, uint64_t size,
                      int format) {
  uint32_t head[3];
  uint64_t spacing;
  const char *p = data;
  if (n < sizeof head + sizeof spacing) return NULL;
  memcpy(head, p, sizeof head);
  memcpy(&spacing, p + sizeof head, sizeof spacing);
  p += sizeof head + sizeof spacing;
  n -= sizeof head + sizeof spacing;
  uint64_t marks = (uint64_t)head[1] * sizeof(tm_mark);
  uint64_t counts = (uint64_t)head[1] * head[2] * sizeof(uint64_t);
  if (head[0] != SEEK_MAGIC || head[1] == 0 || head[2] > ntables || marks + counts != n)
    return NULL;   /* fewer tables is fine: the later ones had no rows yet */
  tm_seek *k = tm_seek_new(spacing);
  if (!k) return NULL;
  k->marks = malloc(marks);
  k->counts = malloc(counts ? counts : 1);
  k->n = k->cap = head[1];
  k->ntables = head[2];
  if (!k->marks || !k->counts) {
    tm_seek_free(k);
    return NULL;
  }
  memcpy(k->marks, p, marks);
  memcpy(k->counts, p + marks, counts);
  for (uint32_t i = 0; i < k->n; i++)
    if (!seek_ordered(k, i, size, format)) {
      tm_seek_free(k);
      return NULL;
    }
  return k;
}
