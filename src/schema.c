/*
** schema.c: the catalogue declared in schema.h.
**
** Everything lives in flat arrays addressed by index (nodes, tables, each
** table's columns, and two byte arenas for keys and names), so the whole
** catalogue can be written to the cache and read back as it is. Two open
** addressing hash tables sit beside them: (parent node, key) -> node, and the
** set of names taken in each table, compared without ASCII case as SQLite
** compares identifiers.
*/
#define _POSIX_C_SOURCE 200809L   /* strdup */
#include "schema.h"

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "json.h"
#include "jsonout.h"

#define SCOPE_TABLES (UINT32_MAX - 1)   /* name scope of the table names */

struct tm_name_slot {
  uint32_t scope;   /* table id, or SCOPE_TABLES */
  uint32_t name;    /* offset in names, TM_NONE when empty */
  uint32_t hash;
};

const char *const tm_meta_names[TM_META_COUNT] = {"_id", "_parent_id", "_root_id",
                                                  "_index", "_extra"};

/* FNV-1a over n bytes, continuing from h. */
static uint32_t schema_fnv(const char *p, size_t n, uint32_t h) {
  for (size_t i = 0; i < n; i++) h = (h ^ (uint8_t)p[i]) * 16777619u;
  return h;
}

/* ASCII lowercase, as SQLite folds identifiers. */
static char schema_lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + 32) : c; }

/* Hash of a name with ASCII case folded. */
static uint32_t schema_fold_hash(const char *name, uint32_t scope) {
  uint32_t h = 2166136261u ^ scope;
  for (; *name; name++) h = (h ^ (uint8_t)schema_lower(*name)) * 16777619u;
  return h;
}

/* Equal names, ignoring ASCII case. */
static int schema_fold_eq(const char *a, const char *b) {
  for (; *a && schema_lower(*a) == schema_lower(*b); a++, b++) {}
  return *a == *b;
}

/* Grow an array to hold at least `need` elements. Returns 0 or -1. */
static int schema_reserve(tm_schema *s, void **arr, uint32_t *cap, size_t size,
                          size_t need) {
  if (need <= *cap) return 0;
  size_t c = *cap;
  void *p = need <= UINT32_MAX ? tm_grow(*arr, &c, need, size) : NULL;
  if (!p) {
    s->nomem = 1;
    return -1;
  }
  *arr = p;
  *cap = c > UINT32_MAX ? UINT32_MAX : (uint32_t)c;
  return 0;
}

/* Grow a byte arena to hold `need` bytes. */
static int schema_reserve_bytes(tm_schema *s, char **arr, size_t *cap, size_t need) {
  char *p = tm_grow(*arr, cap, need, 1);
  if (!p) {
    s->nomem = 1;
    return -1;
  }
  *arr = p;
  return 0;
}

/* Is `name` taken in `scope`? */
static int schema_taken(const tm_schema *s, uint32_t scope, const char *name) {
  if (s->takencap == 0) return 0;
  uint32_t h = schema_fold_hash(name, scope), mask = s->takencap - 1;
  for (uint32_t i = h & mask;; i = (i + 1) & mask) {
    const struct tm_name_slot *e = &s->taken[i];
    if (e->name == TM_NONE) return 0;
    if (e->hash == h && e->scope == scope && schema_fold_eq(s->names + e->name, name))
      return 1;
  }
}

/* Insert into the taken-name set, doubling it when half full. */
static int schema_take(tm_schema *s, uint32_t scope, uint32_t name) {
  if ((s->ntaken + 1) * 2 > s->takencap) {
    uint32_t oldcap = s->takencap, cap = oldcap ? oldcap * 2 : 64;
    struct tm_name_slot *old = s->taken, *t = malloc(cap * sizeof *t);
    if (!t) {
      s->nomem = 1;
      return -1;
    }
    for (uint32_t i = 0; i < cap; i++) t[i].name = TM_NONE;
    s->taken = t;
    s->takencap = cap;
    s->ntaken = 0;
    for (uint32_t i = 0; i < oldcap; i++)
      if (old[i].name != TM_NONE) schema_take(s, old[i].scope, old[i].name);
    free(old);
  }
  uint32_t h = schema_fold_hash(s->names + name, scope), mask = s->takencap - 1;
  uint32_t i = h & mask;
  /* every slot was set (to TM_NONE or a name): the analyzer loses the loop
  ** NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult) */
  while (s->taken[i].name != TM_NONE) i = (i + 1) & mask;
  s->taken[i].scope = scope;
  s->taken[i].name = name;
  s->taken[i].hash = h;
  s->ntaken++;
  return 0;
}

/*
** Store a name unique in `scope`: base itself, or base_2, base_3, ... if it
** is taken. Returns its offset in the names arena, or TM_NONE on OOM.
*/
static uint32_t schema_name(tm_schema *s, uint32_t scope, const char *base) {
  size_t blen = strlen(base);
  if (schema_reserve_bytes(s, &s->names, &s->capnamebytes, s->nnamebytes + blen + 24))
    return TM_NONE;
  char *dst = s->names + s->nnamebytes;
  memcpy(dst, base, blen + 1);
  for (unsigned k = 2; schema_taken(s, scope, dst); k++) {
    char num[16];
    int n = 0;
    for (unsigned v = k; v; v /= 10) num[n++] = (char)('0' + v % 10);
    char *o = dst + blen;
    *o++ = '_';
    while (n) *o++ = num[--n];
    *o = 0;
  }
  uint32_t off = (uint32_t)s->nnamebytes;
  s->nnamebytes += strlen(dst) + 1;
  if (schema_take(s, scope, off)) return TM_NONE;
  return off;
}

/* Hash of a key under a parent node. */
static uint32_t schema_key_hash(uint32_t parent, const char *key, size_t len) {
  return schema_fnv(key, len, 2166136261u ^ (parent * 2654435761u));
}

/* Put a node in the (parent, key) index. The index is at most half full. */
static void schema_index_put(tm_schema *s, uint32_t id) {
  uint32_t mask = s->indexcap - 1, i = s->nodes[id].hash & mask;
  while (s->index[i] != TM_NONE) i = (i + 1) & mask;
  s->index[i] = id;
}

/* Rebuild the index with room for `want` entries (live keyed nodes only). */
static int schema_index_rebuild(tm_schema *s, uint32_t want) {
  uint32_t cap = 256;
  while (cap < want * 2) cap *= 2;
  uint32_t *idx = malloc(cap * sizeof *idx);
  if (!idx) {
    s->nomem = 1;
    return -1;
  }
  free(s->index);
  s->index = idx;
  s->indexcap = cap;
  for (uint32_t i = 0; i < cap; i++) idx[i] = TM_NONE;
  for (uint32_t id = 0; id < s->nnodes; id++) {
    const tm_node *n = &s->nodes[id];
    if (n->parent != TM_NONE && !(n->flags & (TM_N_DEAD | TM_N_DUP)))
      schema_index_put(s, id);
  }
  return 0;
}

/*
** Append a node; it is linked and indexed by the caller. The key may point
** into the key arena itself (a merge copies keys), which may move.
*/
static uint32_t schema_new_node(tm_schema *s, uint32_t parent, uint32_t table,
                                const char *key, size_t len, uint32_t hash) {
  int inside = s->keys && key >= s->keys && key < s->keys + s->nkeybytes;
  size_t keyoff = inside ? (size_t)(key - s->keys) : 0;
  if (schema_reserve(s, (void **)&s->nodes, &s->capnodes, sizeof(tm_node),
                     (size_t)s->nnodes + 1) ||
      schema_reserve_bytes(s, &s->keys, &s->capkeybytes, s->nkeybytes + len + 1))
    return TM_NONE;
  if (inside) key = s->keys + keyoff;
  uint32_t id = s->nnodes++;
  tm_node *n = &s->nodes[id];
  memset(n, 0, sizeof *n);
  n->parent = parent;
  n->table = table;
  n->key = (uint32_t)s->nkeybytes;
  n->keylen = (uint32_t)len;
  n->hash = hash;
  n->col = -1;
  n->child = n->first = n->last = n->next = n->dup = TM_NONE;
  /* a key of len > 0 lies in a record or in the arena, never at NULL:
  ** NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker) */
  if (len) memcpy(s->keys + s->nkeybytes, key, len);   /* key may be NULL then */
  s->nkeybytes += len;
  return id;
}

/* Link a new node as the last child of its parent. */
static void schema_link(tm_schema *s, uint32_t id) {
  tm_node *p = &s->nodes[s->nodes[id].parent];
  if (p->last == TM_NONE) p->first = id;
  else s->nodes[p->last].next = id;
  p->last = id;
  p->nkeys++;
}

/* Create a table and its element node. Returns the table id. */
static uint32_t schema_new_table(tm_schema *s, uint32_t parent, uint32_t owner,
                                 const char *name, int is_map) {
  if (schema_reserve(s, (void **)&s->tables, &s->captables, sizeof(tm_table),
                     (size_t)s->ntables + 1))
    return TM_NONE;
  uint32_t id = s->ntables;
  uint32_t nm = schema_name(s, SCOPE_TABLES, name);
  uint32_t elem = schema_new_node(s, TM_NONE, id, "", 0, 0);
  if (nm == TM_NONE || elem == TM_NONE) return TM_NONE;
  s->ntables++;
  tm_table *t = &s->tables[id];
  memset(t, 0, sizeof *t);
  t->name = nm;
  t->parent = parent;
  t->owner = owner;
  t->elem = elem;
  t->is_map = (uint8_t)is_map;
  for (int i = 0; i < TM_META_COUNT; i++)
    if (schema_name(s, id, tm_meta_names[i]) == TM_NONE) return TM_NONE;
  return id;
}

/* Store column c's `,"name":` for tm_schema_member. Returns 0 or -1. */
static int schema_member(tm_schema *s, tm_column *c) {
  const char *name = s->names + c->name;
  size_t at = s->members.n;
  tm_buf_putc(&s->members, ',');
  tm_jsonout_string(&s->members, name, strlen(name));
  tm_buf_putc(&s->members, ':');
  if (s->members.nomem) {
    s->nomem = 1;
    return -1;
  }
  c->member = (uint32_t)at;
  c->memberlen = (uint32_t)(s->members.n - at);
  return 0;
}

/* Append a column named `name` (made unique) to table t. Returns its index. */
static int32_t schema_new_column(tm_schema *s, uint32_t t, uint32_t node,
                                 const char *name) {
  uint32_t nm = schema_name(s, t, name);
  tm_table *tb = &s->tables[t];
  if (nm == TM_NONE || schema_reserve(s, (void **)&tb->cols, &tb->capcols,
                                      sizeof(tm_column), (size_t)tb->ncols + 1))
    return -1;
  tm_column *c = &tb->cols[tb->ncols];
  memset(c, 0, sizeof *c);
  c->name = nm;
  c->node = node;
  if (schema_member(s, c)) return -1;
  return (int32_t)tb->ncols++;
}

tm_schema *tm_schema_new(const tm_schema_config *cfg) {
  tm_schema *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->cfg = *cfg;
  s->cfg.name = strdup(cfg->name);
  s->cfg.sep = strdup(cfg->sep);
  if (!s->cfg.name || !s->cfg.sep || schema_index_rebuild(s, 0) ||
      schema_new_table(s, TM_NONE, TM_NONE, cfg->name, 0) != 0) {
    tm_schema_free(s);
    return NULL;
  }
  return s;
}

void tm_schema_free(tm_schema *s) {
  if (!s) return;
  for (uint32_t i = 0; s->tables && i < s->ntables; i++) free(s->tables[i].cols);
  free(s->tables);
  free(s->nodes);
  free(s->keys);
  free(s->names);
  tm_buf_free(&s->members);
  free(s->index);
  free(s->taken);
  free((char *)s->cfg.name);
  free((char *)s->cfg.sep);
  free(s);
}

void tm_schema_freeze(tm_schema *s) { s->frozen = 1; }

/* The node with this key under parent, through the hash index. */
static uint32_t schema_find(const tm_schema *s, uint32_t parent, const char *key,
                            size_t len, uint32_t h) {
  uint32_t mask = s->indexcap - 1;
  for (uint32_t i = h & mask;; i = (i + 1) & mask) {
    uint32_t id = s->index[i];
    if (id == TM_NONE) return TM_NONE;
    if (s->nodes[id].hash == h && s->nodes[id].parent == parent &&
        tm_schema_key_is(s, id, key, len))
      return id;
  }
}

uint32_t tm_schema_find_child(const tm_schema *s, uint32_t parent, const char *key,
                              size_t len) {
  return schema_find(s, parent, key, len, schema_key_hash(parent, key, len));
}

uint32_t tm_schema_child(tm_schema *s, uint32_t parent, const char *key, size_t len) {
  uint32_t h = schema_key_hash(parent, key, len);
  uint32_t id = schema_find(s, parent, key, len, h);
  if (id != TM_NONE || s->frozen) return id;
  if ((s->nnodes + 1) * 2 > s->indexcap && schema_index_rebuild(s, s->nnodes + 1))
    return TM_NONE;
  id = schema_new_node(s, parent, s->nodes[parent].table, key, len, h);
  if (id == TM_NONE) return TM_NONE;
  schema_link(s, id);
  schema_index_put(s, id);
  return id;
}

uint32_t tm_schema_dup(tm_schema *s, uint32_t node) {
  tm_node *n = &s->nodes[node];
  if (n->dup != TM_NONE || s->frozen) return n->dup;
  uint32_t id =
      schema_new_node(s, n->parent, n->table, s->keys + n->key, n->keylen, n->hash);
  if (id == TM_NONE) return TM_NONE;
  s->nodes[id].flags |= TM_N_DUP;
  s->nodes[node].dup = id;
  s->nodes[s->nodes[id].parent].nkeys++;
  return id;
}

/*
** Append the keys from node up to (not including) `stop` or its table's
** element node, top first, joined by the separator; a NUL is spelled \u0000
** (names are C strings). Filled backwards from the end of the room reserved,
** walking up (a loop: a loaded schema's chains may be long), then moved down.
*/
static void schema_put_keys(tm_buf *o, const tm_schema *s, uint32_t node, uint32_t stop) {
  size_t seplen = strlen(s->cfg.sep), len = 0;
  for (uint32_t n = node; n != stop && s->nodes[n].parent != TM_NONE;
       n = s->nodes[n].parent)
    len += (size_t)s->nodes[n].keylen * 6 + seplen;   /* a NUL becomes 6 bytes */
  if (!len || tm_buf_reserve(o, len)) return;
  char *end = o->p + o->n + len, *w = end;
  for (uint32_t n = node; n != stop && s->nodes[n].parent != TM_NONE;
       n = s->nodes[n].parent) {
    const tm_node *nd = &s->nodes[n];
    if (n != node) {
      w -= seplen;
      memcpy(w, s->cfg.sep, seplen);
    }
    for (uint32_t i = nd->keylen; i-- > 0;) {
      char c = s->keys[nd->key + i];
      if (c) {
        *--w = c;
      } else {
        w -= 6;
        memcpy(w, "\\u0000", 6);
      }
    }
  }
  memmove(o->p + o->n, w, (size_t)(end - w));
  o->n += (size_t)(end - w);
}

void tm_schema_put_path(tm_buf *o, const tm_schema *s, uint32_t node) {
  if (s->nodes[node].parent == TM_NONE) tm_buf_put(o, "value", 5);
  else schema_put_keys(o, s, node, TM_NONE);
}

/* The NUL-terminated content of o, which the caller frees (NULL if o ran
** out of memory). */
static char *schema_string(tm_buf *o) {
  tm_buf_putc(o, 0);
  if (o->nomem) {
    tm_buf_free(o);
    return NULL;
  }
  return o->p;
}

char *tm_schema_path(const tm_schema *s, uint32_t node) {
  tm_buf o = {0};
  tm_schema_put_path(&o, s, node);
  return schema_string(&o);
}

int32_t tm_schema_column(tm_schema *s, uint32_t node) {
  tm_node *n = &s->nodes[node];
  if (n->col >= 0 || s->frozen || (n->flags & TM_N_EXTRA)) return n->col;
  uint32_t t = n->table;
  if (s->tables[t].full) {   /* schema_fill_up gave it an _extra already */
    n->flags |= TM_N_EXTRA;
    return -1;
  }
  char *name = tm_schema_path(s, node);
  int32_t col = name ? schema_new_column(s, t, node, name) : -1;
  free(name);
  if (col >= 0) s->nodes[node].col = col;
  return col;
}

/* Mark node and its ancestors, across parent tables, as leading to a table. */
static void schema_mark_tables(tm_schema *s, uint32_t node) {
  while (node != TM_NONE && !(s->nodes[node].flags & TM_N_TABLES)) {
    s->nodes[node].flags |= TM_N_TABLES;
    uint32_t up = s->nodes[node].parent;
    if (up == TM_NONE) up = s->tables[s->nodes[node].table].owner;
    node = up;
  }
}

/* Create the child table at node (an array path, or a map object). */
static uint32_t schema_add_table(tm_schema *s, uint32_t node, int is_map) {
  uint32_t parent = s->nodes[node].table;
  const char *pname = s->names + s->tables[parent].name;
  tm_buf o = {0};   /* <parent><sep><path>, the path "members" for a map of rows */
  tm_buf_put(&o, pname, strlen(pname));
  tm_buf_put(&o, s->cfg.sep, strlen(s->cfg.sep));
  if (s->nodes[node].parent == TM_NONE) tm_buf_put(&o, "members", 7);
  else schema_put_keys(&o, s, node, TM_NONE);
  char *name = schema_string(&o);
  uint32_t t = name ? schema_new_table(s, parent, node, name, is_map) : TM_NONE;
  if (!name) s->nomem = 1;
  free(name);
  if (t == TM_NONE) return TM_NONE;
  if (is_map && schema_new_column(s, t, TM_NONE, "key") < 0) return TM_NONE;
  s->nodes[node].child = t;
  s->tables[parent].nchild++;
  schema_mark_tables(s, node);
  return t;
}

uint32_t tm_schema_table(tm_schema *s, uint32_t node) {
  if (s->nodes[node].child != TM_NONE || s->frozen) return s->nodes[node].child;
  return schema_add_table(s, node, 0);
}

/* Columns plus child tables: what max_columns limits. */
static uint32_t schema_width(const tm_schema *s, uint32_t t) {
  return s->tables[t].ncols + s->tables[t].nchild;
}

/* Add statistics of values now flattened at node to its column, made if
** needed; nothing when node's values go to _extra. */
static void schema_add_stats(tm_schema *s, uint32_t node, uint32_t types,
                             uint64_t count) {
  if (!types) return;
  int32_t c = tm_schema_column(s, node);
  if (c < 0) return;
  tm_column *col = &s->tables[s->nodes[node].table].cols[c];
  col->types |= types;
  col->count += count;
}

/* Count n member rows into map table t (their keys are strings). */
static void schema_add_members(tm_schema *s, uint32_t t, uint64_t n) {
  if (!n) return;
  s->tables[t].rows += n;
  s->tables[t].cols[0].types |= 1u << TM_STR;
  s->tables[t].cols[0].count += n;
}

/* Drop column c of table t, renumbering the columns after it. */
static void schema_drop_column(tm_schema *s, uint32_t t, uint32_t c) {
  tm_table *tb = &s->tables[t];
  for (uint32_t i = c + 1; i < tb->ncols; i++) {
    tb->cols[i - 1] = tb->cols[i];
    if (tb->cols[i - 1].node != TM_NONE)
      s->nodes[tb->cols[i - 1].node].col = (int32_t)(i - 1);
  }
  tb->ncols--;
}

/* From now on node's values go to its table's _extra (as values that were
** in _extra where they come from): its column, if any, goes. */
static void schema_to_extra(tm_schema *s, uint32_t node) {
  tm_node *n = &s->nodes[node];
  n->flags |= TM_N_EXTRA;
  if (n->col >= 0) schema_drop_column(s, n->table, (uint32_t)n->col);
  s->nodes[node].col = -1;
  s->tables[s->nodes[node].table].has_extra = 1;
}

/* Does an array at node stay JSON text in its column (at a table's element
** node and at a map: see flat_element and flat_array_table)? */
static int schema_arrays_stay(const tm_schema *s, uint32_t node) {
  return s->nodes[node].parent == TM_NONE || (s->nodes[node].flags & TM_N_MAP);
}

static void schema_kill_table(tm_schema *s, uint32_t t);
static void schema_move(tm_schema *s, uint32_t src, uint32_t dst);

/* The map table at node, which becomes a map unless it is one already. */
static uint32_t schema_map_at(tm_schema *s, uint32_t node);

/*
** Move what src's values made into dst, where they are flattened from now
** on: src is a node of an object that became a map (or a node below it),
** dst a node of its map table. Every count comes out as flattening the
** same values at dst gives (flat_field, flat_element, flat_table), so the
** catalogue stays equal to the rows of the records read before; and every
** node, column and table those rows need is made. Src keeps its counts
** (it dies with its map's old subtree).
*/
static void schema_move(tm_schema *s, uint32_t src, uint32_t dst) {
  const tm_node sn = s->nodes[src];   /* a copy: nodes may move in memory */
  s->nodes[dst].seen += sn.seen;
  if (sn.flags & TM_N_EXTRA) schema_to_extra(s, dst);
  else if (sn.col >= 0) {
    const tm_column *c = &s->tables[sn.table].cols[sn.col];
    schema_add_stats(s, dst, c->types, c->count);
  }
  uint32_t st = sn.child;
  if (st != TM_NONE && !s->tables[st].is_map && schema_arrays_stay(s, dst)) {
    schema_add_stats(s, dst, sn.expanded ? 1u << TM_ARR : 0, sn.expanded);
  } else if (st != TM_NONE) {
    int map = s->tables[st].is_map;
    uint32_t dt = map ? schema_map_at(s, dst) : tm_schema_table(s, dst);
    if (dt == TM_NONE) return;
    if (map) schema_add_members(s, dt, s->tables[st].rows);
    else s->tables[dt].rows += s->tables[st].rows;
    s->nodes[dst].expanded += sn.expanded;
    schema_move(s, s->tables[st].elem, s->tables[dt].elem);
  }
  for (uint32_t c = sn.first; c != TM_NONE; c = s->nodes[c].next) {
    uint32_t d = TM_NONE;
    for (uint32_t cd = c; cd != TM_NONE; cd = s->nodes[cd].dup) {
      if (s->nodes[dst].flags & TM_N_MAP) {   /* members of a map are rows */
        uint32_t dt = s->nodes[dst].child;
        schema_add_members(s, dt, s->nodes[cd].seen);
        schema_move(s, cd, s->tables[dt].elem);
        continue;
      }
      d = d == TM_NONE
              ? tm_schema_child(s, dst, s->keys + s->nodes[c].key, s->nodes[c].keylen)
              : tm_schema_dup(s, d);
      if (d == TM_NONE) return;
      schema_move(s, cd, d);
    }
  }
}

/* Mark everything below node dead, with the tables hanging there. */
static void schema_kill(tm_schema *s, uint32_t node) {
  for (uint32_t c = s->nodes[node].first; c != TM_NONE; c = s->nodes[c].next) {
    for (uint32_t cd = c; cd != TM_NONE; cd = s->nodes[cd].dup) {
      s->nodes[cd].flags |= TM_N_DEAD;
      s->nodes[cd].col = -1;   /* its column goes (schema_compact_columns) */
      if (s->nodes[cd].child != TM_NONE) schema_kill_table(s, s->nodes[cd].child);
      schema_kill(s, cd);
    }
  }
}

/* Mark table t dead, with everything in it and below it. */
static void schema_kill_table(tm_schema *s, uint32_t t) {
  uint32_t elem = s->tables[t].elem;
  s->tables[t].dead = 1;
  s->tables[s->nodes[s->tables[t].owner].table].nchild--;
  if (s->nodes[elem].child != TM_NONE) schema_kill_table(s, s->nodes[elem].child);
  schema_kill(s, elem);
}

/* Drop the columns of dead nodes from table t and renumber the rest. */
static void schema_compact_columns(tm_schema *s, uint32_t t) {
  tm_table *tb = &s->tables[t];
  uint32_t k = 0;
  for (uint32_t i = 0; i < tb->ncols; i++) {
    uint32_t nd = tb->cols[i].node;
    if (nd != TM_NONE && (s->nodes[nd].flags & TM_N_DEAD)) continue;
    tb->cols[k] = tb->cols[i];
    if (nd != TM_NONE) s->nodes[nd].col = (int32_t)k;
    k++;
  }
  tb->ncols = k;
}

/*
** Turn the object at node into a map: its members become rows. An array
** table at node goes first: at a map, arrays stay JSON text.
*/
static void schema_make_map(tm_schema *s, uint32_t node) {
  uint32_t at = s->nodes[node].child;
  if (at != TM_NONE) {
    uint64_t n = s->nodes[node].expanded;
    schema_kill_table(s, at);
    s->nodes[node].child = TM_NONE;
    s->nodes[node].expanded = 0;
    schema_add_stats(s, node, n ? 1u << TM_ARR : 0, n);
  }
  uint32_t mt = schema_add_table(s, node, 1);
  if (mt == TM_NONE) return;
  s->nodes[node].flags |= TM_N_MAP;
  s->maps++;
  uint32_t elem = s->tables[mt].elem;
  for (uint32_t c = s->nodes[node].first; c != TM_NONE; c = s->nodes[c].next)
    for (uint32_t cd = c; cd != TM_NONE; cd = s->nodes[cd].dup) {
      schema_add_members(s, mt, s->nodes[cd].seen);
      schema_move(s, cd, elem);
    }
  schema_kill(s, node);
  s->nodes[node].first = s->nodes[node].last = TM_NONE;
  s->nodes[node].nkeys = 0;
  for (uint32_t i = 0; i < s->ntables; i++)
    if (!s->tables[i].dead) schema_compact_columns(s, i);
  schema_index_rebuild(s, s->nnodes);
}

/* The map table of the object at node, made a map first if it is not. */
static uint32_t schema_map_at(tm_schema *s, uint32_t node) {
  if (!(s->nodes[node].flags & TM_N_MAP)) schema_make_map(s, node);
  return s->nodes[node].flags & TM_N_MAP ? s->nodes[node].child : TM_NONE;
}

/*
** The object node in table t with the most distinct keys (at least two),
** other than nodes that already hold a child table; TM_NONE if none. The
** element node itself may win: then the rows' own members become rows of
** the child table <table>_members (a file that is one big map).
*/
static uint32_t schema_widest(const tm_schema *s, uint32_t t) {
  uint32_t best = TM_NONE, most = 1;
  for (uint32_t id = 0; id < s->nnodes; id++) {
    const tm_node *n = &s->nodes[id];
    if (n->table != t || n->child != TM_NONE || (n->flags & (TM_N_DEAD | TM_N_MAP)) ||
        n->nkeys <= most)
      continue;
    best = id;
    most = n->nkeys;
  }
  return best;
}

/* Table t is full: its columns past max_columns move to _extra (a map
** table's key column stays: it names the rows). */
static void schema_fill_up(tm_schema *s, uint32_t t) {
  tm_table *tb = &s->tables[t];
  uint32_t keep = (uint32_t)s->cfg.max_columns > tb->nchild
                      ? (uint32_t)s->cfg.max_columns - tb->nchild
                      : 0;
  if (tb->is_map && keep < 1) keep = 1;
  for (uint32_t i = keep; i < tb->ncols; i++) {
    uint32_t nd = tb->cols[i].node;
    if (nd == TM_NONE) continue;
    s->nodes[nd].flags |= TM_N_EXTRA;
    s->nodes[nd].col = -1;
  }
  if (tb->ncols > keep) tb->ncols = keep;
  tb->full = 1;
  tb->has_extra = 1;
}

int tm_schema_settle(tm_schema *s) {
  int changed = 0;
  for (uint32_t t = 0; t < s->ntables; t++) {
    while (!s->tables[t].dead && !s->tables[t].full &&
           schema_width(s, t) > (uint32_t)s->cfg.max_columns) {
      uint32_t node = schema_widest(s, t);
      if (node == TM_NONE) schema_fill_up(s, t);
      else schema_make_map(s, node);
      changed = 1;
    }
  }
  return changed;
}

/* Append node's source path to *o (see tm_schema_source). */
static void schema_put_source(tm_buf *o, const tm_schema *s, uint32_t node) {
  const tm_node *n = &s->nodes[node];
  if (n->parent != TM_NONE) {
    schema_put_source(o, s, n->parent);
    if (o->n) tm_buf_putc(o, '.');
    schema_put_keys(o, s, node, n->parent);   /* its own key */
    return;
  }
  const tm_table *t = &s->tables[n->table];
  if (t->parent == TM_NONE) return;
  schema_put_source(o, s, t->owner);
  if (!t->is_map) tm_buf_put(o, "[]", 2);
  else if (o->n) tm_buf_put(o, ".*", 2);
  else tm_buf_putc(o, '*');
}

char *tm_schema_source(const tm_schema *s, uint32_t node) {
  tm_buf o = {0};
  schema_put_source(&o, s, node);
  return schema_string(&o);
}

int tm_schema_on_path(const tm_schema *s, uint32_t t, uint32_t want) {
  if (want == TM_NONE) return 1;
  for (uint32_t u = want; u != TM_NONE; u = s->tables[u].parent)
    if (u == t) return 1;
  return 0;
}

int tm_schema_rebuild(tm_schema *s) {
  for (uint32_t i = 0; i < s->nnodes; i++) {
    tm_node *n = &s->nodes[i];
    n->hash = n->parent == TM_NONE
                  ? 0
                  : schema_key_hash(n->parent, s->keys + n->key, n->keylen);
  }
  for (uint32_t t = 0; t < s->ntables; t++)
    for (uint32_t c = 0; c < s->tables[t].ncols; c++)
      if (schema_member(s, &s->tables[t].cols[c])) return -1;
  return schema_index_rebuild(s, s->nnodes);
}

uint32_t tm_schema_find_table(const tm_schema *s, const char *name) {
  for (uint32_t t = 0; t < s->ntables; t++)
    if (!s->tables[t].dead && schema_fold_eq(s->names + s->tables[t].name, name))
      return t;
  return TM_NONE;
}
