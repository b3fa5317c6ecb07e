/*
** source.c: the byte source declared in source.h.
**
** Plain files are read with read(2) straight into the caller's buffer;
** gzip content comes from gzread.c, which inflates ahead in a thread of its
** own and reads the file through src_gz_raw. Either way a regular file is
** read up to the size it had when it was opened, and its size and mtime are
** checked again at the end, so a file rewritten under a running query is an
** error and never a mix of versions.
*/
#define _POSIX_C_SOURCE 200809L   /* O_CLOEXEC, st_mtim */
#include "source.h"

#include <errno.h>
#include <stdatomic.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gzread.h"

#define SRC_SNIFF (256 * 1024)   /* the first read, to look for gzip */
#define SRC_SKIP  (1u << 30)      /* the most passed over per gzip step */

struct tm_source {
  int fd;
  int regular;            /* a regular file, checked for changes */
  int gzip;
  tm_file_id id;
  _Atomic uint64_t consumed;   /* raw bytes read (by gzread's thread too) */
  uint64_t out;           /* content bytes handed out (inflated for gzip) */
  tm_gz *gz;              /* gzip content, read ahead */
  unsigned char *head;    /* the first bytes, read to sniff */
  size_t nhead, headoff;  /* how many, and how many are handed out */
  char err[512];
};

/* strerror(e) with a lowercase first letter, in SQLite's style. */
static void src_strerror(int e, char *out, size_t n) {
  snprintf(out, n, "%s", strerror(e));
  if (out[0] >= 'A' && out[0] <= 'Z') out[0] = (char)(out[0] - 'A' + 'a');
}

/* Set the error message (the caller says which file and where). */
static long src_fail(tm_source *s, const char *fmt, const char *detail) {
  snprintf(s->err, sizeof s->err, fmt, detail);
  return -1;
}

/* Identity of an open file from its stat data. */
static tm_file_id src_id_of(const struct stat *st) {
  tm_file_id id;
  id.size = S_ISREG(st->st_mode) ? (uint64_t)st->st_size : 0;
  id.mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
  id.pipe = S_ISFIFO(st->st_mode);
  return id;
}

/* Refuse what cannot be read as a stream of bytes. */
static int src_check_kind(const struct stat *st, const char *path, char *err, size_t n) {
  if (S_ISDIR(st->st_mode)) {
    snprintf(err, n, "'%s' is a directory", path);
    return -1;
  }
  if (!S_ISREG(st->st_mode) && !S_ISFIFO(st->st_mode)) {
    snprintf(err, n, "'%s' is not a regular file or a pipe", path);
    return -1;
  }
  return 0;
}

int tm_src_stat(const char *path, tm_file_id *id, char *err, size_t n) {
  struct stat st;
  if (stat(path, &st) != 0) {
    char why[128];
    src_strerror(errno, why, sizeof why);
    snprintf(err, n, "cannot open '%s': %s", path, why);
    return -1;
  }
  if (src_check_kind(&st, path, err, n)) return -1;
  *id = src_id_of(&st);
  return 0;
}

/* read(2) that retries on EINTR; stops at the size seen at open. */
static long src_raw_read(tm_source *s, void *dst, size_t cap) {
  if (s->regular) {
    uint64_t left = s->id.size - atomic_load_explicit(&s->consumed, memory_order_relaxed);
    if (cap > left) cap = (size_t)left;
    if (cap == 0) return 0;
  }
  for (;;) {
    ssize_t n = read(s->fd, dst, cap);
    if (n == 0 && s->regular && s->consumed < s->id.size)
      return src_fail(s, "%s", "file shrank while being read");
    if (n >= 0) {
      atomic_fetch_add_explicit(&s->consumed, (uint64_t)n, memory_order_relaxed);
      return (long)n;
    }
    if (errno != EINTR) {
      char why[128];
      src_strerror(errno, why, sizeof why);
      return src_fail(s, "read error: %s", why);
    }
  }
}

/*
** At the end of a regular file: it must still have the size and mtime it had
** at open, or what was read may mix two versions.
*/
static long src_check_end(tm_source *s) {
  struct stat st;
  if (!s->regular) return 0;
  if (s->consumed < s->id.size) return src_fail(s, "%s", "file shrank while being read");
  if (fstat(s->fd, &st) != 0 || src_id_of(&st).size != s->id.size ||
      src_id_of(&st).mtime_ns != s->id.mtime_ns)
    return src_fail(s, "%s", "file changed while being read; run the query again");
  return 0;
}

/* gzread's reader: the file's bytes, and at its end, the end check. */
static long src_gz_raw(void *arg, unsigned char *dst, size_t cap, char *err,
                       size_t errlen) {
  tm_source *s = arg;
  long n = src_raw_read(s, dst, cap);
  if (n == 0 && src_check_end(s)) n = -1;
  if (n < 0) snprintf(err, errlen, "%s", s->err);
  return n;
}

/* Read the first bytes (at least two, unless the file is shorter: a pipe
** may give one at a time) and say whether they are gzip's magic. */
static int src_sniff_gzip(tm_source *s, size_t cap) {
  while (s->nhead < 2) {
    long n = src_raw_read(s, s->head + s->nhead, cap - s->nhead);
    if (n < 0) return -1;
    if (n == 0) break;
    s->nhead += (size_t)n;
  }
  return s->nhead >= 2 && s->head[0] == 0x1f && s->head[1] == 0x8b;
}

/* Start gzread on the content from its start (the sniffed bytes first). */
static int src_start_gz(tm_source *s) {
  s->gz = tm_gz_open(src_gz_raw, s, s->head, s->nhead, s->regular);
  s->headoff = s->nhead;   /* gzread has them now */
  return s->gz ? 0 : (int)src_fail(s, "%s", "cannot start inflating (out of memory)");
}

/* Sniff, then prepare gzip reading or hand the sniffed bytes back as plain
** content. */
static int src_setup(tm_source *s, int compression) {
  size_t cap =
      s->regular && s->id.size + 16 < SRC_SNIFF ? (size_t)s->id.size + 16 : SRC_SNIFF;
  s->head = malloc(cap);
  if (!s->head) return (int)src_fail(s, "%s", "out of memory");
  int magic = src_sniff_gzip(s, cap);
  if (magic < 0) return -1;
  if (compression == TM_COMP_GZIP && !magic)
    return (int)src_fail(s, "%s", "not gzip data (compression=gzip)");
  s->gzip = compression == TM_COMP_NONE ? 0 : magic;
  return s->gzip ? src_start_gz(s) : 0;
}

/* Plain content: the sniffed bytes first, then the file. */
static long src_plain_read(tm_source *s, char *dst, size_t cap) {
  if (s->headoff == s->nhead) return src_raw_read(s, dst, cap);
  size_t n = s->nhead - s->headoff < cap ? s->nhead - s->headoff : cap;
  memcpy(dst, s->head + s->headoff, n);
  s->headoff += n;
  return (long)n;
}

tm_source *tm_src_open(const char *path, int compression, char *err, size_t errlen) {
  struct stat st;
  tm_source *s = calloc(1, sizeof *s);
  char why[128];
  if (!s) {
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  s->fd = open(path, O_RDONLY | O_CLOEXEC);
  if (s->fd < 0 || fstat(s->fd, &st) != 0) {
    src_strerror(errno, why, sizeof why);
    snprintf(err, errlen, "cannot open '%s': %s", path, why);
    tm_src_close(s);
    return NULL;
  }
  if (src_check_kind(&st, path, err, errlen)) {
    tm_src_close(s);
    return NULL;
  }
  s->regular = S_ISREG(st.st_mode);
  s->id = src_id_of(&st);
  if (src_setup(s, compression)) {
    snprintf(err, errlen, "'%s': %s", path, s->err);
    tm_src_close(s);
    return NULL;
  }
  return s;
}

/* Up to cap bytes of gzip content into dst, or passed over when dst is
** NULL. As tm_src_read returns, the error message included. */
static long src_gz_take(tm_source *s, char *dst, size_t cap) {
  long n = tm_gz_read(s->gz, dst, cap);
  if (n < 0) snprintf(s->err, sizeof s->err, "%s", tm_gz_error(s->gz));
  if (n > 0) s->out += (uint64_t)n;
  return n;
}

long tm_src_read(tm_source *s, char *dst, size_t cap) {
  if (s->gzip) return src_gz_take(s, dst, cap);
  long n = src_plain_read(s, dst, cap);
  if (n == 0 && src_check_end(s)) n = -1;
  if (n > 0) s->out += (uint64_t)n;
  return n;
}

/* Go back to the first byte of the file (and of the gzip stream). */
static int src_rewind(tm_source *s) {
  tm_gz_close(s->gz);
  s->gz = NULL;
  if (lseek(s->fd, 0, SEEK_SET) != 0)
    return (int)src_fail(s, "%s", "cannot seek in the file");
  atomic_store(&s->consumed, 0);
  s->out = 0;
  s->nhead = s->headoff = 0;
  return src_start_gz(s);
}

int tm_src_seek(tm_source *s, uint64_t offset) {
  if (!s->regular) return (int)src_fail(s, "%s", "cannot seek in a pipe");
  if (!s->gzip) {
    if (offset > s->id.size || lseek(s->fd, (off_t)offset, SEEK_SET) < 0)
      return (int)src_fail(s, "%s", "cannot seek in the file");
    atomic_store(&s->consumed, offset);
    s->out = offset;
    s->headoff = s->nhead;   /* the sniffed bytes are behind */
    return 0;
  }
  if (offset < s->out && src_rewind(s)) return -1;
  while (s->out < offset) {   /* gzip: inflate forward to the offset */
    uint64_t want = offset - s->out;
    long n = src_gz_take(s, NULL, want < SRC_SKIP ? (size_t)want : SRC_SKIP);
    if (n < 0) return -1;
    if (n == 0)
      return (int)src_fail(s, "%s", "the file ends before the place looked for");
  }
  return 0;
}

const char *tm_src_error(const tm_source *s) { return s->err; }
uint64_t tm_src_consumed(const tm_source *s) {
  return atomic_load_explicit(&((tm_source *)s)->consumed, memory_order_relaxed);
}
tm_file_id tm_src_id(const tm_source *s) { return s->id; }
int tm_src_is_gzip(const tm_source *s) { return s->gzip; }

void tm_src_close(tm_source *s) {
  if (!s) return;
  tm_gz_close(s->gz);
  if (s->fd >= 0) close(s->fd);
  free(s->head);
  free(s);
}

int tm_src_same(tm_file_id a, tm_file_id b) {
  return a.size == b.size && a.mtime_ns == b.mtime_ns;
}

uint32_t tm_src_id_changed(const tm_input_id *a, const tm_input_id *b) {
  for (uint32_t i = 0; i < a->n && i < b->n; i++)
    if (!tm_src_same(a->files[i], b->files[i])) return i;
  return 0;
}

int tm_src_id_same(const tm_input_id *a, const tm_input_id *b) {
  if (a->n != b->n) return 0;
  for (uint32_t i = 0; i < a->n; i++)
    if (!tm_src_same(a->files[i], b->files[i])) return 0;
  return 1;
}

int tm_src_id_copy(tm_input_id *dst, const tm_input_id *src) {
  dst->n = 0;
  dst->files = malloc((src->n ? src->n : 1) * sizeof *dst->files);
  if (!dst->files) return -1;
  if (src->n) memcpy(dst->files, src->files, src->n * sizeof *dst->files);
  dst->n = src->n;
  return 0;
}

uint64_t tm_src_id_size(const tm_input_id *id) {
  uint64_t size = 0;
  for (uint32_t i = 0; i < id->n; i++) {
    if (id->files[i].pipe) return 0;
    size += id->files[i].size;
  }
  return size;
}

void tm_src_id_free(tm_input_id *id) {
  free(id->files);
  id->files = NULL;
  id->n = 0;
}
