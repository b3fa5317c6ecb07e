/*
** vtab.c: the shared parts declared in vtab.h.
*/
#include "vtab.h"

#include <string.h>

#include "../src/locate.h"
#include "values.h"

SQLITE_EXTENSION_INIT3

int tm_vtab_connect(sqlite3 *db, const char *schema, size_t size, sqlite3_vtab **ppVtab) {
  int rc = sqlite3_declare_vtab(db, schema);
  if (rc != SQLITE_OK) return rc;
  sqlite3_vtab_config(db, SQLITE_VTAB_DIRECTONLY);
  sqlite3_vtab *v = sqlite3_malloc64(size);
  if (!v) return SQLITE_NOMEM;
  memset(v, 0, size);
  *ppVtab = v;
  return SQLITE_OK;
}

int tm_vtab_disconnect(sqlite3_vtab *v) {
  sqlite3_free(v);
  return SQLITE_OK;
}

int tm_vtab_open(size_t size, sqlite3_vtab_cursor **pp) {
  sqlite3_vtab_cursor *c = sqlite3_malloc64(size);
  if (!c) return SQLITE_NOMEM;
  memset(c, 0, size);
  *pp = c;
  return SQLITE_OK;
}

int tm_vtab_error(sqlite3_vtab *v, const char *msg) {
  sqlite3_free(v->zErrMsg);
  v->zErrMsg = sqlite3_mprintf("transmog: %s", msg);
  return SQLITE_ERROR;
}

int tm_vtab_next_rows(sqlite3_vtab *v, tm_scan *sc, int skip, const tm_row **rows,
                      uint32_t *n) {
  int rc = tm_locate_read(sc, skip, rows, n);
  if (rc < 0) tm_vtab_error(v, tm_scan_message(sc));
  return rc;
}

int tm_vtab_best_index(sqlite3_index_info *info, int first, int n) {
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

int tm_vtab_args(sqlite3_vtab *vt, int idxNum, int argc, sqlite3_value **argv, int n,
                 char **out) {
  int j = 0, rc = SQLITE_OK;
  for (int k = 0; k < n; k++) out[k] = NULL;
  for (int k = 0; k < n && rc == SQLITE_OK; k++) {
    if (!(idxNum & (1 << k)) || j >= argc) continue;
    sqlite3_value *a = argv[j++];
    const char *v = (const char *)sqlite3_value_text(a);
    if (!v) continue;
    if (tm_sql_has_nul(a)) rc = tm_vtab_error(vt, "an argument contains a NUL byte");
    else if (!(out[k] = sqlite3_mprintf("%s", v))) rc = SQLITE_NOMEM;
  }
  for (int k = 0; k < n && rc != SQLITE_OK; k++) {   /* nothing half-made stays */
    sqlite3_free(out[k]);
    out[k] = NULL;
  }
  return rc;
}
