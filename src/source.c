/*
** source.c: the byte source declared in source.h.
**
** Plain files are read with read(2) straight into the caller's buffer. Gzip
** goes through zlib's inflate with a private input buffer; at the end of a
** member, the next bytes must be another member (or zero padding), anything
** else is an error. A regular file is read up to the size it had when it was
** opened, and its size and mtime are checked again at the end, so a file
** rewritten under a running query is an error and never a mix of versions.
*/
#define _POSIX_C_SOURCE 200809L   /* O_CLOEXEC, st_mtim */
#include "source.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define SRC_INBUF (256 * 1024)   /* compressed input block */

struct tm_source {
  int fd;
  int regular;            /* a regular file, checked for changes */
  int gzip;
  int zinit;              /* zs is initialised */
  int member_done;        /* inflate reached the end of a gzip member */
  int failed;             /* an error is pending, after bytes handed out */
  tm_file_id id;
  uint64_t consumed;      /* raw bytes read from the file */
  uint64_t out;           /* content bytes handed out (inflated for gzip) */
  z_stream zs;
  unsigned char *in;      /* compressed input (gzip), or the sniffed bytes */
  size_t inbuf;           /* its size */
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
  return id;
}

/* Refuse what cannot be read as a stream of bytes. */
static int src_check_kind(const struct stat *st, const char *path, char *err,
                          size_t n) {
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
    uint64_t left = s->id.size - s->consumed;
    if (cap > left) cap = (size_t)left;
    if (cap == 0) return 0;
  }
  for (;;) {
    ssize_t n = read(s->fd, dst, cap);
    if (n == 0 && s->regular && s->consumed < s->id.size)
      return src_fail(s, "%s", "file shrank while being read");
    if (n >= 0) {
      s->consumed += (uint64_t)n;
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
  if (s->consumed < s->id.size)
    return src_fail(s, "%s", "file shrank while being read");
  if (fstat(s->fd, &st) != 0 || src_id_of(&st).size != s->id.size ||
      src_id_of(&st).mtime_ns != s->id.mtime_ns)
    return src_fail(s, "%s", "file changed while being read; run the query again");
  return 0;
}

/* Fill the gzip input buffer if it is empty. Returns bytes available. */
static long src_gz_refill(tm_source *s) {
  if (s->zs.avail_in) return (long)s->zs.avail_in;
  long n = src_raw_read(s, s->in, s->inbuf);
  if (n < 0) return -1;
  s->zs.next_in = s->in;
  s->zs.avail_in = (uInt)n;
  return n;
}

/*
** After a member ends: start the next one if the input holds another gzip
** header, accept trailing zero padding, refuse anything else. Returns 1 if a
** new member starts, 0 at the end of the data, -1 on error.
*/
static int src_gz_next_member(tm_source *s) {
  for (;;) {
    long n = src_gz_refill(s);
    if (n < 0) return -1;
    if (n == 0) return 0;
    if (s->zs.next_in[0] == 0x1f) {
      if (inflateReset(&s->zs) != Z_OK) return (int)src_fail(s, "%s", "inflate reset failed");
      return 1;
    }
    for (uInt i = 0; i < s->zs.avail_in; i++)
      if (s->zs.next_in[i] != 0)
        return (int)src_fail(s, "%s", "unexpected data after the end of the gzip stream");
    s->zs.avail_in = 0;
  }
}

/*
** Inflate up to cap bytes into dst. An error found in the same step that
** produced bytes waits for the next call, so nothing inflated is lost.
*/
static long src_gz_read(tm_source *s, char *dst, size_t cap) {
  if (s->failed) return -1;
  s->zs.next_out = (unsigned char *)dst;
  s->zs.avail_out = (uInt)(cap > (1u << 30) ? (1u << 30) : cap);
  uInt want = s->zs.avail_out;
  while (s->zs.avail_out == want) {
    if (s->member_done) {
      int more = src_gz_next_member(s);
      if (more <= 0) return more < 0 ? -1 : 0;
      s->member_done = 0;
    }
    long n = src_gz_refill(s);
    if (n < 0) return -1;
    if (n == 0) return src_fail(s, "%s", "truncated gzip data (the file ends inside a gzip member)");
    int rc = inflate(&s->zs, Z_NO_FLUSH);
    if (rc == Z_STREAM_END) {
      s->member_done = 1;
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      src_fail(s, "corrupt gzip data: %s", s->zs.msg ? s->zs.msg : "inflate failed");
      s->failed = 1;
      return want > s->zs.avail_out ? (long)(want - s->zs.avail_out) : -1;
    }
  }
  return (long)(want - s->zs.avail_out);
}

/* Peek at the first two bytes of the file for the gzip magic; leaves them
** in s->in so nothing is read twice. */
static int src_sniff_gzip(tm_source *s) {
  size_t got = 0;
  while (got < 2) {   /* a pipe may hand out one byte at a time */
    long n = src_raw_read(s, s->in + got, s->inbuf - got);
    if (n < 0) return -1;
    if (n == 0) break;
    got += (size_t)n;
  }
  s->zs.next_in = s->in;
  s->zs.avail_in = (uInt)got;
  return got >= 2 && s->in[0] == 0x1f && s->in[1] == 0x8b;
}

/* Prepare inflate, or hand the sniffed bytes back as plain content. */
static int src_setup(tm_source *s, int compression) {
  s->inbuf = s->regular && s->id.size + 16 < SRC_INBUF ? (size_t)s->id.size + 16 : SRC_INBUF;
  s->in = malloc(s->inbuf);
  if (!s->in) return (int)src_fail(s, "%s", "out of memory");
  int magic = src_sniff_gzip(s);
  if (magic < 0) return -1;
  if (compression == TM_COMP_GZIP && !magic)
    return (int)src_fail(s, "%s", "not gzip data (compression=gzip)");
  s->gzip = compression == TM_COMP_NONE ? 0 : magic;
  if (s->gzip) {
    if (inflateInit2(&s->zs, 15 + 16) != Z_OK)
      return (int)src_fail(s, "%s", "inflate init failed");
    s->zinit = 1;
  }
  return 0;
}

/* Plain content that was sniffed: serve it from s->in first. */
static long src_plain_read(tm_source *s, char *dst, size_t cap) {
  if (!s->zs.avail_in) return src_raw_read(s, dst, cap);
  size_t n = s->zs.avail_in < cap ? s->zs.avail_in : cap;
  memcpy(dst, s->zs.next_in, n);
  s->zs.next_in += n;
  s->zs.avail_in -= (uInt)n;
  return (long)n;
}

tm_source *tm_src_open(const char *path, int compression, char *err,
                       size_t errlen) {
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

long tm_src_read(tm_source *s, char *dst, size_t cap) {
  long n = s->gzip ? src_gz_read(s, dst, cap) : src_plain_read(s, dst, cap);
  if (n == 0 && src_check_end(s)) return -1;
  if (n > 0) s->out += (uint64_t)n;
  return n;
}

/* Go back to the first byte of the file (and of the gzip stream). */
static int src_rewind(tm_source *s) {
  if (lseek(s->fd, 0, SEEK_SET) != 0) return (int)src_fail(s, "%s", "cannot seek in the file");
  s->consumed = s->out = 0;
  s->zs.avail_in = 0;
  s->member_done = 0;
  if (s->gzip && inflateReset(&s->zs) != Z_OK)
    return (int)src_fail(s, "%s", "inflate reset failed");
  return 0;
}

int tm_src_seek(tm_source *s, uint64_t offset) {
  if (!s->regular) return (int)src_fail(s, "%s", "cannot seek in a pipe");
  if (!s->gzip) {
    if (offset > s->id.size || lseek(s->fd, (off_t)offset, SEEK_SET) < 0)
      return (int)src_fail(s, "%s", "cannot seek in the file");
    s->consumed = s->out = offset;
    s->zs.avail_in = 0;
    return 0;
  }
  if (offset < s->out && src_rewind(s)) return -1;
  char skip[16384];
  while (s->out < offset) {   /* gzip: inflate forward to the offset */
    uint64_t want = offset - s->out;
    long n = tm_src_read(s, skip, want < sizeof skip ? (size_t)want : sizeof skip);
    if (n < 0) return -1;
    if (n == 0) return (int)src_fail(s, "%s", "the file ends before the place looked for");
  }
  return 0;
}

const char *tm_src_error(const tm_source *s) { return s->err; }
uint64_t tm_src_consumed(const tm_source *s) { return s->consumed; }
tm_file_id tm_src_id(const tm_source *s) { return s->id; }
int tm_src_is_gzip(const tm_source *s) { return s->gzip; }

void tm_src_close(tm_source *s) {
  if (!s) return;
  if (s->zinit) inflateEnd(&s->zs);
  if (s->fd >= 0) close(s->fd);
  free(s->in);
  free(s);
}
