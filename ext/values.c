/*
** values.c: the conversions declared in values.h.
*/
#include "values.h"

#include <math.h>
#include <string.h>

SQLITE_EXTENSION_INIT3

/* A TEXT value over n bytes at p. */
static void values_text(tm_value *v, const char *p, size_t n, int json) {
  v->type = SQLITE_TEXT;
  v->text = p;
  v->n = n;
  v->json = json;
}

void tm_value_of(tm_value *v, const char *text, const tm_tok *tok, uint32_t i,
                 int types, tm_out *scratch) {
  const tm_tok *t = &tok[i];
  const char *raw = text + t->off;
  int as_text = types == TM_TYPES_TEXT;
  size_t at = scratch->n;
  v->json = 0;
  switch (t->kind) {
    case TM_NULL:
      v->type = SQLITE_NULL;
      return;
    case TM_TRUE:
    case TM_FALSE:
      if (as_text) {
        values_text(v, raw, t->len, 0);
      } else {
        v->type = SQLITE_INTEGER;
        v->i = t->kind == TM_TRUE;
        v->text = NULL;
      }
      return;
    case TM_INT:
      if (as_text) break;
      v->type = SQLITE_INTEGER;
      v->i = tm_json_int(raw, t->len);
      v->text = raw;
      v->n = t->len;
      return;
    case TM_REAL:
      if (as_text) break;
      v->d = tm_json_real(raw, t->len);
      if (!isfinite(v->d)) break;   /* 1e400: keep the digits as TEXT */
      v->type = SQLITE_FLOAT;
      v->text = raw;
      v->n = t->len;
      return;
    case TM_STR:
      if (!(t->flags & TM_F_ESC)) break;
      tm_out_unescape(scratch, raw, t->len);
      if (scratch->nomem) break;
      values_text(v, scratch->p + at, scratch->n - at, 0);
      return;
    case TM_ARR:
    case TM_OBJ:
      tm_out_value(scratch, text, tok, i);
      if (scratch->nomem) break;
      values_text(v, scratch->p + at, scratch->n - at, 1);
      return;
    default:   /* TM_BIG */
      break;
  }
  values_text(v, raw, t->len, 0);
}

/* Set a result from a value (copied). */
static void values_result(sqlite3_context *ctx, const tm_value *v) {
  switch (v->type) {
    case SQLITE_INTEGER: sqlite3_result_int64(ctx, v->i); break;
    case SQLITE_FLOAT: sqlite3_result_double(ctx, v->d); break;
    case SQLITE_TEXT:
      sqlite3_result_text(ctx, v->n ? v->text : "", (int)v->n, SQLITE_TRANSIENT);
      if (v->json) sqlite3_result_subtype(ctx, TM_JSON_SUBTYPE);
      break;
    default: sqlite3_result_null(ctx); break;
  }
}

int tm_value_bind(sqlite3_stmt *st, int param, const tm_value *v) {
  switch (v->type) {
    case SQLITE_INTEGER: return sqlite3_bind_int64(st, param, v->i);
    case SQLITE_FLOAT: return sqlite3_bind_double(st, param, v->d);
    case SQLITE_TEXT: return sqlite3_bind_text(st, param, v->n ? v->text : "", (int)v->n, SQLITE_STATIC);
    default: return sqlite3_bind_null(st, param);
  }
}

void tm_sql_result(sqlite3_context *ctx, const char *text, const tm_tok *tok,
                   uint32_t i, int types, tm_out *tmp) {
  tm_value v;
  tmp->n = 0;
  tm_value_of(&v, text, tok, i, types, tmp);
  if (tmp->nomem) sqlite3_result_error_nomem(ctx);
  else values_result(ctx, &v);
}

void tm_sql_result_id(sqlite3_context *ctx, const tm_record *rec, const tm_row *r,
                      int types, tm_out *tmp) {
  if (r->natural == TM_NONE) sqlite3_result_int64(ctx, (sqlite3_int64)r->id);
  else tm_sql_result(ctx, rec->text, rec->tape->tok, r->natural, types, tmp);
}

void tm_sql_result_json(sqlite3_context *ctx, tm_out *o) {
  if (o->nomem) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_text(ctx, o->p ? o->p : "", (int)o->n, SQLITE_TRANSIENT);
  sqlite3_result_subtype(ctx, TM_JSON_SUBTYPE);
}
