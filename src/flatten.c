/*
** flatten.c: the flattener declared in flatten.h.
**
** A record is walked in two kinds of steps. flat_fields collects the cells
** of one row: the object's scalars, and those of nested objects, which
** flatten into the same row. Arrays and maps that are child tables are only
** noted (the "pending" stack) and expanded once the row is complete, so a
** row's cells are contiguous and rows come out parent first.
**
** While the schema is open (transmog_each, the schema pass), the walk
** creates nodes, columns and tables as it meets them; after a record,
** tm_schema_settle may turn a wide object into a map, and the record is
** walked again with the new layout.
*/
#include "flatten.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* A child table noted while its parent row was being filled. */
typedef struct flat_pending {
  uint32_t row, node, tok, depth;
} flat_pending;

/*
** What this flattener's walks remember of one schema node. It is kept here,
** not in the schema, because a frozen schema is shared read-only: by the
** cursors of one table (a self-join), and by a background scan's thread and the
** consumer that reads the schema meanwhile.
*/
typedef struct flat_node {
  uint64_t stamp;           /* the object instance that last used it */
  uint32_t lead;            /* its first key, last time (TM_NONE: unknown) */
  uint32_t after;           /* the key that followed it last time */
} flat_node;

struct tm_flat {
  tm_schema *s;
  uint32_t want;            /* the table wanted, TM_NONE for all */
  int want_cells;           /* wanted rows get cells */
  int observe;
  int nomem;
  const tm_tok *tok;        /* the record being walked */
  const char *text;
  uint64_t *ids;            /* per table: rows before this record */
  uint32_t *local;          /* per table: rows in this record */
  uint32_t ntab;
  uint32_t *touched;        /* tables with rows in this record */
  uint32_t ntouched, captouched;
  tm_row *rows;
  uint32_t nrows, caprows;
  tm_cell *cells;
  uint32_t ncells, capcells;
  tm_extra *extras;
  uint32_t nextras, capextras;
  flat_pending *pend;
  uint32_t npend, cappend;
  uint32_t *seen;           /* nodes met in this record (observe) */
  uint32_t nseen, capseen;
  uint32_t *expanded;       /* nodes whose value became child rows (observe) */
  uint32_t nexpanded, capexpanded;
  flat_node *node;          /* per schema node (as many as it has room for) */
  uint32_t nnode;
  uint64_t stamp;           /* object instances met so far */
  char *key;                /* an unescaped key */
  uint32_t keycap;
  const char *id;           /* natural id field (id=), or NULL */
  size_t idlen;
};

/* Make room for one more element in a growable array of n. Counts are
** 32 bits, as tape indexes are: past that, the record is out of memory. */
static int flat_room(tm_flat *f, void **arr, uint32_t *cap, size_t size, uint32_t n) {
  if (n < *cap) return 0;
  size_t c = *cap;
  void *p = n < UINT32_MAX ? tm_grow(*arr, &c, (size_t)n + 1, size) : NULL;
  if (!p) {
    f->nomem = 1;
    return -1;
  }
  *arr = p;
  *cap = c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
  return 0;
}

/* Grow the per-table counters to cover every table of the schema. */
static int flat_tables_room(tm_flat *f) {
  uint32_t n = f->s->ntables;
  if (n <= f->ntab) return 0;
  uint64_t *ids = realloc(f->ids, n * sizeof *ids);
  if (ids) f->ids = ids;
  uint32_t *local = realloc(f->local, n * sizeof *local);
  if (local) f->local = local;
  if (!ids || !local) {
    f->nomem = 1;
    return -1;
  }
  for (uint32_t t = f->ntab; t < n; t++) {
    f->ids[t] = 0;
    f->local[t] = 0;
  }
  f->ntab = n;
  return 0;
}

/* Grow the per-node memory to cover every node of the schema. */
static int flat_nodes_room(tm_flat *f) {
  if (f->s->nnodes <= f->nnode) return 0;
  uint32_t n = f->s->capnodes;   /* grows by doubling: so does this */
  flat_node *p = realloc(f->node, (size_t)n * sizeof *p);
  if (!p) {
    f->nomem = 1;
    return -1;
  }
  for (uint32_t i = f->nnode; i < n; i++) {
    p[i].stamp = 0;
    p[i].lead = p[i].after = TM_NONE;
  }
  f->node = p;
  f->nnode = n;
  return 0;
}

/* Start a row of table t under row `parent`. Returns its index. */
static uint32_t flat_new_row(tm_flat *f, uint32_t t, uint32_t parent, uint64_t index) {
  if (flat_tables_room(f) ||
      flat_room(f, (void **)&f->rows, &f->caprows, sizeof(tm_row), f->nrows))
    return TM_NONE;
  if (f->local[t]++ == 0) {
    if (flat_room(f, (void **)&f->touched, &f->captouched, sizeof(uint32_t), f->ntouched))
      return TM_NONE;
    f->touched[f->ntouched++] = t;
  }
  uint32_t r = f->nrows++;
  tm_row *row = &f->rows[r];
  row->table = t;
  row->parent = parent;
  row->id = f->ids[t] + f->local[t];
  row->index = index;
  row->key = TM_NONE;
  row->cell = f->ncells;
  row->ncells = 0;
  row->extra = f->nextras;
  row->nextra = 0;
  row->natural = TM_NONE;
  row->emit = f->want_cells && (f->want == TM_NONE || f->want == t);
  return r;
}

/* Index just past the value at tape index v. */
static uint32_t flat_skip(const tm_tok *tok, uint32_t v) {
  return tok[v].kind >= TM_ARR ? tok[v].end : v + 1;
}

/* Add an _extra value to the row being filled: the value at tape index tok,
** at node (key TM_NONE) or under its unknown key at tape index key. */
static void flat_extra(tm_flat *f, uint32_t node, uint32_t key, uint32_t tok) {
  if (flat_room(f, (void **)&f->extras, &f->capextras, sizeof(tm_extra), f->nextras))
    return;
  tm_extra *e = &f->extras[f->nextras++];
  e->node = node;
  e->key = key;
  e->tok = tok;
}

/* Put the value at tape index v in row r, at node's column (or _extra). */
static void flat_put(tm_flat *f, uint32_t r, uint32_t node, uint32_t v) {
  int32_t col = f->s->nodes[node].col;
  if (col < 0) col = tm_schema_column(f->s, node);
  if (!f->rows[r].emit) return;
  if (col < 0) {
    flat_extra(f, node, TM_NONE, v);
    return;
  }
  if (flat_room(f, (void **)&f->cells, &f->capcells, sizeof(tm_cell), f->ncells)) return;
  f->cells[f->ncells].col = (uint32_t)col;
  f->cells[f->ncells].tok = v;
  f->ncells++;
}

/* Note a child table at node (value at v) to expand after row r. */
static void flat_defer(tm_flat *f, uint32_t r, uint32_t node, uint32_t v,
                       uint32_t depth) {
  const tm_schema *s = f->s;
  if (s->frozen && !tm_schema_on_path(s, s->nodes[node].child, f->want)) return;
  if (flat_room(f, (void **)&f->pend, &f->cappend, sizeof(flat_pending), f->npend))
    return;
  if (f->observe) {   /* counted by flat_observe: see tm_node.expanded */
    if (flat_room(f, (void **)&f->expanded, &f->capexpanded, sizeof(uint32_t),
                  f->nexpanded))
      return;
    f->expanded[f->nexpanded++] = node;
  }
  flat_pending *p = &f->pend[f->npend++];
  p->row = r;
  p->node = node;
  p->tok = v;
  p->depth = depth;
}

/* The key at tape index k, unescaped if needed. */
static const char *flat_key_text(tm_flat *f, uint32_t k, size_t *len) {
  const tm_tok *t = &f->tok[k];
  if (!(t->flags & TM_F_ESC)) {
    *len = t->len;
    return f->text + t->off;
  }
  if (t->len > f->keycap) {
    char *p = realloc(f->key, t->len);
    if (!p) {
      f->nomem = 1;
      *len = 0;
      return "";
    }
    f->key = p;
    f->keycap = t->len;
  }
  *len = tm_json_unescape(f->text + t->off, t->len, f->key);
  return f->key;
}

static void flat_fields(tm_flat *f, uint32_t r, uint32_t node, uint32_t o,
                        uint32_t depth);
static void flat_element(tm_flat *f, uint32_t r, uint32_t elem, uint32_t v,
                         uint32_t depth);

/*
** The child table for an array value at node, created if it should be; or
** TM_NONE when the array stays a value. That depends on the array alone,
** never on what the path held before: an array of primitives stays JSON
** text (unless arrays=child) even where other records had objects, so a
** record flattens the same in the schema pass and in every later scan.
*/
static uint32_t flat_array_table(tm_flat *f, uint32_t node, const tm_tok *arr) {
  tm_schema *s = f->s;
  if (s->nodes[node].flags & TM_N_MAP) return TM_NONE;
  if (!(arr->flags & TM_F_HASOBJ) && s->cfg.arrays != TM_ARRAYS_CHILD) return TM_NONE;
  uint32_t t = s->nodes[node].child;   /* inline: every array of a scan asks */
  return t != TM_NONE || s->frozen ? t : tm_schema_table(s, node);
}

/* Is t an array that arrays=skip drops (one without objects, not deeper
** than max_depth)? */
static int flat_dropped(const tm_schema *s, const tm_tok *t, int deep) {
  return t->kind == TM_ARR && !deep && s->cfg.arrays == TM_ARRAYS_SKIP &&
         !(t->flags & TM_F_HASOBJ);
}

/* One member's value (tape index v, nesting depth) at node, in row r. */
static void flat_field(tm_flat *f, uint32_t r, uint32_t node, uint32_t v,
                       uint32_t depth) {
  const tm_tok *t = &f->tok[v];
  int deep = depth > (uint32_t)f->s->cfg.max_depth;
  if (t->kind == TM_OBJ) {
    if (t->end == v + 1) return;                 /* {} adds nothing */
    if (!deep && (f->s->nodes[node].flags & TM_N_MAP)) {
      flat_defer(f, r, node, v, depth);
      return;
    }
    if (!deep) {
      flat_fields(f, r, node, v, depth);
      return;
    }
  } else if (t->kind == TM_ARR) {
    if (t->end == v + 1) return;                 /* [] adds nothing */
    if (!deep && flat_array_table(f, node, t) != TM_NONE) {
      flat_defer(f, r, node, v, depth);
      return;
    }
    if (flat_dropped(f->s, t, deep)) return;
  }
  flat_put(f, r, node, v);
}

/*
** The child of node with key [key, key+len). *hint is the previous key
** found in the same object (TM_NONE at its first key). The guess is the key
** that followed *hint last time (or came first last time): records that
** share a shape, optional keys and all, find each key there without hashing.
** A frozen schema is only read.
*/
static uint32_t flat_child(tm_flat *f, uint32_t node, const char *key, size_t len,
                           uint32_t *hint) {
  const tm_schema *s = f->s;
  uint32_t prev = *hint;
  uint32_t guess = prev == TM_NONE ? f->node[node].lead : f->node[prev].after;
  if (guess == TM_NONE)
    guess = prev == TM_NONE ? s->nodes[node].first : s->nodes[prev].next;
  if (guess != TM_NONE && tm_schema_key_is(s, guess, key, len)) return *hint = guess;
  uint32_t id = s->frozen ? tm_schema_find_child(s, node, key, len)
                          : tm_schema_child(f->s, node, key, len);
  if (id == TM_NONE || flat_nodes_room(f)) return TM_NONE;
  if (prev == TM_NONE) f->node[node].lead = id;
  else f->node[prev].after = id;
  return *hint = id;
}

/* The node for a key met again in the same object (its 2nd, 3rd... use). */
static uint32_t flat_repeat(tm_flat *f, uint32_t c, uint64_t stamp) {
  while (c != TM_NONE && f->node[c].stamp == stamp) {
    c = f->s->frozen ? f->s->nodes[c].dup : tm_schema_dup(f->s, c);
    if (flat_nodes_room(f)) return TM_NONE;
  }
  return c;
}

/*
** The members of the object at tape index o, whose path is `node`, into row
** r. A row whose cells nobody wants is walked only where tables hang.
*/
static void flat_fields(tm_flat *f, uint32_t r, uint32_t node, uint32_t o,
                        uint32_t depth) {
  const tm_schema *s = f->s;
  const tm_tok *tok = f->tok;
  uint64_t stamp = ++f->stamp;
  uint32_t hint = TM_NONE, end = tok[o].end;
  int tables_only = s->frozen && !f->rows[r].emit;
  if (flat_nodes_room(f)) return;   /* node may be new (a table's element) */
  for (uint32_t k = o + 1; k < end && !f->nomem; k = flat_skip(tok, k + 1)) {
    uint32_t v = k + 1;
    if (tables_only && tok[v].kind < TM_ARR) continue;
    size_t len;
    const char *key = flat_key_text(f, k, &len);
    uint32_t c = flat_child(f, node, key, len, &hint);
    if (c != TM_NONE && f->node[c].stamp == stamp) c = flat_repeat(f, c, stamp);
    if (c == TM_NONE) {
      if (f->rows[r].emit) flat_extra(f, node, k, v);
      continue;
    }
    f->node[c].stamp = stamp;
    if (f->observe) {
      if (flat_room(f, (void **)&f->seen, &f->capseen, sizeof(uint32_t), f->nseen))
        return;
      f->seen[f->nseen++] = c;
    }
    if (!tables_only || (s->nodes[c].flags & TM_N_TABLES))
      flat_field(f, r, c, v, depth + 1);
  }
}

/* Expand the child table noted in p: one row per element or member. */
static void flat_table(tm_flat *f, flat_pending p) {
  const tm_tok *tok = f->tok;
  uint32_t t = f->s->nodes[p.node].child;
  uint32_t elem = f->s->tables[t].elem;
  int map = tok[p.tok].kind == TM_OBJ;
  uint64_t index = 0;
  for (uint32_t e = p.tok + 1; e < tok[p.tok].end && !f->nomem; index++) {
    uint32_t v = map ? e + 1 : e;
    uint32_t r = flat_new_row(f, t, p.row, index);
    if (r == TM_NONE) return;
    if (map) f->rows[r].key = e;
    flat_element(f, r, elem, v, p.depth + 1);
    e = flat_skip(tok, v);
  }
}

/*
** Fill row r from the value at v, the element of its table (a record, an
** array element, a map member's value); then expand its child tables.
*/
static void flat_element(tm_flat *f, uint32_t r, uint32_t elem, uint32_t v,
                         uint32_t depth) {
  uint32_t mark = f->npend;
  const tm_tok *t = &f->tok[v];
  int deep = depth > (uint32_t)f->s->cfg.max_depth;
  int empty = t->kind >= TM_ARR && t->end == v + 1;   /* [] or {} */
  /* An empty value leaves the row with no value (as for a field); a map's
     member is a field, and loses what a field loses. */
  if (empty ||
      (flat_dropped(f->s, t, deep) && f->s->tables[f->s->nodes[elem].table].is_map))
    ;
  else if (t->kind != TM_OBJ || deep) flat_put(f, r, elem, v);
  else if (f->s->nodes[elem].flags & TM_N_MAP) flat_defer(f, r, elem, v, depth);
  else flat_fields(f, r, elem, v, depth);
  f->rows[r].ncells = f->ncells - f->rows[r].cell;
  f->rows[r].nextra = f->nextras - f->rows[r].extra;
  for (uint32_t i = mark; i < f->npend && !f->nomem; i++) flat_table(f, f->pend[i]);
  f->npend = mark;
}

/* Forget the last attempt at the current record. */
static void flat_reset(tm_flat *f) {
  for (uint32_t i = 0; i < f->ntouched; i++) f->local[f->touched[i]] = 0;
  f->ntouched = f->nrows = f->ncells = f->nextras = f->npend = 0;
  f->nseen = f->nexpanded = 0;
}

/* Count the record's rows and values into the schema's statistics. */
static void flat_observe(tm_flat *f) {
  tm_schema *s = f->s;
  for (uint32_t i = 0; i < f->nrows; i++) {
    const tm_row *row = &f->rows[i];
    tm_table *t = &s->tables[row->table];
    t->rows++;
    if (row->key != TM_NONE) {
      t->cols[0].types |= 1u << TM_STR;
      t->cols[0].count++;
    }
    for (uint32_t c = row->cell; c < row->cell + row->ncells; c++) {
      unsigned kind = f->tok[f->cells[c].tok].kind;
      tm_column *col = &t->cols[f->cells[c].col];
      col->types |= 1u << kind;
      col->count += kind != TM_NULL;
    }
  }
  for (uint32_t i = 0; i < f->nseen; i++) s->nodes[f->seen[i]].seen++;
  for (uint32_t i = 0; i < f->nexpanded; i++) s->nodes[f->expanded[i]].expanded++;
}

/*
** The tape index of the natural id (the first top-level member named f->id)
** of the record, or TM_NONE if there is none or it is null or not a scalar.
*/
static uint32_t flat_natural(tm_flat *f) {
  const tm_tok *tok = f->tok;
  if (tok[0].kind != TM_OBJ) return TM_NONE;
  for (uint32_t k = 1; k < tok[0].end && !f->nomem; k = flat_skip(tok, k + 1)) {
    size_t len;
    const char *key = flat_key_text(f, k, &len);
    if (len != f->idlen || memcmp(key, f->id, len) != 0) continue;
    return tok[k + 1].kind == TM_NULL || tok[k + 1].kind >= TM_ARR ? TM_NONE : k + 1;
  }
  return TM_NONE;
}

int tm_flat_record(tm_flat *f, const tm_record *rec) {
  tm_schema *s = f->s;
  f->tok = rec->tape->tok;
  f->text = rec->text;
  uint32_t natural = TM_NONE;
  if (f->id && (natural = flat_natural(f)) == TM_NONE)
    return f->nomem ? -1 : -2;   /* rejected before it leaves any trace */
  do {
    flat_reset(f);
    uint32_t r = flat_new_row(f, 0, TM_NONE, 0);
    if (r != TM_NONE) flat_element(f, r, s->tables[0].elem, 0, 1);
    if (f->nomem || s->nomem) return -1;
  } while (!s->frozen && tm_schema_settle(s));
  if (s->nomem) return -1;
  f->rows[0].natural = natural;
  for (uint32_t i = 0; i < f->ntouched; i++) {
    uint32_t t = f->touched[i];
    f->ids[t] += f->local[t];
    f->local[t] = 0;
  }
  f->ntouched = 0;
  if (f->observe) flat_observe(f);
  return 0;
}

tm_flat *tm_flat_new(tm_schema *s, uint32_t want, int cells, int observe) {
  tm_flat *f = calloc(1, sizeof *f);
  if (!f) return NULL;
  f->s = s;
  f->want = want;
  f->want_cells = cells;
  f->observe = observe;
  return f;
}

void tm_flat_want(tm_flat *f, uint32_t want, int cells) {
  f->want = want;
  f->want_cells = cells;
}

void tm_flat_natural_id(tm_flat *f, const char *field) {
  f->id = field;
  f->idlen = field ? strlen(field) : 0;
}

void tm_flat_free(tm_flat *f) {
  if (!f) return;
  free(f->ids);
  free(f->local);
  free(f->touched);
  free(f->rows);
  free(f->cells);
  free(f->extras);
  free(f->pend);
  free(f->seen);
  free(f->expanded);
  free(f->node);
  free(f->key);
  free(f);
}

const tm_row *tm_flat_rows(const tm_flat *f, uint32_t *n) {
  *n = f->nrows;
  return f->rows;
}

const tm_cell *tm_flat_cells(const tm_flat *f) { return f->cells; }

void tm_flat_view(const tm_flat *f, const tm_record *rec, tm_rows *v) {
  v->rec = rec;
  v->row = f->rows;
  v->nrows = f->nrows;
  v->cells = f->cells;
  v->ncells = f->ncells;
  v->extras = f->extras;
  v->nextras = f->nextras;
}

void tm_flat_set_counts(tm_flat *f, const uint64_t *counts, uint32_t n) {
  if (flat_tables_room(f)) return;
  for (uint32_t t = 0; t < f->ntab; t++) {
    f->ids[t] = t < n ? counts[t] : 0;
    f->local[t] = 0;
  }
  f->ntouched = 0;
}

uint64_t tm_flat_count(const tm_flat *f, uint32_t t) {
  return t < f->ntab ? f->ids[t] + f->local[t] : 0;
}
