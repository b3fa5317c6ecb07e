/*
** ring.c: the producer/consumer ring declared in ring.h.
**
** Slot indices move between two lists under one mutex: `free` (to fill,
** the producer's to take) and `queue` (filled, oldest first, the
** consumer's to take), with one condition variable for both sides, since
** each waits for the other. A slot in neither list belongs to whoever took
** it, who touches its content without the lock.
*/
#include "ring.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct tm_ring {
  tm_ring_fill fill;
  void *arg;
  int threaded;            /* a producer thread runs (and is joined at close) */
  pthread_t thread;
  pthread_mutex_t mu;
  pthread_cond_t cond;
  int free[TM_RING_MAX], nfree;
  int queue[TM_RING_MAX], nqueue;
  int last[TM_RING_MAX];         /* nothing follows slot i */
  int stop;                      /* the consumer is leaving */
  int cur;                       /* the slot handed out, or -1 */
  int done;                      /* the last slot has been given back */
};

/*
** Fill one free slot (waiting for one) and queue it. Returns nonzero when
** the producer is finished: that slot was the last, or the ring stops.
*/
static int ring_produce(tm_ring *r) {
  pthread_mutex_lock(&r->mu);
  while (!r->nfree && !r->stop) pthread_cond_wait(&r->cond, &r->mu);
  if (r->stop) {
    pthread_mutex_unlock(&r->mu);
    return 1;
  }
  int i = r->free[--r->nfree];
  pthread_mutex_unlock(&r->mu);
  int last = r->fill(r->arg, i) != 0;
  pthread_mutex_lock(&r->mu);
  r->last[i] = last;
  r->queue[r->nqueue++] = i;
  pthread_cond_broadcast(&r->cond);
  pthread_mutex_unlock(&r->mu);
  return last;
}

/* The producer's thread: fill slots until the last one or a stop. */
static void *ring_main(void *arg) {
  while (!ring_produce(arg)) {}
  return NULL;
}

tm_ring *tm_ring_open(int n, int threaded, tm_ring_fill fill, void *arg) {
  tm_ring *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->fill = fill;
  r->arg = arg;
  r->cur = -1;
  for (int i = 0; i < n && i < TM_RING_MAX; i++) r->free[r->nfree++] = i;
  pthread_mutex_init(&r->mu, NULL);
  pthread_cond_init(&r->cond, NULL);
  if (threaded && pthread_create(&r->thread, NULL, ring_main, r) != 0) {
    tm_ring_close(r);   /* nothing to join */
    return NULL;
  }
  r->threaded = threaded;
  return r;
}

/* Give the slot handed out back to the producer. Returns whether it was
** the last one. */
static int ring_give_back(tm_ring *r) {
  int last = r->last[r->cur];
  pthread_mutex_lock(&r->mu);
  r->free[r->nfree++] = r->cur;
  pthread_cond_broadcast(&r->cond);
  pthread_mutex_unlock(&r->mu);
  r->cur = -1;
  return last;
}

int tm_ring_next(tm_ring *r) {
  if (r->done) return -1;
  if (r->cur >= 0 && ring_give_back(r)) {
    r->done = 1;
    return -1;
  }
  if (!r->threaded) ring_produce(r);
  pthread_mutex_lock(&r->mu);
  while (!r->nqueue) pthread_cond_wait(&r->cond, &r->mu);
  r->cur = r->queue[0];
  memmove(r->queue, r->queue + 1, (size_t)--r->nqueue * sizeof *r->queue);
  pthread_mutex_unlock(&r->mu);
  return r->cur;
}

void tm_ring_close(tm_ring *r) {
  if (!r) return;
  if (r->threaded) {
    pthread_mutex_lock(&r->mu);
    r->stop = 1;
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->mu);
    pthread_join(r->thread, NULL);
  }
  pthread_cond_destroy(&r->cond);
  pthread_mutex_destroy(&r->mu);
  free(r);
}
