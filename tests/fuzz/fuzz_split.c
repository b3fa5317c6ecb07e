/*
** fuzz_split.c: libFuzzer target for the schema pass in two halves
** (src/infer.c, src/schemamerge.c), as a differential test. The first
** bytes choose options (format, arrays, errors, max_depth, max_columns,
** separator, id, max_record); the rest is the file, inferred split
** (split_min 0: whatever its size) and alone. The two catalogues, or the
** two errors, must be the same, and each index must hold what a plain scan
** finds at its checkpoints: if not, the target aborts.
*/
#define _GNU_SOURCE   /* util.h: mkdtemp */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../unit/util.h"
#include "../unit/infercheck.h"

/* Options from the first bytes; returns how many bytes they took. */
static size_t fuzz_options(const uint8_t *d, size_t n, tm_options *o) {
  static const char *const seps[] = {"_", ".", "__", "/"};
  tm_options_init(o);
  if (n < 3) return 0;
  o->format = d[0] & 1 ? TM_FMT_JSONL : TM_FMT_AUTO;
  o->arrays = (d[0] >> 1) % 3;
  o->errors = (d[0] >> 3) & 1;
  o->id = (d[0] >> 4) & 1 ? "a" : NULL;
  o->max_depth = 1 + d[1] % 8;
  o->max_record = (d[1] & 128) ? 64 : 1u << 20;
  o->max_columns = 1 + d[2] % 16;
  o->separator = seps[(d[2] >> 4) & 3];
  return 3;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char path[64];
  tm_options o;
  size_t skip = fuzz_options(data, size, &o);
  snprintf(path, sizeof path, "/tmp/fuzz_split.%ld.jsonl", (long)getpid());
  write_file(path, data + skip, size - skip);
  str split = {0}, alone = {0};
  int split_index, alone_index;
  o.split_min = 0;
  infer_once(path, &o, &split, &split_index);
  o.split_min = UINT64_MAX;
  infer_once(path, &o, &alone, &alone_index);
  if (!split.p || !alone.p || strcmp(split.p, alone.p) || !split_index || !alone_index)
    abort();
  free(split.p);
  free(alone.p);
  unlink(path);
  return 0;
}
