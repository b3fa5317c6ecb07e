/*
** sink.h: files out. A sink writes to a temporary name beside its target
** (".<name>.tmp-<random>" in the same directory, made anew with O_EXCL
** and O_NOFOLLOW), plain or gzip, and becomes the target only when
** tm_sink_rename renames it, after tm_sink_close has written and synced
** it: a failed or interrupted export leaves no half-written file under a
** real name.
*/
#ifndef TM_SINK_H
#define TM_SINK_H

#include <stddef.h>

typedef struct tm_sink tm_sink;

/* Open a sink for dir/name (gzip-compressed when `gzip`). Without
** `replace`, nothing may be at dir/name (a file, a symlink, anything);
** with it, a directory may not be, as the commit could not rename over it
** (and other files replaced by then would be lost): both are said before
** any work. Returns NULL with a message in err on failure. */
tm_sink *tm_sink_open(const char *dir, const char *name, int gzip, int replace, char *err,
                      size_t errlen);

/* Append n bytes. Returns 0, or -1 (see tm_sink_error). */
int tm_sink_write(tm_sink *k, const void *p, size_t n);

/* Flush the temporary file, close it and sync it to the disk: everything
** that can fail for want of room is done here. Returns 0, or -1 (see
** tm_sink_error). */
int tm_sink_close(tm_sink *k);

/* Rename the closed temporary file to its target. Without `replace`, an
** entry at the target is an error again, checked by the rename itself, so
** nothing created since the open is replaced. Returns 0, or -1 (see
** tm_sink_error). The sink stays to be freed. */
int tm_sink_rename(tm_sink *k);

/* Make the renames in directory `dir` durable (fsync of the directory).
** Returns 0, or -1 with errno set. */
int tm_sink_sync_dir(const char *dir);

/* The target's path. */
const char *tm_sink_path(const tm_sink *k);

/* The last error's message. */
const char *tm_sink_error(const tm_sink *k);

/* Free the sink; an uncommitted temporary file is removed. Accepts NULL. */
void tm_sink_free(tm_sink *k);

#endif
