/*
** flatten.h: one record's tokens -> rows of the main and child tables.
**
** tm_flat_record walks a record's tape and produces its rows in file order
** (a row, then the rows of its child tables, depth first). A row holds its
** ids and a run of cells; a cell is a column and the token that holds its
** value (a scalar, or a container that stays JSON text). Nothing is copied
** or converted here: the reader of a row decides what to convert.
**
** Ids are ordinals in file order per table, so the flattener keeps one
** counter per table for the whole scan. Only the rows of the wanted table
** (or of every table) get cells; the others get ids, because the wanted
** rows point at them (_parent_id, _root_id).
*/
#ifndef TM_FLATTEN_H
#define TM_FLATTEN_H

#include <stdint.h>

#include "reader.h"   /* tm_record */
#include "schema.h"

/* One value of a row: column `col` of the row's table is token `tok`. */
typedef struct tm_cell {
  uint32_t col;
  uint32_t tok;
} tm_cell;

/*
** A value whose key is not in a frozen schema: it goes to _extra. Its name
** is made only when the row is written (tm_rowtext_extra_name), from the
** schema and the record, so a record's _extra values take memory in
** proportion to the record, however long their names.
*/
typedef struct tm_extra {
  uint32_t node;            /* the deepest known node on the value's path */
  uint32_t key;             /* tape index of the key unknown under node, or
                               TM_NONE when node itself has no column */
  uint32_t tok;
} tm_extra;

typedef struct tm_row {
  uint32_t table;
  uint32_t parent;          /* index of the parent row, TM_NONE for main */
  uint64_t id;              /* 1-based ordinal in its table */
  uint64_t index;           /* position in the source array or map */
  uint32_t key;             /* map rows: tape index of the member's key */
  uint32_t cell, ncells;    /* its cells */
  uint32_t extra, nextra;   /* its _extra values */
  uint32_t natural;         /* main row with id=: tape index of the id */
  int emit;                 /* cells were collected */
} tm_row;

typedef struct tm_flat tm_flat;

/*
** A flattener for one scan. `want` is the table whose rows are wanted
** (TM_NONE: all tables): with a frozen schema, only what leads to it is
** walked. With `cells`, wanted rows get their cells; without, only ids
** (count(*) needs no values). With `observe`, every record's rows are
** counted into the schema's statistics.
*/
tm_flat *tm_flat_new(tm_schema *s, uint32_t want, int cells, int observe);
void tm_flat_free(tm_flat *f);

/* Use the top-level field `field` as the main row's id (option id=).
** The string must outlive the flattener. */
void tm_flat_natural_id(tm_flat *f, const char *field);

/* From the next record on, want table `want`, with or without cells. */
void tm_flat_want(tm_flat *f, uint32_t want, int cells);

/* Flatten one record. Returns 0, -1 when out of memory, or -2 when the
** record lacks a scalar natural id (see tm_flat_natural_id). */
int tm_flat_record(tm_flat *f, const tm_record *rec);

/* The rows of the last record; rows[0] is its main row. */
const tm_row *tm_flat_rows(const tm_flat *f, uint32_t *n);
const tm_cell *tm_flat_cells(const tm_flat *f);

/* A record's rows with everything they point to: what a reader of rows
** needs, wherever they were made (here, or in a background scan's thread). */
typedef struct tm_rows {
  const tm_record *rec;     /* the record's text and tokens */
  const tm_row *row;
  uint32_t nrows;
  uint32_t ncells, nextras;
  const tm_cell *cells;
  const tm_extra *extras;
} tm_rows;

/* The view of the last record's rows (valid until the next record). */
void tm_flat_view(const tm_flat *f, const tm_record *rec, tm_rows *v);

/* Continue the ids as if `counts[t]` rows of each table t < n had been
** seen (after a seek); other tables start from 0. */
void tm_flat_set_counts(tm_flat *f, const uint64_t *counts, uint32_t n);

/* Rows counted so far in table t (the last _id given). */
uint64_t tm_flat_count(const tm_flat *f, uint32_t t);

#endif
