/*
** test_locate.c: the locator (src/locate.c). For a nested file of orders,
** their items and the items' discounts, with one bad line (passed over as
** errors=skip does; without skip, reading stops there), locating row N of
** each table gives the record that a plain scan finds it in: forward,
** backward, repeated, at random across checkpoints and past the end, on
** the file and on its gzip copy, with the schema pass's index (a
** checkpoint every 64 KiB) and with a fine one (every 512 bytes).
*/
#define _GNU_SOURCE
#include <zlib.h>

#include "check.h"
#include "infer.h"
#include "locate.h"
#include "util.h"

#define NRECORDS 4000
#define BAD_LINE 1500   /* the record written as a bad line */

/* Three tables: the orders, their items, the items' discounts. */
enum { T_MAIN, T_ITEMS, T_DISC, NT };
static const char *const g_names[NT] = {"t", "t_items", "t_items_d"};

/* One file under test: its path, catalogue and index, and what a plain
** scan saw: for row n of table t, the main _id of its record. */
typedef struct fixture {
  const char *path;
  tm_options o;
  tm_schema *s;
  uint32_t table[NT];       /* g_names' tables in the catalogue */
  uint64_t *record_of[NT];  /* record_of[t][n], n from 1 */
  uint64_t rows[NT];        /* rows of each table */
} fixture;

/* The test file: order i has i % 4 items, item j has (i + j) % 3 discounts. */
static void write_orders(const char *path, const char *gz) {
  str s = {0};
  char line[256];
  for (int i = 0; i < NRECORDS; i++) {
    if (i == BAD_LINE) {
      s_str(&s, "{\"n\": oops}\n");
      continue;
    }
    snprintf(line, sizeof line, "{\"n\":%d,\"customer\":\"c%05d\",\"items\":[", i, i * 7);
    s_str(&s, line);
    for (int j = 0; j < i % 4; j++) {
      snprintf(line, sizeof line, "%s{\"sku\":\"s%d-%d\",\"d\":[", j ? "," : "", i, j);
      s_str(&s, line);
      for (int d = 0; d < (i + j) % 3; d++) {
        snprintf(line, sizeof line, "%s{\"code\":\"k%d\"}", d ? "," : "", d);
        s_str(&s, line);
      }
      s_str(&s, "]}");
    }
    s_str(&s, "]}\n");
  }
  write_file(path, s.p, s.n);
  gzFile g = gzopen(gz, "wb");
  if (!g || gzwrite(g, s.p, (unsigned)s.n) != (int)s.n || gzclose(g) != Z_OK) abort();
  free(s.p);
}

/* Record, in f->record_of, where a plain scan finds each row. */
static int fixture_scan(fixture *f) {
  char *err = NULL;
  tm_scan *sc = tm_scan_open(f->path, &f->o, f->s, TM_NONE, 0, 0, &err);
  if (!sc) return -1;
  uint64_t cap[NT] = {0};
  for (int rc; (rc = tm_scan_next(sc)) != TM_REC_END;) {
    if (rc == TM_REC_BAD) continue;
    if (rc != TM_REC_OK) break;
    uint32_t n;
    const tm_row *rows = tm_flat_rows(tm_scan_flat(sc), &n);
    for (uint32_t i = 0; i < n; i++) {
      int t = 0;
      while (t < NT && f->table[t] != rows[i].table) t++;
      if (t == NT || rows[i].id != f->rows[t] + 1) abort();   /* ids in file order */
      if (f->rows[t] == cap[t]) {
        cap[t] = cap[t] ? 2 * cap[t] : 1024;
        f->record_of[t] = realloc(f->record_of[t], (cap[t] + 1) * sizeof **f->record_of);
        if (!f->record_of[t]) abort();
      }
      f->record_of[t][++f->rows[t]] = rows[0].id;
    }
  }
  tm_scan_close(sc);
  return 0;
}

/* The file's catalogue and index (the schema pass's), and its plain scan. */
static int fixture_open(fixture *f, const char *path, tm_seek **seek) {
  memset(f, 0, sizeof *f);
  f->path = path;
  tm_options_init(&f->o);
  f->o.errors = TM_ERRORS_SKIP;
  tm_file_id id;
  char *err = NULL;
  f->s = tm_infer(path, &f->o, "t", &id, seek, &err);
  free(err);
  if (!f->s) return -1;
  for (int t = 0; t < NT; t++) {
    f->table[t] = tm_schema_find_table(f->s, g_names[t]);
    if (f->table[t] == TM_NONE) return -1;
  }
  return fixture_scan(f);
}

static void fixture_close(fixture *f) {
  tm_schema_free(f->s);
  for (int t = 0; t < NT; t++) free(f->record_of[t]);
}

/* An index of f's file with a checkpoint every `spacing` bytes. */
static tm_seek *fine_index(const fixture *f, uint64_t spacing) {
  char *err = NULL;
  tm_scan *sc = tm_scan_open(f->path, &f->o, f->s, TM_NONE, 0, 0, &err);
  tm_seek *k = tm_seek_new(spacing);
  if (!sc || !k) abort();
  uint64_t counts[NT];
  for (int rc = TM_REC_OK; rc != TM_REC_END && rc != TM_REC_FATAL;
       rc = tm_scan_next(sc)) {
    if (!tm_seek_due(k, tm_scan_offset(sc))) continue;
    tm_mark m;
    tm_scan_mark(sc, &m);
    for (int t = 0; t < NT; t++) counts[t] = tm_flat_count(tm_scan_flat(sc), (uint32_t)t);
    if (tm_seek_add(k, &m, counts, NT)) abort();
  }
  tm_scan_close(sc);
  return k;
}

/* Is the record in hand the one a plain scan found row n of table t in,
** and does it hold that row? */
static int in_hand(const fixture *f, const tm_locator *l, int t, uint64_t n) {
  if (!l->nrows || l->rows[0].id != f->record_of[t][n]) return 0;
  for (uint32_t i = 0; i < l->nrows; i++)
    if (l->rows[i].table == f->table[t] && l->rows[i].id == n) return 1;
  return 0;
}

/* Locate row n of table t; 1 if the locator finds the right record. */
static int locate_ok(const fixture *f, tm_locator *l, int t, uint64_t n) {
  return tm_locate(l, f->table[t], n) == 1 && in_hand(f, l, t, n);
}

/* A check's name, "what: table how" (in a buffer the next call reuses). */
static const char *named(const char *what, int t, const char *how) {
  static char name[200];
  snprintf(name, sizeof name, "%s: %s %s", what, g_names[t], how);
  return name;
}

/* Every way of asking, for table t, with index k; `what` names the case. */
static void check_table(const fixture *f, const tm_seek *k, int t, const char *what) {
  char *err = NULL;
  tm_scan *sc = tm_scan_open(f->path, &f->o, f->s, f->table[T_DISC], 0, 0, &err);
  tm_locator l = {sc, k, 1, NULL, 0};
  if (!sc) abort();
  uint64_t rows = f->rows[t], bad = 0;

  for (uint64_t n = 1; n <= rows; n++) bad += !locate_ok(f, &l, t, n);
  CHECK_INT(bad, 0, named(what, t, "every row, forward"));

  bad = 0;
  for (uint64_t n = rows; n >= 1; n -= n > 7 ? 7 : n) bad += !locate_ok(f, &l, t, n);
  CHECK_INT(bad, 0, named(what, t, "backward, 7 rows at a time"));

  bad = 0;
  for (uint64_t n = rows / 2; n > rows / 2 - 200; n--) bad += !locate_ok(f, &l, t, n);
  CHECK_INT(bad, 0, named(what, t, "200 rows backward, one at a time"));

  bad = 0;
  uint64_t x = 12345;
  for (int i = 0; i < 500; i++) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    uint64_t n = (x >> 33) % rows + 1;
    bad += !locate_ok(f, &l, t, n);
    uint64_t at = tm_scan_offset(sc);
    bad += !locate_ok(f, &l, t, n) || tm_scan_offset(sc) != at;   /* reused */
  }
  CHECK_INT(bad, 0, named(what, t, "at random, each twice (the second in hand)"));

  CHECK(tm_locate(&l, f->table[t], rows + 1) == 0 && l.nrows == 0,
        named(what, t, "past the end: none, nothing in hand"));
  CHECK(tm_locate(&l, f->table[t], rows + 1000) == 0 && locate_ok(f, &l, t, rows / 2),
        named(what, t, "far past the end, then the middle again"));

  bad = 0;
  uint64_t main_id = l.rows[0].id;
  while (tm_locate_next(&l) > 0) bad += l.rows[0].id != ++main_id;
  CHECK(bad == 0 && main_id == f->rows[T_MAIN], named(what, t, "read on to the end"));

  CHECK(tm_locate_rewind(&l) == 0 && l.nrows == 0 && tm_locate_next(&l) == 1 &&
            l.rows[0].id == 1,
        named(what, t, "rewound: the first record next"));
  tm_scan_close(sc);
}

/* Without skip, reading stops at the bad line with the scan's message. */
static void check_bad_line(const fixture *f, const tm_seek *k, const char *what) {
  char *err = NULL;
  tm_scan *sc = tm_scan_open(f->path, &f->o, f->s, TM_NONE, 0, 0, &err);
  tm_locator l = {sc, k, 0, NULL, 0};
  if (!sc) abort();
  int rc, good = 0;
  while ((rc = tm_locate_next(&l)) > 0) good++;
  CHECK(rc < 0 && good == BAD_LINE && *tm_scan_message(sc),
        named(what, T_MAIN, "without skip: fails at the bad line"));
  tm_scan_close(sc);
}

/* Every table of file `path`, with the schema pass's index and a fine one. */
static void check_file(const char *path, const char *what) {
  fixture f;
  tm_seek *coarse = NULL;
  char name[160];
  int ok = fixture_open(&f, path, &coarse) == 0;
  snprintf(name, sizeof name, "%s: schema pass and plain scan", what);
  CHECK(ok && f.rows[T_MAIN] == NRECORDS - 1, name);
  if (!ok) return;
  tm_seek *fine = fine_index(&f, 512);
  snprintf(name, sizeof name, "%s: several checkpoints (%u coarse, %u fine)", what,
           coarse->n, fine->n);
  CHECK(coarse->n >= 4 && fine->n >= 500, name);
  check_bad_line(&f, coarse, what);
  for (int t = 0; t < NT; t++) {
    snprintf(name, sizeof name, "%s, 64 KiB index", what);
    check_table(&f, coarse, t, name);
    snprintf(name, sizeof name, "%s, 512 B index", what);
    check_table(&f, fine, t, name);
  }
  tm_seek_free(coarse);
  tm_seek_free(fine);
  fixture_close(&f);
}

int main(void) {
  if (tmp_dir_make("tm_locate", "t.jsonl")) return 1;
  char gz[160];
  snprintf(gz, sizeof gz, "%s.gz", g_path);
  write_orders(g_path, gz);
  check_file(g_path, "jsonl");
  check_file(gz, "gzip");
  unlink(gz);
  tmp_dir_remove();
  return check_failures;
}
