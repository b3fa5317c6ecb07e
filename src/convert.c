/*
** convert.c: the values converted ahead, declared in convert.h. The
** converter runs on the parsing thread: it reads the frozen schema and
** nothing else.
*/
#include "convert.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "columns.h"
#include "rowtext.h"

/* Where a value's text lies. */
enum { CONVERT_NONE, CONVERT_RECORD, CONVERT_BYTES };

#define CONVERT_HEAD (-1)  /* the column of a record's or a row's header */

/* 16 bytes: the values of a batch are read on another core than the one
** that wrote them, so their size is what reading them costs. */
struct tm_convert_value {
  int column;            /* declared column, or CONVERT_HEAD */
  unsigned char kind;    /* TM_VALUE_* */
  unsigned char where;   /* of its text: CONVERT_NONE, _RECORD or _BYTES */
  union {
    int64_t i;           /* an integer without text */
    double d;            /* a real without text */
    struct {
      uint32_t off, n;   /* offset in the record or the bytes, length; in a
                            header, n is the number of entries it heads */
    } text;
  } u;
};
_Static_assert(sizeof(struct tm_convert_value) == 16, "a converted value takes 16 bytes");

struct tm_convert {
  const tm_schema *s;
  int types;
  int digits;            /* numbers keep their text, not their value */
  tm_buf *vals;          /* the batch's buffer the record's header, rows
                            and values go to (tm_convert_work) */
  tm_buf bytes;          /* their bytes that are not the record's, which
                            follow them there once all are made */
};

tm_convert *tm_convert_new(const tm_schema *s, int types, int digits) {
  tm_convert *c = calloc(1, sizeof *c);
  if (!c) return NULL;
  c->s = s;
  c->types = types;
  c->digits = digits;
  return c;
}

void tm_convert_free(tm_convert *c) {
  if (!c) return;
  tm_buf_free(&c->bytes);
  free(c);
}

/* Append value v of `column`. `before` is the size of the bytes before v
** was made: a value that grew them lies there (see tm_value_of). */
static void convert_keep(tm_convert *c, const tm_record *rec, int column,
                         const tm_value *v, size_t before) {
  tm_convert_value f;
  memset(&f, 0, sizeof f);
  f.column = column;
  f.kind = (unsigned char)v->kind;
  int number = v->kind == TM_VALUE_INT || v->kind == TM_VALUE_REAL;
  if (v->kind != TM_VALUE_NULL && v->text && (!number || c->digits)) {
    f.where = c->bytes.n != before ? CONVERT_BYTES : CONVERT_RECORD;
    f.u.text.off =
        (uint32_t)(f.where == CONVERT_BYTES ? before : (size_t)(v->text - rec->text));
    f.u.text.n = (uint32_t)v->n;
  } else if (v->kind == TM_VALUE_REAL) {
    f.u.d = v->d;
  } else if (v->kind == TM_VALUE_INT) {
    f.u.i = v->i;
  }
  tm_buf_put(c->vals, &f, sizeof f);
}

/* Append token `tok` of the record, converted, as the value of `column`. */
static void convert_token(tm_convert *c, const tm_record *rec, uint32_t tok, int column) {
  size_t before = c->bytes.n;
  tm_value v;
  tm_value_of(&v, rec->text, rec->tape->tok, tok, c->types, &c->bytes);
  convert_keep(c, rec, column, &v, before);
}

/* Append an integer of no text (an ordinal) as the value of `column`. */
static void convert_integer(tm_convert *c, int column, uint64_t i) {
  tm_value v;
  memset(&v, 0, sizeof v);
  v.kind = TM_VALUE_INT;
  v.i = (int64_t)i;
  convert_keep(c, NULL, column, &v, c->bytes.n);
}

/* Append the _id of row `row`: its ordinal, or its natural id. */
static void convert_id(tm_convert *c, const tm_record *rec, const tm_row *row,
                       int column) {
  if (row->natural != TM_NONE) convert_token(c, rec, row->natural, column);
  else convert_integer(c, column, row->id);
}

/* Append row `row`'s _extra value, JSON text made in the bytes. */
static void convert_extra(tm_convert *c, const tm_rows *v, const tm_row *row,
                          int column) {
  size_t before = c->bytes.n;
  tm_value e;
  memset(&e, 0, sizeof e);
  tm_rowtext_extra(&c->bytes, c->s, v, row, c->types == TM_TYPES_TEXT);
  e.kind = TM_VALUE_JSON;
  e.text = c->bytes.p;   /* any non-NULL: convert_keep takes the offset */
  e.n = c->bytes.n - before;
  convert_keep(c, v->rec, column, &e, before);
}

/* Append a header (of a record, or of a row); returns where it is, for
** convert_count. */
static size_t convert_head(tm_convert *c) {
  tm_convert_value f;
  memset(&f, 0, sizeof f);
  f.column = CONVERT_HEAD;
  tm_buf_put(c->vals, &f, sizeof f);
  return c->vals->n - sizeof f;
}

/* Set the header at `at` to the number of entries appended after it. */
static void convert_count(tm_convert *c, size_t at) {
  if (c->vals->nomem) return;
  tm_convert_value *head = (tm_convert_value *)(void *)(c->vals->p + at);
  head->u.text.n = (uint32_t)((c->vals->n - at) / sizeof *head - 1);
}

/* Append row ri: a header, then every value (ids, map key, cells, _extra).
** A row with _extra values in a table with no _extra column (the file
** changed under us) is left for the writer to refuse. */
static void convert_row(tm_convert *c, const tm_rows *v, uint32_t ri) {
  const tm_record *rec = v->rec;
  const tm_row *rows = v->row, *row = &rows[ri];
  const tm_table *tb = &c->s->tables[row->table];
  const tm_cell *cells = row->ncells ? v->cells + row->cell : NULL;
  int nmeta = tm_columns_nmeta(c->s, row->table);
  size_t head = convert_head(c);
  convert_id(c, rec, row, 0);
  if (nmeta > 1) {
    convert_id(c, rec, &rows[row->parent], 1);
    convert_id(c, rec, &rows[0], 2);
    convert_integer(c, 3, row->index);
  }
  if (tb->is_map) convert_token(c, rec, row->key, nmeta);
  for (uint32_t i = 0; i < row->ncells; i++)
    convert_token(c, rec, cells[i].tok, nmeta + (int)cells[i].col);
  if (row->nextra && tb->has_extra) convert_extra(c, v, row, nmeta + (int)tb->ncols);
  convert_count(c, head);
}

int tm_convert_work(void *arg, const tm_rows *v, tm_buf *out) {
  tm_convert *c = arg;
  c->vals = out;   /* the values go straight to the batch */
  c->bytes.n = 0;
  size_t head = convert_head(c);
  for (uint32_t i = 0; i < v->nrows; i++) convert_row(c, v, i);
  convert_count(c, head);
  if (out->nomem || c->bytes.nomem) return -1;
  if (c->bytes.n > UINT32_MAX || (out->n - head) / sizeof(tm_convert_value) > UINT32_MAX)
    return -1;   /* beyond 32-bit offsets: only a record of gigabytes */
  tm_buf_put(out, c->bytes.p, c->bytes.n);
  return out->nomem ? -1 : 0;
}

/* Set rd to read the entries under the header h. */
static void convert_under(tm_convert_reader *rd, const tm_convert_value *h) {
  rd->next = h + 1;
  rd->end = rd->next + h->u.text.n;
}

void tm_convert_open(tm_convert_reader *rd, const void *made, const tm_record *rec) {
  convert_under(rd, made);
  rd->bytes = (const char *)rd->end;
  rd->text = rec->text;
}

void tm_convert_row(tm_convert_reader *rd, tm_convert_reader *row) {
  *row = *rd;
  convert_under(row, rd->next);
  rd->next = row->end;
}

int tm_convert_next(tm_convert_reader *rd, int *column, tm_value *v) {
  if (rd->next == rd->end) return 0;
  const tm_convert_value *f = rd->next++;
  *column = f->column;
  v->kind = f->kind;
  v->i = 0;
  v->d = 0;
  v->text = NULL;
  v->n = 0;
  if (f->where != CONVERT_NONE) {
    v->text = (f->where == CONVERT_BYTES ? rd->bytes : rd->text) + f->u.text.off;
    v->n = f->u.text.n;
  } else if (f->kind == TM_VALUE_INT) {
    v->i = f->u.i;
  } else if (f->kind == TM_VALUE_REAL) {
    v->d = f->u.d;
  }
  return 1;
}
