/*
** reader.c: the record-reader seam declared in reader.h.
**
** The reader holds one file open at a time: a source, and the kind's
** reader over it. When the kind says the file has ended, the next file is
** opened and read with its own sniffing; record numbers go on.
**
** The stream offsets of marks put the files one after another with one
** byte between two files: a file's base is the base of the one before,
** plus the offset where that one ended, plus 1. So the end of a file and
** the start of the next (or of an empty file after it) are distinct
** places, and every mark compares in reading order by its offset alone.
*/
#define _POSIX_C_SOURCE 200809L   /* strdup */
#include "reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonread.h"

struct tm_rd {
  char **paths;
  uint32_t n;
  int compression;
  tm_rec_config cfg;      /* its root is ours: files are opened late */
  char *root;
  const tm_rd_kind *kind;
  tm_input_id id;         /* from stat at open; each file's own once opened */
  unsigned char *known;   /* per file: id holds its identity */
  void *cur;              /* the kind's reader of file `file`, or NULL */
  tm_source *src;         /* its source (the kind's reader owns it) */
  uint32_t file;
  uint64_t base;          /* stream offset of the file's first byte */
  uint64_t first;         /* records of the files before it */
  int over;               /* TM_REC_END or TM_REC_FATAL once no more
                             records come, else 0 */
  tm_rec_error err;       /* the last error, with its file */
  char full[700];         /* the last error's message when it has no place */
};

/*
** The reader kind of each format. A new kind registers here: one case
** for its format, returning its tm_rd_kind.
*/
static const tm_rd_kind *rd_kind_of(int format) {
  switch (format) {
    default: return &tm_jsonread_kind;   /* auto, jsonl, json */
  }
}

/* An error with no place in a file (a file that cannot be opened). */
static int rd_fail(tm_rd *r, const char *msg) {
  memset(&r->err, 0, sizeof r->err);
  r->err.record = r->first + 1;
  r->err.file = r->file;
  snprintf(r->err.msg, sizeof r->err.msg, "%.199s", msg);
  snprintf(r->full, sizeof r->full, "%s", msg);
  r->over = TM_REC_FATAL;
  return TM_REC_FATAL;
}

/*
** Open file i at stream offset base, counting records from first. The
** file must still be as it was when the reader was opened. Returns 0, or
** -1 with the message in msg (r->cur is then NULL).
*/
static int rd_open_file(tm_rd *r, uint32_t i, uint64_t base, uint64_t first, char *msg,
                        size_t n) {
  r->kind->close(r->cur);
  r->cur = NULL;
  r->file = i;
  r->base = base;
  r->first = first;
  tm_source *src = tm_src_open(r->paths[i], r->compression, msg, n);
  if (!src) return -1;
  tm_file_id now = tm_src_id(src);
  if (r->known[i] && !tm_src_same(r->id.files[i], now)) {
    snprintf(msg, n, "'%s': file changed while being read; run the query again",
             r->paths[i]);
    tm_src_close(src);
    return -1;
  }
  r->id.files[i] = now;
  r->known[i] = 1;
  char why[600];
  r->cur = r->kind->open(src, &r->cfg, first, why, sizeof why);
  if (!r->cur) {   /* out of memory while sniffing: say where */
    snprintf(msg, n, "'%s': %s", r->paths[i], why);
    return -1;
  }
  r->src = src;
  return 0;
}

/* The identities of the files, from stat: a file missing now is looked
** at again when reached, and its error given then. */
static int rd_stat_all(tm_rd *r) {
  r->id.files = calloc(r->n, sizeof *r->id.files);
  r->known = calloc(r->n, 1);
  if (!r->id.files || !r->known) return -1;
  r->id.n = r->n;
  for (uint32_t i = 1; i < r->n; i++) {
    char ignored[8];
    r->known[i] = tm_src_stat(r->paths[i], &r->id.files[i], ignored, sizeof ignored) == 0;
  }
  return 0;
}

/* Copy the paths. Returns 0 or -1 (out of memory). */
static int rd_copy_paths(tm_rd *r, const char *const *paths, uint32_t n) {
  r->paths = calloc(n, sizeof *r->paths);
  if (!r->paths) return -1;
  r->n = n;
  for (uint32_t i = 0; i < n; i++)
    if (!(r->paths[i] = strdup(paths[i]))) return -1;
  return 0;
}

tm_rd *tm_rd_open(const char *const *paths, uint32_t n, int compression,
                  const tm_rec_config *cfg, char *err, size_t errlen) {
  tm_rd *r = calloc(1, sizeof *r);
  if (!r || n == 0 || rd_copy_paths(r, paths, n) || rd_stat_all(r) ||
      (cfg->root && !(r->root = strdup(cfg->root)))) {
    tm_rd_close(r);
    snprintf(err, errlen, "%s", n ? "out of memory" : "no file to read");
    return NULL;
  }
  r->compression = compression;
  r->cfg = *cfg;
  r->cfg.root = r->root;
  r->kind = rd_kind_of(cfg->format);
  if (rd_open_file(r, 0, 0, 0, err, errlen)) {
    tm_rd_close(r);
    return NULL;
  }
  return r;
}

/* Keep the kind's last error as the reader's, naming its file. */
static int rd_keep_error(tm_rd *r, int rc) {
  r->err = *r->kind->error(r->cur);
  r->err.file = r->file;
  if (rc == TM_REC_FATAL) r->over = rc;
  return rc;
}

/* The current file has ended: go on to the next one, if any. Returns
** TM_REC_OK when it is open, TM_REC_END or TM_REC_FATAL. */
static int rd_next_file(tm_rd *r) {
  if (r->file + 1 >= r->n) return r->over = TM_REC_END;
  tm_mark end;
  r->kind->mark(r->cur, &end);
  char msg[700];
  if (rd_open_file(r, r->file + 1, r->base + end.offset + 1, end.number, msg, sizeof msg))
    return rd_fail(r, msg);
  return TM_REC_OK;
}

int tm_rd_next(tm_rd *r, tm_record *rec) {
  while (!r->over) {
    int rc = r->kind->next(r->cur, rec);
    if (rc == TM_REC_OK) {
      rec->file = r->file;
      return rc;
    }
    if (rc != TM_REC_END) return rd_keep_error(r, rc);
    if ((rc = rd_next_file(r)) != TM_REC_OK) return rc;
  }
  return r->over;
}

const tm_rec_error *tm_rd_error(const tm_rd *r) { return &r->err; }
const char *tm_rd_path(const tm_rd *r, uint32_t i) { return r->paths[i]; }

void tm_rd_describe(const tm_rd *r, char *out, size_t n) {
  const tm_rec_error *e = &r->err;
  if (e->line == 0) {
    snprintf(out, n, "%s", r->full);
    return;
  }
  snprintf(out, n, "'%s' line %llu col %llu (byte %llu, record %llu): %s",
           r->paths[e->file], (unsigned long long)e->line, (unsigned long long)e->col,
           (unsigned long long)e->offset, (unsigned long long)e->record, e->msg);
}

void tm_rd_reject(tm_rd *r, const tm_record *rec, const char *msg) {
  r->kind->reject(r->cur, rec, msg);
  rd_keep_error(r, TM_REC_BAD);
}

void tm_rd_mark(tm_rd *r, tm_mark *m) {
  if (r->cur) r->kind->mark(r->cur, m);
  else memset(m, 0, sizeof *m);
  m->offset += r->base;
  m->line_start += r->base;
  m->file = r->file;
  m->base = r->base;
  m->first = r->first;
}

int tm_rd_seek(tm_rd *r, const tm_mark *m) {
  char msg[700];
  if (m->file >= r->n || m->offset < m->base || m->line_start < m->base) {
    rd_fail(r, "the place looked for is not in the files");
    return -1;
  }
  if ((m->file != r->file || !r->cur || m->base != r->base || m->first != r->first) &&
      rd_open_file(r, m->file, m->base, m->first, msg, sizeof msg)) {
    rd_fail(r, msg);
    return -1;
  }
  tm_mark local = *m;
  local.offset -= m->base;
  local.line_start -= m->base;
  local.base = 0;
  r->over = 0;
  if (r->kind->seek(r->cur, &local)) {
    rd_keep_error(r, TM_REC_FATAL);
    return -1;
  }
  return 0;
}

int tm_rd_mark_ok(const tm_mark *m, int format) {
  return m->base <= m->line_start && m->line_start <= m->offset &&
         m->first <= m->number && rd_kind_of(format)->mark_ok(m);
}

void tm_rd_line_mark(tm_mark *m, uint64_t offset) {
  memset(m, 0, sizeof *m);
  m->offset = m->line_start = offset;
  m->line = 1;
}

uint64_t tm_rd_offset(const tm_rd *r) {
  return r->base + (r->cur ? r->kind->offset(r->cur) : 0);
}

int tm_rd_splittable(const tm_rd *r) {
  return r->n == 1 && r->cur && r->kind->splittable(r->cur);
}

uint64_t tm_rd_consumed(const tm_rd *r) {
  uint64_t n = r->cur ? tm_src_consumed(r->src) : 0;
  for (uint32_t i = 0; i < r->file; i++) n += r->id.files[i].size;
  return n;
}

uint64_t tm_rd_size(const tm_rd *r) { return tm_src_id_size(&r->id); }
const tm_input_id *tm_rd_id(const tm_rd *r) { return &r->id; }
int tm_rd_format(const tm_rd *r) {
  return r->cur ? r->kind->format(r->cur) : TM_FMT_AUTO;
}

void tm_rd_close(tm_rd *r) {
  if (!r) return;
  if (r->cur) r->kind->close(r->cur);
  for (uint32_t i = 0; r->paths && i < r->n; i++) free(r->paths[i]);
  free(r->paths);
  free(r->root);
  free(r->known);
  tm_src_id_free(&r->id);
  free(r);
}
