/*
** sink.c: the output files declared in sink.h.
**
** Writes go through a 1 MiB buffer to write(2), or to zlib's gzwrite for
** gzip (level 6, as gzip's default), so a row is never a system call.
**
** The temporary name ends in a random suffix and is created with O_EXCL
** and O_NOFOLLOW, so nothing planted in a shared directory (a symlink, a
** file) is ever opened or written through, and two exports of one name
** never share a temporary file. With mode=replace, the rename(2) replaces
** whatever entry has the target's name, a symlink included, without
** following it; otherwise the rename refuses any entry there. A file is
** synced to the disk before it is renamed, and the directory after.
*/
#define _GNU_SOURCE   /* getentropy, O_NOFOLLOW, renameat2 */
#include "sink.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define SINK_BUF (1u << 20)

struct tm_sink {
  char *path;        /* the target */
  char *tmp;         /* where it is written until committed */
  int fd;            /* plain output, or -1 */
  gzFile gz;         /* gzip output, or NULL */
  char *buf;
  size_t n;
  int committed;
  int replace;       /* may replace what is at the target */
  char err[300];
};

/* "dir/name", or "dir/.name.tmp-XXXXXXXXXXXXXXXX" for a temporary name
** (a fresh random suffix each call). */
static char *sink_join(const char *dir, const char *name, int tmp) {
  size_t n = strlen(dir) + strlen(name) + 40;
  char *p = malloc(n);
  if (!p) return NULL;
  const char *slash = *dir && dir[strlen(dir) - 1] == '/' ? "" : "/";
  unsigned char r[8] = {0};
  if (tmp && getentropy(r, sizeof r) != 0) {   /* no entropy: a name new each try */
    static unsigned long calls;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned long x = (unsigned long)getpid() * 2654435761u ^ (unsigned long)ts.tv_nsec ^
                      (unsigned long)ts.tv_sec << 20 ^ ++calls * 40503u;
    memcpy(r, &x, sizeof x < sizeof r ? sizeof x : sizeof r);
  }
  if (tmp)
    snprintf(p, n, "%s%s.%s.tmp-%02x%02x%02x%02x%02x%02x%02x%02x", dir, slash, name, r[0],
             r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
  else snprintf(p, n, "%s%s%s", dir, slash, name);
  return p;
}

/* Create k's temporary file under a new name that nothing had: a name
** taken (by a planted file or symlink, or by chance) means another try. */
static int sink_create(tm_sink *k, const char *dir, const char *name) {
  for (int tries = 0; tries < 100; tries++) {
    free(k->tmp);
    if (!(k->tmp = sink_join(dir, name, 1))) return -2;
    k->fd = open(k->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (k->fd >= 0 || errno != EEXIST) break;
  }
  if (k->fd >= 0) return 0;
  int e = errno;   /* no temporary file to remove */
  free(k->tmp);
  k->tmp = NULL;
  errno = e;
  return -1;
}

/* Record an error about the target, with errno's reason (or zlib's, when
** a gzip write failed for a reason of its own). */
static int sink_fail(tm_sink *k, const char *what) {
  char why[128];
  int zerr = Z_ERRNO;
  const char *zmsg = k->gz ? gzerror(k->gz, &zerr) : NULL;
  snprintf(why, sizeof why, "%s", zerr == Z_ERRNO ? strerror(errno) : zmsg);
  if (why[0] >= 'A' && why[0] <= 'Z') why[0] = (char)(why[0] - 'A' + 'a');
  snprintf(k->err, sizeof k->err, "cannot %s '%s': %s", what, k->path, why);
  return -1;
}

/* Is the target taken for this sink: anything there without replace, a
** directory with it? Then say so in k->err. */
static int sink_target_taken(tm_sink *k) {
  struct stat st;
  if (lstat(k->path, &st) != 0) return 0;
  if (!k->replace)
    snprintf(k->err, sizeof k->err, "'%s' already exists; use mode=replace", k->path);
  else if (S_ISDIR(st.st_mode))
    snprintf(k->err, sizeof k->err, "cannot replace '%s': it is a directory", k->path);
  else return 0;
  return 1;
}

tm_sink *tm_sink_open(const char *dir, const char *name, int gzip, int replace, char *err,
                      size_t errlen) {
  tm_sink *k = calloc(1, sizeof *k);
  if (k) k->fd = -1;
  if (!k || !(k->path = sink_join(dir, name, 0))) {
    snprintf(err, errlen, "out of memory");
    tm_sink_free(k);
    return NULL;
  }
  k->replace = replace;
  if (sink_target_taken(k)) {
    snprintf(err, errlen, "%s", k->err);
    tm_sink_free(k);
    return NULL;
  }
  int made = -2;
  if (!(k->buf = malloc(SINK_BUF)) || (made = sink_create(k, dir, name)) == -2) {
    snprintf(err, errlen, "out of memory");
    tm_sink_free(k);
    return NULL;
  }
  if (made == 0 && gzip) {
    k->gz = gzdopen(k->fd, "wb6");
    if (!k->gz) close(k->fd);
    k->fd = -1;
  }
  if (k->fd < 0 && !k->gz) {
    sink_fail(k, "write");
    snprintf(err, errlen, "%s", k->err);
    tm_sink_free(k);
    return NULL;
  }
  return k;
}

/* Write n bytes at p to the file (through zlib for gzip). */
static int sink_out(tm_sink *k, const char *p, size_t n) {
  if (k->gz) {
    while (n) {
      unsigned part =
          (unsigned)(n < SINK_BUF ? n : SINK_BUF);   /* gzwrite takes an unsigned */
      if (gzwrite(k->gz, p, part) != (int)part) return sink_fail(k, "write");
      p += part;
      n -= part;
    }
    return 0;
  }
  while (n) {
    ssize_t w = write(k->fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return sink_fail(k, "write");
    p += w;
    n -= (size_t)w;
  }
  return 0;
}

/* Write the buffer out. */
static int sink_flush(tm_sink *k) {
  size_t n = k->n;
  k->n = 0;
  return sink_out(k, k->buf, n);
}

int tm_sink_write(tm_sink *k, const void *p, size_t n) {
  if (n == 0) return 0;   /* p may be NULL */
  if (k->n + n > SINK_BUF && sink_flush(k)) return -1;
  if (n > SINK_BUF) return sink_out(k, p, n);   /* too big to buffer: straight out */
  memcpy(k->buf + k->n, p, n);
  k->n += n;
  return 0;
}

/* Sync the closed temporary file to the disk (opened again read-only:
** zlib has closed its descriptor). */
static int sink_sync(tm_sink *k) {
  int fd = open(k->tmp, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return -1;
  int rc = fsync(fd);
  close(fd);
  return rc;
}

int tm_sink_close(tm_sink *k) {
  if (sink_flush(k)) return -1;
  int rc = k->gz ? gzclose(k->gz) : close(k->fd);
  if (k->gz && rc != Z_OK && rc != Z_ERRNO) errno = EIO;   /* zlib's own failure */
  k->gz = NULL;
  k->fd = -1;
  if (rc != 0 || sink_sync(k) != 0) return sink_fail(k, "write");
  return 0;
}

/* Rename without replacing an entry at the target: renameat2's
** RENAME_NOREPLACE, or where the file system lacks it, link and unlink
** (link never replaces either). */
static int sink_rename_new(const char *from, const char *to) {
  if (renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return -1;
  if (link(from, to) != 0) return -1;
  unlink(from);
  return 0;
}

int tm_sink_rename(tm_sink *k) {
  if ((k->replace ? rename(k->tmp, k->path) : sink_rename_new(k->tmp, k->path)) != 0) {
    if (errno == EEXIST) {
      snprintf(k->err, sizeof k->err, "'%s' already exists; use mode=replace", k->path);
      return -1;
    }
    return sink_fail(k, "rename the temporary file to");
  }
  k->committed = 1;
  return 0;
}

int tm_sink_sync_dir(const char *dir) {
  int fd = open(*dir ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return -1;
  int rc = fsync(fd);
  close(fd);
  return rc;
}

const char *tm_sink_path(const tm_sink *k) { return k->path; }
const char *tm_sink_error(const tm_sink *k) { return k->err; }

void tm_sink_free(tm_sink *k) {
  if (!k) return;
  if (k->gz) gzclose(k->gz);
  else if (k->fd >= 0) close(k->fd);
  if (!k->committed && k->tmp) unlink(k->tmp);
  free(k->path);
  free(k->tmp);
  free(k->buf);
  free(k);
}
