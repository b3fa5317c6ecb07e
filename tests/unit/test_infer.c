/*
** test_infer.c: the schema pass read in two halves (src/infer.c,
** src/schemamerge.c). Every file is inferred twice, split (split_min 0:
** any JSON Lines file is split) and alone (split_min UINT64_MAX): the
** catalogues must print the same (tables, columns, their names, types,
** counts and source paths), a failure must say the same, and each index
** must hold what a plain scan finds at its checkpoints (the record number,
** the line, the rows of every table). Whether the halves were merged is
** checked too, so the cases that must fall back to one reader cannot pass
** by merging, nor the others by never splitting.
*/
#define _GNU_SOURCE   /* mkdtemp */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "util.h"
#include "infercheck.h"

/* A run of identical lines; "%s" in the text takes the padding. */
typedef struct part {
  const char *line;
  int n;
} part;

/* Write the parts to g_path, in order, with `pad` x's for each "%s". */
static void write_parts(const part *parts, int nparts, size_t pad) {
  FILE *f = fopen(g_path, "wb");
  char *x = malloc(pad + 1);
  if (!f || !x) abort();
  memset(x, 'x', pad);
  x[pad] = 0;
  for (int p = 0; p < nparts; p++)
    for (int i = 0; i < parts[p].n; i++) {
      fprintf(f, parts[p].line, x);
      fputc('\n', f);
    }
  free(x);
  fclose(f);
}

/*
** Infer g_path (or `path`) split and alone with options o; both must agree
** and index truly; `merge` says whether the halves must have been merged.
*/
static void both_ways(const char *path, tm_options o, int merge, const char *what) {
  char msg[300], ours[sizeof g_path];
  memcpy(ours, g_path, sizeof ours);
  if (path) snprintf(g_path, sizeof g_path, "%s", path);
  str split = {0}, alone = {0};
  int split_index, alone_index;
  uint64_t before = tm_infer_merges();
  o.split_min = 0;
  infer_once(g_path, &o, &split, &split_index);
  uint64_t merged = tm_infer_merges() - before;
  o.split_min = UINT64_MAX;
  infer_once(g_path, &o, &alone, &alone_index);
  snprintf(msg, sizeof msg, "%s: the same catalogue split and alone", what);
  CHECK_STR(split.p, alone.p ? alone.p : "", msg);
  snprintf(msg, sizeof msg, "%s: %s", what, merge ? "the halves merged" : "read alone");
  CHECK_INT(merged, merge, msg);
  snprintf(msg, sizeof msg, "%s: both indexes hold what a scan finds", what);
  CHECK(split_index && alone_index, msg);
  free(split.p);
  free(alone.p);
  memcpy(g_path, ours, sizeof ours);
}

/* Real files: gen.py orders and the JSON Lines files of the shared data. */
static void test_real_files(void) {
  tm_options o;
  tm_options_init(&o);
  both_ways("build/data/orders3k.jsonl", o, 1, "gen.py orders");
  both_ways("../shared/data/realworld/amazon_cellphones.ndjson", o, 1,
            "amazon cellphones");
  both_ways("../shared/data/realworld/crates_io_index/top_crates_index.jsonl", o, 0,
            "crates index (features: a map, made in each half)");
  o.arrays = TM_ARRAYS_CHILD;
  both_ways("build/data/orders3k.jsonl", o, 1, "gen.py orders, arrays=child");
  o.arrays = TM_ARRAYS_SKIP;
  both_ways("build/data/orders3k.jsonl", o, 1, "gen.py orders, arrays=skip");
  tm_options_init(&o);
  o.sample = 100;
  both_ways("build/data/orders3k.jsonl", o, 0, "gen.py orders, sample=100");
  tm_options_init(&o);
  o.max_columns = 12;
  both_ways("build/data/orders3k.jsonl", o, 0, "gen.py orders, max_columns=12 (maps)");
}

/* What the second half meets first is new to the first half: names,
** repeated keys, types, tables and their children. */
static void test_new_in_second_half(void) {
  tm_options o;
  tm_options_init(&o);
  const part names[] = {
      {"{\"a_b\":1,\"pad\":\"%s\"}", 200},
      {"{\"a\":{\"b\":2},\"a_b\":\"s\",\"A_B\":3.5,\"x\":1,\"x\":\"y\",\"x\":null}", 30},
  };
  write_parts(names, 2, 1000);
  both_ways(NULL, o, 1, "names taken in the first half, new ones in the second");
  const part tables[] = {
      {"{\"id\":1,\"pad\":\"%s\"}", 200},
      {"{\"id\":2,\"t\":[{\"u\":[{\"v\":1},{\"v\":\"w\"}],\"w\":[1,2]}],\"t_u\":5}", 30},
  };
  write_parts(tables, 2, 1000);
  both_ways(NULL, o, 1, "child and grandchild tables met in the second half");
  const part arrays[] = {
      {"{\"a\":[1,2],\"pad\":\"%s\"}", 200},
      {"{\"a\":[{\"x\":1}]}", 30},
  };
  write_parts(arrays, 2, 1000);
  both_ways(NULL, o, 1, "values first, a table in the second half");
  const part tables_first[] = {
      {"{\"a\":[{\"x\":1}]}", 5},
      {"{\"pad\":\"%s\"}", 200},
      {"{\"a\":[1,2]}", 30},
      {"{\"a\":[{\"x\":2}]}", 30},
  };
  write_parts(tables_first, 4, 1000);
  both_ways(NULL, o, 1, "a table in the first half, values in the second");
  o.arrays = TM_ARRAYS_SKIP;
  both_ways(NULL, o, 1, "the same with arrays=skip");
}

/* The second half took turns it would not have taken after the first:
** the pass reads it again alone. */
static void test_falls_back(void) {
  tm_options o;
  tm_options_init(&o);
  o.max_columns = 8;
  const part wide[] = {
      {"{\"a\":1,\"b\":2,\"pad\":\"%s\"}", 200},
      {"{\"m\":{\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5,\"k6\":6,\"k7\":7,\"k8\":8}}",
       30},
  };
  write_parts(wide, 2, 1000);
  both_ways(NULL, o, 0, "a map made in the second half");
  o.max_columns = 4;
  const part full[] = {
      {"{\"a\":1,\"b\":2,\"pad\":\"%s\"}", 200},
      {"{\"c\":3,\"d\":4}", 30},
  };
  write_parts(full, 2, 1000);
  both_ways(NULL, o, 0, "tables wider than max_columns together");
}

/* Errors in the second half say what reading alone says; errors=skip
** reads past them in either half. */
static void test_errors(void) {
  tm_options o;
  tm_options_init(&o);
  const part bad[] = {
      {"{\"a\":1,\"pad\":\"%s\"}", 200},
      {"{\"a\":2,", 3},
      {"{\"a\":3}", 30},
  };
  write_parts(bad, 3, 1000);
  both_ways(NULL, o, 0, "a bad record in the second half");
  o.errors = TM_ERRORS_SKIP;
  both_ways(NULL, o, 1, "the same with errors=skip");
  tm_options_init(&o);
  o.id = "a";
  const part noid[] = {
      {"{\"a\":1,\"pad\":\"%s\"}", 200},
      {"{\"b\":2}", 3},
  };
  write_parts(noid, 2, 1000);
  both_ways(NULL, o, 0, "a record without its id in the second half");
}

/* Where the middle falls: among blank lines and CRLF, or inside the last
** line (no line starts after it: read alone). */
static void test_middle(void) {
  tm_options o;
  tm_options_init(&o);
  const part blanks[] = {
      {"{\"a\":1,\"pad\":\"%s\"}\r", 100},
      {"  \r\n\t", 300},
      {"{\"b\":2}\r", 100},
  };
  write_parts(blanks, 3, 1000);
  both_ways(NULL, o, 1, "blank lines and CRLF around the middle");
  const part last[] = {
      {"{\"a\":1}", 100},
      {"{\"b\":\"%s\"}", 1},
  };
  write_parts(last, 2, 100000);
  both_ways(NULL, o, 0, "the middle inside the last line");
  const part array[] = {{"[{\"a\":1},", 1}, {"{\"b\":\"%s\"},", 200}, {"{\"c\":3}]", 1}};
  write_parts(array, 3, 1000);
  both_ways(NULL, o, 0, "one JSON document");
  o.root = "r";
  const part rooted[] = {{"{\"r\":[{\"a\":1}],\"pad\":\"%s\"}", 200}};
  write_parts(rooted, 1, 1000);
  both_ways(NULL, o, 0, "root=");
}

/* What the ticks of one schema pass said. */
typedef struct ticks {
  int calls, backwards, stop_at;
  tm_progress last;
} ticks;

/* The options' tick: note the progress; stop at call stop_at (0: never). */
static int on_tick(void *arg, const tm_progress *p) {
  ticks *t = arg;
  if (t->calls && (p->records < t->last.records || p->consumed < t->last.consumed))
    t->backwards = 1;
  t->last = *p;
  return ++t->calls == t->stop_at;
}

/* The records of `path` before the second half's start: past the first
** newline after the middle, the line start after the next line. */
static int first_half_records(const char *path) {
  FILE *f = fopen(path, "rb");
  if (!f || fseek(f, 0, SEEK_END)) abort();
  long mid = ftell(f) / 2, at = 0;
  int records = 0, past = 0, c;
  rewind(f);
  while ((c = fgetc(f)) != EOF && past < 2) {
    if (c == '\n') {
      records++;
      past += at >= mid;
    }
    at++;
  }
  fclose(f);
  return records;
}

/* Progress counts both halves, never goes back (not even when the second
** half is dropped and read again), and a tick that says stop stops both. */
static void test_progress(void) {
  tm_options o;
  tm_options_init(&o);
  o.split_min = 0;
  o.tick = on_tick;
  const char *path = "build/data/orders3k.jsonl";
  for (int maps = 0; maps < 2; maps++) {
    ticks t = {0};
    o.tick_arg = &t;
    o.max_columns = maps ? 12 : 1000;
    tm_file_id id;
    char *err = NULL;
    tm_schema *s = tm_infer(path, &o, "t", &id, NULL, &err);
    CHECK(s != NULL, maps ? "maps: the pass succeeds" : "the pass succeeds");
    if (maps) {   /* read alone */
      CHECK_INT(t.calls, 3000 / 256, "maps: a tick every 256 records read alone");
    } else {      /* and while the first half waits: on arriving, at each
                     tick of the second, once it ended */
      int first = first_half_records(path), second = (3000 - first) / 256;
      CHECK(t.calls >= first / 256 + 1 && t.calls <= first / 256 + second + 2,
            "a tick every 256 records of the first half, then while it waits");
    }
    CHECK(!t.backwards,
          maps ? "maps: progress never goes back" : "progress never goes back");
    CHECK(t.last.consumed <= id.size && t.last.records <= 3000,
          maps ? "maps: progress within the file" : "progress within the file");
    tm_schema_free(s);
    free(err);
  }
  ticks t = {0};
  t.stop_at = 3;
  o.tick_arg = &t;
  o.max_columns = 1000;
  tm_file_id id;
  char *err = NULL;
  tm_schema *s = tm_infer(path, &o, "t", &id, NULL, &err);
  CHECK(s == NULL, "a tick that says stop fails the pass");
  CHECK_STR(err, "interrupted", "... saying it was interrupted");
  CHECK_INT(t.calls, 3, "... at once");
  free(err);
  const part late[] = {{"{\"big\":\"%s\"}", 200}, {"{\"a\":1}", 6000}};
  write_parts(late, 2, 20000);
  for (int split = 0; split < 2; split++) {
    ticks u = {0};
    u.stop_at = 1;
    o.tick_arg = &u;
    o.split_min = split ? 0 : UINT64_MAX;
    err = NULL;
    s = tm_infer(g_path, &o, "t", &id, NULL, &err);
    CHECK(s == NULL && err && strcmp(err, "interrupted") == 0,
          split ? "fewer than 256 big records before the middle: stopped while waiting"
                : "... and read alone: stopped in the many small ones");
    CHECK_INT(u.calls, 1, "... at the first tick");
    tm_schema_free(s);
    free(err);
  }
}

int main(void) {
  if (tmp_dir_make("tm_infer", "t.jsonl")) return 1;
  test_real_files();
  test_new_in_second_half();
  test_falls_back();
  test_errors();
  test_middle();
  test_progress();
  tmp_dir_remove();
  return check_failures;
}
