/*
** ring.h: a few slots passed round between a producer and one consumer.
** The producer fills free slots in turn and queues them; the consumer takes
** the oldest queued slot and gives it back when it is done with it. What a
** slot holds is the caller's (blocks of inflated bytes, batches of parsed
** records): the ring only says whose turn each slot is.
**
** The producer runs in a thread of its own, so that filling the next slots
** overlaps with consuming this one; or, when asked, on the consumer's
** thread inside tm_ring_next, for a producer that may block for long (a
** read from a pipe) where the consumer must get what exists so far.
*/
#ifndef TM_RING_H
#define TM_RING_H

#define TM_RING_MAX 8            /* slots at the most */

typedef struct tm_ring tm_ring;

/* Fill slot i; returns nonzero when nothing follows it (the end, or an
** error the slot tells of). */
typedef int (*tm_ring_fill)(void *arg, int i);

/*
** A ring of n slots (1 to TM_RING_MAX) filled by fill(arg, i): in a thread
** started here when `threaded`, else inside tm_ring_next. NULL when out of
** memory or when no thread can start.
*/
tm_ring *tm_ring_open(int n, int threaded, tm_ring_fill fill, void *arg);

/*
** Give back the slot handed out before, if any, and hand out the next
** filled one (waiting for it): its index. -1 once the slot filled last has
** been given back, and from then on.
*/
int tm_ring_next(tm_ring *r);

/* Stop the producer (it finishes the slot it is filling) and free the
** ring. Accepts NULL. */
void tm_ring_close(tm_ring *r);

#endif
