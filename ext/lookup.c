/*
** lookup.c: finding a transmog table's rows by their ids.
**
**   SELECT * FROM orders WHERE _id = 123456;
**   SELECT * FROM orders_items WHERE _parent_id IN (5, 9);
**   SELECT * FROM orders WHERE _id BETWEEN 1000 AND 2000;
**   SELECT ... FROM orders o JOIN orders_items i ON i._parent_id = o._id;
**
** SQLite runs a join with a virtual table as a nested loop and builds no
** index for it: it filters the inner table once per outer row. So a lookup
** must not read the file from its start. The rows a lookup wants lie in one
** record (a row and its parent, its children and its root always do): the
** one where the count of rows of some table U reaches N (U, N: the table
** and the _id looked for; for _parent_id, the parent table; for _root_id,
** the main table). To get there:
**
**   - if the record in hand is that one, use it again (an IN list, or the
**     children of one parent asked for twice);
**   - if it lies ahead and no checkpoint of the sparse index lies between,
**     read forward (a join asks in file order, so it reads the file once);
**   - otherwise resume at the last checkpoint before it and read forward.
**
** With id=, _id of the main table (and the columns that repeat it) hold
** field values that the index does not know: those constraints are left to
** SQLite, which then filters a scan.
*/
#include <math.h>

#include "table.h"

SQLITE_EXTENSION_INIT3

enum { PLAN_SCAN, PLAN_ID, PLAN_PARENT, PLAN_ROOT, PLAN_RANGE };
#define PLAN_OF(idxNum) (((idxNum) >> 1) & 7)
#define RANGE_LO 0x10      /* a lower bound on _id is an argument */
#define RANGE_LO_EQ 0x20   /* ... and includes its value (>=) */
#define RANGE_HI 0x40      /* an upper bound on _id is an argument */
#define RANGE_HI_EQ 0x80   /* ... and includes its value (<=) */

/* Does column col (0 _id, 1 _parent_id, 2 _root_id) hold natural ids? */
static int lookup_natural(const tm_vtab *v, int col) {
  const tm_table *t = &v->schema->tables[v->table];
  if (!v->opts.o.id) return 0;
  if (col == 0) return t->parent == TM_NONE;
  return col == 2 || t->parent == 0;
}

/* Rows of table t, at least 1 (for estimates). */
static double lookup_rows(const tm_vtab *v, uint32_t t) {
  uint64_t n = v->schema->tables[t].rows;
  return n ? (double)n : 1.0;
}

/* Give constraint i the next xFilter argument. */
static void lookup_use(sqlite3_index_info *info, int i, int *next, int omit) {
  info->aConstraintUsage[i].argvIndex = (*next)++;
  info->aConstraintUsage[i].omit = (unsigned char)omit;
}

/* What a plan uses, as EXPLAIN QUERY PLAN shows it. */
static const char *lookup_describe(int plan, int bits) {
  switch (plan) {
    case PLAN_ID: return "_id=?";
    case PLAN_PARENT: return "_parent_id=?";
    case PLAN_ROOT: return "_root_id=?";
    case PLAN_RANGE:
      if ((bits & RANGE_LO) && (bits & RANGE_HI)) return "_id>? AND _id<?";
      return bits & RANGE_LO ? "_id>?" : "_id<?";
    default: return "scan";
  }
}

int tm_lookup_plan(tm_vtab *v, sqlite3_index_info *info) {
  const tm_table *t = &v->schema->tables[v->table];
  int child = t->parent != TM_NONE, eq[3] = {-1, -1, -1}, lo = -1, hi = -1;
  for (int i = 0; i < info->nConstraint; i++) {
    const struct sqlite3_index_constraint *k = &info->aConstraint[i];
    int col = k->iColumn;
    if (!k->usable || col < 0 || col > (child ? 2 : 0) || lookup_natural(v, col)) continue;
    if (k->op == SQLITE_INDEX_CONSTRAINT_EQ && eq[col] < 0) eq[col] = i;
    if (col != 0) continue;
    if ((k->op == SQLITE_INDEX_CONSTRAINT_GT || k->op == SQLITE_INDEX_CONSTRAINT_GE) && lo < 0) lo = i;
    if ((k->op == SQLITE_INDEX_CONSTRAINT_LT || k->op == SQLITE_INDEX_CONSTRAINT_LE) && hi < 0) hi = i;
  }
  double rows = lookup_rows(v, v->table), found = 1;
  int next = 1, plan = PLAN_SCAN, bits = 0;
  if (eq[0] >= 0) {
    plan = PLAN_ID;
    info->idxFlags |= SQLITE_INDEX_SCAN_UNIQUE;
  } else if (eq[1] >= 0) {
    plan = PLAN_PARENT;
    found = rows / lookup_rows(v, t->parent);
  } else if (eq[2] >= 0) {
    plan = PLAN_ROOT;
    found = rows / lookup_rows(v, 0);
  } else if (lo >= 0 || hi >= 0) {
    plan = PLAN_RANGE;   /* bounds are checked again by SQLite (omit = 0) */
    found = rows / (lo >= 0 && hi >= 0 ? 10 : 3);
    if (lo >= 0) {
      lookup_use(info, lo, &next, 0);
      bits |= RANGE_LO | (info->aConstraint[lo].op == SQLITE_INDEX_CONSTRAINT_GE ? RANGE_LO_EQ : 0);
    }
    if (hi >= 0) {
      lookup_use(info, hi, &next, 0);
      bits |= RANGE_HI | (info->aConstraint[hi].op == SQLITE_INDEX_CONSTRAINT_LE ? RANGE_HI_EQ : 0);
    }
  }
  if (plan >= PLAN_ID && plan <= PLAN_ROOT) lookup_use(info, eq[plan - PLAN_ID], &next, 1);
  sqlite3_uint64 meta = (1ull << v->nmeta) - 1;
  int cells = (info->colUsed & ~meta) ? TABLE_CELLS : 0;
  info->idxNum = plan << 1 | bits | cells;
  info->idxStr = (char *)lookup_describe(plan, bits);   /* for EXPLAIN QUERY PLAN */
  if (plan == PLAN_SCAN) {
    info->estimatedRows = (sqlite3_int64)rows;
    info->estimatedCost = 1e3 + (double)tm_src_id_size(&v->id) / 64 + rows;
  } else {
    info->estimatedRows = (sqlite3_int64)(found < 1 ? 1 : found);
    info->estimatedCost = 20 + found;
  }
  return SQLITE_OK;
}

/* An _id looked for by equality: a whole number, or nothing can match. */
static int lookup_eq_value(sqlite3_value *v, uint64_t *out) {
  int type = sqlite3_value_numeric_type(v);
  if (type == SQLITE_INTEGER) {
    sqlite3_int64 i = sqlite3_value_int64(v);
    *out = (uint64_t)i;
    return i >= 1;
  }
  double d = type == SQLITE_FLOAT ? sqlite3_value_double(v) : 0;
  *out = (uint64_t)d;
  return d >= 1 && d < 9e18 && d == floor(d);
}

/* A bound of a range as a whole number; 0 when it bounds nothing we can
** use (SQLite checks every bound again, so a wider range is still right). */
static int lookup_bound(sqlite3_value *v, int upper, int inclusive, double *out) {
  int type = sqlite3_value_numeric_type(v);
  if (type != SQLITE_INTEGER && type != SQLITE_FLOAT) return 0;
  double d = sqlite3_value_double(v);
  if (type == SQLITE_INTEGER) d = (double)sqlite3_value_int64(v);
  if (upper) *out = inclusive ? floor(d) : ceil(d) - 1;
  else *out = inclusive ? ceil(d) : floor(d) + 1;
  return 1;
}

/* The range asked for, into c->lo and c->hi. Returns 0 if it is empty. */
static int lookup_range(tm_cursor *c, int idxNum, int argc, sqlite3_value **argv) {
  double lo = 1, hi = 9e18, d;
  int i = 0;
  if ((idxNum & RANGE_LO) && i < argc && lookup_bound(argv[i++], 0, idxNum & RANGE_LO_EQ, &d) && d > lo)
    lo = d;
  if ((idxNum & RANGE_HI) && i < argc && lookup_bound(argv[i++], 1, idxNum & RANGE_HI_EQ, &d) && d < hi)
    hi = d;
  if (lo > hi) return 0;
  c->lo = (uint64_t)lo;
  c->hi = (uint64_t)hi;
  return 1;
}

/* Rows of table u in the record in hand. */
static uint64_t lookup_rows_in_hand(const tm_cursor *c, uint32_t u) {
  uint64_t n = 0;
  for (uint32_t i = 0; i < c->nrows; i++) n += c->rows[i].table == u;
  return n;
}

/* Put the record holding row n of table u in hand (see the top). */
static int lookup_locate(tm_cursor *c, uint32_t u, uint64_t n) {
  tm_vtab *v = (tm_vtab *)c->base.pVtab;
  tm_flat *f = tm_scan_flat(c->scan);
  uint64_t after = tm_flat_count(f, u);
  if (c->nrows && n <= after && n > after - lookup_rows_in_hand(c, u)) {
    c->cur = UINT32_MAX;
    return SQLITE_OK;
  }
  uint32_t i = tm_seek_find(v->seek, u, n);
  if (n <= after || v->seek->marks[i].offset > tm_scan_offset(c->scan)) {
    if (tm_scan_seek(c->scan, v->seek, i)) return tm_table_error(c, tm_scan_message(c->scan));
    c->nrows = 0;
  }
  for (;;) {
    int rc = tm_table_next_record(c);
    if (rc <= 0) {
      c->eof = 1;
      c->nrows = 0;
      return rc < 0 ? SQLITE_ERROR : SQLITE_OK;
    }
    if (tm_flat_count(f, u) >= n) return SQLITE_OK;
  }
}

int tm_lookup_start(tm_cursor *c, int idxNum, int argc, sqlite3_value **argv) {
  tm_vtab *v = (tm_vtab *)c->base.pVtab;
  c->plan = PLAN_OF(idxNum);
  c->eof = 0;
  if (c->plan == PLAN_SCAN) {
    if (tm_scan_seek(c->scan, v->seek, 0)) return tm_table_error(c, tm_scan_message(c->scan));
    c->nrows = 0;
    c->cur = 0;
    return SQLITE_OK;
  }
  if (c->plan == PLAN_RANGE) {
    if (!lookup_range(c, idxNum, argc, argv)) {
      c->eof = 1;
      return SQLITE_OK;
    }
    return lookup_locate(c, v->table, c->lo);
  }
  if (argc < 1 || !lookup_eq_value(argv[0], &c->key)) {
    c->eof = 1;
    return SQLITE_OK;
  }
  uint32_t u = c->plan == PLAN_ID ? v->table
             : c->plan == PLAN_PARENT ? v->schema->tables[v->table].parent : 0;
  return lookup_locate(c, u, c->key);
}

int tm_lookup_match(const tm_cursor *c, const tm_row *r) {
  switch (c->plan) {
    case PLAN_ID: return r->id == c->key;
    case PLAN_PARENT: return c->rows[r->parent].id == c->key;
    case PLAN_RANGE: return r->id < c->lo ? 0 : r->id > c->hi ? -1 : 1;
    default: return 1;   /* a scan, or every row of the root's record */
  }
}

int tm_lookup_goes_on(const tm_cursor *c) {
  return c->plan == PLAN_SCAN || c->plan == PLAN_RANGE;
}
