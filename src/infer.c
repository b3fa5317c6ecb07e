/*
** infer.c: the schema pass declared in infer.h, with its checkpoints for
** the sparse index and the counting pass a late map needs.
**
** A large JSON Lines file, when it is the only file of the input (a list
** of one plain regular file: see tm_rd_splittable), is read in two halves
** at once: this thread reads
** the first, a second thread the rest, from a line start past the middle,
** into a catalogue and an index of its own. When the first half reaches
** that line, the second half's findings are merged in (tm_schema_absorb),
** as if one scan had read on. When they cannot be merged exactly (a bad
** record that fails the pass, a map in either half: see schemamerge.c),
** this thread reads the second half again itself: the result never
** depends on the split, only the time does.
*/
#define _POSIX_C_SOURCE 200809L   /* strdup */
#include "infer.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INFER_SPACING (64u * 1024)       /* bytes between checkpoints */
#define INFER_WINDOW \
  (4u << 20)          /* a line start past the middle is
                                            looked for this far */

/* The second half of a split schema pass, read on its own thread. */
typedef struct infer_half {
  const char *path;
  tm_options o;             /* the caller's, for JSON Lines, ticking here */
  tm_file_id id;            /* the file as the first half found it */
  uint64_t start;           /* where the half begins: a line start */
  tm_schema *s;             /* what it saw */
  tm_seek *k;               /* its checkpoints (NULL: no index wanted) */
  int ok;                   /* read to its end: no record failed it, no map */
  pthread_t thread;
  pthread_mutex_t mu;       /* guards what follows */
  pthread_cond_t cond;      /* signalled at each of its ticks and at its end */
  uint64_t records, consumed;   /* its progress so far */
  int stop;                 /* the first half no longer waits for it */
  int done;                 /* its thread is about to end */
} infer_half;

static atomic_uint_least64_t infer_merged;   /* see tm_infer_merges */

/* One schema pass: the caller's options and the second half, if any. */
typedef struct infer_pass {
  const tm_options *o;
  infer_half *half;
  tm_progress told;         /* the last progress reported */
} infer_pass;

#define INFER_NOMEM   (-1)      /* out of memory */
#define INFER_STOPPED (-2)    /* the caller's tick said stop */

/* Set *err to a malloc'd copy of msg. */
static void infer_fail(char **err, const char *msg) { *err = strdup(msg); }

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
static int infer_checkpoint(tm_scan *sc, tm_seek *k, uint64_t **counts, uint32_t *cap) {
  if (!tm_seek_due(k, tm_scan_offset(sc))) return 0;
  tm_mark m;
  tm_scan_mark(sc, &m);
  if (!infer_counts(sc, counts, cap)) return -1;
  return tm_seek_add(k, &m, *counts, tm_scan_schema(sc)->ntables);
}

/* The last map the schema pass made: where the record that made it ended,
** and the rows of each table then. counts is NULL when no record before
** that one has rows to count again. */
typedef struct infer_change {
  uint64_t offset;
  uint64_t *counts;
  uint32_t n;
} infer_change;

/* A map was made by the record just read: note it in ch (see tm_infer). */
static int infer_note_change(tm_scan *sc, infer_change *ch) {
  ch->offset = tm_scan_offset(sc);   /* n grows with the tables, as counts */
  return infer_counts(sc, &ch->counts, &ch->n) ? 0 : -1;
}

/*
** From checkpoint `from` on (all after the last map), the rows of each
** table are the pass's count plus what the records before the map count
** with the frozen schema (`now`) instead of what they counted then.
*/
static int infer_shift(tm_seek *k, uint32_t from, const uint64_t *now,
                       const infer_change *ch, uint32_t ntables) {
  uint64_t *row = malloc(ntables * sizeof *row);
  int rc = row ? 0 : -1;
  for (uint32_t i = from; i < k->n && rc == 0; i++) {
    for (uint32_t t = 0; t < ntables; t++)
      row[t] = now[t] + tm_seek_count(k, i, t) - (t < ch->n ? ch->counts[t] : 0);
    rc = tm_seek_set_counts(k, i, row, ntables);
  }
  free(row);
  return rc;
}

/*
** Count again, with the frozen schema, the rows before each checkpoint of
** k: a map changes the rows of the records read before it was made. Only
** the records up to the last map are read again; the checkpoints after it
** are shifted. The files must be the ones the schema pass read. Returns 0,
** or -1 with *err set.
*/
static int infer_recount(const char *const *paths, uint32_t nfiles, const tm_options *o,
                         tm_schema *s, tm_seek *k, const tm_input_id *id,
                         const infer_change *ch, char **err) {
  tm_scan *sc = tm_scan_open_files(paths, nfiles, o, s, TM_NONE, 0, 0, err);
  if (!sc) return -1;
  uint64_t *counts = NULL;
  uint32_t cap = 0, i = 0;
  int rc = tm_src_id_same(id, tm_scan_input_id(sc)) ? TM_REC_OK : TM_REC_FATAL;
  int nomem = 0, done = 0;
  while (!done && rc != TM_REC_END && rc != TM_REC_FATAL && !nomem) {
    uint64_t at = tm_scan_offset(sc);
    if (at == ch->offset) {
      nomem =
          !infer_counts(sc, &counts, &cap) || infer_shift(k, i, counts, ch, s->ntables);
      done = !nomem;
    } else if (i < k->n && at == k->marks[i].offset) {
      nomem = !infer_counts(sc, &counts, &cap) ||
              tm_seek_set_counts(k, i, counts, s->ntables);
      i += !nomem;
    } else {
      rc = tm_scan_next(sc);
    }
  }
  free(counts);
  const char *changed = paths[tm_src_id_changed(id, tm_scan_input_id(sc))];
  char msg[700];
  snprintf(msg, sizeof msg, "'%s' changed during the schema pass", changed);
  tm_scan_close(sc);
  if (done) return 0;
  infer_fail(err, nomem ? "out of memory" : msg);
  return -1;
}

/* Tick of the second half: publish its progress to the first, which may
** be waiting for it; stop when asked to, or once it made a map (it cannot
** be merged then). */
static int infer_half_tick(void *arg, const tm_progress *p) {
  infer_half *h = arg;
  pthread_mutex_lock(&h->mu);
  h->records = p->records;
  h->consumed = p->consumed > h->start ? p->consumed - h->start : 0;
  int stop = h->stop || h->s->maps;
  pthread_cond_broadcast(&h->cond);
  pthread_mutex_unlock(&h->mu);
  return stop;
}

/* Tick of the first half: the caller hears of both halves together. */
static int infer_tick(void *arg, const tm_progress *p) {
  infer_pass *ip = arg;
  infer_half *h = ip->half;
  tm_progress both = *p;
  if (h) {   /* this thread's reads may run past the second's start */
    if (both.consumed > h->start) both.consumed = h->start;
    pthread_mutex_lock(&h->mu);
    both.records += h->records;
    both.consumed += h->consumed;
    pthread_mutex_unlock(&h->mu);
  }
  /* after a second half that was not merged, this thread reads its part
     again: the progress waits there rather than going back */
  if (both.records < ip->told.records) both.records = ip->told.records;
  if (both.consumed < ip->told.consumed) both.consumed = ip->told.consumed;
  ip->told = both;
  return ip->o->tick(ip->o->tick_arg, &both);
}

/* Free the second half's results (its thread has ended). */
static void infer_half_free(infer_half *h) {
  pthread_mutex_destroy(&h->mu);
  pthread_cond_destroy(&h->cond);
  tm_schema_free(h->s);
  tm_seek_free(h->k);
  free(h);
}

/*
** Add the second half's checkpoints to k, counted from the file's start:
** `at` is the first half's mark where the second began, before[t] the rows
** of its nbefore tables, tables[] the merged table of each of the second's.
*/
static int infer_append(tm_seek *k, const tm_seek *later, const tm_mark *at,
                        const uint64_t *before, uint32_t nbefore, const uint32_t *tables,
                        uint32_t ntables) {
  uint64_t *counts = malloc(ntables * sizeof *counts);
  int rc = counts ? 0 : -1;
  for (uint32_t i = 0; i < later->n && rc == 0; i++) {
    tm_mark m = later->marks[i];
    m.number += at->number;
    m.line += at->line - 1;
    for (uint32_t t = 0; t < ntables; t++) counts[t] = t < nbefore ? before[t] : 0;
    for (uint32_t t = 0; t < later->ntables; t++)
      counts[tables[t]] += tm_seek_count(later, i, t);
    rc = tm_seek_add(k, &m, counts, ntables);
  }
  free(counts);
  return rc;
}

/*
** Merge the second half h, read to its end, into the first half's scan sc,
** which stands where h began: its schema, and its index k if any. Returns
** 1 when merged, 0 when it cannot be exactly, -1 when out of memory.
*/
static int infer_merge(infer_half *h, tm_scan *sc, tm_seek *k) {
  tm_schema *s = tm_scan_schema(sc);
  uint32_t nbefore = 0;
  uint64_t *before = NULL;
  uint32_t *tables = malloc((size_t)h->s->ntables * sizeof *tables);
  int rc = tables && infer_counts(sc, &before, &nbefore) ? 0 : -1;
  if (rc == 0) rc = tm_schema_absorb(s, h->s, tables);
  if (rc == 0 && k) {
    tm_mark at;
    tm_scan_mark(sc, &at);
    rc = infer_append(k, h->k, &at, before, nbefore, tables, s->ntables);
  }
  free(before);
  free(tables);
  if (rc == 0) atomic_fetch_add(&infer_merged, 1);
  return rc == 0 ? 1 : rc > 0 ? 0 : -1;
}

/*
** Wait for the second half to end, the first standing at its start. The
** caller's tick goes on meanwhile, on this thread as always: now, at each
** tick of the second half, and once it ended. Returns 1 if it said stop.
*/
static int infer_wait(infer_pass *ip, tm_scan *sc) {
  infer_half *h = ip->half;
  tm_mark at;
  tm_scan_mark(sc, &at);
  tm_progress mine = {at.number, h->start, tm_src_id_size(tm_scan_input_id(sc)), 1};
  uint64_t seen = UINT64_MAX;
  int done = 0, stop = 0;
  while (!done && !stop) {
    pthread_mutex_lock(&h->mu);
    while (!h->done && h->records == seen) pthread_cond_wait(&h->cond, &h->mu);
    done = h->done;
    seen = h->records;
    pthread_mutex_unlock(&h->mu);
    stop = ip->o->tick && infer_tick(ip, &mine);
  }
  return stop;
}

/* Stop the second half if it still runs: the first failed or stopped. */
static void infer_abandon(infer_pass *ip) {
  infer_half *h = ip->half;
  if (!h) return;
  pthread_mutex_lock(&h->mu);
  h->stop = 1;
  pthread_mutex_unlock(&h->mu);
  pthread_join(h->thread, NULL);
  infer_half_free(h);
  ip->half = NULL;
}

/* The first half reached the second's start: wait for it and merge it
** (see infer_merge; INFER_STOPPED if the caller stopped the pass). From
** then on, the pass reads alone. */
static int infer_join(infer_pass *ip, tm_scan *sc, tm_seek *k) {
  if (infer_wait(ip, sc)) {
    infer_abandon(ip);
    return INFER_STOPPED;
  }
  infer_half *h = ip->half;
  ip->half = NULL;
  pthread_join(h->thread, NULL);
  int rc = h->ok && tm_scan_offset(sc) == h->start ? infer_merge(h, sc, k) : 0;
  infer_half_free(h);
  return rc;
}

/*
** Read records into the open schema of sc to the end, the sample's size or
** an error, leaving checkpoints in k; with a second half, merge it where it
** began. Notes the last map made in *ch. Returns the last TM_REC_* result,
** INFER_NOMEM or INFER_STOPPED.
*/
static int infer_read(infer_pass *ip, tm_scan *sc, tm_seek *k, infer_change *ch) {
  const tm_options *o = ip->o;
  const tm_schema *s = tm_scan_schema(sc);
  uint64_t *counts = NULL;
  uint32_t cap = 0, maps = 0;
  int64_t good = 0;
  int rc = TM_REC_END;
  while (o->sample < 0 || good < o->sample) {
    if (ip->half && tm_scan_offset(sc) >= ip->half->start) {
      int merged = infer_join(ip, sc, k);
      rc = merged > 0 ? TM_REC_END : merged;
      if (merged) break;
    }
    if (k && infer_checkpoint(sc, k, &counts, &cap)) {
      rc = INFER_NOMEM;
      break;
    }
    rc = tm_scan_next(sc);
    if (rc == TM_REC_END) break;
    if (rc == TM_REC_OK) good++;
    else if (rc == TM_REC_FATAL || o->errors == TM_ERRORS_RAISE) break;
    if (s->maps == maps) continue;
    maps = s->maps;
    infer_abandon(ip);   /* the halves cannot be merged now */
    if (k && good > 1 && infer_note_change(sc, ch)) {
      rc = INFER_NOMEM;   /* records before this one changed their rows */
      break;
    }
  }
  free(counts);
  return rc;
}

/* The second half's pass, from its start to the end of the file. */
static void *infer_half_run(void *arg) {
  infer_half *h = arg;
  char *err = NULL;   /* any failure only means: not ok */
  tm_scan *sc = tm_scan_open(h->path, &h->o, h->s, TM_NONE, 1, 1, &err);
  free(err);
  tm_mark at;
  tm_rd_line_mark(&at, h->start);
  if (sc && tm_src_same(h->id, tm_scan_input_id(sc)->files[0]) &&
      tm_scan_resume(sc, &at, NULL, 0) == 0) {
    infer_pass alone = {&h->o, NULL, {0, 0, 0, 0}};
    infer_change ch = {0, NULL, 0};
    h->ok = infer_read(&alone, sc, h->k, &ch) == TM_REC_END && !h->s->maps;
    free(ch.counts);
  }
  tm_scan_close(sc);
  pthread_mutex_lock(&h->mu);
  h->done = 1;
  pthread_cond_broadcast(&h->cond);
  pthread_mutex_unlock(&h->mu);
  return NULL;
}

/* Read up to n bytes of the plain file at path from offset `at` into buf.
** Returns how many, or -1. */
static long infer_read_at(const char *path, uint64_t at, char *buf, size_t n) {
  char msg[600];
  tm_source *src = tm_src_open(path, TM_COMP_NONE, msg, sizeof msg);
  long got = src && tm_src_seek(src, at) == 0 ? 0 : -1;
  while (got >= 0 && (size_t)got < n) {
    long more = tm_src_read(src, buf + got, n - (size_t)got);
    if (more <= 0) {
      got = more < 0 ? -1 : got;
      break;
    }
    got += more;
  }
  tm_src_close(src);
  return got;
}

/*
** Where the second half begins: the start of the first line past the
** middle of the file that follows a line with more than blanks (the first
** half, reading that line as a record, then stops exactly there). 0 if
** there is none within INFER_WINDOW bytes of the middle.
*/
static uint64_t infer_middle(const char *path, uint64_t size) {
  uint64_t mid = size / 2, start = 0;
  char *buf = malloc(INFER_WINDOW);
  long n = buf ? infer_read_at(path, mid, buf, INFER_WINDOW) : -1;
  const char *nl = n > 0 ? memchr(buf, '\n', (size_t)n) : NULL;
  while (nl) {
    size_t line = (size_t)(nl - buf) + 1;
    const char *next = memchr(nl + 1, '\n', (size_t)n - line);
    size_t end = next ? (size_t)(next - buf) : 0;
    if (next && tm_json_skip_ws(buf, end, line) < end) start = mid + end + 1;
    nl = start ? NULL : next;
  }
  free(buf);
  return start < size ? start : 0;
}

/*
** Start reading the second half of the file on another thread, if the
** first half's scan sc reads a file worth it: a list of one file of JSON
** Lines of at least o->split_min bytes that may be read from a line start
** (tm_scan_splittable says no to a longer list).
** With `index`, the half leaves checkpoints too. Returns
** it, or NULL to read alone.
*/
static infer_half *infer_split(const char *path, const tm_options *o,
                               const tm_schema_config *cfg, tm_scan *sc, int index) {
  if (o->sample >= 0 || !tm_scan_splittable(sc)) return NULL;
  tm_file_id id = tm_scan_input_id(sc)->files[0];
  if (id.size < o->split_min) return NULL;
  uint64_t start = infer_middle(path, id.size);
  infer_half *h = start ? calloc(1, sizeof *h) : NULL;
  if (!h || pthread_mutex_init(&h->mu, NULL)) {
    free(h);
    return NULL;
  }
  if (pthread_cond_init(&h->cond, NULL)) {
    pthread_mutex_destroy(&h->mu);
    free(h);
    return NULL;
  }
  h->path = path;
  h->o = tm_options_for_thread(o, infer_half_tick, h);
  h->o.format = TM_FMT_JSONL;
  h->id = id;
  h->start = start;
  h->s = tm_schema_new(cfg);
  h->k = index ? tm_seek_new(INFER_SPACING) : NULL;
  if (!h->s || (index && !h->k) || pthread_create(&h->thread, NULL, infer_half_run, h)) {
    infer_half_free(h);
    return NULL;
  }
  return h;
}

tm_schema *tm_infer_files(const char *const *paths, uint32_t nfiles, const tm_options *o,
                          const char *name, tm_input_id *id, tm_seek **seek, char **err) {
  const char *path = paths[0];   /* the one file a split pass reads */
  tm_schema_config cfg = tm_schema_config_of(o, name);
  tm_schema *s = tm_schema_new(&cfg);
  infer_pass pass = {o, NULL, {0, 0, 0, 0}};
  tm_options first = *o;   /* its ticks report both halves */
  if (o->tick) {
    first.tick = infer_tick;
    first.tick_arg = &pass;
  }
  tm_scan *sc =
      s ? tm_scan_open_files(paths, nfiles, &first, s, TM_NONE, 1, 1, err) : NULL;
  tm_seek *k = seek ? tm_seek_new(INFER_SPACING) : NULL;
  infer_change ch = {0, NULL, 0};
  int rc = TM_REC_END, nomem = !s || (seek && !k);
  if (sc && !nomem) {
    pass.half = infer_split(path, o, &cfg, sc, k != NULL);
    rc = infer_read(&pass, sc, k, &ch);
    infer_abandon(&pass);
    nomem = rc == INFER_NOMEM;
  }
  int bad = rc == TM_REC_FATAL || rc == INFER_STOPPED ||
            (rc == TM_REC_BAD && o->errors == TM_ERRORS_RAISE);
  if (sc && bad) *err = strdup(rc == INFER_STOPPED ? "interrupted" : tm_scan_message(sc));
  if (sc && !bad && tm_src_id_copy(id, tm_scan_input_id(sc))) nomem = 1;
  tm_scan_close(sc);
  if (s && !sc) nomem = 0;   /* the scan did not open: *err says why */
  if (nomem) infer_fail(err, "out of memory");
  if (!sc || bad || nomem) {
    if (sc && !bad) tm_src_id_free(id);
    free(ch.counts);
    tm_schema_free(s);
    tm_seek_free(k);
    return NULL;
  }
  if (o->sample >= 0)
    for (uint32_t t = 0; t < s->ntables; t++) s->tables[t].has_extra = 1;
  tm_schema_freeze(s);
  int failed =
      k && k->n > 1 && ch.counts && infer_recount(paths, nfiles, o, s, k, id, &ch, err);
  free(ch.counts);
  if (failed) {
    tm_src_id_free(id);
    tm_schema_free(s);
    tm_seek_free(k);
    return NULL;
  }
  /* 1.5 KiB per MiB of input: a checkpoint every 64 KiB of an orders file
     (a mark of 64 bytes and three counts) fits, as it did before marks
     carried their file */
  uint64_t budget = tm_src_id_size(id) / 1024 * 3 / 2;
  if (k) tm_seek_trim(k, budget > 98304 ? budget : 98304);
  if (seek) *seek = k;
  return s;
}

tm_schema *tm_infer(const char *path, const tm_options *o, const char *name,
                    tm_file_id *id, tm_seek **seek, char **err) {
  tm_input_id ids = {0, NULL};
  tm_schema *s = tm_infer_files(&path, 1, o, name, &ids, seek, err);
  if (s) *id = ids.files[0];
  tm_src_id_free(&ids);
  return s;
}

uint64_t tm_infer_merges(void) { return atomic_load(&infer_merged); }

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
           "once with transmog_each",
           path);
  infer_fail(err, msg);
  return -1;
}
