/*
** gzread.c: the read-ahead gzip reader declared in gzread.h.
**
** Four blocks circulate between the inflating thread and the reader in a
** ring (ring.h): the thread fills a free block; the reader copies from the
** oldest filled block and gives it back when it is empty. A block
** also carries how the content went on after it: more, the end, or an
** error, which the reader meets only once it has read the block's bytes.
** For a pipe, the ring has one block, filled on the reader's thread when
** it asks for more, and a block ends early when the input runs dry.
*/
#include "gzread.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inflate.h"
#include "ring.h"

#define GZ_BLOCKS 4
#define GZ_BLOCK  (256u * 1024)   /* inflated bytes per block */
#define GZ_IN     (256u * 1024)      /* compressed bytes per read */

enum { GZ_MORE, GZ_END, GZ_FAILED };

typedef struct gz_block {
  unsigned char *data;
  size_t n;
  int then;                      /* GZ_MORE, GZ_END or GZ_FAILED */
} gz_block;

struct tm_gz {
  tm_gz_reader read;
  void *arg;
  tm_inflate *z;
  unsigned char *in;             /* compressed input */
  size_t incap;
  const unsigned char *inp;      /* its unread part */
  size_t nin;
  int drained;                   /* the last read gave less than asked */
  int member_done;               /* between two members */
  tm_ring *ring;
  gz_block block[GZ_BLOCKS];
  int cur;                       /* the block being read, or -1 */
  size_t off;                    /* read so far from it */
  char err[512];
};

/* Read more compressed bytes. Returns the count, 0 at the end, -1 on error. */
static long gz_refill(tm_gz *g) {
  if (g->nin) return (long)g->nin;
  long n = g->read(g->arg, g->in, g->incap, g->err, sizeof g->err);
  g->inp = g->in;
  g->nin = n > 0 ? (size_t)n : 0;
  g->drained = g->nin < g->incap;
  return n;
}

/*
** Between members: the next bytes start another member, or are zero
** padding up to the end. Returns GZ_MORE (a member starts), GZ_END, or
** GZ_FAILED.
*/
static int gz_next_member(tm_gz *g) {
  for (;;) {
    long n = gz_refill(g);
    if (n < 0) return GZ_FAILED;
    if (n == 0) return GZ_END;
    if (g->inp[0] == 0x1f) {
      if (g->nin >= 2 && g->inp[1] != 0x8b) {   /* both inflaters say so */
        snprintf(g->err, sizeof g->err, "corrupt gzip data: bad header");
        return GZ_FAILED;
      }
      if (tm_inflate_reset(g->z) == 0) return GZ_MORE;
      snprintf(g->err, sizeof g->err, "out of memory");
      return GZ_FAILED;
    }
    for (size_t i = 0; i < g->nin; i++) {
      if (g->inp[i] == 0) continue;
      snprintf(g->err, sizeof g->err, "unexpected data after the end of the gzip stream");
      return GZ_FAILED;
    }
    g->nin = 0;
  }
}

/* Fill block b; sets b->then to how the content goes on. */
static void gz_fill(tm_gz *g, gz_block *b) {
  unsigned char *out = b->data;
  size_t room = GZ_BLOCK;
  b->then = GZ_MORE;
  while (room) {
    /* A pipe's writer may be slow to send more: hand out what is there
    ** rather than wait for it (a regular file is drained only at its end). */
    if (!g->nin && g->drained && room < GZ_BLOCK) break;
    if (g->member_done) {
      int next = gz_next_member(g);
      if (next != GZ_MORE) {
        b->then = next;
        break;
      }
      g->member_done = 0;
    }
    long n = gz_refill(g);
    if (n < 0) {
      b->then = GZ_FAILED;
      break;
    }
    if (n == 0) {
      snprintf(g->err, sizeof g->err,
               "truncated gzip data (the file ends inside a gzip member)");
      b->then = GZ_FAILED;
      break;
    }
    const char *why = NULL;
    int rc = tm_inflate_run(g->z, &g->inp, &g->nin, &out, &room, &why);
    if (rc == TM_INF_END) g->member_done = 1;
    if (rc == TM_INF_ERROR) {
      snprintf(g->err, sizeof g->err, "corrupt gzip data: %s", why);
      b->then = GZ_FAILED;
      break;
    }
  }
  b->n = GZ_BLOCK - room;
}

/* The ring's producer: fill block i; returns 1 when nothing follows it. */
static int gz_fill_block(void *arg, int i) {
  tm_gz *g = arg;
  gz_fill(g, &g->block[i]);
  return g->block[i].then != GZ_MORE;
}

tm_gz *tm_gz_open(tm_gz_reader read, void *arg, const unsigned char *head, size_t nhead,
                  int ahead) {
  tm_gz *g = calloc(1, sizeof *g);
  if (!g) return NULL;
  g->read = read;
  g->arg = arg;
  g->cur = -1;
  g->incap = nhead > GZ_IN ? nhead : GZ_IN;
  g->in = malloc(g->incap);
  g->z = tm_inflate_new();
  int ok = g->in && g->z;
  int blocks = ahead ? GZ_BLOCKS : 1;   /* without a thread, one at a time */
  for (int i = 0; ok && i < blocks; i++)
    ok = (g->block[i].data = malloc(GZ_BLOCK)) != NULL;
  if (ok) {
    memcpy(g->in, head, nhead);
    g->inp = g->in;
    g->nin = nhead;
    g->drained = nhead < g->incap;   /* the head came from a read too */
    ok = (g->ring = tm_ring_open(blocks, ahead, gz_fill_block, g)) != NULL;
  }
  if (!ok) {
    tm_gz_close(g);
    return NULL;
  }
  return g;
}

long tm_gz_read(tm_gz *g, char *dst, size_t cap) {
  for (;;) {
    if (g->cur >= 0) {
      gz_block *b = &g->block[g->cur];
      if (g->off < b->n) {
        size_t n = b->n - g->off < cap ? b->n - g->off : cap;
        if (dst) memcpy(dst, b->data + g->off, n);
        g->off += n;
        return (long)n;
      }
      if (b->then == GZ_END) return 0;
      if (b->then == GZ_FAILED) return -1;
    }
    /* never -1: the reading stops at the block that says it is the last */
    g->cur = tm_ring_next(g->ring);
    g->off = 0;
  }
}

const char *tm_gz_error(const tm_gz *g) { return g->err; }

void tm_gz_close(tm_gz *g) {
  if (!g) return;
  tm_ring_close(g->ring);
  for (int i = 0; i < GZ_BLOCKS; i++) free(g->block[i].data);
  tm_inflate_free(g->z);
  free(g->in);
  free(g);
}
