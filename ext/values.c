/*
** values.c: the SQLite values declared in values.h.
*/
#include "values.h"

#include <string.h>

SQLITE_EXTENSION_INIT3

/* Set a result from a value (copied). */
static void values_result(sqlite3_context *ctx, const tm_value *v) {
  switch (v->kind) {
    case TM_VALUE_INT: sqlite3_result_int64(ctx, v->i); break;
    case TM_VALUE_REAL: sqlite3_result_double(ctx, v->d); break;
    case TM_VALUE_TEXT:
    case TM_VALUE_JSON:
      sqlite3_result_text(ctx, v->n ? v->text : "", (int)v->n, SQLITE_TRANSIENT);
      if (v->kind == TM_VALUE_JSON) sqlite3_result_subtype(ctx, TM_JSON_SUBTYPE);
      break;
    default: sqlite3_result_null(ctx); break;
  }
}

int tm_sql_has_nul(sqlite3_value *v) {
  const char *t = (const char *)sqlite3_value_text(v);
  return t && strlen(t) != (size_t)sqlite3_value_bytes(v);
}

int tm_sql_bind(sqlite3_stmt *st, int param, const tm_value *v) {
  switch (v->kind) {
    case TM_VALUE_INT: return sqlite3_bind_int64(st, param, v->i);
    case TM_VALUE_REAL: return sqlite3_bind_double(st, param, v->d);
    case TM_VALUE_TEXT:
    case TM_VALUE_JSON:
      return sqlite3_bind_text(st, param, v->n ? v->text : "", (int)v->n, SQLITE_STATIC);
    default: return sqlite3_bind_null(st, param);
  }
}

void tm_sql_result(sqlite3_context *ctx, const char *text, const tm_tok *tok, uint32_t i,
                   int types, tm_buf *tmp) {
  tm_value v;
  tmp->n = 0;
  tm_value_of(&v, text, tok, i, types, tmp);
  if (tmp->nomem) sqlite3_result_error_nomem(ctx);
  else values_result(ctx, &v);
}

void tm_sql_result_id(sqlite3_context *ctx, const tm_record *rec, const tm_row *r,
                      int types, tm_buf *tmp) {
  if (r->natural == TM_NONE) sqlite3_result_int64(ctx, (sqlite3_int64)r->id);
  else tm_sql_result(ctx, rec->text, rec->tape->tok, r->natural, types, tmp);
}

void tm_sql_result_json(sqlite3_context *ctx, tm_buf *o) {
  if (o->nomem) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_text(ctx, o->p ? o->p : "", (int)o->n, SQLITE_TRANSIENT);
  sqlite3_result_subtype(ctx, TM_JSON_SUBTYPE);
}
