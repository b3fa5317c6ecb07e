/*
** replay.c: runs a fuzz target's function on every file of a directory,
** without libFuzzer, so that every input a fuzzer ever found (kept in
** tests/fuzz/regress/<target>/) is a regression test of `make test` (and
** of `make asan`, where the sanitizers watch it). Prints "ok - ..." per
** file for tests/run.py; a crash stops the program, which the runner
** reports.
*/
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Run the target on one file. */
static void replay_file(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f) {
    printf("not ok - replay %s (cannot open)\n", path);
    return;
  }
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *data = malloc(n > 0 ? (size_t)n : 1);
  size_t got = fread(data, 1, n > 0 ? (size_t)n : 0, f);
  fclose(f);
  LLVMFuzzerTestOneInput(data, got);
  free(data);
  printf("ok - replay %s\n", path);
}

int main(int argc, char **argv) {
  if (argc < 2) return 2;
  DIR *d = opendir(argv[1]);
  if (!d) {
    printf("not ok - replay %s (no such directory)\n", argv[1]);
    return 1;
  }
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.') continue;
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", argv[1], e->d_name);
    replay_file(path);
  }
  closedir(d);
  return 0;
}
