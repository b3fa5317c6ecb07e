/*
** inflate.h: gzip members to bytes. ISA-L's igzip when transmog is built
** with it (TM_ISAL: the Makefile does so when libisal-dev is installed),
** several times faster than zlib; zlib otherwise, or when the environment
** says TM_INFLATE=zlib (so that the tests can run both).
**
** Errors are reported in the same words whichever inflater runs.
*/
#ifndef TM_INFLATE_H
#define TM_INFLATE_H

#include <stddef.h>

enum { TM_INF_OK, TM_INF_END, TM_INF_ERROR };

typedef struct tm_inflate tm_inflate;

/* A new inflater, ready for a gzip member. NULL when out of memory. */
tm_inflate *tm_inflate_new(void);

/* Begin a new member (after TM_INF_END, or to start over). 0 or -1. */
int tm_inflate_reset(tm_inflate *z);

/*
** Inflate from *in (*nin bytes) into *out (*nout bytes of room), advancing
** both. Returns TM_INF_OK (the input is used up or the output is full),
** TM_INF_END (the member ended: what follows it is left in *in), or
** TM_INF_ERROR with *why saying what is wrong (bad header, checksum
** mismatch, invalid deflate data).
*/
int tm_inflate_run(tm_inflate *z, const unsigned char **in, size_t *nin,
                   unsigned char **out, size_t *nout, const char **why);

void tm_inflate_free(tm_inflate *z);

#endif
