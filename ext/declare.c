/*
** declare.c: the declarations described in declare.h.
*/
#include "declare.h"

#include "../src/columns.h"

SQLITE_EXTENSION_INIT3

char *tm_decl_create(const tm_schema *s, uint32_t t, const char *zSchema,
                     const char *zName, const char *id, int types_text) {
  int n = tm_columns_count(s, t);
  tm_coldecl *cols = sqlite3_malloc64((sqlite3_uint64)n * sizeof *cols);
  if (!cols) return NULL;
  tm_columns_of(s, t, id, types_text, cols);
  sqlite3_str *q = sqlite3_str_new(NULL);
  if (zSchema) sqlite3_str_appendf(q, "CREATE TABLE \"%w\".\"%w\"(", zSchema, zName);
  else sqlite3_str_appendall(q, "CREATE TABLE x(");
  for (int c = 0; c < n; c++)   /* "name" TYPE */
    sqlite3_str_appendf(q, "%s\"%w\"%s%s", c ? ", " : "", cols[c].name,
                        *cols[c].type ? " " : "", cols[c].type);
  sqlite3_str_appendall(q, ")");
  sqlite3_free(cols);
  return sqlite3_str_finish(q);
}
