/*
** convert.h: a pass's values converted ahead, on the parsing thread. The
** pipe (bgscan.h) runs tm_convert_work on each record as soon as it is
** flattened, and the record's values travel with its rows in the batch,
** converted by tm_value_of: the thread that writes only hands them on (to
** an INSERT's parameters, or to a CSV line).
**
** What the work makes of a record: a header, then its rows in order, each
** a header and its values (ids, map key, then cells in the record's
** order, then _extra), then the bytes that are not the record's own
** (unescaped strings, JSON text, _extra values). Values keep offsets into
** the record's text or into those bytes, not pointers: the batch's
** buffers move as they grow.
*/
#ifndef TM_CONVERT_H
#define TM_CONVERT_H

#include "scan.h"
#include "value.h"

/* The converter, used by the parsing thread only. */
typedef struct tm_convert tm_convert;

/* A converter for rows of the frozen schema s (types: the option types=).
** With `digits`, a number from the file keeps its text as the file spells
** it (for CSV), without, its value (to bind). NULL when out of memory. */
tm_convert *tm_convert_new(const tm_schema *s, int types, int digits);

/* Free a converter. Accepts NULL. */
void tm_convert_free(tm_convert *c);

/* The pipe's work (a tm_bgscan_work): append every value of rows v to out. */
int tm_convert_work(void *arg, const tm_rows *v, tm_buf *out);

/* One converted value, as the work stores it. */
typedef struct tm_convert_value tm_convert_value;

/* Reads a record's rows, or a row's values, back on the writing thread;
** valid as long as the record. */
typedef struct tm_convert_reader {
  const tm_convert_value *next, *end;
  const char *text;      /* the record's text */
  const char *bytes;     /* the bytes the work made */
} tm_convert_reader;

/* Start reading `made` (what the work made of record rec) at its first row. */
void tm_convert_open(tm_convert_reader *rd, const void *made, const tm_record *rec);

/* The next row of the record: *row reads its values; rd moves past it. */
void tm_convert_row(tm_convert_reader *rd, tm_convert_reader *row);

/* The next value of a row into *column (its declared column, see
** columns.h) and *v: 1, or 0 once there is none. */
int tm_convert_next(tm_convert_reader *rd, int *column, tm_value *v);

#endif
