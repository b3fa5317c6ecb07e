/*
** fuzz_json.c: libFuzzer target for the tokenizer (src/json.c).
**
** The input is one buffer given to tm_json_parse with final=1 and, cut in
** two at a point the first byte chooses, with final=0 then 1 (the way the
** framing layer feeds it). Whatever it says must agree: OK with the same
** tokens, or an error. Every token is then read back (unescape, numbers,
** compact text) and tm_json_skim walks the same bytes.
*/
#include <stdlib.h>
#include <string.h>

#include "json.h"
#include "jsonout.h"

/* A copy of data with the zero sentinel and padding the tokenizer needs. */
static char *fuzz_pad(const uint8_t *data, size_t n) {
  char *buf = malloc(n + TM_JSON_PAD);
  memcpy(buf, data, n);
  memset(buf + n, 0, TM_JSON_PAD);
  return buf;
}

/* Read every token back, as the rest of the engine does. */
static void fuzz_read(const char *buf, const tm_tape *t) {
  char *tmp = malloc(t->n ? 1 + t->tok[0].len : 1);
  for (size_t i = 0; i < t->n; i++) {
    const tm_tok *k = &t->tok[i];
    if (k->kind == TM_STR) tm_json_unescape(buf + k->off, k->len, tmp);
    if (k->kind == TM_INT) (void)tm_json_int(buf + k->off, k->len);
    if (k->kind == TM_REAL) (void)tm_json_real(buf + k->off, k->len);
  }
  tm_buf o = {0};
  if (t->n) tm_jsonout_value(&o, buf, t->tok, 0);
  tm_buf_free(&o);
  free(tmp);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *buf = fuzz_pad(data, size);
  tm_tape whole = {0}, part = {0};
  tm_json_err err;
  size_t end = 0, end2 = 0;
  int rc = tm_json_parse(buf, size, 1, &whole, &end, &err);
  if (rc == TM_JSON_OK) fuzz_read(buf, &whole);
  size_t cut = size ? data[0] % (size + 1) : 0;
  char *head = fuzz_pad(data, cut);
  int rc2 = tm_json_parse(head, cut, 0, &part, &end2, &err);
  if (rc2 == TM_JSON_OK && rc == TM_JSON_OK && (end2 != end || part.n != whole.n))
    abort();
  if (rc2 == TM_JSON_MORE) {
    rc2 = tm_json_parse(buf, size, 1, &part, &end2, &err);
    if (rc2 != rc || (rc == TM_JSON_OK && (end2 != end || part.n != whole.n))) abort();
  }
  tm_skim s = {0, 0, 0, 0};
  int done;
  (void)tm_json_skim(&s, buf, size, &done);
  tm_json_tape_free(&whole);
  tm_json_tape_free(&part);
  free(head);
  free(buf);
  return 0;
}
