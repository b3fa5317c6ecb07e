/*
** fuzz_lossless.c: libFuzzer target for the lossless property of
** tests/unit/losslesscheck.h (every scalar of every record exactly once in
** the rows, at its place; the catalogue equal to the rows), under random
** options.
**
** The first bytes choose the options (as fuzz_flatten.c, with max_columns
** from 1 to 64 and, now and then, a schema pass read in two halves). Then
** either the rest is the file as it is, or it drives a generator of JSON
** Lines whose keys come from a few letters, so that objects grow wide,
** turn into maps, and hold maps, arrays and repeated keys. A failure aborts.
*/
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../unit/util.h"
#include "../unit/losslesscheck.h"

/* The generator's input: bytes read in turn, zeros when they run out. */
typedef struct gen {
  const uint8_t *d;
  size_t n, i;
  FILE *f;
} gen;

static unsigned gen_byte(gen *g) { return g->i < g->n ? g->d[g->i++] : 0; }

static void gen_value(gen *g, int depth);

/* An object of up to 7 members, keys from a pool of 10 (two spelled with
** an escape, one a metadata name). */
static void gen_object(gen *g, int depth) {
  static const char *const keys[] = {"a", "b",       "c",   "d",    "e",
                                     "f", "\\u0067", "_id", "k\\n", "value"};
  unsigned n = gen_byte(g) % 8;
  fputc('{', g->f);
  for (unsigned i = 0; i < n; i++) {
    fprintf(g->f, "%s\"%s\":", i ? "," : "", keys[gen_byte(g) % 10]);
    gen_value(g, depth + 1);
  }
  fputc('}', g->f);
}

/* Any JSON value, scalars only past depth 6 or once the bytes run out. */
static void gen_value(gen *g, int depth) {
  unsigned b = gen_byte(g);
  if (depth > 6 || g->i >= g->n) b &= 3;
  switch (b % 8) {
    case 0: fputs("null", g->f); break;
    case 1: fputs(b & 8 ? "true" : "false", g->f); break;
    case 2: fprintf(g->f, b & 8 ? "%u" : "%u.5", b >> 4); break;
    case 3: fprintf(g->f, b & 8 ? "\"s%u\"" : "\"\\u00e9%u\"", b >> 4); break;
    case 4:
    case 5: gen_object(g, depth); break;
    case 6: {
      unsigned n = gen_byte(g) % 4;
      fputc('[', g->f);
      for (unsigned i = 0; i < n; i++) {
        if (i) fputc(',', g->f);
        gen_value(g, depth + 1);
      }
      fputc(']', g->f);
      break;
    }
    default: fputs(b & 8 ? "{}" : b & 16 ? "[]" : "123456789012345678901234567890", g->f);
  }
}

/* Options from the first bytes; returns how many bytes they took. */
static size_t fuzz_options(const uint8_t *d, size_t n, tm_options *o) {
  static const char *const seps[] = {"_", ".", "__", "/"};
  static const char *const roots[] = {NULL, "a", "a.b", "data.items"};
  tm_options_init(o);
  if (n < 5) return 0;
  o->format = d[0] % 3;
  o->arrays = (d[0] >> 2) % 3;
  o->errors = (d[0] >> 4) & 1;
  o->max_depth = 1 + d[1] % 8;
  o->max_columns = 1 + d[2] % 64;
  o->separator = seps[d[3] & 3];
  o->root = (d[3] & 64) ? roots[(d[3] >> 2) & 3] : NULL;
  o->sample = (d[3] & 16) ? 1 + (d[3] >> 5) : -1;
  o->split_min = (d[4] & 2) ? 0 : UINT64_MAX;
  return 5;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[64];
  tm_options o;
  size_t skip = fuzz_options(data, size, &o);
  snprintf(path, sizeof path, "/tmp/fuzz_lossless.%ld.json", (long)getpid());
  FILE *f = fopen(path, "wb");
  if (!f) return 0;
  if (skip && (data[4] & 1)) {
    fwrite(data + skip, 1, size - skip, f);
  } else {
    gen g = {data + skip, size - skip, 0, f};
    while (g.i < g.n) {
      gen_object(&g, 1);
      fputc('\n', f);
    }
  }
  fclose(f);
  str why = {0};
  if (lossless_file(path, &o, &why)) {
    fprintf(stderr, "lossless: %s\n", why.p);
    abort();
  }
  free(why.p);
  unlink(path);
  return 0;
}
