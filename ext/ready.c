/*
** ready.c: the values converted ahead, declared in ready.h. The converter
** runs on the parsing thread: it reads the frozen schema and calls no
** SQLite function.
*/
#include "ready.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../src/columns.h"
#include "../src/rowtext.h"

/* Where a value's text lies. */
enum { READY_NONE, READY_RECORD, READY_BYTES };

#define READY_HEAD (-1)  /* the column of a record's or a row's header */

/* 16 bytes: the values of a batch are read on another core than the one
** that wrote them, so their size is what reading them costs. */
struct tm_ready_value {
  int column;            /* declared column, or READY_HEAD */
  unsigned char type;    /* SQLITE_NULL ... SQLITE_TEXT */
  unsigned char where;   /* of its text: READY_NONE, READY_RECORD or READY_BYTES */
  union {
    sqlite3_int64 i;     /* INTEGER without text */
    double d;            /* FLOAT without text */
    struct {
      uint32_t off, n;   /* offset in the record or the bytes, length; in a
                            header, n is the number of entries it heads */
    } text;
  } u;
};
_Static_assert(sizeof(struct tm_ready_value) == 16, "a converted value takes 16 bytes");

struct tm_ready {
  const tm_schema *s;
  int types;
  int digits;            /* numbers keep their text, not their value */
  tm_out *vals;          /* the batch's buffer the record's header, rows
                            and values go to (tm_ready_work) */
  tm_out bytes;          /* their bytes that are not the record's, which
                            follow them there once all are made */
};

tm_ready *tm_ready_new(const tm_schema *s, int types, int digits) {
  tm_ready *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->s = s;
  r->types = types;
  r->digits = digits;
  return r;
}

void tm_ready_free(tm_ready *r) {
  if (!r) return;
  tm_out_free(&r->bytes);
  free(r);
}

/* Append value v of `column`. `before` is the size of the bytes before v
** was made: a value that grew them lies there (see tm_value_of). */
static void ready_keep(tm_ready *r, const tm_record *rec, int column, const tm_value *v,
                       size_t before) {
  tm_ready_value f;
  memset(&f, 0, sizeof f);
  f.column = column;
  f.type = (unsigned char)v->type;
  int number = v->type == SQLITE_INTEGER || v->type == SQLITE_FLOAT;
  if (v->type != SQLITE_NULL && v->text && (!number || r->digits)) {
    f.where = r->bytes.n != before ? READY_BYTES : READY_RECORD;
    f.u.text.off = (uint32_t)(f.where == READY_BYTES ? before : (size_t)(v->text - rec->text));
    f.u.text.n = (uint32_t)v->n;
  } else if (v->type == SQLITE_FLOAT) {
    f.u.d = v->d;
  } else if (v->type == SQLITE_INTEGER) {
    f.u.i = v->i;
  }
  tm_out_put(r->vals, &f, sizeof f);
}

/* Append token `tok` of the record, converted, as the value of `column`. */
static void ready_convert(tm_ready *r, const tm_record *rec, uint32_t tok, int column) {
  size_t before = r->bytes.n;
  tm_value v;
  tm_value_of(&v, rec->text, rec->tape->tok, tok, r->types, &r->bytes);
  ready_keep(r, rec, column, &v, before);
}

/* Append an integer of no text (an ordinal) as the value of `column`. */
static void ready_integer(tm_ready *r, int column, uint64_t i) {
  tm_value v;
  memset(&v, 0, sizeof v);
  v.type = SQLITE_INTEGER;
  v.i = (sqlite3_int64)i;
  ready_keep(r, NULL, column, &v, r->bytes.n);
}

/* Append the _id of row `row`: its ordinal, or its natural id. */
static void ready_id(tm_ready *r, const tm_record *rec, const tm_row *row, int column) {
  if (row->natural != TM_NONE) ready_convert(r, rec, row->natural, column);
  else ready_integer(r, column, row->id);
}

/* Append row `row`'s _extra value, made in the bytes. */
static void ready_extra(tm_ready *r, const tm_rows *v, const tm_row *row, int column) {
  size_t before = r->bytes.n;
  tm_value e;
  memset(&e, 0, sizeof e);
  tm_rowtext_extra(&r->bytes, r->s, v, row, r->types == TM_TYPES_TEXT);
  e.type = SQLITE_TEXT;
  e.text = r->bytes.p;   /* any non-NULL: ready_keep takes the offset */
  e.n = r->bytes.n - before;
  ready_keep(r, v->rec, column, &e, before);
}

/* Append a header (of a record, or of a row); returns where it is, for
** ready_count. */
static size_t ready_head(tm_ready *r) {
  tm_ready_value f;
  memset(&f, 0, sizeof f);
  f.column = READY_HEAD;
  tm_out_put(r->vals, &f, sizeof f);
  return r->vals->n - sizeof f;
}

/* Set the header at `at` to the number of entries appended after it. */
static void ready_count(tm_ready *r, size_t at) {
  if (r->vals->nomem) return;
  tm_ready_value *head = (tm_ready_value *)(void *)(r->vals->p + at);
  head->u.text.n = (uint32_t)((r->vals->n - at) / sizeof *head - 1);
}

/* Append row ri: a header, then every value (ids, map key, cells, _extra)
** in declared column order. A row with _extra values in a table with no
** _extra column (the file changed under us) is left for the writer to
** refuse. */
static void ready_row(tm_ready *r, const tm_rows *v, uint32_t ri) {
  const tm_record *rec = v->rec;
  const tm_row *rows = v->row, *row = &rows[ri];
  const tm_table *tb = &r->s->tables[row->table];
  const tm_cell *cells = row->ncells ? v->cells + row->cell : NULL;
  int nmeta = tm_columns_nmeta(r->s, row->table);
  size_t head = ready_head(r);
  ready_id(r, rec, row, 0);
  if (nmeta > 1) {
    ready_id(r, rec, &rows[row->parent], 1);
    ready_id(r, rec, &rows[0], 2);
    ready_integer(r, 3, row->index);
  }
  if (tb->is_map) ready_convert(r, rec, row->key, nmeta);
  for (uint32_t i = 0; i < row->ncells; i++)
    ready_convert(r, rec, cells[i].tok, nmeta + (int)cells[i].col);
  if (row->nextra && tb->has_extra) ready_extra(r, v, row, nmeta + (int)tb->ncols);
  ready_count(r, head);
}

int tm_ready_work(void *arg, const tm_rows *v, tm_out *out) {
  tm_ready *r = arg;
  r->vals = out;   /* the values go straight to the batch */
  r->bytes.n = 0;
  size_t head = ready_head(r);
  for (uint32_t i = 0; i < v->nrows; i++) ready_row(r, v, i);
  ready_count(r, head);
  if (out->nomem || r->bytes.nomem) return -1;
  if (r->bytes.n > UINT32_MAX || (out->n - head) / sizeof(tm_ready_value) > UINT32_MAX)
    return -1;   /* beyond 32-bit offsets: only a record of gigabytes */
  tm_out_put(out, r->bytes.p, r->bytes.n);
  return out->nomem ? -1 : 0;
}

/* Set rd to read the entries under the header h. */
static void ready_under(tm_ready_reader *rd, const tm_ready_value *h) {
  rd->next = h + 1;
  rd->end = rd->next + h->u.text.n;
}

void tm_ready_open(tm_ready_reader *rd, const void *made, const tm_record *rec) {
  ready_under(rd, made);
  rd->bytes = (const char *)rd->end;
  rd->text = rec->text;
}

void tm_ready_row(tm_ready_reader *rd, tm_ready_reader *row) {
  *row = *rd;
  ready_under(row, rd->next);
  rd->next = row->end;
}

int tm_ready_next(tm_ready_reader *rd, int *column, tm_value *v) {
  if (rd->next == rd->end) return 0;
  const tm_ready_value *f = rd->next++;
  *column = f->column;
  v->type = f->type;
  v->json = 0;   /* neither a parameter nor a CSV field keeps a subtype */
  v->i = 0;
  v->d = 0;
  v->text = NULL;
  v->n = 0;
  if (f->where != READY_NONE) {
    v->text = (f->where == READY_BYTES ? rd->bytes : rd->text) + f->u.text.off;
    v->n = f->u.text.n;
  } else if (f->type == SQLITE_INTEGER) {
    v->i = f->u.i;
  } else if (f->type == SQLITE_FLOAT) {
    v->d = f->u.d;
  }
  return 1;
}
