/*
** jsonread.h: record framing. Cuts the content of a source into records and
** tokenizes each one:
**
**   format=jsonl  one value per line (blank lines skipped, CRLF fine);
**   format=json   exactly one value; if it is an array, each element is a
**                 record, streamed; otherwise the value is the record;
**   format=auto   sniffed from the content (see tm_jsonread_open).
**
** (The TM_FMT_* values are in reader.h, which picks a kind by format.)
**
** root=a.b descends into each document to the array (or value) at that
** path, skipping everything else without holding it. A bad record is
** reported with its number, line, column and byte offset, and the reader
** resynchronises so the caller may go on (errors=skip).
*/
#ifndef TM_JSONREAD_H
#define TM_JSONREAD_H

#include "reader.h"

/* The JSON framing as a reader kind of reader.h: the engine reads through
** it. The functions below are for tests that look at one file's framing. */
extern const tm_rd_kind tm_jsonread_kind;

typedef struct tm_jsonread tm_jsonread;

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
tm_jsonread *tm_jsonread_open(tm_source *src, const tm_rec_config *cfg, char *err,
                              size_t errlen);

/* Read the next record. See the TM_REC_* results. */
int tm_jsonread_next(tm_jsonread *r, tm_record *rec);

/* The error behind the last TM_REC_BAD or TM_REC_FATAL. */
const tm_rec_error *tm_jsonread_error(const tm_jsonread *r);

/* Report `rec` (the record just read) as bad for a reason found after
** parsing it; tm_jsonread_error then describes it. */
void tm_jsonread_reject(tm_jsonread *r, const tm_record *rec, const char *msg);

/* The format in use after sniffing (TM_FMT_JSONL or TM_FMT_JSON, or
** TM_FMT_AUTO for whitespace-separated values). */
int tm_jsonread_format(const tm_jsonread *r);

/* Close the reader and its source. Accepts NULL. */
void tm_jsonread_close(tm_jsonread *r);

#endif
