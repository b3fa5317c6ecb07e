/*
** reader.h: the record-reader seam. Everything that reads records (scan.c,
** and through it infer.c, seek.c's users and bgscan.c) goes through this
** interface and never through a format's own module.
**
** A reader reads an ordered list of files as one stream of records (one
** file is a list of one). The files are opened one at a time, when the
** stream reaches them, and each is looked at on its own: gzip or plain,
** and the format's own sniffing (format=auto, root=, a byte order mark).
** Record numbers go on from one file to the next; lines, columns and byte
** offsets in errors are those of the file the error names.
**
** The framing of one file is done by a reader kind: a table of functions
** (tm_rd_kind). JSON (jsonread.c: JSON Lines, one document, a sequence of
** values, root=) is the first kind. Adding a format (CSV, say) means one
** new file that defines a tm_rd_kind, a TM_FMT_* value below, and one
** case in rd_kind_of in reader.c that picks the kind for that format.
*/
#ifndef TM_READER_H
#define TM_READER_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "source.h"

/* The formats (option format=). Each is read by one kind: see rd_kind_of
** in reader.c. JSON: auto (sniffed), jsonl, json (jsonread.c). */
enum { TM_FMT_AUTO, TM_FMT_JSONL, TM_FMT_JSON };

/* Results of tm_rd_next (and of a kind's next). */
enum {
  TM_REC_OK,     /* a record */
  TM_REC_END,    /* no more records */
  TM_REC_BAD,    /* a bad record, described by tm_rd_error; call again */
  TM_REC_FATAL   /* cannot go on (read error, broken gzip, out of memory) */
};

/* What every reader kind is given: the reading options. */
typedef struct tm_rec_config {
  int format;           /* TM_FMT_* */
  const char *root;     /* dotted path, or NULL */
  size_t max_record;    /* largest record in bytes */
} tm_rec_config;

/* One record: its bytes, its tokens, where it came from. */
typedef struct tm_record {
  const char *text;     /* valid until the next call; offsets of the tape
                           tokens are relative to it */
  size_t len;
  const tm_tape *tape;
  uint64_t number;      /* 1-based ordinal among records, bad ones included,
                           counted across the files */
  uint64_t offset;      /* byte offset of text[0] in its file's (inflated)
                           content */
  uint32_t file;        /* its file's index in the list */
} tm_record;

/* What went wrong, and where. A line of 0 means no place in a file (a
** file that cannot be opened): msg then says it all. */
typedef struct tm_rec_error {
  uint64_t record;      /* record number */
  uint64_t line, col;   /* 1-based; col counts bytes */
  uint64_t offset;      /* 0-based byte offset in the file's (inflated) content */
  uint32_t file;        /* the file's index in the list */
  char msg[200];
  char snippet[96];     /* the text around the error, printable */
} tm_rec_error;

/*
** Where a reader stands between two records: enough to resume there. The
** offsets are of the whole stream (the content of the files before, then
** this file's), so marks compare in reading order across files; `base`
** says where this file's content starts in it. A kind sees and makes marks
** with offsets of its own file (base 0).
*/
typedef struct tm_mark {
  uint64_t offset;      /* stream offset of the next byte to read */
  uint64_t number;      /* records read before it (in every file) */
  uint64_t line;        /* the line at offset (1-based, in its file) */
  uint64_t line_start;  /* stream offset where that line starts */
  uint32_t state;       /* framing state (the kind's) */
  uint32_t level;       /* the kind's nesting (objects entered along root=) */
  uint32_t file;        /* the file's index in the list */
  uint32_t unused;      /* zero: the mark is stored as it is (seek.c) */
  uint64_t base;        /* stream offset of the file's first byte */
  uint64_t first;       /* records in the files before it */
} tm_mark;

/*
** A reader kind: the framing of one file. `open` takes the source (it owns
** it, closing it on failure too) and counts records from `first` (the
** records of the files before). Marks are of this file alone (base 0) and
** carry the record numbers counted from `first`; state 0 is the state
** before a top-level record. `error` is the last BAD or FATAL; `next` is
** sticky at the end and after a fatal error; `close` accepts NULL. Every
** other function is as the tm_rd_* function of the same name, for this
** one file.
*/
typedef struct tm_rd_kind {
  const char *name;
  void *(*open)(tm_source *src, const tm_rec_config *cfg, uint64_t first, char *err,
                size_t errlen);
  int (*next)(void *r, tm_record *rec);
  const tm_rec_error *(*error)(const void *r);
  void (*reject)(void *r, const tm_record *rec, const char *msg);
  void (*mark)(void *r, tm_mark *m);
  int (*seek)(void *r, const tm_mark *m);
  int (*mark_ok)(const tm_mark *m);
  uint64_t (*offset)(const void *r);
  int (*splittable)(const void *r);
  int (*format)(const void *r);
  void (*close)(void *r);
} tm_rd_kind;

typedef struct tm_rd tm_rd;

/*
** Start reading the n files of `paths` (n >= 1; the strings are copied)
** with the options cfg and compression (TM_COMP_*). The first file is
** opened now; the others when the stream reaches them. Returns NULL with a
** message naming the file in err on failure.
*/
tm_rd *tm_rd_open(const char *const *paths, uint32_t n, int compression,
                  const tm_rec_config *cfg, char *err, size_t errlen);

/* Read the next record. See the TM_REC_* results. */
int tm_rd_next(tm_rd *r, tm_record *rec);

/* The error behind the last TM_REC_BAD or TM_REC_FATAL. */
const tm_rec_error *tm_rd_error(const tm_rd *r);

/* That error as a message: "'file' line L col C (byte B, record R): what",
** or, with no place, the message alone. */
void tm_rd_describe(const tm_rd *r, char *out, size_t n);

/* The path of file i of the list (as given to tm_rd_open). */
const char *tm_rd_path(const tm_rd *r, uint32_t i);

/* Report `rec` (the record just read) as bad for a reason found after
** parsing it; tm_rd_error then describes it. */
void tm_rd_reject(tm_rd *r, const tm_record *rec, const char *msg);

/* The reader's position now; call it between two tm_rd_next calls. */
void tm_rd_mark(tm_rd *r, tm_mark *m);

/*
** Continue from a mark taken by a reader of the same files with the same
** options, before or after where this one stands, in any file. Returns 0,
** or -1 with the error in tm_rd_error (the reader is then done).
*/
int tm_rd_seek(tm_rd *r, const tm_mark *m);

/* Is m a mark that a reader of `format` could have made (its fields agree,
** its state exists)? Whether its file exists is checked by tm_rd_seek. */
int tm_rd_mark_ok(const tm_mark *m, int format);

/* The mark at `offset`, a line start of a single JSON Lines file, counting
** records and lines from there: record 0, line 1, state 0 (every kind's
** state before a top-level record). */
void tm_rd_line_mark(tm_mark *m, uint64_t offset);

/* The stream offset of the next byte the reader will look at. */
uint64_t tm_rd_offset(const tm_rd *r);

/*
** Can another reader start at any line start: is this a list of one
** regular plain file whose kind says every line start is a record
** boundary (JSON Lines without root=)? Only such a list is read in two
** halves by the schema pass (infer.c).
*/
int tm_rd_splittable(const tm_rd *r);

/* Bytes of the files consumed so far (compressed bytes for gzip), and
** their total size (0 if one is a pipe). */
uint64_t tm_rd_consumed(const tm_rd *r);
uint64_t tm_rd_size(const tm_rd *r);

/* The identity of the files, as each was when opened or, for those not
** reached yet, when the reader was opened. */
const tm_input_id *tm_rd_id(const tm_rd *r);

/* The format in use in the current file after sniffing (for JSON:
** TM_FMT_JSONL, TM_FMT_JSON, or TM_FMT_AUTO for a sequence of values). */
int tm_rd_format(const tm_rd *r);

/* Close the reader and its file. Accepts NULL. */
void tm_rd_close(tm_rd *r);

#endif
