/*
** schemamerge.c: tm_schema_absorb, declared in schema.h. The schema pass
** of a large JSON Lines file reads its two halves on two threads (infer.c),
** each into a catalogue of its own; this adds the second half's catalogue
** to the first's, as if one catalogue had read both halves in turn.
**
** That is exact when flattening the second half took the same turns alone
** as it would have after the first half. A record's rows depend only on
** the record (see flat_array_table), except where a map is made or a table
** fills up, which depends on everything seen before. So the merge is
** refused when either half made a map or filled a table, or when the
** tables together could pass max_columns (counted without looking for the
** columns they share, so it may refuse too soon); the caller then reads
** the second half again.
**
** Names come out the same because things are made in the same order: the
** second catalogue's nodes in creation order (a parent before its
** children, a table's owner before its element node, so its tables in
** their order), then its columns, table by table, in their order. Column
** names are unique per table and table names among tables, and each of
** those scopes is filled in the order the single catalogue would have.
*/
#include "schema.h"

#include <stdlib.h>

/* origin[d]: the node whose next occurrence in one object is node d. */
static uint32_t *merge_origins(const tm_schema *b) {
  uint32_t *origin = malloc(((size_t)b->nnodes + 1) * sizeof *origin);
  if (!origin) return NULL;
  for (uint32_t i = 0; i < b->nnodes; i++)
    if (b->nodes[i].dup != TM_NONE) origin[b->nodes[i].dup] = i;
  return origin;
}

/*
** The node of a that node nb of b stands for (the nodes of b before nb
** are in map), made in a when missing; while a is frozen (the dry run of
** merge_exact), only found: TM_NONE when a lacks it.
*/
static uint32_t merge_node(tm_schema *a, const tm_schema *b, const uint32_t *origin,
                           const uint32_t *map, uint32_t nb) {
  const tm_node *n = &b->nodes[nb];
  if (n->parent == TM_NONE) {   /* a table's element node */
    if (n->table == 0) return a->tables[0].elem;
    uint32_t owner = map[b->tables[n->table].owner];
    uint32_t t = owner == TM_NONE ? TM_NONE : tm_schema_table(a, owner);
    return t == TM_NONE ? TM_NONE : a->tables[t].elem;
  }
  if (n->flags & TM_N_DUP) {
    /* a TM_N_DUP node is some node's dup: merge_origins set its origin
    ** NOLINTNEXTLINE(clang-analyzer-core.uninitialized.ArraySubscript) */
    uint32_t first = map[origin[nb]];
    return first == TM_NONE ? TM_NONE : tm_schema_dup(a, first);
  }
  uint32_t parent = map[n->parent];
  if (parent == TM_NONE) return TM_NONE;
  return tm_schema_child(a, parent, b->keys + n->key, n->keylen);
}

/* Does any table of s make maps or hold more than max_columns? */
static int merge_settled(const tm_schema *s) {
  if (s->maps) return 1;
  for (uint32_t t = 0; t < s->ntables; t++)
    if (s->tables[t].full) return 1;
  return 0;
}

/*
** Can b be merged into a exactly (see the top of the file)? Fills map with
** the nodes a has already (TM_NONE for those it lacks).
*/
static int merge_exact(tm_schema *a, const tm_schema *b, const uint32_t *origin,
                       uint32_t *map) {
  if (a->frozen || merge_settled(a) || merge_settled(b)) return 0;
  a->frozen = 1;   /* find, do not make */
  for (uint32_t nb = 0; nb < b->nnodes; nb++) map[nb] = merge_node(a, b, origin, map, nb);
  a->frozen = 0;
  for (uint32_t tb = 0; tb < b->ntables; tb++) {
    uint32_t ea = map[b->tables[tb].elem];
    if (ea == TM_NONE) continue;
    const tm_table *ta = &a->tables[a->nodes[ea].table], *t = &b->tables[tb];
    if ((uint64_t)ta->ncols + ta->nchild + t->ncols + t->nchild >
        (uint64_t)a->cfg.max_columns)
      return 0;
  }
  return 1;
}

/* Make b's nodes in a, in b's order, adding up what each saw. */
static int merge_nodes(tm_schema *a, const tm_schema *b, const uint32_t *origin,
                       uint32_t *map) {
  for (uint32_t nb = 0; nb < b->nnodes; nb++) {
    uint32_t na = map[nb] = merge_node(a, b, origin, map, nb);
    if (na == TM_NONE) return -1;
    a->nodes[na].seen += b->nodes[nb].seen;
    a->nodes[na].expanded += b->nodes[nb].expanded;
  }
  return 0;
}

/* Make b's columns in a, table by table, adding up their statistics. */
static int merge_columns(tm_schema *a, const tm_schema *b, const uint32_t *map,
                         uint32_t *tables) {
  for (uint32_t tb = 0; tb < b->ntables; tb++) {
    const tm_table *t = &b->tables[tb];
    uint32_t ta = tables[tb] = a->nodes[map[t->elem]].table;
    a->tables[ta].rows += t->rows;
    for (uint32_t c = 0; c < t->ncols; c++) {
      int32_t col = tm_schema_column(a, map[t->cols[c].node]);
      if (col < 0) return -1;
      a->tables[ta].cols[col].types |= t->cols[c].types;
      a->tables[ta].cols[col].count += t->cols[c].count;
    }
  }
  return 0;
}

int tm_schema_absorb(tm_schema *a, const tm_schema *b, uint32_t *tables) {
  uint32_t *origin = merge_origins(b);
  uint32_t *map = malloc(((size_t)b->nnodes + 1) * sizeof *map);
  int rc = -1;
  if (origin && map) {
    rc = merge_exact(a, b, origin, map) ? 0 : 1;
    if (rc == 0 &&
        (merge_nodes(a, b, origin, map) || merge_columns(a, b, map, tables) || a->nomem))
      rc = -1;
  }
  free(origin);
  free(map);
  return rc;
}
