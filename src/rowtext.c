/*
** rowtext.c: the row text declared in rowtext.h.
*/
#include "rowtext.h"

#include <string.h>

#include "value.h"

void tm_rowtext_value(tm_buf *o, const char *text, const tm_tok *tok, uint32_t i,
                      int as_text) {
  unsigned kind = tok[i].kind;
  int quote = kind != TM_NULL && kind != TM_STR && kind < TM_ARR &&
              (as_text || tm_value_huge(text, &tok[i]));
  if (quote) tm_buf_putc(o, '"');
  tm_jsonout_value(o, text, tok, i);
  if (quote) tm_buf_putc(o, '"');
}

/* Append the key at tape index k of the record, unescaped. */
static void rowtext_key(tm_buf *o, const tm_record *rec, uint32_t k) {
  const tm_tok *t = &rec->tape->tok[k];
  const char *raw = rec->text + t->off;
  if (t->flags & TM_F_ESC) tm_jsonout_unescape(o, raw, t->len);
  else tm_buf_put(o, raw, t->len);
}

void tm_rowtext_extra_name(tm_buf *o, const tm_schema *s, const tm_rows *v,
                           const tm_extra *x) {
  int top = s->nodes[x->node].parent == TM_NONE;   /* a row's own key */
  if (x->key == TM_NONE || !top) tm_schema_put_path(o, s, x->node);
  if (x->key == TM_NONE) return;
  if (!top) tm_buf_put(o, s->cfg.sep, strlen(s->cfg.sep));
  rowtext_key(o, v->rec, x->key);
}

/*
** Append "name": for the _extra value x. The name is made at the end of o,
** written again after itself as a JSON string, and that moved down over it:
** o serves as its own scratch buffer.
*/
static void rowtext_extra_member(tm_buf *o, const tm_schema *s, const tm_rows *v,
                                 const tm_extra *x, int first) {
  if (!first) tm_buf_putc(o, ',');
  size_t at = o->n;
  tm_rowtext_extra_name(o, s, v, x);
  size_t len = o->n - at;
  if (tm_buf_reserve(o, 6 * len + 2)) return;   /* so that o->p stays put */
  tm_jsonout_string(o, o->p + at, len);
  memmove(o->p + at, o->p + at + len, o->n - at - len);
  o->n -= len;
  tm_buf_putc(o, ':');
}

void tm_rowtext_extra(tm_buf *o, const tm_schema *s, const tm_rows *v, const tm_row *row,
                      int as_text) {
  const tm_extra *x = v->extras + row->extra;
  tm_buf_putc(o, '{');
  for (uint32_t i = 0; i < row->nextra; i++) {
    rowtext_extra_member(o, s, v, &x[i], i == 0);
    tm_rowtext_value(o, v->rec->text, v->rec->tape->tok, x[i].tok, as_text);
  }
  tm_buf_putc(o, '}');
}

void tm_rowtext_json(tm_buf *o, const tm_schema *s, const tm_rows *v, const tm_row *row,
                     int as_text, const char *meta, size_t metalen) {
  const tm_table *t = &s->tables[row->table];
  const tm_record *rec = v->rec;
  const tm_tok *tok = rec->tape->tok;
  int first = metalen == 0;
  tm_buf_putc(o, '{');
  if (metalen) tm_buf_put(o, meta, metalen);
  if (row->key != TM_NONE) {
    tm_schema_member(o, s, &t->cols[0], first);
    tm_jsonout_value(o, rec->text, tok, row->key);
    first = 0;
  }
  const tm_cell *cells = row->ncells ? v->cells + row->cell : NULL;
  for (uint32_t i = 0; i < row->ncells; i++) {
    tm_schema_member(o, s, &t->cols[cells[i].col], first);
    tm_rowtext_value(o, rec->text, tok, cells[i].tok, as_text);
    first = 0;
  }
  if (row->nextra) {
    const char *extra = tm_meta_names[TM_META_EXTRA];
    if (!first) tm_buf_putc(o, ',');
    tm_jsonout_string(o, extra, strlen(extra));
    tm_buf_putc(o, ':');
    tm_rowtext_extra(o, s, v, row, as_text);
  }
  tm_buf_putc(o, '}');
}
