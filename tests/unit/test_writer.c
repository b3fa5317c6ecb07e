/*
** test_writer.c: the writer seam (src/writer.h) without SQLite. A small
** nested gzip file goes through the schema pass, the threaded scan with
** its conversion (convert.h) and the CSV and JSONL writers, exactly as
** transmog_export drives them; the files must hold exactly the bytes
** expected (parent and child tables, ids, quoting and escapes, a NUL,
** a big integer and an overflowing real kept as text). A writer freed
** without a commit must leave no file; a commit renames every file into
** place and leaves no temporary one; an existing file is not replaced
** unless the config says so.
*/
#define _GNU_SOURCE   /* mkdtemp */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "util.h"
#include "infer.h"
#include "bgscan.h"
#include "writer.h"

/* The input: two records, the first with a child table and a grandchild. */
static const char input[] =
  "{\"id\":7,\"name\":\"a,b\",\"note\":\"say \\\"hi\\\"\\nbye\",\"big\":123456789012345678901234567890,"
  "\"huge\":1e400,\"r\":1.50,\"ok\":true,\"nul\":\"x\\u0000y\",\"tags\":[\"t1\",2],"
  "\"items\":[{\"sku\":\"A\",\"qty\":2},{\"sku\":\"B\\/C\",\"qty\":null,\"d\":[{\"p\":-0.5}]}]}\n"
  "{\"id\":8,\"name\":\"plain\",\"ok\":false,\"items\":[]}\n";

/* What each file must hold, per table. */
static const char csv_main[] =
  "_id,id,name,note,big,huge,r,ok,nul,tags\r\n"
  "1,7,\"a,b\",\"say \"\"hi\"\"\nbye\",123456789012345678901234567890,1e400,1.50,1,x\0y,\"[\"\"t1\"\",2]\"\r\n"
  "2,8,plain,,,,,0,,\r\n";
static const char csv_items[] =
  "_id,_parent_id,_root_id,_index,sku,qty\r\n"
  "1,1,1,0,A,2\r\n"
  "2,1,1,1,B/C,\r\n";
static const char csv_d[] =
  "_id,_parent_id,_root_id,_index,p\r\n"
  "1,2,1,0,-0.5\r\n";
static const char jsonl_main[] =
  "{\"_id\":1,\"id\":7,\"name\":\"a,b\",\"note\":\"say \\\"hi\\\"\\nbye\","
  "\"big\":\"123456789012345678901234567890\",\"huge\":\"1e400\",\"r\":1.50,\"ok\":true,"
  "\"nul\":\"x\\u0000y\",\"tags\":[\"t1\",2]}\n"
  "{\"_id\":2,\"id\":8,\"name\":\"plain\",\"ok\":false}\n";
static const char jsonl_items[] =
  "{\"_id\":1,\"_parent_id\":1,\"_root_id\":1,\"_index\":0,\"sku\":\"A\",\"qty\":2}\n"
  "{\"_id\":2,\"_parent_id\":1,\"_root_id\":1,\"_index\":1,\"sku\":\"B\\/C\",\"qty\":null}\n";
static const char jsonl_d[] =
  "{\"_id\":1,\"_parent_id\":2,\"_root_id\":1,\"_index\":0,\"p\":-0.5}\n";

/* Write the input gzip-compressed to g_path. */
static void write_input(void) {
  gzFile gz = gzopen(g_path, "wb");
  if (!gz || gzwrite(gz, input, sizeof input - 1) != (int)(sizeof input - 1)) abort();
  gzclose(gz);
}

/* The files in g_dir other than the input, temporary ones included. */
static int count_files(void) {
  DIR *d = opendir(g_dir);
  struct dirent *e;
  int n = 0;
  while (d && (e = readdir(d)))
    n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && strcmp(e->d_name, "in.jsonl.gz");
  if (d) closedir(d);
  return n;
}

/* Open writer c over `dir` with every table of s. */
static tm_writer *open_writer(const tm_writer_class *c, const tm_schema *s, int replace) {
  tm_writer_config cfg = {.schema = s, .types = TM_TYPES_INFER, .dir = g_dir, .replace = replace};
  tm_writer *w = tm_writer_open(c, &cfg);
  tm_coldecl cols[64];
  for (uint32_t t = 0; w && t < s->ntables; t++) {
    if (s->tables[t].dead) continue;
    tm_columns_of(s, t, NULL, 0, cols);
    if (tm_writer_table(w, t, tm_schema_name(s, s->tables[t].name), cols,
                        tm_columns_count(s, t)) != TM_WRITE_OK) {
      printf("# table: %s\n", tm_writer_error(w));
      tm_writer_free(w);
      return NULL;
    }
  }
  return w;
}

/* The export's writing pass: every row of the file to w, as the driver in
** ext/export.c hands them. Returns the rows written, or -1. */
static int write_rows(tm_writer *w, tm_schema *s) {
  tm_options o;
  tm_options_init(&o);
  char *err = NULL;
  tm_convert *conv = w->cls->convert == TM_WRITE_RAW ? NULL
                   : tm_convert_new(s, o.types, w->cls->convert == TM_WRITE_DIGITS);
  tm_bgscan *p = tm_bgscan_open(g_path, &o, s, conv ? tm_convert_work : NULL, conv, &err);
  int n = p ? 0 : -1;
  for (;;) {
    tm_rows rv;
    if (n < 0 || (tm_bgscan_batch_over(p) && tm_writer_batch_over(w) != TM_WRITE_OK)) break;
    int rc = tm_bgscan_next(p, &rv);
    if (rc != TM_REC_OK) {
      if (rc != TM_REC_END) n = -1;
      break;
    }
    tm_write_row row = {.rows = &rv, .batch = tm_bgscan_batches(p)};
    tm_convert_reader values;
    if (conv) tm_convert_open(&values, tm_bgscan_made(p), rv.rec);
    for (uint32_t i = 0; i < rv.nrows && n >= 0; i++, n++) {
      row.row = &rv.row[i];
      if (conv) tm_convert_row(&values, &row.values);
      if (tm_writer_row(w, &row) != TM_WRITE_OK) n = -1;
    }
  }
  tm_bgscan_close(p);
  tm_convert_free(conv);
  free(err);
  return n;
}

/* Does file `name` in g_dir hold exactly the n bytes `want`? Removes it. */
static int file_is(const char *name, const char *want, size_t n) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s", g_dir, name);
  FILE *f = fopen(path, "rb");
  char buf[4096];
  size_t got = f ? fread(buf, 1, sizeof buf, f) : 0;
  if (f) fclose(f);
  unlink(path);
  if (!f || got != n || memcmp(buf, want, n) != 0) {
    printf("# %s: got %zu bytes: %.*s\n", name, got, (int)got, buf);
    return 0;
  }
  return 1;
}

/* Export the file with the writer of format `fmt`: every table's file
** exact, nothing else left. */
static void check_export(tm_schema *s, const char *fmt, const char *const want[3],
                         const size_t len[3]) {
  char what[256], name[160];
  const tm_writer_class *c = tm_writer_find(fmt);
  tm_writer *w = c ? open_writer(c, s, 0) : NULL;
  snprintf(what, sizeof what, "%s: every row written", fmt);
  CHECK_INT(w ? write_rows(w, s) : -1, 5, what);
  snprintf(what, sizeof what, "%s: no file under its name before the commit", fmt);
  snprintf(name, sizeof name, "%s/t.%s", g_dir, fmt);
  CHECK(access(name, F_OK) != 0, what);
  snprintf(what, sizeof what, "%s: commit", fmt);
  CHECK_INT(w ? tm_writer_commit(w) : -1, TM_WRITE_OK, what);
  tm_writer_free(w);
  static const char *const tables[] = {"t", "t_items", "t_items_d"};
  for (int k = 0; k < 3; k++) {
    snprintf(name, sizeof name, "%s.%s", tables[k], fmt);
    snprintf(what, sizeof what, "%s: %s exact", fmt, name);
    CHECK(file_is(name, want[k], len[k]), what);
  }
  snprintf(what, sizeof what, "%s: no temporary file left", fmt);
  CHECK_INT(count_files(), 0, what);
}

/* A writer freed without a commit leaves nothing, rows written or not. */
static void check_abort(tm_schema *s, const char *fmt) {
  char what[128];
  tm_writer *w = open_writer(tm_writer_find(fmt), s, 0);
  snprintf(what, sizeof what, "%s: abort: the temporary files exist while it writes", fmt);
  CHECK_INT(count_files(), 3, what);
  write_rows(w, s);
  tm_writer_free(w);
  snprintf(what, sizeof what, "%s: abort leaves no file", fmt);
  CHECK_INT(count_files(), 0, what);
}

/* An existing file stays unless the writer may replace it. */
static void check_replace(tm_schema *s) {
  char path[256];
  snprintf(path, sizeof path, "%s/t_items.csv", g_dir);
  write_file(path, "old", 3);
  tm_writer_config cfg = {.schema = s, .dir = g_dir};
  tm_writer *w = tm_writer_open(tm_writer_find("csv"), &cfg);
  tm_coldecl cols[8];
  tm_columns_of(s, 1, NULL, 0, cols);
  CHECK_INT(w ? tm_writer_table(w, 1, "t_items", cols, tm_columns_count(s, 1)) : -1, TM_WRITE_ERROR,
            "create: an existing file is refused");
  char want[300];
  snprintf(want, sizeof want, "'%s' already exists; use mode=replace", path);
  CHECK_STR(w ? tm_writer_error(w) : NULL, want, "create: the message names the file");
  tm_writer_free(w);
  w = open_writer(tm_writer_find("csv"), s, 1);
  CHECK(w && write_rows(w, s) == 5 && tm_writer_commit(w) == TM_WRITE_OK, "replace: written");
  tm_writer_free(w);
  CHECK(file_is("t_items.csv", csv_items, sizeof csv_items - 1), "replace: the new file in place");
  unlink(path);
  snprintf(path, sizeof path, "%s/t.csv", g_dir);
  unlink(path);
  snprintf(path, sizeof path, "%s/t_items_d.csv", g_dir);
  unlink(path);
  CHECK(tm_writer_find("parquet") == NULL, "an unknown format has no writer");
}

int main(void) {
  if (tmp_dir_make("tm_writer", "in.jsonl.gz")) return 1;
  write_input();
  tm_options o;
  tm_options_init(&o);
  tm_file_id id;
  char *err = NULL;
  tm_schema *s = tm_infer(g_path, &o, "t", &id, NULL, &err);
  CHECK(s && s->ntables == 3, "schema pass: three tables");
  if (s && s->ntables == 3) {
    const char *const csv[3] = {csv_main, csv_items, csv_d};
    const size_t csvlen[3] = {sizeof csv_main - 1, sizeof csv_items - 1, sizeof csv_d - 1};
    const char *const jsonl[3] = {jsonl_main, jsonl_items, jsonl_d};
    const size_t jsonllen[3] = {sizeof jsonl_main - 1, sizeof jsonl_items - 1, sizeof jsonl_d - 1};
    check_export(s, "csv", csv, csvlen);
    check_export(s, "jsonl", jsonl, jsonllen);
    check_abort(s, "csv");
    check_abort(s, "jsonl");
    check_replace(s);
  }
  free(err);
  tm_schema_free(s);
  tmp_dir_remove();
  return check_failures;
}
