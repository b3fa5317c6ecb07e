/*
** value.c: the conversions declared in value.h.
*/
#include "value.h"

#include <math.h>

#include "scan.h"

/* The rule for reals: one that SQLite can hold converts to a finite
** double, set in *d; another (1e400) stays text with its digits. */
static int value_real_fits(const char *p, size_t len, double *d) {
  *d = tm_json_real(p, len);
  return isfinite(*d);
}

/*
** Is the real at p beyond a double (as value_real_fits tells)? Its integer
** digits and exponent bound it without converting it: below 1e308 it is
** finite, from 1e309 on it is not; only in between is it converted.
*/
int tm_value_real_huge(const char *p, size_t len) {
  const char *end = p + len, *d = p + (*p == '-'), *i = d;
  while (i < end && *i >= '0' && *i <= '9') i++;
  int64_t digits = *d == '0' ? 0 : i - d;   /* "0", or no leading zero */
  const char *x = i;
  while (x < end && *x != 'e' && *x != 'E') x++;
  int64_t exp = 0;
  if (x < end) {
    const char *k = x + 1 + (x[1] == '-' || x[1] == '+');
    for (; k < end && exp < 100000; k++) exp = exp * 10 + (*k - '0'); /* enough to tell */
    if (x[1] == '-') exp = -exp;
  }
  int64_t top = digits + exp; /* the value is below 10^top... */
  if (top <= 308) return 0;
  if (digits && top - 1 >= 309) return 1; /* ... and at least 10^(top-1) */
  double v;
  return !value_real_fits(p, len, &v);
}

/* A text value (JSON text when `kind` says so) over n bytes at p. */
static void value_text(tm_value *v, int kind, const char *p, size_t n) {
  v->kind = kind;
  v->text = p;
  v->n = n;
}

void tm_value_of(tm_value *v, const char *text, const tm_tok *tok, uint32_t i, int types,
                 tm_buf *scratch) {
  const tm_tok *t = &tok[i];
  const char *raw = text + t->off;
  int as_text = types == TM_TYPES_TEXT;
  size_t at = scratch->n;
  switch (t->kind) {
    case TM_NULL: v->kind = TM_VALUE_NULL; return;
    case TM_TRUE:
    case TM_FALSE:
      if (as_text) break;
      v->kind = TM_VALUE_INT;
      v->i = t->kind == TM_TRUE;
      v->text = NULL;
      return;
    case TM_INT:
      if (as_text) break;
      v->kind = TM_VALUE_INT;
      v->i = tm_json_int(raw, t->len);
      v->text = raw;
      v->n = t->len;
      return;
    case TM_REAL:
      if (as_text || !value_real_fits(raw, t->len, &v->d)) break;
      v->kind = TM_VALUE_REAL;
      v->text = raw;
      v->n = t->len;
      return;
    case TM_STR:
      if (!(t->flags & TM_F_ESC)) break;
      tm_jsonout_unescape(scratch, raw, t->len);
      if (scratch->nomem) break;
      value_text(v, TM_VALUE_TEXT, scratch->p + at, scratch->n - at);
      return;
    case TM_ARR:
    case TM_OBJ:
      tm_jsonout_value(scratch, text, tok, i);
      if (scratch->nomem) break;
      value_text(v, TM_VALUE_JSON, scratch->p + at, scratch->n - at);
      return;
    default: /* TM_BIG */ break;
  }
  value_text(v, TM_VALUE_TEXT, raw, t->len);
}
