/*
** tvf.c: the argument plumbing declared in tvf.h.
*/
#include "tvf.h"

#include <string.h>

SQLITE_EXTENSION_INIT3

int tm_tvf_best_index(sqlite3_index_info *info, int first, int n) {
  int slot[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
  int unusable = 0;
  for (int i = 0; i < info->nConstraint; i++) {
    const struct sqlite3_index_constraint *c = &info->aConstraint[i];
    int k = c->iColumn - first;
    if (k < 0 || k >= n || c->op != SQLITE_INDEX_CONSTRAINT_EQ) continue;
    if (!c->usable) unusable |= 1 << k;
    else slot[k] = i;
  }
  int mask = 0, next = 1;
  for (int k = 0; k < n; k++) {
    if (slot[k] < 0) continue;
    info->aConstraintUsage[slot[k]].argvIndex = next++;
    info->aConstraintUsage[slot[k]].omit = 1;
    mask |= 1 << k;
  }
  if (unusable & ~mask) return SQLITE_CONSTRAINT;
  info->idxNum = mask;
  info->estimatedCost = (mask & 1) ? 1e6 : 1e18;
  info->estimatedRows = (mask & 1) ? 1000000 : 2000000000;
  return SQLITE_OK;
}

int tm_tvf_args(int idxNum, int argc, sqlite3_value **argv, int n, char **out) {
  int j = 0;
  for (int k = 0; k < n; k++) {
    out[k] = NULL;
    if (!(idxNum & (1 << k)) || j >= argc) continue;
    const unsigned char *v = sqlite3_value_text(argv[j++]);
    if (!v) continue;
    out[k] = sqlite3_mprintf("%s", (const char *)v);
    if (!out[k]) return SQLITE_NOMEM;
  }
  return SQLITE_OK;
}
