/*
** scan.c: the one-pass driver declared in scan.h.
*/
#define _POSIX_C_SOURCE 200809L   /* strdup, strncasecmp */
#include "scan.h"
#include "options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

struct tm_scan {
  int (*tick)(void *arg, const tm_progress *p);
  void *tick_arg;
  tm_progress progress;
  tm_rd *reader;
  tm_schema *schema;
  int own_schema;
  tm_flat *flat;
  tm_record rec;
  const char *id;
  char msg[600];
};

void tm_options_init(tm_options *o) {
  tm_opts_defaults(o);
  o->split_min = sysconf(_SC_NPROCESSORS_ONLN) >= 2 ? 8u << 20 : UINT64_MAX;
}

char *tm_default_name(const char *path) {
  static const char *const exts[] = {"gz",   "gzip",      "jsonl", "ndjson",
                                     "json", "jsonlines", "txt"};
  const char *base = strrchr(path, '/');
  char *name = strdup(base ? base + 1 : path);
  if (!name) return NULL;
  for (char *dot; (dot = strrchr(name, '.')) != NULL;) {
    size_t i = 0;
    while (i < sizeof exts / sizeof *exts && strcasecmp(dot + 1, exts[i])) i++;
    if (i == sizeof exts / sizeof *exts) break;
    *dot = 0;
  }
  if (!*name) {
    free(name);
    name = strdup("data");
  }
  return name;
}

char *tm_options_name(const tm_options *o, const char *path) {
  return o->name ? strdup(o->name) : tm_default_name(path);
}

tm_options tm_options_for_thread(const tm_options *o,
                                 int (*tick)(void *arg, const tm_progress *p),
                                 void *tick_arg) {
  tm_options copy = *o;
  copy.tick = tick;
  copy.tick_arg = tick ? tick_arg : NULL;
  return copy;
}

tm_schema_config tm_schema_config_of(const tm_options *o, const char *name) {
  tm_schema_config c;
  c.name = name;
  c.sep = o->separator;
  c.arrays = o->arrays;
  c.max_depth = o->max_depth;
  c.max_columns = o->max_columns;
  return c;
}

/* Set *err to a malloc'd copy of msg. */
static void scan_fail(char **err, const char *msg) { *err = strdup(msg); }

tm_scan *tm_scan_open_files(const char *const *paths, uint32_t n, const tm_options *o,
                            tm_schema *schema, uint32_t want, int cells, int observe,
                            char **err) {
  char msg[700];
  tm_scan *sc = calloc(1, sizeof *sc);
  if (!sc) {
    scan_fail(err, "out of memory");
    return NULL;
  }
  tm_rec_config rc = {o->format, o->root, o->max_record};
  sc->reader = tm_rd_open(paths, n, o->compression, &rc, msg, sizeof msg);
  if (!sc->reader) {
    scan_fail(err, msg);
    tm_scan_close(sc);
    return NULL;
  }
  if (!schema) {
    char *name = tm_options_name(o, paths[0]);
    tm_schema_config cfg = tm_schema_config_of(o, name ? name : "data");
    schema = name ? tm_schema_new(&cfg) : NULL;
    free(name);
    sc->own_schema = 1;
  }
  sc->schema = schema;
  sc->flat = schema ? tm_flat_new(schema, want, cells, observe) : NULL;
  if (!sc->flat) {
    scan_fail(err, "out of memory");
    tm_scan_close(sc);
    return NULL;
  }
  sc->id = o->id;
  tm_flat_natural_id(sc->flat, o->id);
  sc->tick = o->tick;
  sc->tick_arg = o->tick_arg;
  sc->progress.inferring = observe;
  sc->progress.size = tm_rd_size(sc->reader);
  return sc;
}

tm_scan *tm_scan_open(const char *path, const tm_options *o, tm_schema *schema,
                      uint32_t want, int cells, int observe, char **err) {
  return tm_scan_open_files(&path, 1, o, schema, want, cells, observe, err);
}

/* Format the message for the reader's last error. */
static void scan_describe(tm_scan *sc) {
  tm_rd_describe(sc->reader, sc->msg, sizeof sc->msg);
}

/* Every 256 records, tell the caller where the scan stands; it may stop it. */
static int scan_tick(tm_scan *sc) {
  if (!sc->tick || (++sc->progress.records & 255) != 0) return 0;
  sc->progress.consumed = tm_rd_consumed(sc->reader);
  if (!sc->tick(sc->tick_arg, &sc->progress)) return 0;
  snprintf(sc->msg, sizeof sc->msg, "interrupted");
  return 1;
}

int tm_scan_next(tm_scan *sc) {
  if (scan_tick(sc)) return TM_REC_FATAL;
  int rc = tm_rd_next(sc->reader, &sc->rec);
  int flat = rc == TM_REC_OK ? tm_flat_record(sc->flat, &sc->rec) : 0;
  if (flat == -1) {
    snprintf(sc->msg, sizeof sc->msg, "'%s': out of memory",
             tm_rd_path(sc->reader, sc->rec.file));
    return TM_REC_FATAL;
  }
  if (flat == -2) {
    char why[300];
    snprintf(
        why, sizeof why,
        "no usable id: top-level field '%s' (option id) is missing, null or not a scalar",
        sc->id);
    tm_rd_reject(sc->reader, &sc->rec, why);
    rc = TM_REC_BAD;
  }
  if (rc == TM_REC_BAD || rc == TM_REC_FATAL) scan_describe(sc);
  return rc;
}

const char *tm_scan_message(const tm_scan *sc) { return sc->msg; }
const tm_rec_error *tm_scan_error(const tm_scan *sc) { return tm_rd_error(sc->reader); }
tm_schema *tm_scan_schema(const tm_scan *sc) { return sc->schema; }
tm_flat *tm_scan_flat(const tm_scan *sc) { return sc->flat; }
const tm_record *tm_scan_record(const tm_scan *sc) { return &sc->rec; }
void tm_scan_mark(tm_scan *sc, tm_mark *m) { tm_rd_mark(sc->reader, m); }
uint64_t tm_scan_offset(const tm_scan *sc) { return tm_rd_offset(sc->reader); }

int tm_scan_resume(tm_scan *sc, const tm_mark *m, const uint64_t *counts, uint32_t n) {
  if (tm_rd_seek(sc->reader, m)) {
    scan_describe(sc);
    return -1;
  }
  tm_flat_set_counts(sc->flat, counts, n);
  return 0;
}

int tm_scan_seek(tm_scan *sc, const tm_seek *k, uint32_t i) {
  return tm_scan_resume(sc, &k->marks[i], k->counts + (size_t)i * k->ntables, k->ntables);
}

int tm_scan_splittable(const tm_scan *sc) { return tm_rd_splittable(sc->reader); }

void tm_scan_want(tm_scan *sc, uint32_t want, int cells) {
  tm_flat_want(sc->flat, want, cells);
}
uint64_t tm_scan_consumed(const tm_scan *sc) { return tm_rd_consumed(sc->reader); }

const tm_input_id *tm_scan_input_id(const tm_scan *sc) { return tm_rd_id(sc->reader); }

void tm_scan_close(tm_scan *sc) {
  if (!sc) return;
  tm_flat_free(sc->flat);
  if (sc->own_schema) tm_schema_free(sc->schema);
  tm_rd_close(sc->reader);
  free(sc);
}
