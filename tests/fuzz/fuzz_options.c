/*
** fuzz_options.c: libFuzzer target for the option parser (src/options.c),
** in both forms: one string, and a list of "key=value" arguments (the
** input cut at newlines). Every option, the export ones included.
*/
#include <stdlib.h>
#include <string.h>

#include "options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *text = malloc(size + 1);
  memcpy(text, data, size);
  text[size] = 0;
  tm_opts opts;
  char *err = NULL;
  tm_opts_parse(&opts, text, TM_FN_ALL, "fuzz", &err);
  tm_opts_free(&opts);
  free(err);
  const char *argv[64];
  int argc = 0;
  for (char *p = text; argc < 64 && p;) {
    argv[argc++] = p;
    p = strchr(p, '\n');
    if (p) *p++ = 0;
  }
  err = NULL;
  tm_opts_parse_args(&opts, argc, argv, TM_FN_ALL, "fuzz", &err);
  tm_opts_free(&opts);
  free(err);
  free(text);
  return 0;
}
