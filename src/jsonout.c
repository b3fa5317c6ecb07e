/*
** jsonout.c: the text output declared in jsonout.h.
**
** The compact writer walks the tape instead of the source bytes: tokens
** already know where each scalar's text is, so writing a value is a copy
** per token plus the punctuation between them, with no re-validation. It
** keeps an explicit stack of open containers, like the tokenizer.
*/
#include "jsonout.h"

#include <stdlib.h>
#include <string.h>

void tm_jsonout_unescape(tm_buf *o, const char *raw, size_t len) {
  if (!len || tm_buf_reserve(o, len)) return;   /* unescaping never grows it */
  o->n += tm_json_unescape(raw, len, o->p + o->n);
}

/* Append one scalar token's JSON text (a string with its quotes). */
static void out_scalar(tm_buf *o, const char *text, const tm_tok *t) {
  if (t->kind == TM_STR) {
    if (tm_buf_reserve(o, (size_t)t->len + 2)) return;
    o->p[o->n++] = '"';
    memcpy(o->p + o->n, text + t->off, t->len);
    o->n += t->len;
    o->p[o->n++] = '"';
    return;
  }
  tm_buf_put(o, text + t->off, t->len);
}

void tm_jsonout_value(tm_buf *o, const char *text, const tm_tok *tok, uint32_t i) {
  if (tok[i].kind < TM_ARR) {
    out_scalar(o, text, &tok[i]);
    return;
  }
  struct open {
    uint32_t end, n;
    uint8_t obj;
  } stack[TM_JSON_MAX_DEPTH + 1];
  int depth = 0;
  uint32_t k = i;
  do {
    if (depth) {
      struct open *top = &stack[depth - 1];
      if (top->n > 0) tm_buf_putc(o, top->obj && top->n % 2 ? ':' : ',');
      top->n++;
    }
    const tm_tok *t = &tok[k];
    if (t->kind >= TM_ARR) {
      tm_buf_putc(o, t->kind == TM_OBJ ? '{' : '[');
      stack[depth].end = t->end;
      stack[depth].n = 0;
      stack[depth].obj = t->kind == TM_OBJ;
      depth++;
    } else {
      out_scalar(o, text, t);
    }
    k++;
    while (depth && k == stack[depth - 1].end) {
      depth--;
      tm_buf_putc(o, stack[depth].obj ? '}' : ']');
    }
  } while (depth);
}

void tm_jsonout_string(tm_buf *o, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  tm_buf_putc(o, '"');
  size_t run = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    tm_buf_put(o, s + run, i - run);
    run = i + 1;
    char esc[6] = {'\\', 0, 0, 0, 0, 0};
    switch (c) {
      case '"': esc[1] = '"'; break;
      case '\\': esc[1] = '\\'; break;
      case '\n': esc[1] = 'n'; break;
      case '\r': esc[1] = 'r'; break;
      case '\t': esc[1] = 't'; break;
      default:
        memcpy(esc + 1, "u00", 3);
        esc[4] = hex[c >> 4];
        esc[5] = hex[c & 15];
        tm_buf_put(o, esc, 6);
        continue;
    }
    tm_buf_put(o, esc, 2);
  }
  tm_buf_put(o, s + run, n - run);
  tm_buf_putc(o, '"');
}
