/*
** losslesscheck.h: the lossless property (test_lossless.c, and the fuzz
** target fuzz_lossless.c). For a file and options, the schema pass makes a
** catalogue; a scan with it then flattens every record, and:
**
**   - every scalar of a record is in exactly one cell or _extra value of
**     its rows (a container kept whole holds the scalars inside it), except
**     those inside an array without objects that arrays=skip drops;
**   - each cell is at its value's place: walking up from its column's node
**     through its row's table, and from the row to its parent row (a map
**     row by its key, an array row by its _index), meets exactly the keys
**     and positions that lead to the value in the record;
**   - a row's parent row is of its table's parent table, a row with
**     _extra values is in a table that has _extra, no row is in a dead
**     table;
**   - the catalogue's counts (rows per table; types and non-null values
**     per column) equal those of the rows (unless sample= made it read
**     fewer records), every table listed has a listed parent and at least
**     one row (the main table excepted), every column a type;
**   - a one-pass scan with an open catalogue (as transmog_each) ends with
**     the same catalogue as the schema pass (unless sample= cut it short).
**
** lossless_file returns 0, or 1 with what failed first in *why. Include
** util.h first.
*/
#ifndef TM_LOSSLESSCHECK_H
#define TM_LOSSLESSCHECK_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "infer.h"
#include "infercheck.h"

/* The tape of one record, with where each token sits. */
typedef struct ll_tape {
  const tm_tok *tok;
  const char *text;
  uint32_t n;
  uint32_t *up;       /* the container holding the token (TM_NONE: root) */
  uint32_t *key;      /* an object member's key token, else TM_NONE */
  uint32_t *pos;      /* an array element's position */
  uint8_t *value;     /* 1 for a scalar value (not a key) */
  uint8_t *skip;      /* 1 if arrays=skip may drop it */
  uint8_t *cover;     /* how many cells or _extra values hold it */
} ll_tape;

/* The counts a scan's rows give, per table and column. */
typedef struct ll_counts {
  uint64_t *rows;     /* per table */
  uint32_t *first;    /* per table: its first column in types and count */
  uint32_t *types;
  uint64_t *count;
} ll_counts;

/* Say why the check failed (the first reason only). */
static inline int ll_fail(str *why, const char *what, uint64_t rec, const char *detail) {
  if (why->n) return 1;
  char line[800];
  snprintf(line, sizeof line, "record %llu: %s%s%s", (unsigned long long)rec, what,
           detail ? ": " : "", detail ? detail : "");
  s_put(why, line, strlen(line));
  return 1;
}

/* Note where the tokens of the value at v sit (inside container up). */
static inline void ll_place(ll_tape *t, uint32_t v, uint32_t up, int skip) {
  t->up[v] = up;
  t->value[v] = t->tok[v].kind < TM_ARR;
  t->skip[v] = (uint8_t)skip;
  if (t->tok[v].kind == TM_ARR) {
    skip |= !(t->tok[v].flags & TM_F_HASOBJ);
    uint32_t i = 0;
    for (uint32_t e = v + 1; e < t->tok[v].end; i++) {
      ll_place(t, e, v, skip);
      t->pos[e] = i;
      e = t->tok[e].kind >= TM_ARR ? t->tok[e].end : e + 1;
    }
  } else if (t->tok[v].kind == TM_OBJ) {
    for (uint32_t k = v + 1; k < t->tok[v].end;) {
      t->up[k] = v;
      ll_place(t, k + 1, v, skip);
      t->key[k + 1] = k;
      k = t->tok[k + 1].kind >= TM_ARR ? t->tok[k + 1].end : k + 2;
    }
  }
}

/* Count one more holder of the scalars of the value at v. */
static inline void ll_cover(ll_tape *t, uint32_t v) {
  uint32_t end = t->tok[v].kind >= TM_ARR ? t->tok[v].end : v + 1;
  for (uint32_t i = v; i < end; i++)
    if (t->value[i] && t->cover[i] < 255) t->cover[i]++;
}

/* Is key token k spelled as node's key, once unescaped? */
static inline int ll_key_is(const ll_tape *t, const tm_schema *s, uint32_t node,
                            uint32_t k) {
  const tm_tok *kt = &t->tok[k];
  char *buf = malloc(kt->len + 1);
  if (!buf) abort();
  size_t n = tm_json_unescape(t->text + kt->off, kt->len, buf);
  int eq = tm_schema_key_is(s, node, buf, n);
  free(buf);
  return eq;
}

/* Does the value at tape index v sit where node, in row r of v's rows,
** says: the same keys and positions all the way up to the record? */
static inline int ll_placed(const ll_tape *t, const tm_schema *s, const tm_rows *v,
                            uint32_t r, uint32_t node, uint32_t at) {
  for (;;) {
    const tm_node *n = &s->nodes[node];
    if (n->parent != TM_NONE) {   /* a key within the row's table */
      if (t->key[at] == TM_NONE || !ll_key_is(t, s, node, t->key[at])) return 0;
      at = t->up[at];
      node = n->parent;
      continue;
    }
    const tm_row *row = &v->row[r];
    const tm_table *tb = &s->tables[row->table];
    if (n->table != row->table) return 0;
    if (tb->parent == TM_NONE) return at == 0 && r == 0;
    if (tb->is_map ? t->key[at] != row->key
                   : t->pos[at] != row->index || t->tok[t->up[at]].kind != TM_ARR)
      return 0;
    at = t->up[at];
    node = tb->owner;
    r = row->parent;
    if (r == TM_NONE) return 0;
  }
}

/* Check one record's rows; count them into c. */
static inline int ll_record(ll_tape *t, const tm_schema *s, const tm_rows *v,
                            ll_counts *c, int skipping, uint64_t rec, str *why) {
  for (uint32_t r = 0; r < v->nrows; r++) {
    const tm_row *row = &v->row[r];
    const tm_table *tb = &s->tables[row->table];
    if (tb->dead)
      return ll_fail(why, "a row in a dead table", rec, tm_schema_name(s, tb->name));
    if ((row->parent == TM_NONE) != (tb->parent == TM_NONE) ||
        (row->parent != TM_NONE && v->row[row->parent].table != tb->parent))
      return ll_fail(why, "a row under a row of another table", rec,
                     tm_schema_name(s, tb->name));
    if (row->nextra && !tb->has_extra)
      return ll_fail(why, "_extra values in a table without _extra", rec,
                     tm_schema_name(s, tb->name));
    c->rows[row->table]++;
    if (row->key != TM_NONE) {
      c->types[c->first[row->table]] |= 1u << TM_STR;
      c->count[c->first[row->table]]++;
    }
    for (uint32_t i = row->cell; i < row->cell + row->ncells; i++) {
      const tm_cell *cell = &v->cells[i];
      const tm_column *col = &tb->cols[cell->col];
      if (col->node == TM_NONE || !ll_placed(t, s, v, r, col->node, cell->tok))
        return ll_fail(why, "a value in the wrong column", rec,
                       tm_schema_name(s, col->name));
      ll_cover(t, cell->tok);
      unsigned kind = t->tok[cell->tok].kind;
      c->types[c->first[row->table] + cell->col] |= 1u << kind;
      c->count[c->first[row->table] + cell->col] += kind != TM_NULL;
    }
    for (uint32_t i = row->extra; i < row->extra + row->nextra; i++) {
      const tm_extra *e = &v->extras[i];
      uint32_t at = e->tok;
      if (e->key != TM_NONE) {
        if (t->key[at] != e->key)
          return ll_fail(why, "an _extra value under the wrong key", rec, NULL);
        at = t->up[at];
      }
      if (!ll_placed(t, s, v, r, e->node, at))
        return ll_fail(why, "an _extra value in the wrong place", rec, NULL);
      ll_cover(t, e->tok);
    }
  }
  for (uint32_t i = 0; i < t->n; i++) {
    if (!t->value[i]) continue;
    if (t->cover[i] > 1 || (t->cover[i] == 0 && !(skipping && t->skip[i]))) {
      char at[160];
      snprintf(at, sizeof at, "token %u, '%.*s'", i,
               (int)(t->tok[i].len < 100 ? t->tok[i].len : 100), t->text + t->tok[i].off);
      return ll_fail(why, t->cover[i] ? "a value found twice" : "a value lost", rec, at);
    }
  }
  return 0;
}

/* Check one record: place its tokens, then its rows. */
static inline int ll_one(const tm_record *rec, const tm_schema *s, const tm_rows *v,
                         ll_counts *c, int skipping, str *why) {
  ll_tape t = {rec->tape->tok, rec->text, (uint32_t)rec->tape->n, NULL, NULL, NULL, NULL,
               NULL,           NULL};
  size_t n = t.n ? t.n : 1;
  t.up = malloc(n * sizeof *t.up);
  t.key = malloc(n * sizeof *t.key);
  t.pos = calloc(n, sizeof *t.pos);
  t.value = calloc(n, 1);
  t.skip = calloc(n, 1);
  t.cover = calloc(n, 1);
  if (!t.up || !t.key || !t.pos || !t.value || !t.skip || !t.cover) abort();
  for (uint32_t i = 0; i < t.n; i++) t.up[i] = t.key[i] = TM_NONE;
  if (t.n) ll_place(&t, 0, TM_NONE, 0);
  int rc = ll_record(&t, s, v, c, skipping, rec->number, why);
  free(t.up);
  free(t.key);
  free(t.pos);
  free(t.value);
  free(t.skip);
  free(t.cover);
  return rc;
}

/* Compare the catalogue with the counts of its rows; check what it lists. */
static inline int ll_catalogue(const tm_schema *s, const ll_counts *c, int exact,
                               str *why) {
  for (uint32_t t = 0; t < s->ntables; t++) {
    const tm_table *tb = &s->tables[t];
    const char *name = tm_schema_name(s, tb->name);
    if (tb->dead) continue;
    if (tb->parent != TM_NONE && s->tables[tb->parent].dead)
      return ll_fail(why, "a table whose parent is not listed", 0, name);
    if (tb->parent != TM_NONE && tb->rows == 0)
      return ll_fail(why, "a table listed without rows", 0, name);
    if (exact && tb->rows != c->rows[t])
      return ll_fail(why, "a table's rows miscounted", 0, name);
    for (uint32_t k = 0; k < tb->ncols; k++) {
      const tm_column *col = &tb->cols[k];
      if (!col->types)
        return ll_fail(why, "a column without a type", 0, tm_schema_name(s, col->name));
      if (exact && (col->types != c->types[c->first[t] + k] ||
                    col->count != c->count[c->first[t] + k]))
        return ll_fail(why, "a column's values miscounted", 0,
                       tm_schema_name(s, col->name));
    }
  }
  return 0;
}

/* Counters for every column of s. */
static inline void ll_counts_new(ll_counts *c, const tm_schema *s) {
  uint32_t ncols = 0;
  c->rows = calloc(s->ntables + 1, sizeof *c->rows);
  c->first = calloc(s->ntables + 1, sizeof *c->first);
  if (!c->rows || !c->first) abort();
  for (uint32_t t = 0; t < s->ntables; t++) {
    c->first[t] = ncols;
    ncols += s->tables[t].ncols;
  }
  c->types = calloc(ncols + 1, sizeof *c->types);
  c->count = calloc(ncols + 1, sizeof *c->count);
  if (!c->types || !c->count) abort();
}

static inline void ll_counts_free(ll_counts *c) {
  free(c->rows);
  free(c->first);
  free(c->types);
  free(c->count);
}

/* Does a one-pass scan with an open catalogue end with catalogue s? */
static inline int ll_each(const char *path, const tm_options *o, const tm_schema *s,
                          str *why) {
  char *err = NULL;
  tm_options named = *o;
  named.name = "t";   /* as the schema pass named it */
  tm_scan *sc = tm_scan_open(path, &named, NULL, TM_NONE, 1, 1, &err);
  free(err);
  int r = TM_REC_END;
  while (sc && (r = tm_scan_next(sc)) != TM_REC_END && r != TM_REC_FATAL) {}
  str a = {0}, b = {0};
  s_put(&a, "", 0);
  s_put(&b, "", 0);
  describe(s, &a);
  if (sc && r == TM_REC_END) describe(tm_scan_schema(sc), &b);
  int rc = sc && r == TM_REC_END && strcmp(a.p, b.p) != 0;
  tm_scan_close(sc);
  free(a.p);
  free(b.p);
  return rc ? ll_fail(why, "a one-pass scan ends with another catalogue", 0, NULL) : 0;
}

/* The lossless property for the file at path read with options o. */
static inline int lossless_file(const char *path, const tm_options *o, str *why) {
  tm_file_id id;
  char *err = NULL;
  tm_schema *s = tm_infer(path, o, "t", &id, NULL, &err);
  free(err);
  err = NULL;
  if (!s) return 0;   /* a bad file: nothing to check */
  tm_scan *sc = tm_scan_open(path, o, s, TM_NONE, 1, 0, &err);
  free(err);
  if (!sc) {
    tm_schema_free(s);
    return 0;
  }
  ll_counts c;
  ll_counts_new(&c, s);
  int rc = 0, r;
  while (!rc && (r = tm_scan_next(sc)) != TM_REC_END && r != TM_REC_FATAL) {
    if (r != TM_REC_OK) continue;
    tm_rows v;
    tm_flat_view(tm_scan_flat(sc), tm_scan_record(sc), &v);
    rc = ll_one(tm_scan_record(sc), s, &v, &c, o->arrays == TM_ARRAYS_SKIP, why);
  }
  int exact = o->sample < 0 && r == TM_REC_END;
  if (!rc) rc = ll_catalogue(s, &c, exact, why);
  if (!rc && exact) rc = ll_each(path, o, s, why);
  ll_counts_free(&c);
  tm_scan_close(sc);
  tm_schema_free(s);
  return rc;
}

#endif
