/*
** value.h: the engine's values, what every table writer is fed with. A
** token becomes an integer (int64, booleans as 1/0), a real (a double),
** text (bytes and a length, NULs kept), JSON text (arrays and objects),
** or null. A number that no int64 or double holds (a big integer, an
** overflowing exponent) stays text with its exact digits: value.c says
** so in one place, for tm_value_of and for the row text (tm_value_huge).
** types=text gives every scalar as text, spelled as in the file.
**
** A token is converted once into a tm_value, which then becomes a SQL
** result, a bound parameter, a CSV field, or any writer's cell.
*/
#ifndef TM_VALUE_H
#define TM_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "jsonout.h"

/* What a value is. */
enum { TM_VALUE_NULL, TM_VALUE_INT, TM_VALUE_REAL, TM_VALUE_TEXT, TM_VALUE_JSON };

/* One value. */
typedef struct tm_value {
  int kind;            /* TM_VALUE_* */
  int64_t i;           /* TM_VALUE_INT */
  double d;            /* TM_VALUE_REAL */
  const char *text;    /* text and JSON: the bytes, in the record or in the
                          scratch; a number: its digits as the file spells
                          them, or NULL when it has none (an ordinal, a
                          boolean) */
  size_t n;
} tm_value;

/* Is the JSON real [p, p+len) beyond a double? */
int tm_value_real_huge(const char *p, size_t len);

/* Is token t (of a record whose text is `text`) a number that no int64 or
** double holds? Such numbers stay text, with their exact digits. Inline:
** the row text asks it of every value. */
static inline int tm_value_huge(const char *text, const tm_tok *t) {
  return t->kind == TM_BIG ||
         (t->kind == TM_REAL && tm_value_real_huge(text + t->off, t->len));
}

/*
** Convert token i of a record. A string with escapes, or a container's JSON
** text, is appended to `scratch` and points there; it is the only kind of
** value that makes scratch grow, and its text starts where scratch ended
** before the call. Appending may move scratch: a caller that converts
** several values before using them keeps that offset, not the pointer.
** Out of memory shows in scratch->nomem.
*/
void tm_value_of(tm_value *v, const char *text, const tm_tok *tok, uint32_t i, int types,
                 tm_buf *scratch);

#endif
