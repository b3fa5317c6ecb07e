/*
** seek.h: the sparse index of record positions, for lookups by _id,
** _parent_id and _root_id without reading the file from its start.
**
** The schema pass leaves a checkpoint every `spacing` bytes (64 KiB or
** more) of the stream (reader.h): the reader's mark before a record, and how many rows each table
** had before it. Row N of table T lies in the first record after the last
** checkpoint with fewer than N rows of T: resume the reader there and read
** forward. The index is trimmed to about 1.5 KiB per MiB of input (1.5 MB per
** GB) by keeping every k-th checkpoint, and it is kept in the cache.
*/
#ifndef TM_SEEK_H
#define TM_SEEK_H

#include <stddef.h>
#include <stdint.h>

#include "reader.h"

typedef struct tm_seek {
  uint32_t n, cap;          /* checkpoints */
  uint32_t ntables;         /* counts per checkpoint */
  uint64_t spacing;         /* bytes between checkpoints, at least */
  tm_mark *marks;
  uint64_t *counts;         /* counts[i * ntables + t]: rows of t before i */
} tm_seek;

/* An empty index with checkpoints every `spacing` bytes at least. */
tm_seek *tm_seek_new(uint64_t spacing);
void tm_seek_free(tm_seek *k);

/* Is a checkpoint due before the record at content offset `offset`? */
int tm_seek_due(const tm_seek *k, uint64_t offset);

/* Add a checkpoint: the mark, and the rows of `ntables` tables before it
** (tables added later count 0 rows here). Returns 0 or -1 (out of memory). */
int tm_seek_add(tm_seek *k, const tm_mark *m, const uint64_t *counts, uint32_t ntables);

/* Replace the counts of checkpoint i (widening to ntables if needed).
** Returns 0 or -1 (out of memory). */
int tm_seek_set_counts(tm_seek *k, uint32_t i, const uint64_t *counts, uint32_t ntables);

/* Keep every k-th checkpoint until the index takes at most max_bytes. */
void tm_seek_trim(tm_seek *k, uint64_t max_bytes);

/* The last checkpoint with fewer than n rows of table t (n >= 1). */
uint32_t tm_seek_find(const tm_seek *k, uint32_t t, uint64_t n);

/* Rows of table t before checkpoint i. */
static inline uint64_t tm_seek_count(const tm_seek *k, uint32_t i, uint32_t t) {
  /* all n * ntables counts are set, which the analyzer cannot follow:
  ** NOLINTNEXTLINE(clang-analyzer-core.uninitialized.UndefReturn) */
  return t < k->ntables ? k->counts[(size_t)i * k->ntables + t] : 0;
}

/* The serialised form, for the cache. Returns 0 or -1 (out of memory). */
struct tm_buf;
int tm_seek_save(const tm_seek *k, struct tm_buf *o);

/* An index read back from tm_seek_save's bytes for a catalogue of
** `ntables` tables (the index may know fewer: tables met after its last
** checkpoint), a file of `size` bytes (0: offsets unbounded, as for gzip,
** whose offsets are in the inflated content, or for a list of files) read
** as `format` (TM_FMT_*: which reader made the marks); every value is
** checked, and anything inconsistent gives NULL. Which files the marks
** name is checked when a scan seeks to them. */
tm_seek *tm_seek_load(const void *data, size_t n, uint32_t ntables, uint64_t size,
                      int format);

#endif
