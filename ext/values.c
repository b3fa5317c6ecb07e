/*
** values.c: the conversions declared in values.h.
*/
#include "values.h"

#include <math.h>

SQLITE_EXTENSION_INIT3

void tm_sql_result_json(sqlite3_context *ctx, tm_out *o) {
  if (o->nomem) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  sqlite3_result_text(ctx, o->p ? o->p : "", (int)o->n, SQLITE_TRANSIENT);
  sqlite3_result_subtype(ctx, TM_JSON_SUBTYPE);
}

/* A string token's text, unescaped if it has escapes. */
static void values_string(sqlite3_context *ctx, const char *text,
                          const tm_tok *t, tm_out *tmp) {
  if (!(t->flags & TM_F_ESC)) {
    sqlite3_result_text(ctx, text + t->off, (int)t->len, SQLITE_TRANSIENT);
    return;
  }
  tmp->n = 0;
  tm_out_put(tmp, text + t->off, t->len);   /* room: unescaping shrinks */
  if (tmp->nomem) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  size_t n = tm_json_unescape(text + t->off, t->len, tmp->p);
  sqlite3_result_text(ctx, tmp->p, (int)n, SQLITE_TRANSIENT);
}

void tm_sql_result(sqlite3_context *ctx, const char *text, const tm_tok *tok,
                   uint32_t i, int types, tm_out *tmp) {
  const tm_tok *t = &tok[i];
  int as_text = types == TM_TYPES_TEXT;
  switch (t->kind) {
    case TM_NULL:
      sqlite3_result_null(ctx);
      return;
    case TM_TRUE:
    case TM_FALSE:
      if (as_text)
        sqlite3_result_text(ctx, t->kind == TM_TRUE ? "true" : "false", -1, SQLITE_STATIC);
      else
        sqlite3_result_int(ctx, t->kind == TM_TRUE);
      return;
    case TM_INT:
      if (!as_text) {
        sqlite3_result_int64(ctx, tm_json_int(text + t->off, t->len));
        return;
      }
      break;
    case TM_REAL:
      if (!as_text) {
        double d = tm_json_real(text + t->off, t->len);
        if (isfinite(d)) {
          sqlite3_result_double(ctx, d);
          return;
        }
      }
      break;
    case TM_STR:
      values_string(ctx, text, t, tmp);
      return;
    case TM_ARR:
    case TM_OBJ:
      tmp->n = 0;
      tm_out_value(tmp, text, tok, i);
      tm_sql_result_json(ctx, tmp);
      return;
    default:   /* TM_BIG */
      break;
  }
  sqlite3_result_text(ctx, text + t->off, (int)t->len, SQLITE_TRANSIENT);
}
