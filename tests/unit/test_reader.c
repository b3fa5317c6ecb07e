/*
** test_reader.c: the record-reader seam (src/reader.c) over lists of
** files read as one stream: a plain JSON Lines file then a gzip JSON
** array, record numbers going on, errors naming their file, marks taken
** along the way that seek back (into the first file from the second) and
** forward, from the same reader and from a fresh one; an empty file in the
** middle; a missing file reported only once it is reached; and a schema
** pass over two files, with its sparse index, a map found in the second
** (so the counts are taken again across both), saved and loaded.
**
** A transcript of what the reader returned:
**
**   #<number> f<file>@<offset> <text> | !<record> f<file> L<line>:C<col> B<byte> | END
*/
#define _GNU_SOURCE   /* mkdtemp */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "util.h"
#include "infer.h"
#include "jsonout.h"
#include "reader.h"

#define NPATHS 4
static char g_paths[NPATHS][160];   /* a.jsonl, b.json.gz, empty.json, missing.json */

/* Write `text` gzip-compressed to path. */
static void write_gzip(const char *path, const char *text) {
  gzFile f = gzopen(path, "wb");
  if (!f || gzwrite(f, text, (unsigned)strlen(text)) != (int)strlen(text)) abort();
  gzclose(f);
}

/* Append one result of tm_rd_next to the transcript t. */
static void note(str *t, tm_rd *r, int rc, const tm_record *rec) {
  char buf[400];
  if (rc == TM_REC_OK)
    snprintf(buf, sizeof buf, "#%llu f%u@%llu %.*s | ", (unsigned long long)rec->number,
             rec->file, (unsigned long long)rec->offset, (int)rec->len, rec->text);
  else if (rc == TM_REC_BAD) {
    const tm_rec_error *e = tm_rd_error(r);
    snprintf(buf, sizeof buf, "!%llu f%u L%llu:C%llu B%llu | ",
             (unsigned long long)e->record, e->file, (unsigned long long)e->line,
             (unsigned long long)e->col, (unsigned long long)e->offset);
  } else {
    snprintf(buf, sizeof buf, "%s", rc == TM_REC_END ? "END" : "FATAL");
  }
  s_str(t, buf);
}

/* Open a reader of the files whose indexes (in g_paths) are listed. */
static tm_rd *open_list(const int *which, uint32_t n, char *err, size_t errlen) {
  const char *paths[NPATHS];
  for (uint32_t i = 0; i < n; i++) paths[i] = g_paths[which[i]];
  tm_rec_config cfg = {TM_FMT_AUTO, NULL, 1 << 20};
  return tm_rd_open(paths, n, TM_COMP_AUTO, &cfg, err, errlen);
}

/* Read the list to its end into a transcript; with marks, keep the mark
** taken before each result and the result's own transcript. */
static void read_all(tm_rd *r, str *t, tm_mark *marks, str *each, int *count) {
  tm_record rec;
  int rc, k = 0;
  do {
    if (marks) tm_rd_mark(r, &marks[k]);
    size_t before = t->n;
    rc = tm_rd_next(r, &rec);
    note(t, r, rc, &rec);
    if (each) {
      memset(&each[k], 0, sizeof each[k]);
      s_put(&each[k], t->p + before, t->n - before);
    }
    k++;
  } while (rc == TM_REC_OK || rc == TM_REC_BAD);
  if (count) *count = k;
}

/* Seek to mark i and check that the next result is the one read there. */
static void check_seek(tm_rd *r, const tm_mark *marks, const str *each, int i,
                       const char *what) {
  str t = {0};
  tm_record rec;
  char w[200];
  snprintf(w, sizeof w, "%s: mark %d", what, i);
  if (tm_rd_seek(r, &marks[i]) != 0) {
    CHECK(0, w);
    return;
  }
  int rc = tm_rd_next(r, &rec);
  note(&t, r, rc, &rec);
  CHECK_STR(t.p, each[i].p, w);
  free(t.p);
}

/* A list read to its end: the transcript, and the marks before each
** result with each result's own transcript. */
typedef struct stream {
  tm_rd *r;
  tm_mark marks[16];
  str each[16], t;
  int n;
} stream;

/* Open the listed files and read them into st. Returns 0, or -1 (said). */
static int stream_read(stream *st, const int *which, uint32_t n, const char *what) {
  char err[600];
  memset(st, 0, sizeof *st);
  st->r = open_list(which, n, err, sizeof err);
  CHECK(st->r != NULL, what);
  if (!st->r) return -1;
  read_all(st->r, &st->t, st->marks, st->each, &st->n);
  return 0;
}

static void stream_free(stream *st) {
  tm_rd_close(st->r);
  for (int i = 0; i < st->n; i++) free(st->each[i].p);
  free(st->t.p);
}

/* A plain JSON Lines file and a gzip JSON array read as one stream. */
static void test_two_files(void) {
  static const int list[] = {0, 1};
  char err[600];
  stream st;
  if (stream_read(&st, list, 2, "two files: open")) return;
  tm_rd *r = st.r;
  tm_mark *marks = st.marks;
  str *each = st.each;
  int n = st.n;
  CHECK_INT(tm_rd_id(r)->n, 2, "two files: an identity per file");
  CHECK_INT(tm_rd_splittable(r), 0, "two files: never split");
  CHECK_STR(st.t.p,
            "#1 f0@0 {\"a\":1} | #2 f0@8 {\"a\":2} | #3 f0@16 {\"a\":3} | "
            "#4 f1@1 {\"b\":1} | !5 f1 L2:C7 B16 | #6 f1@20 {\"b\":3} | END",
            "two files: one stream, numbers going on, offsets in each file");
  char msg[700], want[700];
  tm_rd_seek(r, &marks[4]);
  tm_record rec;
  tm_rd_next(r, &rec);
  const tm_rec_error *e = tm_rd_error(r);
  tm_rd_describe(r, msg, sizeof msg);
  snprintf(want, sizeof want, "'%s' line 2 col 7 (byte 16, record 5): %s", g_paths[1],
           e->msg);
  CHECK_STR(msg, want, "two files: the error names the second file");
  CHECK_INT(marks[3].file, 0,
            "two files: the mark at the end of the first file names it");
  CHECK_INT(marks[4].file, 1, "two files: a mark within the second file names it");
  CHECK(marks[4].offset > marks[3].offset && marks[3].offset > marks[2].offset,
        "two files: marks ordered across the files");
  CHECK_INT(marks[4].first, 3,
            "two files: the second file's marks count the first's records");
  CHECK_INT(tm_rd_consumed(r), tm_rd_size(r),
            "two files: consumed at the end = both sizes");

  for (int i = n - 1; i >= 0; i--) check_seek(r, marks, each, i, "backwards");
  for (int i = 0; i < n; i += 2) check_seek(r, marks, each, i, "forward by two");
  check_seek(r, marks, each, 5, "from the first file to the second");
  check_seek(r, marks, each, 1, "from the second file back to the first");
  /* after a seek, reading goes on across the boundary */
  tm_rd_seek(r, &marks[1]);
  str after = {0};
  read_all(r, &after, NULL, NULL, NULL);
  CHECK_STR(
      after.p,
      "#2 f0@8 {\"a\":2} | #3 f0@16 {\"a\":3} | #4 f1@1 {\"b\":1} | !5 f1 L2:C7 B16 | "
      "#6 f1@20 {\"b\":3} | END",
      "after a seek back, reading goes on into the second file");
  free(after.p);

  r = open_list(list, 2, err, sizeof err);   /* a fresh reader, straight into file 2 */
  check_seek(r, marks, each, 5, "fresh reader");
  check_seek(r, marks, each, 0, "fresh reader, then back");
  tm_mark bad = marks[5];
  bad.file = 2;
  CHECK_INT(tm_rd_seek(r, &bad), -1, "a mark past the last file fails");
  tm_rd_close(r);
  stream_free(&st);
}

/* An empty file in the middle is passed over. */
static void test_empty_middle(void) {
  static const int list[] = {0, 2, 1};
  stream st;
  if (stream_read(&st, list, 3, "empty middle: open")) return;
  CHECK_STR(st.t.p,
            "#1 f0@0 {\"a\":1} | #2 f0@8 {\"a\":2} | #3 f0@16 {\"a\":3} | "
            "#4 f2@1 {\"b\":1} | !5 f2 L2:C7 B16 | #6 f2@20 {\"b\":3} | END",
            "empty middle: the records of the first and the third file");
  CHECK_INT(st.marks[4].file, 2, "empty middle: a mark within the third file names it");
  for (int i = st.n - 1; i >= 0; i--)
    check_seek(st.r, st.marks, st.each, i, "empty middle, backwards");
  stream_free(&st);
}

/* A missing second file is an error once reached, naming it. */
static void test_missing(void) {
  static const int list[] = {0, 3};
  char err[600], msg[700], want[700];
  tm_rd *r = open_list(list, 2, err, sizeof err);
  CHECK(r != NULL, "missing second file: the open succeeds");
  if (!r) return;
  str t = {0};
  read_all(r, &t, NULL, NULL, NULL);
  CHECK_STR(t.p, "#1 f0@0 {\"a\":1} | #2 f0@8 {\"a\":2} | #3 f0@16 {\"a\":3} | FATAL",
            "missing second file: the first is read, then the error");
  tm_rd_describe(r, msg, sizeof msg);
  snprintf(want, sizeof want, "cannot open '%s': no such file or directory", g_paths[3]);
  CHECK_STR(msg, want, "missing second file: the error names it");
  CHECK_INT(tm_rd_error(r)->file, 1, "missing second file: the error's file index");
  tm_record rec;
  CHECK_INT(tm_rd_next(r, &rec), TM_REC_FATAL,
            "missing second file: the error is sticky");
  tm_rd_close(r);
  free(t.p);
}

/* A list of one: as the file alone (splittable when plain JSON Lines). */
static void test_one(void) {
  static const int list[] = {0};
  char err[600];
  tm_rd *r = open_list(list, 1, err, sizeof err);
  CHECK(r != NULL && tm_rd_splittable(r),
        "a list of one plain JSON Lines file may be split");
  tm_rd_close(r);
  static const int missing[] = {3};
  char want[600];
  r = open_list(missing, 1, err, sizeof err);
  snprintf(want, sizeof want, "cannot open '%s': no such file or directory", g_paths[3]);
  CHECK(r == NULL, "a missing first file fails the open");
  CHECK_STR(err, want, "... with the message of a single file");
}

/* Big inputs for the schema pass: plain JSON Lines, then a gzip array
** whose records bring ever new keys under "m" (a map, found late). */
static void write_big(const char *plain, const char *gz) {
  str a = {0}, b = {0};
  char line[200];
  for (int i = 0; i < 3000; i++) {
    snprintf(line, sizeof line,
             "{\"id\":%d,\"tags\":[\"x%d\",\"y\"],\"pad\":\"%040d\"}\n", i, i % 7, i);
    s_str(&a, line);
  }
  s_str(&b, "[");
  for (int i = 0; i < 3000; i++) {
    snprintf(line, sizeof line,
             "%s{\"id\":%d,\"tags\":[\"z\"],\"m\":{\"k%d\":%d},\"pad\":\"%040d\"}\n",
             i ? "," : "", 3000 + i, i % 40, i, i);
    s_str(&b, line);
  }
  s_str(&b, "]");
  write_file(plain, a.p, a.n);
  write_gzip(gz, b.p);
  free(a.p);
  free(b.p);
}

/* Does index k hold, at each checkpoint, what a plain scan of the files
** finds there, and does a fresh scan resumed there read the next record? */
static int index_true(const char *const *paths, uint32_t n, const tm_options *o,
                      tm_schema *s, const tm_seek *k) {
  char *err = NULL;
  tm_scan *sc = tm_scan_open_files(paths, n, o, s, TM_NONE, 0, 0, &err);
  tm_scan *jump = tm_scan_open_files(paths, n, o, s, TM_NONE, 0, 0, &err);
  uint32_t i = 0;
  int ok = sc && jump, rc = TM_REC_OK;
  while (ok && i < k->n && rc != TM_REC_END && rc != TM_REC_FATAL) {
    if (tm_scan_offset(sc) == k->marks[i].offset) {
      tm_mark m;
      tm_scan_mark(sc, &m);
      ok = memcmp(&m, &k->marks[i], sizeof m) == 0;
      for (uint32_t t = 0; ok && t < s->ntables; t++)
        ok = tm_flat_count(tm_scan_flat(sc), t) == tm_seek_count(k, i, t);
      rc = tm_scan_next(sc);
      ok = ok && tm_scan_seek(jump, k, i) == 0 && tm_scan_next(jump) == rc &&
           tm_scan_record(jump)->number == tm_scan_record(sc)->number &&
           tm_scan_record(jump)->file == tm_scan_record(sc)->file;
      i++;
    } else {
      rc = tm_scan_next(sc);
    }
  }
  free(err);
  tm_scan_close(sc);
  tm_scan_close(jump);
  return ok && i == k->n;
}

/* The schema pass over a list: a catalogue, the files' identities, an
** index with checkpoints in both files that a plain scan agrees with. */
static void test_schema_pass(void) {
  char plain[200], gz[200];
  snprintf(plain, sizeof plain, "%s/big.jsonl", g_dir);
  snprintf(gz, sizeof gz, "%s/big.json.gz", g_dir);
  write_big(plain, gz);
  const char *paths[] = {plain, gz};
  tm_options o;
  tm_options_init(&o);
  o.max_columns = 12;
  tm_input_id id = {0, NULL};
  tm_seek *k = NULL;
  char *err = NULL;
  tm_schema *s = tm_infer_files(paths, 2, &o, "t", &id, &k, &err);
  CHECK(s != NULL, "schema pass over two files");
  if (!s) {
    printf("# %s\n", err ? err : "out of memory");
    free(err);
    return;
  }
  CHECK_INT(id.n, 2, "schema pass: an identity per file");
  CHECK_INT(s->tables[0].rows, 6000, "schema pass: the records of both files");
  CHECK(s->maps > 0, "schema pass: the map is found in the second file");
  CHECK(k->n > 2 && k->marks[k->n - 1].file == 1 && k->marks[1].file == 0,
        "schema pass: checkpoints in both files");
  CHECK(index_true(paths, 2, &o, s, k),
        "schema pass: the index holds what a scan finds, across files");
  tm_buf blob = {0};
  tm_seek_save(k, &blob);
  tm_seek *back = tm_seek_load(blob.p, blob.n, s->ntables, 0, o.format);
  CHECK(back && back->n == k->n, "schema pass: the index saved and loaded");
  if (back) back->marks[back->n - 1].base = 0;   /* a later file starting at 0 */
  tm_buf saved = {0};
  if (back) tm_seek_save(back, &saved);
  tm_seek *bad = back ? tm_seek_load(saved.p, saved.n, s->ntables, 0, o.format) : NULL;
  CHECK(back && !bad, "schema pass: an index whose files go back is refused");
  tm_seek_free(bad);
  tm_seek_free(back);
  tm_buf_free(&saved);
  tm_buf_free(&blob);
  tm_schema_free(s);
  tm_seek_free(k);
  tm_src_id_free(&id);
  unlink(plain);
  unlink(gz);
}

int main(void) {
  if (tmp_dir_make("tm_jsonread", NULL)) return 1;
  const char *names[NPATHS] = {"a.jsonl", "b.json.gz", "empty.json", "missing.json"};
  for (int i = 0; i < NPATHS; i++)
    snprintf(g_paths[i], sizeof g_paths[i], "%s/%s", g_dir, names[i]);
  write_file(g_paths[0], "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n", 24);
  write_gzip(g_paths[1], "[{\"b\":1},\n {\"b\":},\n {\"b\":3}]\n");
  write_file(g_paths[2], "", 0);
  test_two_files();
  test_empty_middle();
  test_missing();
  test_one();
  test_schema_pass();
  for (int i = 0; i < 3; i++) unlink(g_paths[i]);
  tmp_dir_remove();
  return check_failures;
}
