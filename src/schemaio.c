/*
** schemaio.c: the catalogue's cache form, declared in schema.h
** (tm_schema_save, tm_schema_load): bytes out, and checked bytes back in.
**
** The form: a header, the settings, then every array as fixed-width
** native integers, then the two arenas. The hash index and the set of taken
** names are not stored: a loaded schema is frozen, and the index is rebuilt.
*/
#include <stdlib.h>
#include <string.h>

#include "jsonout.h"
#include "schema.h"

/* The form's version ("TSM4"). It changes with the form only: a change of
** the rules is TM_RULES_VERSION's (infer.h), which keys the cache. */
#define SCHEMA_MAGIC  0x344d5354u
#define SCHEMA_ENDIAN 0x01020304u

/* Append integers and strings to the cache form. */
static void save_u32(tm_buf *o, uint32_t v) { tm_buf_put(o, &v, sizeof v); }
static void save_u64(tm_buf *o, uint64_t v) { tm_buf_put(o, &v, sizeof v); }
static void save_str(tm_buf *o, const char *str) {
  uint32_t n = (uint32_t)strlen(str);
  save_u32(o, n);
  tm_buf_put(o, str, n);
}

int tm_schema_save(const tm_schema *s, tm_buf *o) {
  save_u32(o, SCHEMA_MAGIC);
  save_u32(o, SCHEMA_ENDIAN);
  save_str(o, s->cfg.name);
  save_str(o, s->cfg.sep);
  save_u32(o, (uint32_t)s->cfg.arrays);
  save_u32(o, (uint32_t)s->cfg.max_depth);
  save_u32(o, (uint32_t)s->cfg.max_columns);
  save_u32(o, s->nnodes);
  save_u32(o, s->ntables);
  save_u64(o, s->nkeybytes);
  save_u64(o, s->nnamebytes);
  for (uint32_t i = 0; i < s->nnodes; i++) {
    const tm_node *n = &s->nodes[i];
    const uint32_t f[] = {n->parent,        n->table, n->key,   n->keylen,
                          (uint32_t)n->col, n->child, n->first, n->last,
                          n->next,          n->dup,   n->nkeys, n->flags};
    for (size_t k = 0; k < sizeof f / sizeof *f; k++) save_u32(o, f[k]);
    save_u64(o, n->seen);
    save_u64(o, n->expanded);
  }
  for (uint32_t t = 0; t < s->ntables; t++) {
    const tm_table *tb = &s->tables[t];
    const uint32_t f[] = {
        tb->name,
        tb->parent,
        tb->owner,
        tb->elem,
        tb->ncols,
        tb->nchild,
        (uint32_t)(tb->is_map | tb->full << 1 | tb->dead << 2 | tb->has_extra << 3)};
    for (size_t k = 0; k < sizeof f / sizeof *f; k++) save_u32(o, f[k]);
    save_u64(o, tb->rows);
    for (uint32_t c = 0; c < tb->ncols; c++) {
      save_u32(o, tb->cols[c].name);
      save_u32(o, tb->cols[c].node);
      save_u32(o, tb->cols[c].types);
      save_u64(o, tb->cols[c].count);
    }
  }
  tm_buf_put(o, s->keys, s->nkeybytes);
  tm_buf_put(o, s->names, s->nnamebytes);
  return o->nomem ? -1 : 0;
}

/* A bounds-checked reader over the cache form. */
typedef struct schema_rd {
  const uint8_t *p, *e;
  int bad;
} schema_rd;

/* n bytes, or NULL (and bad) if fewer are left. */
static const void *load_bytes(schema_rd *r, uint64_t n) {
  if ((uint64_t)(r->e - r->p) < n) {
    r->bad = 1;
    return NULL;
  }
  const void *p = r->p;
  r->p += n;
  return p;
}

/* Read integers back from the cache form (0 once the bytes run out). */
static uint32_t load_u32(schema_rd *r) {
  uint32_t v = 0;
  const void *p = load_bytes(r, sizeof v);
  if (p) memcpy(&v, p, sizeof v);
  return v;
}
static uint64_t load_u64(schema_rd *r) {
  uint64_t v = 0;
  const void *p = load_bytes(r, sizeof v);
  if (p) memcpy(&v, p, sizeof v);
  return v;
}

/* A malloc'd NUL-terminated copy of a stored string (no NUL inside). */
static char *load_str(schema_rd *r) {
  uint32_t n = load_u32(r);
  const char *p = r->bad ? NULL : load_bytes(r, n);
  if (!p || memchr(p, 0, n)) {
    r->bad = 1;
    return NULL;
  }
  char *s = malloc((size_t)n + 1);
  if (!s) {
    r->bad = 1;
    return NULL;
  }
  memcpy(s, p, n);
  s[n] = 0;
  return s;
}

/* Is x a valid index below n, or TM_NONE when allowed? */
static int schema_ok_ref(uint32_t x, uint32_t n, int none_ok) {
  return x < n || (none_ok && x == TM_NONE);
}

/*
** Check every reference of a loaded schema. The orders in which things are
** created give cheap proofs that no chain loops: a node's parent was made
** before it, a repeated key's node after the first one, a table after its
** parent table.
*/
static int schema_valid(const tm_schema *s) {
  if (s->ntables == 0 || s->nnamebytes == 0 || s->names[s->nnamebytes - 1] != 0 ||
      s->tables[0].parent != TM_NONE)
    return 0;
  for (uint32_t i = 0; i < s->nnodes; i++) {
    const tm_node *n = &s->nodes[i];
    if ((n->parent != TM_NONE && n->parent >= i) || n->table >= s->ntables ||
        (uint64_t)n->key + n->keylen > s->nkeybytes ||
        !schema_ok_ref(n->child, s->ntables, 1) ||
        !schema_ok_ref(n->first, s->nnodes, 1) || !schema_ok_ref(n->last, s->nnodes, 1) ||
        !schema_ok_ref(n->next, s->nnodes, 1) ||
        (n->dup != TM_NONE && (n->dup <= i || n->dup >= s->nnodes)))
      return 0;
    if (n->col >= 0 && ((uint32_t)n->col >= s->tables[n->table].ncols ||
                        s->tables[n->table].cols[n->col].node != i))
      return 0;
    if (n->parent != TM_NONE && s->nodes[n->parent].table != n->table) return 0;
    if (n->child != TM_NONE &&
        (s->tables[n->child].owner != i || s->tables[n->child].parent != n->table))
      return 0;
    if ((n->flags & TM_N_MAP) && (n->child == TM_NONE || !s->tables[n->child].is_map))
      return 0;
  }
  for (uint32_t t = 0; t < s->ntables; t++) {
    const tm_table *tb = &s->tables[t];
    if (tb->name >= s->nnamebytes || tb->elem >= s->nnodes ||
        s->nodes[tb->elem].table != t || s->nodes[tb->elem].parent != TM_NONE ||
        (t > 0 && (tb->parent >= t || tb->owner >= s->nnodes)))
      return 0;
    if (tb->is_map && (tb->ncols == 0 || tb->cols[0].node != TM_NONE)) return 0;
    for (uint32_t c = 0; c < tb->ncols; c++) {
      uint32_t nd = tb->cols[c].node;
      if (tb->cols[c].name >= s->nnamebytes ||
          (nd != TM_NONE && (nd >= s->nnodes || s->nodes[nd].table != t)))
        return 0;
    }
  }
  return 1;
}

/* Read the nodes of the cache form. */
static void schema_load_nodes(tm_schema *s, schema_rd *r) {
  for (uint32_t i = 0; i < s->nnodes && !r->bad; i++) {
    tm_node *n = &s->nodes[i];
    memset(n, 0, sizeof *n);
    n->parent = load_u32(r);
    n->table = load_u32(r);
    n->key = load_u32(r);
    n->keylen = load_u32(r);
    n->col = (int32_t)load_u32(r);
    n->child = load_u32(r);
    n->first = load_u32(r);
    n->last = load_u32(r);
    n->next = load_u32(r);
    n->dup = load_u32(r);
    n->nkeys = load_u32(r);
    n->flags = (uint8_t)load_u32(r);
    n->seen = load_u64(r);
    n->expanded = load_u64(r);
  }
}

/* Read the tables (and their columns) of the cache form. */
static void schema_load_tables(tm_schema *s, schema_rd *r) {
  for (uint32_t t = 0; t < s->ntables && !r->bad; t++) {
    tm_table *tb = &s->tables[t];
    memset(tb, 0, sizeof *tb);
    tb->name = load_u32(r);
    tb->parent = load_u32(r);
    tb->owner = load_u32(r);
    tb->elem = load_u32(r);
    uint32_t ncols = load_u32(r);
    tb->nchild = load_u32(r);
    uint32_t flags = load_u32(r);
    tb->is_map = flags & 1;
    tb->full = (flags >> 1) & 1;
    tb->dead = (flags >> 2) & 1;
    tb->has_extra = (flags >> 3) & 1;
    tb->rows = load_u64(r);
    if (r->bad || (uint64_t)ncols * 20 > (uint64_t)(r->e - r->p)) {
      r->bad = 1;
      return;
    }
    tb->cols = ncols ? malloc(ncols * sizeof *tb->cols) : NULL;
    if (ncols && !tb->cols) {
      r->bad = 1;
      return;
    }
    tb->ncols = tb->capcols = ncols;
    for (uint32_t c = 0; c < ncols; c++) {
      tb->cols[c].name = load_u32(r);
      tb->cols[c].node = load_u32(r);
      tb->cols[c].types = load_u32(r);
      tb->cols[c].count = load_u64(r);
    }
  }
}

/* Copy a stored arena of n bytes into *dst. */
static void schema_load_arena(schema_rd *r, uint64_t n, char **dst, size_t *len,
                              size_t *cap) {
  const void *p = load_bytes(r, n);
  if (!p || !(*dst = malloc(n ? n : 1))) {
    r->bad = 1;
    return;
  }
  memcpy(*dst, p, n);
  *len = *cap = n;
}

tm_schema *tm_schema_load(const void *data, size_t n) {
  schema_rd r = {data, (const uint8_t *)data + n, 0};
  tm_schema *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  if (load_u32(&r) != SCHEMA_MAGIC || load_u32(&r) != SCHEMA_ENDIAN) r.bad = 1;
  s->cfg.name = load_str(&r);
  s->cfg.sep = load_str(&r);
  s->cfg.arrays = (int)load_u32(&r);
  s->cfg.max_depth = (int)load_u32(&r);
  s->cfg.max_columns = (int)load_u32(&r);
  s->nnodes = load_u32(&r);
  s->ntables = load_u32(&r);
  uint64_t nkeys = load_u64(&r), nnames = load_u64(&r);
  uint64_t left = (uint64_t)(r.e - r.p);
  if (r.bad || (uint64_t)s->nnodes * 64 > left || (uint64_t)s->ntables * 36 > left ||
      nkeys > left || nnames > left || !s->cfg.name || !s->cfg.sep) {
    tm_schema_free(s);
    return NULL;
  }
  s->nodes = malloc((s->nnodes ? s->nnodes : 1) * sizeof *s->nodes);
  s->tables = calloc(s->ntables ? s->ntables : 1, sizeof *s->tables);
  s->capnodes = s->nnodes;
  s->captables = s->ntables;
  if (!s->nodes || !s->tables) r.bad = 1;
  schema_load_nodes(s, &r);
  schema_load_tables(s, &r);
  schema_load_arena(&r, nkeys, &s->keys, &s->nkeybytes, &s->capkeybytes);
  if (!r.bad) schema_load_arena(&r, nnames, &s->names, &s->nnamebytes, &s->capnamebytes);
  if (r.bad || r.p != r.e || !schema_valid(s)) {
    tm_schema_free(s);
    return NULL;
  }
  if (tm_schema_rebuild(s)) {
    tm_schema_free(s);
    return NULL;
  }
  s->frozen = 1;
  return s;
}
