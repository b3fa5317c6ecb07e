/*
** gzread.h: gzip content, read ahead. A thread reads the compressed
** bytes and inflates them (every member of a multi-member file, one after
** the other) into a few blocks, while the caller parses the blocks
** inflated before: on two cores, reading a .gz file costs about the slower
** of inflating and parsing, not their sum.
**
** Not for a pipe, though: its reads wait for the writer, and whoever reads
** it wants each record as soon as it is there (and must not wait for a
** thread stuck in read(2) when it is done). A pipe is inflated on the
** caller's thread, and a read hands out what the bytes that have arrived
** inflate to rather than wait to fill a block.
**
** After a member, only another member or zero padding may follow. Data cut
** short, corrupt data and anything else after the last member are errors;
** the bytes inflated before an error are still handed out first.
*/
#ifndef TM_GZREAD_H
#define TM_GZREAD_H

#include <stddef.h>

/*
** Where the compressed bytes come from: up to cap bytes into dst; the
** number read, 0 at the end of the file, or -1 with a message in err.
*/
typedef long (*tm_gz_reader)(void *arg, unsigned char *dst, size_t cap, char *err,
                             size_t errlen);

typedef struct tm_gz tm_gz;

/* Start inflating: `head` holds the first nhead bytes already read (the
** magic bytes that said gzip), then `read` gives the rest; in a thread
** reading ahead when `ahead` (a regular file), else as tm_gz_read asks.
** NULL on failure (out of memory, no thread). */
tm_gz *tm_gz_open(tm_gz_reader read, void *arg, const unsigned char *head, size_t nhead,
                  int ahead);

/* Up to cap inflated bytes into dst, or passed over when dst is NULL (a
** forward seek): the number, 0 at the end, or -1 (see tm_gz_error). */
long tm_gz_read(tm_gz *g, char *dst, size_t cap);

/* The error behind the last -1 (without the file's name). */
const char *tm_gz_error(const tm_gz *g);

/* Stop the thread and free everything. Accepts NULL. */
void tm_gz_close(tm_gz *g);

#endif
