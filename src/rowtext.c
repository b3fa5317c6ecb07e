/*
** rowtext.c: the row text declared in rowtext.h.
*/
#include "rowtext.h"

#include <string.h>

void tm_rowtext_value(tm_out *o, const char *text, const tm_tok *tok,
                      uint32_t i, int as_text) {
  unsigned kind = tok[i].kind;
  int quote = as_text && kind != TM_NULL && kind != TM_STR && kind < TM_ARR;
  if (quote) tm_out_putc(o, '"');
  tm_out_value(o, text, tok, i);
  if (quote) tm_out_putc(o, '"');
}

/* Append "name": for a NUL-terminated name. */
static void rowtext_name(tm_out *o, const char *name, size_t len, int first) {
  if (!first) tm_out_putc(o, ',');
  tm_out_string(o, name, len);
  tm_out_putc(o, ':');
}

void tm_rowtext_json(tm_out *o, const tm_schema *s, const tm_flat *f,
                     const tm_record *rec, const tm_row *row, int as_text,
                     const char *meta, size_t metalen) {
  const tm_table *t = &s->tables[row->table];
  const tm_tok *tok = rec->tape->tok;
  int first = metalen == 0;
  tm_out_putc(o, '{');
  if (metalen) tm_out_put(o, meta, metalen);
  if (row->key != TM_NONE) {
    const char *name = tm_schema_name(s, t->cols[0].name);
    rowtext_name(o, name, strlen(name), first);
    tm_out_value(o, rec->text, tok, row->key);
    first = 0;
  }
  const tm_cell *cells = tm_flat_cells(f) + row->cell;
  for (uint32_t i = 0; i < row->ncells; i++) {
    const char *name = tm_schema_name(s, t->cols[cells[i].col].name);
    rowtext_name(o, name, strlen(name), first);
    tm_rowtext_value(o, rec->text, tok, cells[i].tok, as_text);
    first = 0;
  }
  if (row->nextra) {
    const tm_extra *x = tm_flat_extras(f) + row->extra;
    const char *arena = tm_flat_arena(f);
    rowtext_name(o, "_extra", 6, first);
    tm_out_putc(o, '{');
    for (uint32_t i = 0; i < row->nextra; i++) {
      rowtext_name(o, arena + x[i].name, x[i].namelen, i == 0);
      tm_rowtext_value(o, rec->text, tok, x[i].tok, as_text);
    }
    tm_out_putc(o, '}');
  }
  tm_out_putc(o, '}');
}
