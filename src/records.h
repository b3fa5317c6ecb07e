/*
** records.h: record framing. Cuts the content of a source into records and
** tokenizes each one:
**
**   format=jsonl  one value per line (blank lines skipped, CRLF fine);
**   format=json   exactly one value; if it is an array, each element is a
**                 record, streamed; otherwise the value is the record;
**   format=auto   sniffed from the content (see tm_rec_open).
**
** root=a.b descends into each document to the array (or value) at that
** path, skipping everything else without holding it. A bad record is
** reported with its number, line, column and byte offset, and the reader
** resynchronises so the caller may go on (errors=skip).
*/
#ifndef TM_RECORDS_H
#define TM_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"
#include "source.h"

enum { TM_FMT_AUTO, TM_FMT_JSONL, TM_FMT_JSON };

/* Results of tm_rec_next. */
enum {
  TM_REC_OK,     /* a record */
  TM_REC_END,    /* no more records */
  TM_REC_BAD,    /* a bad record, described by tm_rec_last_error; call again */
  TM_REC_FATAL   /* cannot go on (read error, broken gzip, out of memory) */
};

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
  uint64_t number;      /* 1-based ordinal among records, bad ones included */
  uint64_t offset;      /* byte offset of text[0] in the (inflated) content */
} tm_record;

/* What went wrong, and where. */
typedef struct tm_rec_error {
  uint64_t record;      /* record number */
  uint64_t line, col;   /* 1-based; col counts bytes */
  uint64_t offset;      /* 0-based byte offset in the (inflated) content */
  char msg[200];
  char snippet[96];     /* the text around the error, printable */
} tm_rec_error;

typedef struct tm_reader tm_reader;

/*
** Start reading records from src, which the reader now owns. With
** format=auto, the first value decides: if another value follows it, the
** file is JSON Lines when the first value sits on one line, and a sequence
** of whitespace-separated values otherwise; if nothing follows it, the file
** is one JSON document. A first value that is an array longer than the
** sniffing window (1 MiB) is taken as one JSON document, any other first
** value longer than max_record as a sequence of values. A first value
** broken on its first line makes JSON Lines if more lines follow. However
** the reads split the content (a pipe), the answer is the same.
** Returns NULL with a message in err on failure (src is closed).
*/
tm_reader *tm_rec_open(tm_source *src, const tm_rec_config *cfg, char *err,
                       size_t errlen);

/* Read the next record. See the TM_REC_* results. */
int tm_rec_next(tm_reader *r, tm_record *rec);

/* The error behind the last TM_REC_BAD or TM_REC_FATAL. */
const tm_rec_error *tm_rec_last_error(const tm_reader *r);

/* Where a reader stands between two records: enough to resume there. */
typedef struct tm_mark {
  uint64_t offset;      /* content offset of the next byte to read */
  uint64_t number;      /* records read before it */
  uint64_t line;        /* the line at offset (1-based) */
  uint64_t line_start;  /* content offset where that line starts */
  uint32_t state;       /* framing state (see records.c) */
  uint32_t level;       /* objects entered along root= */
} tm_mark;

/* Is m a mark a reader could have made (its state exists)? */
int tm_rec_mark_ok(const tm_mark *m);

/*
** Can another reader of the same file start at any line start: is this
** JSON Lines, without root=, from a regular file read as it is (not gzip)?
** Then every line is one record, so a line start is a record boundary.
*/
int tm_rec_splittable(const tm_reader *r);

/* The mark of a JSON Lines reader at content offset `offset`, a line
** start, counting records and lines from there: record 0, line 1. */
void tm_rec_line_mark(tm_mark *m, uint64_t offset);

/* The content offset of the next byte the reader will look at. */
uint64_t tm_rec_offset(const tm_reader *r);

/* The reader's position now; call it between two tm_rec_next calls. */
void tm_rec_mark(tm_reader *r, tm_mark *m);

/*
** Continue from a mark taken by a reader of the same file with the same
** options. Jumps within the buffered bytes when it can, else seeks the
** source (see tm_src_seek). Returns 0, or -1 with the error in
** tm_rec_last_error (the reader is then done).
*/
int tm_rec_seek(tm_reader *r, const tm_mark *m);

/* Report `rec` (the record just read) as bad for a reason found after
** parsing it; tm_rec_last_error then describes it. */
void tm_rec_reject(tm_reader *r, const tm_record *rec, const char *msg);

/* Bytes of the file consumed so far, and the file's size (0 if unknown). */
uint64_t tm_rec_consumed(const tm_reader *r);
const tm_source *tm_rec_source(const tm_reader *r);

/* The format in use after sniffing (TM_FMT_JSONL or TM_FMT_JSON, or
** TM_FMT_AUTO for whitespace-separated values). */
int tm_rec_format(const tm_reader *r);

/* Close the reader and its source. Accepts NULL. */
void tm_rec_close(tm_reader *r);

#endif
