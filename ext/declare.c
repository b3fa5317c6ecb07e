/*
** declare.c: the declarations described in declare.h.
*/
#include "declare.h"

#include <string.h>

#include "../src/json.h"

SQLITE_EXTENSION_INIT3

int tm_decl_nmeta(const tm_schema *s, uint32_t t) {
  return s->tables[t].parent == TM_NONE ? 1 : 4;
}

const char *tm_decl_type(uint32_t types, int types_text) {
  const uint32_t integer = 1u << TM_INT | 1u << TM_TRUE | 1u << TM_FALSE;
  const uint32_t text = 1u << TM_STR | 1u << TM_BIG | 1u << TM_ARR | 1u << TM_OBJ;
  types &= ~(1u << TM_NULL);
  if (types_text && (types & ~(1u << TM_ARR | 1u << TM_OBJ))) types = 1u << TM_STR;
  if (types && !(types & ~integer)) return "INTEGER";
  if (types == 1u << TM_REAL) return "REAL";
  if (types && !(types & ~text)) return "TEXT";
  return "";
}

/* The declared type of the main table's natural id (option id=), given
** the field's name; "INTEGER" without one. */
static const char *decl_id_type(const tm_schema *s, const char *id, int types_text) {
  if (!id) return "INTEGER";
  const tm_node *root = &s->nodes[s->tables[0].elem];
  size_t n = strlen(id);
  for (uint32_t c = root->first; c != TM_NONE; c = s->nodes[c].next) {
    const tm_node *nd = &s->nodes[c];
    if (nd->keylen == n && memcmp(s->keys + nd->key, id, n) == 0 && nd->col >= 0)
      return tm_decl_type(s->tables[0].cols[nd->col].types, types_text);
  }
  return "";
}

/* Append one column declaration: "name" TYPE. */
static void decl_column(sqlite3_str *q, int first, const char *name, const char *type) {
  sqlite3_str_appendf(q, "%s\"%w\"%s%s", first ? "" : ", ", name, *type ? " " : "", type);
}

char *tm_decl_create(const tm_schema *s, uint32_t t, const char *zSchema,
                     const char *zName, const char *id, int types_text) {
  const tm_table *tb = &s->tables[t];
  const char *idtype = decl_id_type(s, id, types_text);
  sqlite3_str *q = sqlite3_str_new(NULL);
  if (zSchema) sqlite3_str_appendf(q, "CREATE TABLE \"%w\".\"%w\"(", zSchema, zName);
  else sqlite3_str_appendall(q, "CREATE TABLE x(");
  if (tb->parent == TM_NONE) {
    decl_column(q, 1, "_id", idtype);
  } else {
    decl_column(q, 1, "_id", "INTEGER");
    decl_column(q, 0, "_parent_id", tb->parent == 0 ? idtype : "INTEGER");
    decl_column(q, 0, "_root_id", idtype);
    decl_column(q, 0, "_index", "INTEGER");
  }
  for (uint32_t c = 0; c < tb->ncols; c++)
    decl_column(q, 0, tm_schema_name(s, tb->cols[c].name),
                tm_decl_type(tb->cols[c].types, types_text));
  if (tb->has_extra) decl_column(q, 0, "_extra", "TEXT");
  sqlite3_str_appendall(q, ")");
  return sqlite3_str_finish(q);
}
