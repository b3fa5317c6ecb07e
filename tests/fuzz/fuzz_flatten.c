/*
** fuzz_flatten.c: libFuzzer target for framing, flattening, the schema
** pass, the sparse index and the cache form (src/jsonread.c, flatten.c,
** schema.c, seek.c, rowtext.c, scan.c).
**
** The first bytes choose options (format, compression, arrays, max_depth,
** max_columns, separator, root, errors, sample); the rest is the file. It
** runs a one-pass scan with an open schema (as transmog_each), then the
** schema pass with its index (as CREATE), saves and reloads the catalogue
** and the index, scans again with the frozen schema for one table, and
** looks up rows through the index.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonout.h"
#include "rowtext.h"
#include "infer.h"

/* Every row of a scan written as JSON (exercises rowtext and jsonout). */
static void fuzz_drain(tm_scan *sc, int limit) {
  tm_buf o = {0};
  for (int n = 0; n < limit; n++) {
    int rc = tm_scan_next(sc);
    if (rc == TM_REC_END || rc == TM_REC_FATAL) break;
    if (rc != TM_REC_OK) continue;
    tm_rows v;
    tm_flat_view(tm_scan_flat(sc), tm_scan_record(sc), &v);
    for (uint32_t i = 0; i < v.nrows; i++) {
      o.n = 0;
      tm_rowtext_json(&o, tm_scan_schema(sc), &v, &v.row[i], n & 1, NULL, 0);
    }
  }
  tm_buf_free(&o);
}

/* Options from the first bytes; returns how many bytes they took. */
static size_t fuzz_options(const uint8_t *d, size_t n, tm_options *o) {
  static const char *const seps[] = {"_", ".", "__", "/"};
  static const char *const roots[] = {NULL, "a", "a.b", "data.items"};
  tm_options_init(o);
  if (n < 4) return 0;
  o->format = d[0] % 3;
  o->compression = (d[0] >> 2) % 3;
  o->arrays = (d[0] >> 4) % 3;
  o->errors = (d[0] >> 6) & 1;
  o->max_depth = 1 + d[1] % 8;
  o->max_columns = 1 + d[2] % 12;
  o->separator = seps[d[3] & 3];
  o->root = roots[(d[3] >> 2) & 3];
  o->sample = (d[3] & 16) ? 1 + (d[3] >> 5) : -1;
  o->max_record = (d[1] & 128) ? 64 : 1u << 20;
  return 4;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[64];
  tm_options o;
  size_t skip = fuzz_options(data, size, &o);
  snprintf(path, sizeof path, "/tmp/fuzz_flatten.%ld.json", (long)getpid());
  FILE *f = fopen(path, "wb");
  if (!f) return 0;
  fwrite(data + skip, 1, size - skip, f);
  fclose(f);
  char *err = NULL;
  tm_scan *sc = tm_scan_open(path, &o, NULL, TM_NONE, 1, 0, &err);
  if (sc) fuzz_drain(sc, 200);
  tm_scan_close(sc);
  free(err);
  err = NULL;
  tm_file_id id;
  tm_seek *k = NULL;
  tm_schema *s = tm_infer(path, &o, "t", &id, &k, &err);
  free(err);
  err = NULL;
  if (s) {
    tm_buf blob = {0}, kb = {0};
    tm_schema_save(s, &blob);
    tm_seek_save(k, &kb);
    tm_schema *s2 = tm_schema_load(blob.p, blob.n);
    tm_seek *k2 = s2 ? tm_seek_load(kb.p, kb.n, s2->ntables, id.size, o.format) : NULL;
    if (!s2 || !k2) abort();   /* what was saved must load */
    uint32_t want = s2->ntables > 1 ? 1 : 0;
    sc = tm_scan_open(path, &o, s2, want, 1, 0, &err);
    if (sc) {
      fuzz_drain(sc, 200);
      uint32_t cp = tm_seek_find(k2, want, 1 + (size ? data[size - 1] & 7 : 0));
      if (tm_scan_seek(sc, k2, cp) == 0) fuzz_drain(sc, 20);
    }
    tm_scan_close(sc);
    free(err);
    tm_seek_free(k2);
    tm_schema_free(s2);
    tm_buf_free(&blob);
    tm_buf_free(&kb);
  }
  tm_seek_free(k);
  tm_schema_free(s);
  unlink(path);
  return 0;
}
