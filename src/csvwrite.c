/*
** csvwrite.c: the CSV file writer (format csv). One file per table, RFC
** 4180: a header of the declared column names, then one line per row,
** CRLF-terminated, fields in declared column order. A field is quoted when
** it holds , " CR or LF; numbers keep the digits the file spells them with;
** NULL is an empty field.
*/
#include <stdlib.h>
#include <string.h>

#include "writer.h"

typedef struct csv_writer {
  tm_writer base;
  tm_value *slot;        /* per column, its value in the current row */
  uint64_t *slotgen;     /* slot[c] holds for the row numbered slotgen[c] */
  uint64_t gen;
  int width;             /* of slot and slotgen */
  tm_buf line;
} csv_writer;

/* Append one field, quoted if it must be. */
static void csv_field(tm_buf *o, const char *p, size_t n) {
  size_t i = 0;
  while (i < n && p[i] != ',' && p[i] != '"' && p[i] != '\r' && p[i] != '\n') i++;
  if (i == n) {
    tm_buf_put(o, p, n);
    return;
  }
  tm_buf_putc(o, '"');
  for (i = 0; i < n; i++) {
    if (p[i] == '"') tm_buf_putc(o, '"');
    tm_buf_putc(o, p[i]);
  }
  tm_buf_putc(o, '"');
}

/* Append value v as a field: its text as the file spells it (numbers
** too), the digits of an integer that has none (an ordinal, a boolean),
** nothing for NULL. */
static void csv_value(tm_buf *o, const tm_value *v) {
  if (v->kind == TM_VALUE_NULL) return;
  if (v->text) csv_field(o, v->text, v->n);
  else if (v->kind == TM_VALUE_INT) tm_buf_int64(o, v->i);
}

/* End the line and write it to table t's file. */
static int csv_line(csv_writer *c, uint32_t t) {
  tm_buf_put(&c->line, "\r\n", 2);
  if (c->line.nomem) return tm_writer_nomem(&c->base);
  return tm_writer_put(&c->base, t, c->line.p, c->line.n);
}

/* Open table t's file, write its header, and make room for its row. */
static int csv_table(tm_writer *w, uint32_t t, const char *name, const tm_coldecl *cols,
                     int ncols) {
  csv_writer *c = (csv_writer *)w;
  int rc = tm_writer_file(w, t, name);
  if (rc != TM_WRITE_OK) return rc;
  if (ncols > c->width) {
    free(c->slot);
    free(c->slotgen);
    c->slot = malloc((size_t)ncols * sizeof *c->slot);
    c->slotgen = calloc((size_t)ncols, sizeof *c->slotgen);
    c->width = c->slot && c->slotgen ? ncols : 0;
    if (!c->width) return tm_writer_nomem(w);
    c->gen = 0;
  }
  c->line.n = 0;
  for (int k = 0; k < ncols; k++) {
    if (k) tm_buf_putc(&c->line, ',');
    csv_field(&c->line, cols[k].name, strlen(cols[k].name));
  }
  return csv_line(c, t);
}

/* Write a row: its values (in the record's order) to their columns' slots,
** then the slots in declared order. */
static int csv_row(tm_writer *w, const tm_write_row *r) {
  csv_writer *c = (csv_writer *)w;
  uint32_t t = r->row->table;
  tm_convert_reader values = r->values;
  tm_value v;
  int column;
  c->gen++;
  while (tm_convert_next(&values, &column, &v)) {
    c->slot[column] = v;
    c->slotgen[column] = c->gen;
  }
  c->line.n = 0;
  for (int k = 0, n = tm_columns_count(w->cfg.schema, t); k < n; k++) {
    if (k) tm_buf_putc(&c->line, ',');
    if (c->slotgen[k] == c->gen) csv_value(&c->line, &c->slot[k]);
  }
  return csv_line(c, t);
}

/* Free the slots and the line. */
static void csv_free(tm_writer *w) {
  csv_writer *c = (csv_writer *)w;
  free(c->slot);
  free(c->slotgen);
  tm_buf_free(&c->line);
}

const tm_writer_class tm_csv_writer = {
    .name = "csv",
    .suffix = "csv",
    .size = sizeof(csv_writer),
    .convert = TM_WRITE_DIGITS,
    .table = csv_table,
    .row = csv_row,
    .commit = tm_writer_commit_files,
    .free = csv_free,
};
