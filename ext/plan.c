/*
** plan.c: the plans of plan.h, how a transmog table finds a query's rows.
**
**   SELECT * FROM orders WHERE _id = 123456;                     -- id
**   SELECT * FROM orders_items WHERE _parent_id IN (5, 9);       -- parent
**   SELECT * FROM orders_items WHERE _root_id = 5;               -- root
**   SELECT * FROM orders WHERE _id BETWEEN 1000 AND 2000;        -- range
**   SELECT ... FROM orders o JOIN orders_items i ON i._parent_id = o._id;
**
** idxNum, as xBestIndex sets it and xFilter reads it:
**
**   bit 0 (1)       TM_PLAN_CELLS: a column other than the metadata is read
**   bits 1-3        the plan: 0 scan, 1 _id=, 2 _parent_id=, 3 _root_id=,
**                   4 a range of _id
**   bit 4 (0x10)    range: a lower bound on _id is an argument
**   bit 5 (0x20)      ... and includes its value (>=)
**   bit 6 (0x40)    range: an upper bound on _id is an argument
**   bit 7 (0x80)      ... and includes its value (<=)
**
** argv: for _id=, _parent_id= and _root_id=, the one value looked for (the
** constraint is omitted: the plan answers it exactly); for a range, the
** lower bound if bit 4 is set, then the upper bound if bit 6 is (SQLite
** checks both again: a bound the plan cannot use only widens the range).
** idxStr names what the plan uses, for EXPLAIN QUERY PLAN ("_id=?",
** "_id>? AND _id<?", "scan").
**
** With id=, _id of the main table (and the columns that repeat it) hold
** field values that the sparse index does not know: those constraints are
** left to SQLite, which then filters a scan.
*/
#include "plan.h"

#include <math.h>

SQLITE_EXTENSION_INIT3

enum { PLAN_SCAN, PLAN_ID, PLAN_PARENT, PLAN_ROOT, PLAN_RANGE };
#define PLAN_OF(idxNum) (((idxNum) >> 1) & 7)
#define RANGE_LO        0x10
#define RANGE_LO_EQ     0x20
#define RANGE_HI        0x40
#define RANGE_HI_EQ     0x80

/* Does column col (0 _id, 1 _parent_id, 2 _root_id) of table t hold
** natural ids? */
static int plan_natural(const tm_table *t, int natural, int col) {
  if (!natural) return 0;
  if (col == 0) return t->parent == TM_NONE;
  return col == 2 || t->parent == 0;
}

/* Rows of table t, at least 1 (for estimates). */
static double plan_rows(const tm_schema *s, uint32_t t) {
  uint64_t n = s->tables[t].rows;
  return n ? (double)n : 1.0;
}

/* Give constraint i the next xFilter argument. */
static void plan_use(sqlite3_index_info *info, int i, int *next, int omit) {
  info->aConstraintUsage[i].argvIndex = (*next)++;
  info->aConstraintUsage[i].omit = (unsigned char)omit;
}

/* What a plan uses, as EXPLAIN QUERY PLAN shows it. */
static const char *plan_describe(int plan, int bits) {
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

int tm_plan_best(const tm_schema *s, uint32_t table, int nmeta, int natural,
                 uint64_t size, sqlite3_index_info *info) {
  const tm_table *t = &s->tables[table];
  int child = t->parent != TM_NONE, eq[3] = {-1, -1, -1}, lo = -1, hi = -1;
  for (int i = 0; i < info->nConstraint; i++) {
    const struct sqlite3_index_constraint *k = &info->aConstraint[i];
    int col = k->iColumn;
    if (!k->usable || col < 0 || col > (child ? 2 : 0) || plan_natural(t, natural, col))
      continue;
    if (k->op == SQLITE_INDEX_CONSTRAINT_EQ && eq[col] < 0) eq[col] = i;
    if (col != 0) continue;
    if ((k->op == SQLITE_INDEX_CONSTRAINT_GT || k->op == SQLITE_INDEX_CONSTRAINT_GE) &&
        lo < 0)
      lo = i;
    if ((k->op == SQLITE_INDEX_CONSTRAINT_LT || k->op == SQLITE_INDEX_CONSTRAINT_LE) &&
        hi < 0)
      hi = i;
  }
  double rows = plan_rows(s, table), found = 1;
  int next = 1, plan = PLAN_SCAN, bits = 0;
  if (eq[0] >= 0) {
    plan = PLAN_ID;
    info->idxFlags |= SQLITE_INDEX_SCAN_UNIQUE;
  } else if (eq[1] >= 0) {
    plan = PLAN_PARENT;
    found = rows / plan_rows(s, t->parent);
  } else if (eq[2] >= 0) {
    plan = PLAN_ROOT;
    found = rows / plan_rows(s, 0);
  } else if (lo >= 0 || hi >= 0) {
    plan = PLAN_RANGE;   /* bounds are checked again by SQLite (omit = 0) */
    found = rows / (lo >= 0 && hi >= 0 ? 10 : 3);
    if (lo >= 0) {
      plan_use(info, lo, &next, 0);
      bits |= RANGE_LO |
              (info->aConstraint[lo].op == SQLITE_INDEX_CONSTRAINT_GE ? RANGE_LO_EQ : 0);
    }
    if (hi >= 0) {
      plan_use(info, hi, &next, 0);
      bits |= RANGE_HI |
              (info->aConstraint[hi].op == SQLITE_INDEX_CONSTRAINT_LE ? RANGE_HI_EQ : 0);
    }
  }
  if (plan >= PLAN_ID && plan <= PLAN_ROOT) plan_use(info, eq[plan - PLAN_ID], &next, 1);
  sqlite3_uint64 meta = (1ull << nmeta) - 1;
  int cells = (info->colUsed & ~meta) ? TM_PLAN_CELLS : 0;
  info->idxNum = plan << 1 | bits | cells;
  info->idxStr = (char *)plan_describe(plan, bits);   /* for EXPLAIN QUERY PLAN */
  if (plan == PLAN_SCAN) {
    info->estimatedRows = (sqlite3_int64)rows;
    info->estimatedCost = 1e3 + (double)size / 64 + rows;
  } else {
    info->estimatedRows = (sqlite3_int64)(found < 1 ? 1 : found);
    info->estimatedCost = 20 + found;
  }
  return SQLITE_OK;
}

/* An _id looked for by equality: a whole number, or nothing can match. */
static int plan_eq_value(sqlite3_value *v, uint64_t *out) {
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
static int plan_bound(sqlite3_value *v, int upper, int inclusive, double *out) {
  int type = sqlite3_value_numeric_type(v);
  if (type != SQLITE_INTEGER && type != SQLITE_FLOAT) return 0;
  double d = sqlite3_value_double(v);
  if (type == SQLITE_INTEGER) d = (double)sqlite3_value_int64(v);
  if (upper) *out = inclusive ? floor(d) : ceil(d) - 1;
  else *out = inclusive ? ceil(d) : floor(d) + 1;
  return 1;
}

/* The range asked for, into k->lo and k->hi. Returns 0 if it is empty. */
static int plan_range(tm_plan_keys *k, int idxNum, int argc, sqlite3_value **argv) {
  double lo = 1, hi = 9e18, d;
  int i = 0;
  if ((idxNum & RANGE_LO) && i < argc &&
      plan_bound(argv[i++], 0, idxNum & RANGE_LO_EQ, &d) && d > lo)
    lo = d;
  if ((idxNum & RANGE_HI) && i < argc &&
      plan_bound(argv[i++], 1, idxNum & RANGE_HI_EQ, &d) && d < hi)
    hi = d;
  if (lo > hi) return 0;
  k->lo = (uint64_t)lo;
  k->hi = (uint64_t)hi;
  return 1;
}

int tm_plan_read(const tm_schema *s, uint32_t table, int idxNum, int argc,
                 sqlite3_value **argv, tm_plan_keys *k) {
  k->plan = PLAN_OF(idxNum);
  k->table = table;
  k->row = 0;
  if (k->plan == PLAN_SCAN) return 1;
  if (k->plan == PLAN_RANGE) {
    if (!plan_range(k, idxNum, argc, argv)) return 0;
    k->row = k->lo;
    return 1;
  }
  if (argc < 1 || !plan_eq_value(argv[0], &k->key)) return 0;
  if (k->plan != PLAN_ID) k->table = k->plan == PLAN_PARENT ? s->tables[table].parent : 0;
  k->row = k->key;
  return 1;
}

int tm_plan_match(const tm_plan_keys *k, const tm_row *rows, const tm_row *r) {
  switch (k->plan) {
    case PLAN_ID: return r->id == k->key;
    case PLAN_PARENT: return rows[r->parent].id == k->key;
    case PLAN_RANGE: return r->id < k->lo ? 0 : r->id > k->hi ? -1 : 1;
    default: return 1;   /* a scan, or every row of the root's record */
  }
}

int tm_plan_goes_on(const tm_plan_keys *k) {
  return k->plan == PLAN_SCAN || k->plan == PLAN_RANGE;
}
