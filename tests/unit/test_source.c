/*
** test_source.c: the byte source (src/source.c): plain files, gzip written
** here with zlib (single, multi-member, padding, garbage, truncation,
** corruption), the compression option, things that are not files, pipes,
** and files that change while they are read.
*/
#define _GNU_SOURCE   /* mkdtemp, mkfifo, futimens, ftruncate */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "util.h"
#include "source.h"

/* A path in the test's temporary directory. */
static const char *tpath(const char *name) {
  static char bufs[4][256];
  static int k;
  char *p = bufs[k++ % 4];
  snprintf(p, 256, "%s/%s", g_dir, name);
  return p;
}

/* A growable byte string. */
typedef struct bytes {
  unsigned char *p;
  size_t n, cap;
} bytes;

static void b_put(bytes *b, const void *p, size_t n) {
  if (b->n + n > b->cap) {
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->n + n) cap *= 2;
    b->p = realloc(b->p, cap);
    if (!b->p) abort();
    b->cap = cap;
  }
  if (n) memcpy(b->p + b->n, p, n);
  b->n += n;
}

/* Deflate data[0..n) into out, then flush (Z_SYNC_FLUSH) or end the
** member (Z_FINISH). */
static void gz_deflate(z_stream *zs, bytes *out, const void *data, size_t n, int flush) {
  size_t cap = deflateBound(zs, (uLong)n) + 64;
  unsigned char *buf = malloc(cap);
  zs->next_in = (unsigned char *)data;
  zs->avail_in = (uInt)n;
  zs->next_out = buf;
  zs->avail_out = (uInt)cap;
  if (deflate(zs, flush) != (flush == Z_FINISH ? Z_STREAM_END : Z_OK)) abort();
  b_put(out, buf, cap - zs->avail_out);
  free(buf);
}

/* Append one gzip member holding data[0..n) (with a name and an extra
** field when `fields`). */
static void gz_member(bytes *out, const void *data, size_t n, int fields) {
  z_stream zs;
  memset(&zs, 0, sizeof zs);
  if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) abort();
  gz_header head;
  memset(&head, 0, sizeof head);
  if (fields) {
    static unsigned char extra[] = {'B', 'C', 2, 0, 0x1b, 0};
    head.extra = extra;
    head.extra_len = sizeof extra;
    head.name = (unsigned char *)"member.json";
    head.os = 3;
    if (deflateSetHeader(&zs, &head) != Z_OK) abort();
  }
  gz_deflate(&zs, out, data, n, Z_FINISH);
  deflateEnd(&zs);
}

/* Append one gzip member holding data[0..n), flushed after its first
** `first` bytes (all that far can be inflated from what came before).
** Returns the compressed size at that point. */
static size_t gz_member_flushed(bytes *out, const void *data, size_t n, size_t first) {
  z_stream zs;
  memset(&zs, 0, sizeof zs);
  if (deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) abort();
  gz_deflate(&zs, out, data, first, Z_SYNC_FLUSH);
  size_t at = out->n;
  gz_deflate(&zs, out, (const char *)data + first, n - first, Z_FINISH);
  deflateEnd(&zs);
  return at;
}

/* Deterministic content: lines of text with a pseudo-random part, so that
** big members do not compress to nothing. */
static void make_content(bytes *b, size_t n, unsigned seed) {
  uint32_t x = seed * 2654435761u + 1;
  char line[128];
  while (b->n < n) {
    x = x * 1103515245u + 12345u;
    int len = snprintf(line, sizeof line, "{\"n\":%u,\"s\":\"%08x%08x\"}\n",
                       (unsigned)b->n, x, x * 2654435761u);
    size_t take = b->n + (size_t)len > n ? n - b->n : (size_t)len;
    b_put(b, line, take);
  }
}

/* Random bytes (incompressible). */
static void make_random(bytes *b, size_t n, unsigned seed) {
  uint32_t x = seed;
  for (size_t i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    unsigned char c = (unsigned char)x;
    b_put(b, &c, 1);
  }
}

/* Read everything with blocks of `cap` bytes. Returns 0 at a clean end or
** -1 on an error (the message is in tm_src_error). */
static int read_all(tm_source *s, bytes *out, size_t cap) {
  char *buf = malloc(cap);
  for (;;) {
    long n = tm_src_read(s, buf, cap);
    if (n < 0) {
      free(buf);
      return -1;
    }
    if (n == 0) break;
    if ((size_t)n > cap) abort();
    b_put(out, buf, (size_t)n);
  }
  free(buf);
  return 0;
}

static int same(const bytes *a, const bytes *b) {
  return a->n == b->n && (a->n == 0 || memcmp(a->p, b->p, a->n) == 0);
}

/* Open path, read it all, and check content and the error (NULL: none). */
static void check_read(const char *path, int comp, const bytes *want,
                       const char *want_err, size_t cap, const char *what) {
  char err[600] = "", w[300];
  tm_source *s = tm_src_open(path, comp, err, sizeof err);
  snprintf(w, sizeof w, "%s: opens", what);
  CHECK_STR(s ? "opened" : err, "opened", w);
  if (!s) return;
  bytes got = {0};
  int rc = read_all(s, &got, cap);
  snprintf(w, sizeof w, "%s: content", what);
  if (want) CHECK(same(&got, want), w);
  snprintf(w, sizeof w, "%s: %s", what, want_err ? "error" : "clean end");
  CHECK_STR(rc == 0 ? "(clean end)" : tm_src_error(s),
            want_err ? want_err : "(clean end)", w);
  if (rc == 0) {
    /* reading again at the end gives 0 again */
    char one[4];
    snprintf(w, sizeof w, "%s: 0 again after the end", what);
    CHECK_INT(tm_src_read(s, one, sizeof one), 0, w);
  }
  tm_src_close(s);
  free(got.p);
}

/* Expect tm_src_open to fail with `want`. */
static void check_open_error(const char *path, int comp, const char *want,
                             const char *what) {
  char err[600] = "";
  tm_source *s = tm_src_open(path, comp, err, sizeof err);
  CHECK_STR(s ? "(opened)" : err, want, what);
  tm_src_close(s);
}

/* ----------------------------------------------------------------- plain */

static void test_plain(void) {
  const char *p = tpath("plain.jsonl");
  write_file(p, "{\"a\":1}\n", 8);
  char err[600];
  tm_source *s = tm_src_open(p, TM_COMP_AUTO, err, sizeof err);
  CHECK(s != NULL, "plain file opens");
  if (!s) return;
  struct stat st;
  stat(p, &st);
  tm_file_id id = tm_src_id(s);
  CHECK_INT(id.size, 8, "plain file: id size");
  CHECK_INT(id.mtime_ns, (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec,
            "plain file: id mtime in ns");
  CHECK_INT(tm_src_is_gzip(s), 0, "plain file is not gzip");
  char buf[16];
  long n = tm_src_read(s, buf, 3);
  CHECK_INT(n, 3, "plain file: a read of 3 bytes");
  CHECK(memcmp(buf, "{\"a", 3) == 0, "plain file: first 3 bytes");
  n = tm_src_read(s, buf, sizeof buf);
  CHECK_INT(n, 5, "plain file: the rest");
  CHECK(memcmp(buf, "\":1}\n", 5) == 0, "plain file: rest bytes");
  CHECK_INT(tm_src_read(s, buf, sizeof buf), 0, "plain file: end");
  CHECK_INT(tm_src_consumed(s), 8, "plain file: consumed = size");
  tm_src_close(s);

  tm_file_id sid;
  char e2[300] = "";
  CHECK_INT(tm_src_stat(p, &sid, e2, sizeof e2), 0, "tm_src_stat on a file");
  CHECK_INT(sid.size, 8, "tm_src_stat size");
  CHECK_INT(sid.mtime_ns, id.mtime_ns, "tm_src_stat mtime = tm_src_id mtime");

  /* bigger than the 256 KiB sniffing block, read in odd sizes */
  bytes big = {0};
  make_content(&big, 3 * 1024 * 1024 + 17, 1);
  const char *pb = tpath("big.jsonl");
  write_file(pb, big.p, big.n);
  check_read(pb, TM_COMP_AUTO, &big, NULL, 65537, "3 MiB plain file in 64 KiB+1 blocks");
  check_read(pb, TM_COMP_AUTO, &big, NULL, 8 << 20, "3 MiB plain file in one big block");
  check_read(pb, TM_COMP_NONE, &big, NULL, 1000, "3 MiB plain file, compression=none");
  free(big.p);

  const char *pe = tpath("empty");
  write_file(pe, "", 0);
  bytes none = {0};
  check_read(pe, TM_COMP_AUTO, &none, NULL, 100, "empty file");
}

/* ------------------------------------------------------------------ gzip */

static void test_gzip(void) {
  bytes a = {0}, b = {0}, d = {0}, all = {0}, gz = {0};
  make_content(&a, 1280 * 1024, 2);   /* > 1 MiB, several 256 KiB input blocks */
  make_content(&b, 1000, 3);
  make_random(&d, 400 * 1024, 4);   /* compresses to more than 256 KiB */

  /* single member */
  gz_member(&gz, a.p, a.n, 0);
  const char *p1 = tpath("one.gz");
  write_file(p1, gz.p, gz.n);
  check_read(p1, TM_COMP_AUTO, &a, NULL, 100000, "gzip single member");
  check_read(p1, TM_COMP_GZIP, &a, NULL, 4 << 20, "gzip single member, compression=gzip");
  {
    char err[600];
    tm_source *s = tm_src_open(p1, TM_COMP_AUTO, err, sizeof err);
    CHECK_INT(s ? tm_src_is_gzip(s) : -1, 1, "gzip recognised by magic bytes");
    bytes got = {0};
    if (s) read_all(s, &got, 1 << 20);
    CHECK_INT(s ? tm_src_consumed(s) : 0, gz.n, "gzip: consumed counts compressed bytes");
    CHECK_INT(s ? tm_src_id(s).size : 0, gz.n, "gzip: id size is the file's size");
    tm_src_close(s);
    free(got.p);
  }
  /* compression=none hands out the raw gzip bytes */
  check_read(p1, TM_COMP_NONE, &gz, NULL, 70000,
             "compression=none on a gzip file gives raw bytes");

  /* multi-member: a, b, an empty member, incompressible d, b again with
     header fields; the whole is the concatenation */
  bytes multi = {0};
  b_put(&multi, gz.p, gz.n);   /* the member of `a` made above */
  gz_member(&multi, b.p, b.n, 0);
  gz_member(&multi, "", 0, 0);
  gz_member(&multi, d.p, d.n, 0);
  gz_member(&multi, b.p, b.n, 1);
  b_put(&all, a.p, a.n);
  b_put(&all, b.p, b.n);
  b_put(&all, d.p, d.n);
  b_put(&all, b.p, b.n);
  const char *pm = tpath("multi.gz");
  write_file(pm, multi.p, multi.n);
  check_read(pm, TM_COMP_AUTO, &all, NULL, 123457,
             "gzip multi-member reads as the whole");

  /* 300 tiny members, read one byte at a time */
  {
    bytes tiny = {0}, want = {0};
    for (int i = 0; i < 300; i++) {
      char line[32];
      int n = snprintf(line, sizeof line, "[%d]\n", i);
      gz_member(&tiny, line, (size_t)n, i % 2);
      b_put(&want, line, (size_t)n);
    }
    const char *pt = tpath("tiny.gz");
    write_file(pt, tiny.p, tiny.n);
    check_read(pt, TM_COMP_AUTO, &want, NULL, 1, "300 tiny gzip members, 1-byte reads");
    free(tiny.p);
    free(want.p);
  }

  /* trailing zero padding */
  {
    bytes padz = {0};
    b_put(&padz, gz.p, gz.n);
    unsigned char *zeros = calloc(1, 300000);
    b_put(&padz, zeros, 1000);
    const char *pz = tpath("pad.gz");
    write_file(pz, padz.p, padz.n);
    check_read(pz, TM_COMP_AUTO, &a, NULL, 1 << 20, "gzip + 1000 zero bytes of padding");
    b_put(&padz, zeros, 300000);
    write_file(pz, padz.p, padz.n);
    check_read(pz, TM_COMP_AUTO, &a, NULL, 1 << 20,
               "gzip + 301000 zero bytes (across input blocks)");
    /* zero padding between members is not padding: after zeros, only zeros */
    bytes mid = {0};
    gz_member(&mid, b.p, b.n, 0);
    b_put(&mid, zeros, 10);
    b_put(&mid, "x", 1);
    write_file(pz, mid.p, mid.n);
    check_read(pz, TM_COMP_AUTO, &b, "unexpected data after the end of the gzip stream",
               4096, "gzip + zeros + garbage");
    free(mid.p);
    free(zeros);
    free(padz.p);
  }

  /* trailing garbage */
  {
    bytes g = {0};
    gz_member(&g, b.p, b.n, 0);
    b_put(&g, "garbage\n", 8);
    const char *pg = tpath("garbage.gz");
    write_file(pg, g.p, g.n);
    check_read(pg, TM_COMP_AUTO, &b, "unexpected data after the end of the gzip stream",
               4096, "gzip + trailing garbage");
    g.n = 0;
    gz_member(&g, b.p, b.n, 0);
    b_put(&g, "\x1fxyz", 4);
    write_file(pg, g.p, g.n);
    check_read(pg, TM_COMP_AUTO, &b, "corrupt gzip data: bad header", 4096,
               "gzip + garbage that starts like a member");
    free(g.p);
  }

  /* truncated */
  {
    const char *pt = tpath("trunc.gz");
    write_file(pt, gz.p, gz.n - 4);
    check_read(pt, TM_COMP_AUTO, NULL,
               "truncated gzip data (the file ends inside a gzip member)", 1 << 20,
               "gzip without the last 4 bytes (ISIZE)");
    write_file(pt, gz.p, gz.n / 2);
    check_read(pt, TM_COMP_AUTO, NULL,
               "truncated gzip data (the file ends inside a gzip member)", 1 << 20,
               "gzip cut in half");
    write_file(pt, multi.p, multi.n - 1);
    check_read(pt, TM_COMP_AUTO, NULL,
               "truncated gzip data (the file ends inside a gzip member)", 1 << 20,
               "multi-member gzip without its last byte");
    write_file(pt, "\x1f\x8b", 2);
    check_read(pt, TM_COMP_AUTO, NULL,
               "truncated gzip data (the file ends inside a gzip member)", 100,
               "only the gzip magic bytes");
    write_file(pt, "\x1f", 1);
    bytes one = {0};
    b_put(&one, "\x1f", 1);
    check_read(pt, TM_COMP_AUTO, &one, NULL, 100, "a lone 0x1f byte is plain content");
    free(one.p);
  }

  /* corrupt */
  {
    const char *pc = tpath("corrupt.gz");
    bytes c = {0};
    gz_member(&c, b.p, b.n, 0);
    c.p[c.n - 8] ^= 0xFF;   /* CRC32 */
    write_file(pc, c.p, c.n);
    check_read(pc, TM_COMP_AUTO, NULL, "corrupt gzip data: checksum mismatch", 4096,
               "gzip with a bad CRC");
    c.n = 0;
    gz_member(&c, b.p, b.n, 0);
    c.p[c.n - 4] ^= 0x01;   /* ISIZE */
    write_file(pc, c.p, c.n);
    check_read(pc, TM_COMP_AUTO, NULL, "corrupt gzip data: checksum mismatch", 4096,
               "gzip with a bad length");
    c.n = 0;
    gz_member(&c, b.p, b.n, 0);
    c.p[10] |= 0x06;        /* BTYPE 11: reserved */
    write_file(pc, c.p, c.n);
    check_read(pc, TM_COMP_AUTO, NULL, "corrupt gzip data: invalid deflate data", 4096,
               "gzip with an invalid block type");
    c.n = 0;
    gz_member(&c, b.p, b.n, 0);
    c.p[2] = 7;             /* compression method */
    write_file(pc, c.p, c.n);
    check_read(pc, TM_COMP_AUTO, NULL, "corrupt gzip data: bad header", 4096,
               "gzip with an unknown method");
    free(c.p);
  }

  /* gzopen/gzwrite, as other tools write it */
  {
    const char *pw = tpath("gzwrite.json.gz");
    bytes e = {0};
    make_content(&e, 300 * 1024, 8);
    gzFile f = gzopen(pw, "wb9");
    gzwrite(f, e.p, (unsigned)e.n);
    gzclose(f);
    f = gzopen(pw, "ab");   /* appending makes a second member */
    gzwrite(f, b.p, (unsigned)b.n);
    gzclose(f);
    bytes ab = {0};
    b_put(&ab, e.p, e.n);
    b_put(&ab, b.p, b.n);
    free(e.p);
    check_read(pw, TM_COMP_AUTO, &ab, NULL, 1 << 16, "gzopen + gzopen(\"ab\") file");
    free(ab.p);
  }

  /* compression=gzip on plain data */
  const char *pp = tpath("plain.json");
  write_file(pp, "{\"a\":1}", 7);
  char want[400];
  snprintf(want, sizeof want, "'%s': not gzip data (compression=gzip)", pp);
  check_open_error(pp, TM_COMP_GZIP, want, "compression=gzip on a plain file");
  const char *pe = tpath("empty");
  snprintf(want, sizeof want, "'%s': not gzip data (compression=gzip)", pe);
  check_open_error(pe, TM_COMP_GZIP, want, "compression=gzip on an empty file");

  free(a.p);
  free(b.p);
  free(d.p);
  free(all.p);
  free(gz.p);
  free(multi.p);
}

/* ------------------------------------------------------------ not files */

static void test_not_files(void) {
  char want[400];
  snprintf(want, sizeof want, "'%s' is a directory", g_dir);
  check_open_error(g_dir, TM_COMP_AUTO, want, "a directory is an error");
  const char *missing = tpath("no-such-file.jsonl");
  snprintf(want, sizeof want, "cannot open '%s': no such file or directory", missing);
  check_open_error(missing, TM_COMP_AUTO, want, "a missing file is an error");
  check_open_error("/dev/null", TM_COMP_AUTO,
                   "'/dev/null' is not a regular file or a pipe",
                   "a character device is an error");

  tm_file_id id;
  char err[400] = "";
  CHECK_INT(tm_src_stat(missing, &id, err, sizeof err), -1,
            "tm_src_stat on a missing file");
  snprintf(want, sizeof want, "cannot open '%s': no such file or directory", missing);
  CHECK_STR(err, want, "tm_src_stat message for a missing file");
  CHECK_INT(tm_src_stat(g_dir, &id, err, sizeof err), -1, "tm_src_stat on a directory");
  snprintf(want, sizeof want, "'%s' is a directory", g_dir);
  CHECK_STR(err, want, "tm_src_stat message for a directory");

  /* unreadable file. Root (CAP_DAC_OVERRIDE) opens a mode-000 file anyway:
     ask the system whether this process can open it, and expect the same
     of tm_src_open (an error naming the file, or the content). */
  const char *pu = tpath("unreadable.jsonl");
  write_file(pu, "[1]\n", 4);
  chmod(pu, 0);
  int fd = open(pu, O_RDONLY);
  if (fd >= 0) {
    close(fd);
    bytes want_b = {0};
    b_put(&want_b, "[1]\n", 4);
    check_read(pu, TM_COMP_AUTO, &want_b, NULL, 100,
               "mode 000 file read by a privileged user (open(2) succeeds too)");
    free(want_b.p);
  } else {
    snprintf(want, sizeof want, "cannot open '%s': permission denied", pu);
    check_open_error(pu, TM_COMP_AUTO, want, "an unreadable file is an error");
  }
  chmod(pu, 0644);
}

/* ------------------------------------------------------------------ FIFO */

typedef struct writer_arg {
  const char *path;
  const bytes *data;
  size_t first;       /* size of the first write (at most PIPE_BUF: atomic) */
  int pause_ms;       /* pause after the first write */
} writer_arg;

/* Write data into the FIFO in uneven pieces, then close it. */
static void *fifo_writer(void *p) {
  writer_arg *w = p;
  int fd = open(w->path, O_WRONLY);
  if (fd < 0) return NULL;
  size_t off = 0, piece = 1;
  if (w->first) {
    size_t n = w->first < w->data->n ? w->first : w->data->n;
    if (write(fd, w->data->p, n) != (ssize_t)n) {
      close(fd);
      return NULL;
    }
    off = n;
    if (w->pause_ms) {
      struct timespec ts = {0, (long)w->pause_ms * 1000000L};
      nanosleep(&ts, NULL);
    }
  }
  while (off < w->data->n) {
    size_t n = w->data->n - off < piece ? w->data->n - off : piece;
    ssize_t k = write(fd, w->data->p + off, n);
    if (k < 0) {
      if (errno == EINTR) continue;
      break;
    }
    off += (size_t)k;
    piece = piece * 3 + 1 > 100000 ? 7 : piece * 3 + 1;
  }
  close(fd);
  return NULL;
}

/* Stream `data` through a FIFO and check what comes out. */
static void check_fifo(const bytes *data, const bytes *want, size_t first, int pause_ms,
                       const char *what) {
  const char *pf = tpath("fifo");
  unlink(pf);
  if (mkfifo(pf, 0600) != 0) {
    CHECK(0, "mkfifo");
    return;
  }
  writer_arg w = {pf, data, first, pause_ms};
  pthread_t th;
  pthread_create(&th, NULL, fifo_writer, &w);
  char err[600] = "", ww[300];
  tm_source *s = tm_src_open(pf, TM_COMP_AUTO, err, sizeof err);
  snprintf(ww, sizeof ww, "%s: opens", what);
  CHECK_STR(s ? "opened" : err, "opened", ww);
  bytes got = {0};
  int rc = s ? read_all(s, &got, 50000) : -1;
  snprintf(ww, sizeof ww, "%s: content", what);
  CHECK(rc == 0 && same(&got, want), ww);
  snprintf(ww, sizeof ww, "%s: id size 0 for a pipe", what);
  CHECK_INT(s ? (long long)tm_src_id(s).size : -1, 0, ww);
  tm_src_close(s);
  pthread_join(th, NULL);
  free(got.p);
  unlink(pf);
}

static void test_fifo(void) {
  bytes plain = {0}, gz = {0}, none = {0};
  make_content(&plain, 1024 * 1024 + 3, 5);
  check_fifo(&plain, &plain, 0, 0, "plain content through a FIFO, in uneven pieces");
  gz_member(&gz, plain.p, plain.n / 2, 0);
  gz_member(&gz, plain.p + plain.n / 2, plain.n - plain.n / 2, 0);
  /* the first write holds the whole gzip header, then uneven pieces */
  check_fifo(&gz, &plain, 4096, 0, "two gzip members through a FIFO");
  /* a pipe may hand out the magic bytes one at a time: the first read gets
     only 0x1f (the writer pauses after it), and gzip must still be seen */
  check_fifo(&gz, &plain, 1, 200,
             "gzip through a FIFO whose first read returns one byte");
  check_fifo(&none, &none, 0, 0, "an empty FIFO");
  free(plain.p);
  free(gz.p);
}

/* After seeking s to `at`, do the next bytes read equal want[at..]? */
static int seek_reads(tm_source *s, uint64_t at, const bytes *want) {
  char buf[1000];
  if (tm_src_seek(s, at) != 0) return 0;
  size_t n = want->n - at < sizeof buf ? (size_t)(want->n - at) : sizeof buf;
  return tm_src_read(s, buf, n) == (long)n && memcmp(buf, want->p + at, n) == 0;
}

/* Seeks in a two-member gzip file: forward (inflating and passing over),
** into the second member, back (from the start again), past the end. */
static void test_gzip_seek(void) {
  bytes a = {0}, b = {0}, all = {0}, gz = {0};
  make_content(&a, 700 * 1024, 11);
  make_content(&b, 500 * 1024, 12);
  gz_member(&gz, a.p, a.n, 0);
  gz_member(&gz, b.p, b.n, 0);
  b_put(&all, a.p, a.n);
  b_put(&all, b.p, b.n);
  const char *p = tpath("seek.gz");
  write_file(p, gz.p, gz.n);
  char err[600] = "";
  tm_source *s = tm_src_open(p, TM_COMP_AUTO, err, sizeof err);
  CHECK_STR(s ? "opened" : err, "opened", "gzip seek: opens");
  if (s) {
    CHECK(seek_reads(s, 300000, &all), "gzip seek forward within the first member");
    CHECK(seek_reads(s, a.n + 1000, &all), "gzip seek forward into the second member");
    CHECK(seek_reads(s, 12345, &all), "gzip seek back");
    CHECK(seek_reads(s, all.n - 10, &all), "gzip seek to just before the end");
    CHECK_INT(tm_src_seek(s, all.n + 1), -1, "gzip seek past the end fails");
    CHECK_STR(tm_src_error(s), "the file ends before the place looked for",
              "gzip seek past the end: message");
  }
  tm_src_close(s);
  free(a.p);
  free(b.p);
  free(all.p);
  free(gz.p);
}

/* A gzip writer that sends the first part of a member, then holds the
** FIFO open (a slow producer) until the reader says it has that part, or
** it gives up after a long while; then it sends the rest. */
typedef struct held_arg {
  const char *path;
  const bytes *gz;
  size_t split;        /* compressed bytes of the first part */
  pthread_mutex_t mu;
  pthread_cond_t cond;
  int reader_has_it, gave_up;
} held_arg;

/* write(2) all of p[0..n). */
static void write_all(int fd, const unsigned char *p, size_t n) {
  while (n) {
    ssize_t k = write(fd, p, n);
    if (k < 0 && errno == EINTR) continue;
    if (k < 0) return;
    p += k;
    n -= (size_t)k;
  }
}

/* The held writer's thread (see held_arg). */
static void *held_writer(void *p) {
  held_arg *h = p;
  int fd = open(h->path, O_WRONLY);
  if (fd < 0) return NULL;
  write_all(fd, h->gz->p, h->split);
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += 30;   /* only if the reader hangs: the check then fails */
  pthread_mutex_lock(&h->mu);
  while (!h->reader_has_it && !h->gave_up)
    h->gave_up = pthread_cond_timedwait(&h->cond, &h->mu, &until) == ETIMEDOUT;
  pthread_mutex_unlock(&h->mu);
  write_all(fd, h->gz->p + h->split, h->gz->n - h->split);
  close(fd);
  return NULL;
}

/* gzip from a FIFO whose writer waits after a first part: the first read
** must return that part instead of waiting for more or for the end. */
static void test_fifo_held(void) {
  bytes plain = {0}, gz = {0};
  make_content(&plain, 200000, 9);
  const size_t first = 1000;
  held_arg h = {tpath("held"),
                &gz,
                gz_member_flushed(&gz, plain.p, plain.n, first),
                PTHREAD_MUTEX_INITIALIZER,
                PTHREAD_COND_INITIALIZER,
                0,
                0};
  unlink(h.path);
  if (mkfifo(h.path, 0600) != 0) {
    CHECK(0, "mkfifo");
    return;
  }
  pthread_t th;
  pthread_create(&th, NULL, held_writer, &h);
  char err[600] = "", buf[65536];
  tm_source *s = tm_src_open(h.path, TM_COMP_AUTO, err, sizeof err);
  CHECK_STR(s ? "opened" : err, "opened", "held gzip FIFO: opens");
  long n = s ? tm_src_read(s, buf, sizeof buf) : -1;
  pthread_mutex_lock(&h.mu);
  h.reader_has_it = 1;
  int gave_up = h.gave_up;
  pthread_cond_signal(&h.cond);
  pthread_mutex_unlock(&h.mu);
  CHECK(!gave_up, "held gzip FIFO: the first read returns while the writer waits");
  CHECK(n == (long)first && memcmp(buf, plain.p, first) == 0,
        "held gzip FIFO: the first read returns the part sent");
  bytes got = {0};
  b_put(&got, buf, n > 0 ? (size_t)n : 0);
  CHECK(s && read_all(s, &got, sizeof buf) == 0 && same(&got, &plain),
        "held gzip FIFO: then the rest");
  tm_src_close(s);
  pthread_join(th, NULL);
  unlink(h.path);
  free(got.p);
  free(plain.p);
  free(gz.p);
}

/* ------------------------------------------------------ changing files */

static void set_mtime_later(const char *path, int seconds) {
  struct stat st;
  stat(path, &st);
  struct timespec ts[2] = {st.st_atim, st.st_mtim};
  ts[1].tv_sec += seconds;
  utimensat(AT_FDCWD, path, ts, 0);
}

/* Read `first` bytes, call change(), then read on; returns the total read
** and the outcome (0 clean end, -1 error) in *rc. */
static size_t read_with_change(const char *path, size_t first,
                               void (*change)(const char *), int *rc, char *msg,
                               size_t msglen) {
  char err[600];
  tm_source *s = tm_src_open(path, TM_COMP_AUTO, err, sizeof err);
  if (!s) {
    *rc = -2;
    snprintf(msg, msglen, "%s", err);
    return 0;
  }
  char *buf = malloc(65536);
  size_t total = 0;
  int changed = 0;
  *rc = 0;
  snprintf(msg, msglen, "(clean end)");
  for (;;) {
    if (!changed && total >= first) {
      change(path);
      changed = 1;
    }
    long n = tm_src_read(s, buf, 65536);
    if (n < 0) {
      *rc = -1;
      snprintf(msg, msglen, "%s", tm_src_error(s));
      break;
    }
    if (n == 0) break;
    total += (size_t)n;
  }
  free(buf);
  tm_src_close(s);
  return total;
}

static void shrink_to_1_5m(const char *path) {
  if (truncate(path, 1536 * 1024) != 0) abort();
}

static void rewrite_in_place(const char *path) {
  int fd = open(path, O_WRONLY);
  if (fd < 0 || pwrite(fd, "XXXX", 4, 2 * 1024 * 1024) != 4) abort();
  close(fd);
  set_mtime_later(path, 5);
}

static void touch_later(const char *path) { set_mtime_later(path, 5); }

static void append_some(const char *path) {
  FILE *f = fopen(path, "ab");
  fputs("{\"more\":1}\n", f);
  fclose(f);
}

static void test_changes(void) {
  bytes c = {0};
  make_content(&c, 3 * 1024 * 1024, 6);
  const char *p = tpath("changing.jsonl");
  int rc;
  char msg[600];
  size_t total;

  write_file(p, c.p, c.n);
  total = read_with_change(p, 1 << 20, shrink_to_1_5m, &rc, msg, sizeof msg);
  CHECK_INT(total, 1536 * 1024, "shrinking file: bytes up to the new end are read");
  CHECK_STR(msg, "file shrank while being read", "shrinking file: error");

  write_file(p, c.p, c.n);
  total = read_with_change(p, 1 << 20, rewrite_in_place, &rc, msg, sizeof msg);
  CHECK_INT(total, c.n, "file rewritten in place (same size, new mtime): all bytes read");
  CHECK_STR(msg, "file changed while being read; run the query again",
            "file rewritten in place: error at the end");

  write_file(p, c.p, c.n);
  total = read_with_change(p, 1 << 20, touch_later, &rc, msg, sizeof msg);
  CHECK_STR(msg, "file changed while being read; run the query again",
            "file touched (new mtime) during the read: error");

  write_file(p, c.p, c.n);
  total = read_with_change(p, 1 << 20, append_some, &rc, msg, sizeof msg);
  CHECK_INT(total, c.n, "growing file: reading stops at the size seen at open");
  CHECK_STR(msg, "file changed while being read; run the query again",
            "growing file: error at the end");

  /* a gzip file that shrinks while it is read: the file did not end inside a
     member when it was opened, so the message should say it shrank */
  bytes gz = {0};
  bytes rnd = {0};
  make_random(&rnd, 2 * 1024 * 1024, 7);
  gz_member(&gz, rnd.p, rnd.n, 0);
  const char *pg = tpath("changing.gz");
  write_file(pg, gz.p, gz.n);
  total = read_with_change(pg, 1 << 20, shrink_to_1_5m, &rc, msg, sizeof msg);
  CHECK_STR(msg, "file shrank while being read",
            "shrinking gzip file: error says it shrank");

  write_file(pg, gz.p, gz.n);
  total = read_with_change(pg, 1 << 20, touch_later, &rc, msg, sizeof msg);
  CHECK_INT(total, rnd.n, "gzip file touched during the read: all content inflated");
  CHECK_STR(msg, "file changed while being read; run the query again",
            "gzip file touched during the read: error at the end");

  free(c.p);
  free(gz.p);
  free(rnd.p);
}

static void rm_dir(void) {
  static const char *const names[] = {"plain.jsonl",
                                      "big.jsonl",
                                      "empty",
                                      "one.gz",
                                      "multi.gz",
                                      "tiny.gz",
                                      "pad.gz",
                                      "garbage.gz",
                                      "trunc.gz",
                                      "corrupt.gz",
                                      "gzwrite.json.gz",
                                      "plain.json",
                                      "unreadable.jsonl",
                                      "fifo",
                                      "held",
                                      "seek.gz",
                                      "changing.jsonl",
                                      "changing.gz"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) unlink(tpath(names[i]));
  tmp_dir_remove();
}

int main(void) {
  if (tmp_dir_make("tm_source", NULL)) return 1;
  test_plain();
  test_gzip();
  test_gzip_seek();
  test_not_files();
  test_fifo();
  test_fifo_held();
  test_changes();
  rm_dir();
  return check_failures != 0;
}
