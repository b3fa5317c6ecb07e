/*
** fuzz_cache.c: libFuzzer target for reading the schema cache, which a
** database file can hold in any state (src/schema.c tm_schema_load,
** src/seek.c tm_seek_load). The input is a catalogue's bytes followed by
** an index's (split where the first byte says). Whatever loads must be safe
** to use: every name and path is read, and a small file is scanned with it.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "infer.h"

static const char fuzz_doc[] =
    "{\"a\":1,\"b\":{\"c\":[{\"d\":2,\"e\":[1,{\"f\":null}]}]},\"g\":[1,2],\"a\":3}\n"
    "{\"h\":{\"x\":1,\"y\":2,\"z\":3},\"b\":{\"c\":[]},\"_id\":7}\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  size_t cut = size ? 1 + data[0] * (size - 1) / 255 : 0;
  tm_schema *s = tm_schema_load(data + (size ? 1 : 0), cut > 0 ? cut - 1 : 0);
  if (!s) return 0;
  for (uint32_t i = 0; i < s->nnodes; i++) {
    free(tm_schema_source(s, i));
    free(tm_schema_path(s, i));
  }
  for (uint32_t t = 0; t < s->ntables; t++)
    for (uint32_t c = 0; c < s->tables[t].ncols; c++)
      (void)strlen(tm_schema_name(s, s->tables[t].cols[c].name));
  char path[64];
  snprintf(path, sizeof path, "/tmp/fuzz_cache.%ld.json", (long)getpid());
  FILE *f = fopen(path, "wb");
  if (f) {
    fwrite(fuzz_doc, 1, sizeof fuzz_doc - 1, f);
    fclose(f);
    tm_options o;
    tm_options_init(&o);
    char *err = NULL;
    tm_seek *k =
        tm_seek_load(data + cut, size - cut, s->ntables, sizeof fuzz_doc - 1, o.format);
    tm_scan *sc = tm_scan_open(path, &o, s, s->ntables > 1 ? 1 : TM_NONE, 1, 0, &err);
    for (int n = 0; sc && n < 4; n++) {
      if (k && n == 2) tm_scan_seek(sc, k, k->n - 1);
      if (tm_scan_next(sc) == TM_REC_END) break;
    }
    tm_scan_close(sc);
    tm_seek_free(k);
    free(err);
    unlink(path);
  }
  tm_schema_free(s);
  return 0;
}
