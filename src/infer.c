/*
** infer.c: the schema pass declared in infer.h, with its checkpoints for
** the sparse index and the counting pass a late map needs.
*/
#define _POSIX_C_SOURCE 200809L   /* strdup */
#include "infer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Set *err to a malloc'd copy of msg. */
static void infer_fail(char **err, const char *msg) {
  *err = strdup(msg);
}

/* The rows of every table so far, into *counts (grown to ntables). */
static uint64_t *infer_counts(tm_scan *sc, uint64_t **counts, uint32_t *cap) {
  uint32_t n = tm_scan_schema(sc)->ntables;
  if (n > *cap) {
    uint64_t *c = realloc(*counts, n * sizeof *c);
    if (!c) return NULL;
    *counts = c;
    *cap = n;
  }
  for (uint32_t t = 0; t < n; t++) (*counts)[t] = tm_flat_count(tm_scan_flat(sc), t);
  return *counts;
}

/* Leave a checkpoint in k if one is due before the next record. */
static int infer_checkpoint(tm_scan *sc, tm_seek *k, uint64_t **counts,
                           uint32_t *cap) {
  if (!tm_seek_due(k, tm_scan_offset(sc))) return 0;
  tm_mark m;
  tm_scan_mark(sc, &m);
  if (!infer_counts(sc, counts, cap)) return -1;
  return tm_seek_add(k, &m, *counts, tm_scan_schema(sc)->ntables);
}

/*
** Count again, with the frozen schema, the rows before each checkpoint of
** k (their ids changed when a map was recognised late). The file must be
** the one the schema pass read. Returns 0, or -1 with *err set.
*/
static int infer_recount(const char *path, const tm_options *o, tm_schema *s,
                         tm_seek *k, tm_file_id id, char **err) {
  tm_scan *sc = tm_scan_open(path, o, s, TM_NONE, 0, 0, err);
  if (!sc) return -1;
  uint64_t *counts = NULL;
  uint32_t cap = 0, i = 0;
  int rc = tm_infer_same_file(id, tm_scan_file_id(sc)) ? TM_REC_OK : TM_REC_FATAL;
  int nomem = 0;
  while (i < k->n && rc != TM_REC_END && rc != TM_REC_FATAL && !nomem) {
    if (tm_scan_offset(sc) != k->marks[i].offset) {
      rc = tm_scan_next(sc);
      continue;
    }
    nomem = !infer_counts(sc, &counts, &cap) || tm_seek_set_counts(k, i, counts, s->ntables);
    i += !nomem;
  }
  free(counts);
  tm_scan_close(sc);
  if (i == k->n) return 0;
  char msg[700];
  snprintf(msg, sizeof msg, "'%s' changed during the schema pass", path);
  infer_fail(err, nomem ? "out of memory" : msg);
  return -1;
}

tm_schema *tm_infer(const char *path, const tm_options *o, const char *name,
                    tm_file_id *id, tm_seek **seek, char **err) {
  tm_schema_config cfg = tm_schema_config_of(o, name);
  tm_schema *s = tm_schema_new(&cfg);
  tm_scan *sc = s ? tm_scan_open(path, o, s, TM_NONE, 1, 1, err) : NULL;
  tm_seek *k = seek ? tm_seek_new(64 * 1024) : NULL;
  uint64_t *counts = NULL;
  uint32_t cap = 0, maps = 0;
  int64_t good = 0;
  int rc = TM_REC_OK, stale = 0, nomem = !s || (seek && !k);
  while (sc && !nomem && (o->sample < 0 || good < o->sample)) {
    if (k && infer_checkpoint(sc, k, &counts, &cap)) {
      nomem = 1;
      break;
    }
    rc = tm_scan_next(sc);
    if (rc == TM_REC_END) break;
    if (rc == TM_REC_OK) good++;
    else if (rc == TM_REC_FATAL || o->errors == TM_ERRORS_RAISE) break;
    if (s->maps != maps && k && k->n > 1) stale = 1;   /* see tm_infer */
    maps = s->maps;
  }
  free(counts);
  int bad = rc == TM_REC_FATAL || (rc == TM_REC_BAD && o->errors == TM_ERRORS_RAISE);
  if (sc && bad) *err = strdup(tm_scan_message(sc));
  if (sc) *id = tm_scan_file_id(sc);
  tm_scan_close(sc);
  if (s && !sc) nomem = 0;   /* the scan did not open: *err says why */
  if (nomem) infer_fail(err, "out of memory");
  if (!sc || bad || nomem) {
    tm_schema_free(s);
    tm_seek_free(k);
    return NULL;
  }
  if (o->sample >= 0)
    for (uint32_t t = 0; t < s->ntables; t++) s->tables[t].has_extra = 1;
  tm_schema_freeze(s);
  if (k && stale && infer_recount(path, o, s, k, *id, err)) {
    tm_schema_free(s);
    tm_seek_free(k);
    return NULL;
  }
  if (k) tm_seek_trim(k, id->size / 1024 > 65536 ? id->size / 1024 : 65536);
  if (seek) *seek = k;
  return s;
}

int tm_infer_rereadable(const char *path, char **err) {
  tm_file_id id;
  char msg[700];
  if (tm_src_stat(path, &id, msg, sizeof msg) != 0) {
    infer_fail(err, msg);
    return -1;
  }
  if (!id.pipe) return 0;
  snprintf(msg, sizeof msg,
           "'%s' is a pipe, and a table or an export reads its file twice "
           "(the schema, then the rows): save it to a file first, or read it "
           "once with transmog_each", path);
  infer_fail(err, msg);
  return -1;
}

int tm_infer_same_file(tm_file_id before, tm_file_id now) {
  return before.size == now.size && before.mtime_ns == now.mtime_ns;
}
