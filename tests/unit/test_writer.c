/*
** test_writer.c: the writer seam (src/writer.h) without SQLite. A small
** nested gzip file goes through the export driver (export.h: the schema
** pass, the threaded scan with its conversion, convert.h) into the CSV
** and JSONL writers, as transmog_export drives them; the files must hold
** exactly the bytes expected (parent and child tables, ids, quoting and
** escapes, a NUL, a big integer and an overflowing real kept as text),
** and the counts the rows and records. An export stopped by its tick must
** leave no file; a commit renames every file into place and leaves no
** temporary one; an existing file is not replaced unless the config says
** so.
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
#include "export.h"
#include "infer.h"

/* The input: two records, the first with a child table and a grandchild. */
static const char input[] =
    "{\"id\":7,\"name\":\"a,b\",\"note\":\"say \\\"hi\\\"\\nbye\",\"big\":123456789012345678901234567890,"
    "\"huge\":1e400,\"r\":1.50,\"ok\":true,\"nul\":\"x\\u0000y\",\"tags\":[\"t1\",2],"
    "\"items\":[{\"sku\":\"A\",\"qty\":2},{\"sku\":\"B\\/C\",\"qty\":null,\"d\":[{\"p\":-0.5}]}]}\n"
    "{\"id\":8,\"name\":\"plain\",\"ok\":false,\"items\":[]}\n";

/* What each file must hold, per table. */
static const char csv_main[] =
    "_id,id,name,note,big,huge,r,ok,nul,tags\r\n"
    "1,7,\"a,b\",\"say "
    "\"\"hi\"\"\nbye\",123456789012345678901234567890,1e400,1.50,1,x\0y,\"[\"\"t1\"\",2]\"\r\n"
    "2,8,plain,,,,,0,,\r\n";
static const char csv_items[] = "_id,_parent_id,_root_id,_index,sku,qty\r\n"
                                "1,1,1,0,A,2\r\n"
                                "2,1,1,1,B/C,\r\n";
static const char csv_d[] = "_id,_parent_id,_root_id,_index,p\r\n"
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
    n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
         strcmp(e->d_name, "in.jsonl.gz");
  if (d) closedir(d);
  return n;
}

/* What the tick of an export's writing pass saw, and whether it stops
** the export. */
typedef struct pass_seen {
  const char *fmt;
  int stop;                 /* stop the export at the first tick */
  int ticks;
  int files;                /* files in g_dir at the first tick */
  int visible;              /* the main table's file under its name then */
  uint64_t rows, records;   /* what the export counted */
} pass_seen;

/* The export's tick: note what is in g_dir while it writes. */
static int pass_tick(void *arg, const tm_progress *p) {
  pass_seen *seen = arg;
  char name[160];
  if (!p->inferring && seen->ticks++ == 0) {
    snprintf(name, sizeof name, "%s/t.%s", g_dir, seen->fmt);
    seen->files = count_files();
    seen->visible = access(name, F_OK) == 0;
  }
  return seen->stop;
}

/*
** Export the file into files of format seen->fmt through the driver, with
** the schema s, or with its own schema pass when s is NULL. Returns
** TM_EXPORT_*, with the counts in *seen and the message in msg.
*/
static int export_to(const tm_schema *s, int replace, pass_seen *seen, char msg[300]) {
  const char *path = g_path;
  tm_options o;
  tm_options_init(&o);
  o.tick = pass_tick;
  o.tick_arg = seen;
  tm_export *e = tm_export_new(&path, 1, &o);
  int rc = e ? TM_EXPORT_OK : TM_EXPORT_NOMEM;
  if (rc == TM_EXPORT_OK && s) tm_export_use(e, s);
  else if (rc == TM_EXPORT_OK) rc = tm_export_infer(e, "t");
  tm_writer_config cfg = {.types = TM_TYPES_INFER, .dir = g_dir, .replace = replace};
  tm_writer *w = NULL;
  if (rc == TM_EXPORT_OK) {
    cfg.schema = tm_export_schema(e);
    w = tm_writer_open(tm_writer_find(seen->fmt), &cfg);
    rc = w ? tm_export_run(e, w) : TM_EXPORT_NOMEM;
    if (rc == TM_EXPORT_OK) rc = tm_export_commit(e);
  }
  const tm_export_counts *n = e ? tm_export_counted(e) : NULL;
  for (uint32_t t = 0; n && n->rows && t < cfg.schema->ntables; t++)
    seen->rows += n->rows[t];
  seen->records = n ? n->records : 0;
  snprintf(msg, 300, "%s", e ? tm_export_error(e) : "out of memory");
  if (rc != TM_EXPORT_OK) printf("# export: %s\n", msg);
  tm_export_free(e);
  return rc;
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

/* Export the file with the writer of format `fmt`, with s or a schema
** pass of its own: every table's file exact, nothing else left. */
static void check_export(const tm_schema *s, const char *fmt, const char *const want[3],
                         const size_t len[3]) {
  char what[256], name[160], msg[300];
  pass_seen seen = {.fmt = fmt};
  snprintf(what, sizeof what, "%s: exported and committed", fmt);
  CHECK_INT(export_to(s, 0, &seen, msg), TM_EXPORT_OK, what);
  snprintf(what, sizeof what, "%s: every row written", fmt);
  CHECK_INT(seen.rows, 5, what);
  snprintf(what, sizeof what, "%s: every record counted", fmt);
  CHECK_INT(seen.records, 2, what);
  snprintf(what, sizeof what, "%s: no file under its name before the commit", fmt);
  CHECK(seen.ticks > 0 && !seen.visible, what);
  static const char *const tables[] = {"t", "t_items", "t_items_d"};
  for (int k = 0; k < 3; k++) {
    snprintf(name, sizeof name, "%s.%s", tables[k], fmt);
    snprintf(what, sizeof what, "%s: %s exact", fmt, name);
    CHECK(file_is(name, want[k], len[k]), what);
  }
  snprintf(what, sizeof what, "%s: no temporary file left", fmt);
  CHECK_INT(count_files(), 0, what);
}

/* An export stopped while it writes (a Ctrl-C) leaves nothing. */
static void check_abort(const tm_schema *s, const char *fmt) {
  char what[128], msg[300];
  pass_seen seen = {.fmt = fmt, .stop = 1};
  snprintf(what, sizeof what, "%s: abort: the export stops at its tick", fmt);
  CHECK(export_to(s, 0, &seen, msg) == TM_EXPORT_ERROR && strcmp(msg, "interrupted") == 0,
        what);
  snprintf(what, sizeof what, "%s: abort: the temporary files exist while it writes",
           fmt);
  CHECK_INT(seen.files, 3, what);
  snprintf(what, sizeof what, "%s: abort leaves no file", fmt);
  CHECK_INT(count_files(), 0, what);
}

/* An existing file stays unless the writer may replace it. */
static void check_replace(const tm_schema *s) {
  char path[256], msg[300];
  snprintf(path, sizeof path, "%s/t_items.csv", g_dir);
  write_file(path, "old", 3);
  pass_seen seen = {.fmt = "csv"};
  CHECK_INT(export_to(s, 0, &seen, msg), TM_EXPORT_ERROR,
            "create: an existing file is refused");
  char want[300];
  snprintf(want, sizeof want, "'%s' already exists; use mode=replace", path);
  CHECK_STR(msg, want, "create: the message names the file");
  CHECK_INT(count_files(), 1, "create: nothing else left");
  pass_seen again = {.fmt = "csv"};
  CHECK(export_to(s, 1, &again, msg) == TM_EXPORT_OK && again.rows == 5,
        "replace: written");
  CHECK(file_is("t_items.csv", csv_items, sizeof csv_items - 1),
        "replace: the new file in place");
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
    const size_t csvlen[3] = {sizeof csv_main - 1, sizeof csv_items - 1,
                              sizeof csv_d - 1};
    const char *const jsonl[3] = {jsonl_main, jsonl_items, jsonl_d};
    const size_t jsonllen[3] = {sizeof jsonl_main - 1, sizeof jsonl_items - 1,
                                sizeof jsonl_d - 1};
    check_export(NULL, "csv", csv, csvlen);   /* its own schema pass */
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
