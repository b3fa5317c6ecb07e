/*
** rowtext.c: the row text declared in rowtext.h.
*/
#include "rowtext.h"

#include <math.h>
#include <string.h>

/*
** Is the JSON number [p, p+len) (a TM_REAL) beyond a double? Its integer
** digits and exponent bound it without converting it: below 1e308 it is
** finite, from 1e309 on it is not; only in between is it converted.
*/
static int rowtext_real_huge(const char *p, size_t len) {
  const char *end = p + len, *d = p + (*p == '-'), *i = d;
  while (i < end && *i >= '0' && *i <= '9') i++;
  int64_t digits = *d == '0' ? 0 : i - d;   /* "0", or no leading zero */
  const char *x = i;
  while (x < end && *x != 'e' && *x != 'E') x++;
  int64_t exp = 0;
  if (x < end) {
    const char *k = x + 1 + (x[1] == '-' || x[1] == '+');
    for (; k < end && exp < 100000; k++) exp = exp * 10 + (*k - '0');   /* enough to tell */
    if (x[1] == '-') exp = -exp;
  }
  int64_t top = digits + exp;   /* the value is below 10^top... */
  if (top <= 308) return 0;
  if (digits && top - 1 >= 309) return 1;   /* ... and at least 10^(top-1) */
  return !isfinite(tm_json_real(p, len));
}

/* Is token t a number that SQLite cannot hold as one (an integer beyond 64
** bits, a real beyond a double)? The typed columns give those as TEXT. */
static int rowtext_huge(const char *text, const tm_tok *t) {
  if (t->kind == TM_BIG) return 1;
  return t->kind == TM_REAL && rowtext_real_huge(text + t->off, t->len);
}

void tm_rowtext_value(tm_out *o, const char *text, const tm_tok *tok,
                      uint32_t i, int as_text) {
  unsigned kind = tok[i].kind;
  int quote = kind != TM_NULL && kind != TM_STR && kind < TM_ARR &&
              (as_text || rowtext_huge(text, &tok[i]));
  if (quote) tm_out_putc(o, '"');
  tm_out_value(o, text, tok, i);
  if (quote) tm_out_putc(o, '"');
}

/* Append the key at tape index k of the record, unescaped. */
static void rowtext_key(tm_out *o, const tm_record *rec, uint32_t k) {
  const tm_tok *t = &rec->tape->tok[k];
  const char *raw = rec->text + t->off;
  if (t->flags & TM_F_ESC) tm_out_unescape(o, raw, t->len);
  else tm_out_put(o, raw, t->len);
}

void tm_rowtext_extra_name(tm_out *o, const tm_schema *s, const tm_rows *v,
                           const tm_extra *x) {
  int top = s->nodes[x->node].parent == TM_NONE;   /* a row's own key */
  if (x->key == TM_NONE || !top) tm_schema_put_path(o, s, x->node);
  if (x->key == TM_NONE) return;
  if (!top) tm_out_put(o, s->cfg.sep, strlen(s->cfg.sep));
  rowtext_key(o, v->rec, x->key);
}

/*
** Append "name": for the _extra value x. The name is made at the end of o,
** written again after itself as a JSON string, and that moved down over it:
** o serves as its own scratch buffer.
*/
static void rowtext_extra_member(tm_out *o, const tm_schema *s, const tm_rows *v,
                                 const tm_extra *x, int first) {
  if (!first) tm_out_putc(o, ',');
  size_t at = o->n;
  tm_rowtext_extra_name(o, s, v, x);
  size_t len = o->n - at;
  if (tm_out_reserve(o, 6 * len + 2)) return;   /* so that o->p stays put */
  tm_out_string(o, o->p + at, len);
  memmove(o->p + at, o->p + at + len, o->n - at - len);
  o->n -= len;
  tm_out_putc(o, ':');
}

void tm_rowtext_extra(tm_out *o, const tm_schema *s, const tm_rows *v,
                      const tm_row *row, int as_text) {
  const tm_extra *x = v->extras + row->extra;
  tm_out_putc(o, '{');
  for (uint32_t i = 0; i < row->nextra; i++) {
    rowtext_extra_member(o, s, v, &x[i], i == 0);
    tm_rowtext_value(o, v->rec->text, v->rec->tape->tok, x[i].tok, as_text);
  }
  tm_out_putc(o, '}');
}

void tm_rowtext_json(tm_out *o, const tm_schema *s, const tm_rows *v,
                     const tm_row *row, int as_text, const char *meta,
                     size_t metalen) {
  const tm_table *t = &s->tables[row->table];
  const tm_record *rec = v->rec;
  const tm_tok *tok = rec->tape->tok;
  int first = metalen == 0;
  tm_out_putc(o, '{');
  if (metalen) tm_out_put(o, meta, metalen);
  if (row->key != TM_NONE) {
    tm_schema_member(o, s, &t->cols[0], first);
    tm_out_value(o, rec->text, tok, row->key);
    first = 0;
  }
  const tm_cell *cells = row->ncells ? v->cells + row->cell : NULL;
  for (uint32_t i = 0; i < row->ncells; i++) {
    tm_schema_member(o, s, &t->cols[cells[i].col], first);
    tm_rowtext_value(o, rec->text, tok, cells[i].tok, as_text);
    first = 0;
  }
  if (row->nextra) {
    static const char extra[] = ",\"_extra\":";
    tm_out_put(o, extra + first, sizeof extra - 1 - (size_t)first);
    tm_rowtext_extra(o, s, v, row, as_text);
  }
  tm_out_putc(o, '}');
}
