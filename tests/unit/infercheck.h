/*
** infercheck.h: what the tests of the schema pass compare (test_infer.c,
** and the fuzz target fuzz_split.c): everything a user can see of a
** catalogue, as text, and whether an index holds what a plain scan finds
** at its checkpoints. Include util.h first.
*/
#ifndef TM_INFERCHECK_H
#define TM_INFERCHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "infer.h"

/* Append everything a user can see of the catalogue s to out. */
static inline void describe(const tm_schema *s, str *out) {
  char line[600];
  for (uint32_t t = 0; t < s->ntables; t++) {
    const tm_table *tb = &s->tables[t];
    snprintf(line, sizeof line, "table %s parent %d rows %llu flags %d%d%d%d\n",
             tm_schema_name(s, tb->name), tb->parent == TM_NONE ? -1 : (int)tb->parent,
             (unsigned long long)tb->rows, tb->is_map, tb->full, tb->dead, tb->has_extra);
    s_put(out, line, strlen(line));
    for (uint32_t c = 0; c < tb->ncols; c++) {
      const tm_column *col = &tb->cols[c];
      char *src = col->node == TM_NONE ? NULL : tm_schema_source(s, col->node);
      snprintf(line, sizeof line, "  %s from '%s' types %x count %llu\n",
               tm_schema_name(s, col->name), src ? src : "(key)", col->types,
               (unsigned long long)col->count);
      free(src);
      s_put(out, line, strlen(line));
    }
  }
}

/* Does index k hold, at each checkpoint, what a plain scan of path with
** the frozen schema s finds there? */
static inline int index_true(const char *path, const tm_options *o, tm_schema *s,
                             const tm_seek *k) {
  char *err = NULL;
  tm_scan *sc = tm_scan_open(path, o, s, TM_NONE, 0, 0, &err);
  uint32_t i = 0;
  int ok = sc != NULL, rc = TM_REC_OK;
  while (ok && i < k->n && rc != TM_REC_END && rc != TM_REC_FATAL) {
    if (tm_scan_offset(sc) == k->marks[i].offset) {
      tm_mark m;
      tm_scan_mark(sc, &m);
      ok = m.number == k->marks[i].number && m.line == k->marks[i].line &&
           m.line_start == k->marks[i].line_start;
      for (uint32_t t = 0; ok && t < s->ntables; t++)
        ok = tm_flat_count(tm_scan_flat(sc), t) == tm_seek_count(k, i, t);
      i++;
    }
    rc = tm_scan_next(sc);
  }
  free(err);
  tm_scan_close(sc);
  return ok && i == k->n;
}

/* One schema pass over path: the catalogue printed into out (or the
** error), its index checked against a plain scan. */
static inline void infer_once(const char *path, const tm_options *o, str *out,
                              int *index_ok) {
  tm_file_id id;
  tm_seek *k = NULL;
  char *err = NULL;
  tm_schema *s = tm_infer(path, o, "t", &id, &k, &err);
  if (s) describe(s, out);
  else s_put(out, err ? err : "out of memory", strlen(err ? err : "out of memory"));
  *index_ok = !s || index_true(path, o, s, k);
  free(err);
  tm_schema_free(s);
  tm_seek_free(k);
}

#endif
