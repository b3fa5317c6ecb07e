/*
** columns.c: the declared columns described in columns.h.
*/
#include "columns.h"

#include <string.h>

int tm_columns_nmeta(const tm_schema *s, uint32_t t) {
  return s->tables[t].parent == TM_NONE ? 1 : 4;
}

int tm_columns_count(const tm_schema *s, uint32_t t) {
  const tm_table *tb = &s->tables[t];
  return tm_columns_nmeta(s, t) + (int)tb->ncols + tb->has_extra;
}

const char *tm_columns_type(uint32_t types, int types_text) {
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
static const char *columns_id_type(const tm_schema *s, const char *id, int types_text) {
  if (!id) return "INTEGER";
  const tm_node *root = &s->nodes[s->tables[0].elem];
  size_t n = strlen(id);
  for (uint32_t c = root->first; c != TM_NONE; c = s->nodes[c].next) {
    const tm_node *nd = &s->nodes[c];
    if (nd->keylen == n && memcmp(s->keys + nd->key, id, n) == 0 && nd->col >= 0)
      return tm_columns_type(s->tables[0].cols[nd->col].types, types_text);
  }
  return "";
}

void tm_columns_of(const tm_schema *s, uint32_t t, const char *id, int types_text,
                   tm_coldecl *cols) {
  const tm_table *tb = &s->tables[t];
  const char *idtype = columns_id_type(s, id, types_text);
  int n = 0;
  if (tb->parent == TM_NONE) {
    cols[n++] = (tm_coldecl){tm_meta_names[TM_META_ID], idtype};
  } else {
    cols[n++] = (tm_coldecl){tm_meta_names[TM_META_ID], "INTEGER"};
    cols[n++] =
        (tm_coldecl){tm_meta_names[TM_META_PARENT], tb->parent == 0 ? idtype : "INTEGER"};
    cols[n++] = (tm_coldecl){tm_meta_names[TM_META_ROOT], idtype};
    cols[n++] = (tm_coldecl){tm_meta_names[TM_META_INDEX], "INTEGER"};
  }
  for (uint32_t c = 0; c < tb->ncols; c++)
    cols[n++] = (tm_coldecl){tm_schema_name(s, tb->cols[c].name),
                             tm_columns_type(tb->cols[c].types, types_text)};
  if (tb->has_extra) cols[n] = (tm_coldecl){tm_meta_names[TM_META_EXTRA], "TEXT"};
}
