/*
** test_lossless.c: the lossless property of losslesscheck.h (every scalar
** of every record exactly once in the rows, at its place; the catalogue
** equal to the rows) on the cases of issue 18, on gen.py data, and on the
** files of ../shared/data/realworld.
**
**   test_lossless          the cases, gen.py data, and the real-world files
**                          at a sample of max_columns: 3, 4, 5, 7, 10, 16,
**                          25, 40, 60 (what `make test` runs)
**   test_lossless all      every max_columns from 3 to 60 (`make lossless`)
**
** Each file is read with arrays=json, child and skip, with max_depth=3,
** and in two halves (split_min 0: JSON Lines only), at each max_columns.
*/
#define _GNU_SOURCE   /* mkdtemp */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "util.h"
#include "losslesscheck.h"

#define REALWORLD "../shared/data/realworld"

/* Check the property on path with o; one line of output. */
static void lossless(const char *path, const tm_options *o, const char *what) {
  str why = {0};
  int bad = access(path, R_OK) ? ll_fail(&why, "cannot read the file", 0, path)
                               : lossless_file(path, o, &why);
  char line[900];
  snprintf(line, sizeof line, "%s%s%s", what, bad ? ": " : "", bad ? why.p : "");
  CHECK(!bad, line);
  free(why.p);
}

/* Check the property on text written to a file, with max_columns mc and
** arrays= a. */
static void lossless_text(const char *text, int mc, int a, const char *what) {
  tm_options o;
  tm_options_init(&o);
  o.max_columns = mc;
  o.arrays = a;
  write_file(g_path, text, strlen(text));
  lossless(g_path, &o, what);
}

/* The cases of issue 18, and the shapes that fixing them met. */
static void cases(void) {
  lossless_text(
      "{\"m\":{\"a\":{\"k\":1},\"b\":{\"n\":\"n\",\"k\":1}},\"s\":{\"x\":0,\"y\":1,\"z\":1}}\n"
      "{\"w\":{\"z\":1},\"m\":{\"c\":1}}\n",
      5, TM_ARRAYS_JSON, "maps inside maps keep every value (issue 18, 1)");
  lossless_text(
      "{\"s\":[{\"l\":{\"a\":{\"d\":{},\"n\":{\"e\":{\"i\":[{\"p\":true,\"q\":true,"
      "\"r\":\"s\"}]}},\"h\":{\"e\":{\"i\":[{\"x\":\"s\"}]}}},\"f\":{\"m\":{\"u\":"
      "{\"w\":1,\"h\":1},\"v\":{\"h\":1}}}}}]}\n",
      3, TM_ARRAYS_JSON, "no table without its parent (issue 18, 3)");
  lossless_text("{\"p\":{\"a\":[{\"x\":1}],\"b\":[{\"y\":2},{\"y\":3}],\"c\":1}}\n"
                "{\"p\":{\"d\":[{\"x\":1}],\"e\":2,\"f\":3}}\n",
                4, TM_ARRAYS_JSON, "arrays of objects become map values (issue 18, 4)");
  lossless_text(
      "{\"a\":{\"x\":[1,2],\"y\":[3],\"z\":{\"q\":[4]}}}\n{\"a\":{\"u\":[5],\"v\":6,\"w\":7}}\n",
      3, TM_ARRAYS_SKIP, "arrays=skip drops the same arrays in a map");
  lossless_text(
      "{\"a\":{\"x\":[1,2],\"y\":[3],\"z\":{\"q\":[4]}}}\n{\"a\":{\"u\":[5],\"v\":6,\"w\":7}}\n",
      3, TM_ARRAYS_CHILD, "arrays=child in a map");
  lossless_text(
      "{\"a\":[{\"k\":1}]}\n{\"a\":{\"x\":1,\"y\":2,\"z\":{\"p\":1,\"q\":2,\"r\":3}}}\n",
      3, TM_ARRAYS_JSON, "a path with an array, then a map");
  lossless_text("{\"a\":{\"b\":{\"c\":1,\"d\":2,\"e\":3}}}\n{\"a\":{\"f\":{\"g\":{\"h\":"
                "1,\"i\":2}}}}\n",
                1, TM_ARRAYS_JSON, "max_columns=1: full tables inside maps");
  lossless_text("{\"a\":1,\"a\":{\"b\":1,\"b\":2,\"c\":3},\"d\":{\"a\":4}}\n", 2,
                TM_ARRAYS_JSON, "repeated keys inside a map");
}

/* The property on one file at each max_columns of mcs (n of them), with
** arrays=json, child, skip, with max_depth=3, and read in two halves. */
static void lossless_sweep(const char *path, const char *name, const int *mcs, int n) {
  static const char *const variants[] = {"arrays=json", "arrays=child", "arrays=skip",
                                         "max_depth=3", "in two halves"};
  for (int i = 0; i < n; i++)
    for (int v = 0; v < 5; v++) {
      tm_options o;
      tm_options_init(&o);
      o.max_columns = mcs[i];
      o.arrays = v < 3 ? v : TM_ARRAYS_JSON;
      if (v == 3) o.max_depth = 3;
      if (v == 4) o.split_min = 0;
      char what[300];
      snprintf(what, sizeof what, "%s, max_columns=%d, %s", name, mcs[i], variants[v]);
      lossless(path, &o, what);
    }
}

/* Every file of the real-world directory (and of its directories). */
static void realworld(const char *dir, const int *mcs, int n) {
  DIR *d = opendir(dir);
  CHECK(d != NULL, "the real-world files are there");
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d)) != NULL) {
    if (e->d_name[0] == '.' || strstr(e->d_name, "LICENSE") ||
        strstr(e->d_name, "README"))
      continue;
    char path[600];
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    DIR *sub = opendir(path);
    if (sub) {
      closedir(sub);
      realworld(path, mcs, n);
    } else {
      lossless_sweep(path, path + strlen(REALWORLD) + 1, mcs, n);
    }
  }
  closedir(d);
}

int main(int argc, char **argv) {
  static const int sample[] = {3, 4, 5, 7, 10, 16, 25, 40, 60};
  int all[58];
  for (int i = 0; i < 58; i++) all[i] = 3 + i;
  int full = argc > 1 && strcmp(argv[1], "all") == 0;
  if (tmp_dir_make("tm_lossless", "in.jsonl")) return 1;
  cases();
  tmp_dir_remove();
  static const int gen[] = {2, 3, 6, 12, 30};
  lossless_sweep("build/data/orders3k.jsonl", "gen.py orders", gen, 5);
  static const int big[] = {6, 1000};
  lossless_sweep("build/data/orders16k.jsonl", "gen.py orders16k", big, 2);
  if (full) realworld(REALWORLD, all, 58);
  else realworld(REALWORLD, sample, sizeof sample / sizeof *sample);
  return check_failures;
}
