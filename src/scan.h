/*
** scan.h: one pass over a file, or over a list of files read as one
** (reader.h). Composes reader (sources, framing) -> flatten and yields one
** record's rows at a time, with every setting of the engine gathered in
** tm_options (options.h parses them from what the user wrote). This is the
** engine's front door: the SQLite face uses only this, options.h, schema.h
** (to read the catalogue) and jsonout.h.
*/
#ifndef TM_SCAN_H
#define TM_SCAN_H

#include <stddef.h>
#include <stdint.h>

#include "flatten.h"
#include "reader.h"
#include "schema.h"
#include "seek.h"

enum { TM_ERRORS_RAISE, TM_ERRORS_SKIP };
enum { TM_TYPES_INFER, TM_TYPES_TEXT };

/* Where a scan stands, for progress reports. */
typedef struct tm_progress {
  uint64_t records;         /* records read so far */
  uint64_t consumed;        /* bytes of the files read (compressed, for gzip) */
  uint64_t size;            /* the files' size (0 for a pipe) */
  int inferring;            /* 1 in the schema pass (a scan that observes) */
} tm_progress;

/* Every option of DESIGN 3.1 the engine reads (the registry in options.h
** parses them and holds their defaults). Strings belong to the caller. */
typedef struct tm_options {
  const char *name;         /* main table name; NULL: from the file name */
  int format;               /* TM_FMT_* */
  int compression;          /* TM_COMP_* */
  const char *root;         /* NULL for none */
  const char *separator;
  int arrays;               /* TM_ARRAYS_* */
  int max_depth;
  int max_columns;
  int64_t sample;           /* records for the schema; -1 for all */
  int errors;               /* TM_ERRORS_* */
  size_t max_record;
  const char *id;           /* natural id field; NULL for none */
  int types;                /* TM_TYPES_* */
  /* The schema pass reads JSON Lines files of this many bytes or more in
     two halves on two threads (see infer.c): 8 MiB with two processors or
     more, else never. Not a user option: tests lower it to split small
     files, or raise it to read them alone. */
  uint64_t split_min;
  /* Called every 256 records; a non-zero return stops the scan, which then
     fails with "interrupted" (a caller's Ctrl-C). NULL for none. */
  int (*tick)(void *arg, const tm_progress *p);
  void *tick_arg;
} tm_options;

/* Every option at its default (from the registry, options.c), and the
** settings that are not options. */
void tm_options_init(tm_options *o);

/* The main table's default name: the file's base name without its known
** extensions, any case, repeatedly: .gz .gzip .jsonl .ndjson .json
** .jsonlines .txt (orders.jsonl.gz -> orders, d.2024.ndjson -> d.2024); an
** empty result is "data". Returns a malloc'd string. */
char *tm_default_name(const char *path);

/* The main table's name for `path`: name= if given, else the default
** name. Returns a malloc'd string, NULL when out of memory. */
char *tm_options_name(const tm_options *o, const char *path);

/*
** A copy of options o for a scan on a worker thread, its tick replaced by
** `tick` and `tick_arg` (NULL: no tick). The rule: the caller's progress
** tick stays on the caller's thread, which it may belong to (an SQLite
** connection polled for interrupts); a worker reports through a tick of
** its own that hands the progress over, or not at all.
*/
tm_options tm_options_for_thread(const tm_options *o,
                                 int (*tick)(void *arg, const tm_progress *p),
                                 void *tick_arg);

/* The schema settings that options imply, for a main table `name`. */
tm_schema_config tm_schema_config_of(const tm_options *o, const char *name);

typedef struct tm_scan tm_scan;

/*
** Open a scan of the n files of `paths`, read as one stream (see
** reader.h); the main table's default name comes from the first. With
** schema NULL, the scan makes its own open schema (it grows as records
** arrive); otherwise it reads into the given one. `want`, `cells` and
** `observe` are as for tm_flat_new. On failure returns NULL and sets *err
** to a malloc'd message.
*/
tm_scan *tm_scan_open_files(const char *const *paths, uint32_t n, const tm_options *o,
                            tm_schema *schema, uint32_t want, int cells, int observe,
                            char **err);

/* tm_scan_open_files for a list of one file. */
tm_scan *tm_scan_open(const char *path, const tm_options *o, tm_schema *schema,
                      uint32_t want, int cells, int observe, char **err);

/*
** Read and flatten the next record: TM_REC_OK (rows are ready), TM_REC_END,
** TM_REC_BAD (the record is lost; call again to go on) or TM_REC_FATAL.
*/
int tm_scan_next(tm_scan *sc);

/* The message for the last TM_REC_BAD or TM_REC_FATAL: the file, the line,
** column, byte offset and record, then what went wrong (see tm_rd_describe). */
const char *tm_scan_message(const tm_scan *sc);

/* The last error's details (for transmog_errors). */
const tm_rec_error *tm_scan_error(const tm_scan *sc);

tm_schema *tm_scan_schema(const tm_scan *sc);
tm_flat *tm_scan_flat(const tm_scan *sc);
const tm_record *tm_scan_record(const tm_scan *sc);

/* Bytes of the files read so far (compressed bytes, for gzip). */
uint64_t tm_scan_consumed(const tm_scan *sc);

/* The identity of the files (see tm_rd_id). */
const tm_input_id *tm_scan_input_id(const tm_scan *sc);

/* Where the scan stands between records (see tm_rd_mark). */
void tm_scan_mark(tm_scan *sc, tm_mark *m);

/* The stream offset of the next record's bytes (see tm_rd_offset). */
uint64_t tm_scan_offset(const tm_scan *sc);

/* Resume at mark m, the ids counted as if counts[t] rows of each table
** t < n had been read (other tables: 0). Returns 0, or -1 with
** tm_scan_message set. */
int tm_scan_resume(tm_scan *sc, const tm_mark *m, const uint64_t *counts, uint32_t n);

/* Resume at checkpoint i of index k (see tm_scan_resume). */
int tm_scan_seek(tm_scan *sc, const tm_seek *k, uint32_t i);

/* Can another scan start at any line start (see tm_rd_splittable)? */
int tm_scan_splittable(const tm_scan *sc);

/* Change the table wanted (see tm_flat_want). */
void tm_scan_want(tm_scan *sc, uint32_t want, int cells);

void tm_scan_close(tm_scan *sc);

#endif
