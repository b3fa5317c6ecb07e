/*
** jsonread.c: the record framing declared in jsonread.h.
**
** The reader keeps one growable buffer. A record is always parsed from
** contiguous bytes: if the buffer ends inside a record, the bytes before the
** record are discarded, more are read, and the record is parsed again from
** its start, only once its end has arrived (see jr_parse_upto), so the
** work stays linear in the record however short the reads are. Memory
** is bounded by the largest record, never by the file.
**
** What sits between records (the brackets and commas of a top-level array,
** the objects around root=) is walked by a small state machine:
**
**   TOP         before a top-level value (a line, a value, the document)
**   DESCEND     inside the objects along root=, looking for the next key
**   ELEM_FIRST  just after the '[' of the record array
**   ELEM_NEXT   after an element: ',' or ']'
**   ASCEND      skipping what follows the record array up to the end of the
**               top-level value
**   DONE        nothing more
**
** Newlines are counted lazily (only bytes about to be discarded, or up to an
** error) so that every error can say its line and column.
*/
#include "jsonread.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define REC_BLOCK   (1u << 20)    /* initial buffer and minimum read */
#define REC_SNIFF   (1u << 20)    /* format=auto looks this far */
#define REC_CONTEXT 30          /* a snippet's lead, kept buffered before a record */
#define REC_SLACK   4096          /* blanks allowed after a max_record line */

enum { M_LINES, M_VALUES, M_DOC };
enum { S_TOP, S_DESCEND, S_ELEM_FIRST, S_ELEM_NEXT, S_ASCEND, S_DONE };

/* Internal result: the state changed, run the loop again. */
#define REC_AGAIN (-1)

struct tm_jsonread {
  tm_source *src;
  tm_rec_config cfg;
  char *rootbuf;          /* root path, '.' replaced by NUL */
  const char **seg;       /* root path segments */
  int nseg;
  int mode, state;
  int level;              /* objects entered along root= */
  int first_member;       /* DESCEND: no member read yet at this level */
  int docs;               /* top-level values started */
  int eof;                /* the source is exhausted */
  int fatal;
  int busy;               /* a record was begun (counted) and not yet done */
  char *buf;              /* content; buf[len] == 0, TM_JSON_PAD bytes after */
  size_t cap, len, pos;
  uint64_t base;          /* content offset of buf[0] */
  uint64_t number;        /* records started so far (from `first`) */
  uint64_t first;         /* records of the files read before this one */
  uint64_t line;          /* line number at offset `counted` */
  uint64_t counted;       /* newlines are counted up to this offset */
  uint64_t line_start;    /* content offset where that line starts */
  tm_tape tape;
  tm_rec_error err;
  char *key;              /* unescaped key, during root= descent */
  size_t keycap;
};

/*
** Count the newlines in [*counted, upto) into *line and *line_start, all
** content offsets; the bytes must still be in the buffer.
*/
static void jr_count(const tm_jsonread *r, uint64_t upto, uint64_t *counted,
                     uint64_t *line, uint64_t *line_start) {
  if (upto <= *counted) return;
  const char *p = r->buf + (*counted - r->base);
  const char *e = r->buf + (upto - r->base);
  const char *last = NULL;   /* the last newline seen */
  uint64_t n = 0;
#if defined(__SSE2__)
  const __m128i nl = _mm_set1_epi8('\n');
  for (; e - p >= 16; p += 16) {   /* 16 bytes a step: no call per line */
    unsigned mask = (unsigned)_mm_movemask_epi8(
        _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)p), nl));
    if (!mask) continue;
    n += (uint64_t)__builtin_popcount(mask);
    last = p + 31 - __builtin_clz(mask);
  }
#endif
  for (; p < e; p++)
    if (*p == '\n') {
      n++;
      last = p;
    }
  *line += n;
  if (last) *line_start = r->base + (uint64_t)(last - r->buf) + 1;
  *counted = upto;
}

/* Count newlines up to content offset `upto` for good (never backwards). */
static void jr_count_lines(tm_jsonread *r, uint64_t upto) {
  jr_count(r, upto, &r->counted, &r->line, &r->line_start);
}

/* Copy printable text around content offset `at` (on a line that starts
** at line_start) into the error snippet: valid UTF-8, '?' for the rest.
** jr_fill keeps REC_CONTEXT bytes before pos, so the snippet is the same
** however reads split the file. */
static void jr_snippet(tm_jsonread *r, uint64_t at, uint64_t line_start) {
  char *o = r->err.snippet;
  size_t room = sizeof r->err.snippet - 1;
  uint64_t from = at > line_start + REC_CONTEXT ? at - REC_CONTEXT : line_start;
  if (from < r->base) from = r->base;
  const char *p = r->buf + (from - r->base);
  const char *e = r->buf + r->len;
  while (p < e && ((unsigned char)*p & 0xC0) == 0x80) p++;   /* a whole character */
  while (p < e && room > 4 && *p != '\n') {
    unsigned char c = (unsigned char)*p;
    int n = c < 0x80 ? 1 : tm_json_utf8_len(p, e);
    if (n <= 0 || c < 0x20 || c == 0x7F) {
      *o++ = '?';
      room--;
      p++;
      continue;
    }
    memcpy(o, p, (size_t)n);
    o += n;
    room -= (size_t)n;
    p += n;
  }
  *o = 0;
}

/* Describe an error at content offset `at` in record `record`. */
static void jr_set_error(tm_jsonread *r, uint64_t record, uint64_t at, const char *fmt,
                         va_list ap) {
  /* Count on a copy: reading may resume before `at` (the pieces of a bad
     value), and those later errors need the lines before it. */
  uint64_t end = r->base + r->len, counted = r->counted;
  uint64_t line = r->line, line_start = r->line_start;
  jr_count(r, at < end ? at : end, &counted, &line, &line_start);
  r->err.record = record;
  r->err.offset = at;
  r->err.line = line;
  r->err.col = at >= line_start ? at - line_start + 1 : 1;
  vsnprintf(r->err.msg, sizeof r->err.msg, fmt, ap);
  jr_snippet(r, at, line_start);
}

/* A bad record: fill the error and return TM_REC_BAD. */
static int jr_bad(tm_jsonread *r, uint64_t record, uint64_t at, const char *fmt, ...) {
  r->busy = 0;
  va_list ap;
  va_start(ap, fmt);
  jr_set_error(r, record, at, fmt, ap);
  va_end(ap);
  return TM_REC_BAD;
}

/* A fatal error: the reader stops for good. It belongs to the record being
** read, if one is (a gzip file cut inside it), else to the next one. */
static int jr_fatal(tm_jsonread *r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  jr_set_error(r, r->busy ? r->number : r->number + 1, r->base + r->len, fmt, ap);
  va_end(ap);
  r->fatal = 1;
  r->state = S_DONE;
  return TM_REC_FATAL;
}

/*
** Discard the bytes before pos and read more. Grows the buffer when the
** bytes kept fill it. Returns 1 if bytes were added, 0 at the end of the
** content, -1 on a fatal error.
**
** One read, however little it brings (a pipe gives what its writer wrote,
** gzip a block of 256 KiB): callers come here only when the bytes they
** have are not enough, and a second read could wait on a slow producer
** (tail -f | ...) for bytes that a record already complete does not need.
** Reading until the buffer is full would save calls, not work: what
** makes the work linear is when records are parsed again, not how much
** a read brings.
*/
static int jr_fill(tm_jsonread *r) {
  if (r->eof) return 0;
  if (r->pos > REC_CONTEXT) {   /* keep a little before pos for snippets */
    size_t drop = r->pos - REC_CONTEXT;
    jr_count_lines(r, r->base + drop);
    memmove(r->buf, r->buf + drop, r->len - drop);
    r->len -= drop;
    r->base += drop;
    r->pos = REC_CONTEXT;
    r->buf[r->len] = 0;   /* the sentinel, even if nothing more comes */
  }
  size_t room = r->cap - TM_JSON_PAD - r->len;
  if (room < (r->cap - TM_JSON_PAD) / 2) {   /* an unfinished record fills half */
    size_t cap = (r->cap - TM_JSON_PAD) * 2 + TM_JSON_PAD;
    char *nb = realloc(r->buf, cap);
    if (!nb) {
      jr_fatal(r, "out of memory (buffer of %zu bytes)", cap);
      return -1;
    }
    r->buf = nb;
    r->cap = cap;
    room = cap - TM_JSON_PAD - r->len;
  }
  long n = tm_src_read(r->src, r->buf + r->len, room);
  if (n < 0) {
    jr_fatal(r, "%s", tm_src_error(r->src));
    return -1;
  }
  if (n == 0) {
    r->eof = 1;
    return 0;
  }
  r->len += (size_t)n;
  r->buf[r->len] = 0;
  return 1;
}

/* Skip whitespace, reading more as needed. Returns 1 if a byte is at pos,
** 0 at the end, -1 on a fatal error. */
static int jr_skip_ws(tm_jsonread *r) {
  for (;;) {
    r->pos = tm_json_skip_ws(r->buf, r->len, r->pos);
    if (r->pos < r->len) return 1;
    int rc = jr_fill(r);
    if (rc <= 0) return rc;
  }
}

/* The error for a record over max_record. */
static int jr_too_big(tm_jsonread *r, uint64_t record) {
  return jr_bad(r, record, r->base + r->pos,
                "record larger than max_record (%zu bytes); raise max_record",
                r->cfg.max_record);
}

/* Hand out the record parsed at pos with `n` bytes, and move past it. */
static int jr_emit(tm_jsonread *r, tm_record *rec, size_t n, size_t next) {
  r->busy = 0;
  rec->text = r->buf + r->pos;
  rec->len = n;
  rec->tape = &r->tape;
  rec->number = r->number;
  rec->offset = r->base + r->pos;
  r->pos = next;
  return TM_REC_OK;
}

/* An error from the tokenizer, in record `record` starting at pos. */
static int jr_parse_error(tm_jsonread *r, uint64_t record, int rc, const tm_json_err *e) {
  if (rc == TM_JSON_NOMEM) return jr_fatal(r, "out of memory");
  return jr_bad(r, record, r->base + r->pos + e->off, "%s", e->msg);
}

/*
** Parse the value at pos, reading more while it is incomplete, until it is
** whole, broken, or more than `limit` bytes are buffered without its end
** (then TM_JSON_MORE). Returns the tm_json_parse result, or -1 on a fatal
** read error.
**
** The tokenizer starts over at every call, and a read adds as little as
** 64 KiB (a pipe) or 256 KiB (gzip), so parsing again after every read
** would cost the square of a large record's size. Instead the bytes that
** arrive are skimmed (tm_json_skim resumes where it stopped), and the value
** is parsed again once the skim finds its end, or once the buffered bytes
** have doubled (a broken value the skim cannot end), or at the limit or
** the end of the content. Each byte is skimmed once, and the parses add up
** to a few times the record: linear. A value is parsed as soon as its last
** byte is in, so a slow producer's record never waits for more input.
*/
static int jr_parse_upto(tm_jsonread *r, size_t limit, size_t *n, tm_json_err *e) {
  tm_skim s = {0, 0, 0, 0};
  size_t skimmed = 0, again = 0;   /* from pos; parse again at `again` bytes */
  int ended = 0;                   /* the skim found the end */
  for (;;) {
    size_t have = r->len - r->pos;
    if (have >= again || have > limit || r->eof) {
      int rc = tm_json_parse(r->buf + r->pos, have, r->eof, &r->tape, n, e);
      if (rc != TM_JSON_MORE || have > limit) return rc;
      again = 2 * have;
    }
    if (!ended) {
      skimmed += tm_json_skim(&s, r->buf + r->pos + skimmed, have - skimmed, &ended);
      if (ended) {   /* parse now; should the strict parse disagree, doubling goes on */
        again = 0;
        continue;
      }
    }
    if (jr_fill(r) < 0) return -1;
  }
}

/*
** Parse one value starting at pos, reading more while it is incomplete.
** On success *n is its length. Returns TM_REC_OK, TM_REC_BAD (the error
** names `record`), or TM_REC_FATAL.
*/
static int jr_parse_value(tm_jsonread *r, uint64_t record, size_t *n) {
  tm_json_err e;
  int rc = jr_parse_upto(r, r->cfg.max_record, n, &e);
  if (rc < 0) return TM_REC_FATAL;
  if (rc == TM_JSON_MORE || (rc == TM_JSON_OK && *n > r->cfg.max_record))
    return jr_too_big(r, record);
  if (rc == TM_JSON_OK) return TM_REC_OK;
  return jr_parse_error(r, record, rc, &e);
}

/*
** Skip one value leniently from pos (see tm_json_skim), starting inside
** `depth` open brackets, discarding as it goes. A byte that cannot start a
** value is not consumed unless `progress` asks for at least one byte.
** Returns 1 when the value ended, 0 at the end of the content, -1 on fatal.
*/
static int jr_skim(tm_jsonread *r, uint32_t depth, int progress) {
  tm_skim s = {depth, 0, 0, 0};
  uint64_t start = r->base + r->pos;
  for (;;) {
    int done;
    r->pos += tm_json_skim(&s, r->buf + r->pos, r->len - r->pos, &done);
    if (done) break;
    int rc = jr_fill(r);
    if (rc < 0) return -1;
    if (rc == 0) return s.in_scalar ? 1 : 0;
  }
  if (progress && r->base + r->pos == start && r->pos < r->len) r->pos++;
  return 1;
}

/* Move pos just past the next newline (or to the end of the content). */
static int jr_skip_line(tm_jsonread *r) {
  for (;;) {
    char *nl = memchr(r->buf + r->pos, '\n', r->len - r->pos);
    if (nl) {
      r->pos = (size_t)(nl - r->buf) + 1;
      return 1;
    }
    r->pos = r->len;
    int rc = jr_fill(r);
    if (rc <= 0) return rc;
  }
}

/*
** After a bad value in a sequence of values: resume at the next line that
** starts with '{' or '[' in its first column (where a new top-level value
** begins in JSON Lines and in pretty-printed sequences alike).
*/
static int jr_resync_values(tm_jsonread *r) {
  for (;;) {
    int rc = jr_skip_line(r);
    if (rc <= 0) return rc;
    if (r->pos == r->len && jr_fill(r) <= 0) return 0;
    char c = r->buf[r->pos];
    if (c == '{' || c == '[') return 1;
  }
}

/* JSON Lines: the record is the line starting at pos. */
static int jr_line(tm_jsonread *r, tm_record *rec) {
  size_t scanned = 0;
  char *nl;
  r->number++;
  r->busy = 1;
  while (!(nl = memchr(r->buf + r->pos + scanned, '\n', r->len - r->pos - scanned))) {
    if (r->len - r->pos > r->cfg.max_record + REC_SLACK) {
      int bad = jr_too_big(r, r->number);
      return jr_skip_line(r) < 0 ? TM_REC_FATAL : bad;
    }
    scanned = r->len - r->pos;
    int rc = jr_fill(r);
    if (rc < 0) return TM_REC_FATAL;
    if (rc == 0) break;
  }
  size_t end = nl ? (size_t)(nl - r->buf) : r->len;
  size_t next = nl ? end + 1 : end;
  size_t last = end;   /* max_record counts the value, not blanks after it */
  while (last > r->pos && (r->buf[last - 1] == ' ' || r->buf[last - 1] == '\t' ||
                           r->buf[last - 1] == '\r'))
    last--;
  if (last - r->pos > r->cfg.max_record) {
    int bad = jr_too_big(r, r->number);
    r->pos = next;
    return bad;
  }
  char saved = r->buf[end];
  size_t n;
  tm_json_err e;
  r->buf[end] = 0;   /* the sentinel: the value may not run past the line */
  int rc = tm_json_parse(r->buf + r->pos, end - r->pos, 1, &r->tape, &n, &e);
  r->buf[end] = saved;
  if (rc != TM_JSON_OK) {
    rc = jr_parse_error(r, r->number, rc, &e);
    r->pos = next;
    return rc;
  }
  size_t rest = tm_json_skip_ws(r->buf, end, r->pos + n);
  if (rest < end) {
    rc = jr_bad(r, r->number, r->base + rest,
                "unexpected content after the value on this line");
    r->pos = next;
    return rc;
  }
  return jr_emit(r, rec, n, next);
}

/*
** A whole value as one record: a top-level value, a lone document, or the
** value at root=. After a bad one, a sequence of top-level values resumes
** at the next line that starts a value; inside a document, the bad value
** is skimmed.
*/
static int jr_value(tm_jsonread *r, tm_record *rec) {
  size_t n;
  r->number++;
  r->busy = 1;
  int rc = jr_parse_value(r, r->number, &n);
  if (rc == TM_REC_OK) return jr_emit(r, rec, n, r->pos + n);
  if (rc == TM_REC_FATAL) return rc;
  if (r->mode == M_DOC && r->level == 0) {   /* the one document is broken */
    r->state = S_DONE;
    return rc;
  }
  int ok = r->mode == M_VALUES && r->level == 0 ? jr_resync_values(r) : jr_skim(r, 0, 1);
  return ok < 0 ? TM_REC_FATAL : rc;
}

/* One element of the record array as a record; skim it if it is bad. */
static int jr_element(tm_jsonread *r, tm_record *rec) {
  size_t n;
  r->number++;
  r->busy = 1;
  r->state = S_ELEM_NEXT;
  int rc = jr_parse_value(r, r->number, &n);
  if (rc == TM_REC_OK) return jr_emit(r, rec, n, r->pos + n);
  if (rc != TM_REC_BAD) return rc;
  int skim = jr_skim(r, 0, 0);
  if (skim < 0) return TM_REC_FATAL;
  if (skim == 0) r->state = S_DONE;   /* cut by the end: that was the last */
  return rc;
}

/* Where to go once the record array (or the root value) is done. */
static void jr_after_records(tm_jsonread *r) { r->state = r->level ? S_ASCEND : S_TOP; }

/* The input ended where `what` was expected. */
static int jr_unexpected_end(tm_jsonread *r, const char *what) {
  r->state = S_DONE;
  return jr_bad(r, r->number + 1, r->base + r->len,
                "unexpected end of input: expected %s", what);
}

/* Skip whitespace up to where `what` is expected: TM_REC_OK, TM_REC_FATAL,
** or the error of an input that ends there. */
static int jr_expect(tm_jsonread *r, const char *what) {
  int rc = jr_skip_ws(r);
  if (rc > 0) return TM_REC_OK;
  return rc < 0 ? TM_REC_FATAL : jr_unexpected_end(r, what);
}

/* ELEM_FIRST and ELEM_NEXT: between the elements of the record array. */
static int jr_between_elements(tm_jsonread *r, tm_record *rec) {
  int rc = jr_expect(r, r->state == S_ELEM_FIRST ? "a value or ']'" : "',' or ']'");
  if (rc != TM_REC_OK) return rc;
  char c = r->buf[r->pos];
  if (c == ']') {
    r->pos++;
    jr_after_records(r);
    return REC_AGAIN;
  }
  if (r->state == S_ELEM_FIRST) return jr_element(r, rec);
  if (c == ',') {
    r->pos++;
    if ((rc = jr_expect(r, "a value")) != TM_REC_OK) return rc;
    return jr_element(r, rec);
  }
  char found[24];
  tm_json_describe(r->buf + r->pos, r->buf + r->len, found, sizeof found);
  rc = jr_bad(r, ++r->number, r->base + r->pos,   /* a lost element */
              "expected ',' or ']' after an element but found %s", found);
  return jr_skim(r, 0, 1) < 0 ? TM_REC_FATAL : rc;
}

/* ASCEND: skip the rest of the objects that enclose the root value. */
static int jr_ascend(tm_jsonread *r) {
  if (r->level == 0) {   /* the document already closed */
    r->state = S_TOP;
    return REC_AGAIN;
  }
  int rc = jr_skim(r, (uint32_t)r->level, 1);
  r->level = 0;
  r->state = S_TOP;
  if (rc < 0) return TM_REC_FATAL;
  if (rc == 0) return jr_unexpected_end(r, "'}' to close the document");
  return REC_AGAIN;
}

/* Give up on root= for this document, which counts as a (lost) record:
** report, then skip what is left of it. */
static int jr_root_missing(tm_jsonread *r, const char *why) {
  int rc =
      jr_bad(r, ++r->number, r->base + r->pos, "root path '%s' %s", r->cfg.root, why);
  r->state = S_ASCEND;
  return rc;
}

/* Read the key at pos into r->key (unescaped, NUL-terminated). */
static int jr_read_key(tm_jsonread *r, size_t *n) {
  int rc = jr_parse_value(r, r->number + 1, n);
  if (rc != TM_REC_OK) return rc;
  const tm_tok *t = &r->tape.tok[0];
  if (t->kind != TM_STR)
    return jr_bad(r, r->number + 1, r->base + r->pos, "expected a string key");
  if (t->len + 1 > r->keycap) {
    char *k = realloc(r->key, t->len + 1);
    if (!k) return jr_fatal(r, "out of memory");
    r->key = k;
    r->keycap = t->len + 1;
  }
  size_t kl = tm_json_unescape(r->buf + r->pos + t->off, t->len, r->key);
  r->key[kl] = 0;
  if (strlen(r->key) != kl) r->key[0] = 1;   /* a NUL inside never matches */
  return TM_REC_OK;
}

/* The value of the matching member: go one level down, or reach the root. */
static int jr_enter(tm_jsonread *r, tm_record *rec) {
  char c = r->buf[r->pos];
  if (r->level < r->nseg) {
    if (c != '{')
      return jr_root_missing(r, "not found: a step of the path is not an object");
    r->pos++;
    r->level++;
    r->first_member = 1;
    return REC_AGAIN;
  }
  if (c == '[') {
    r->pos++;
    r->state = S_ELEM_FIRST;
    return REC_AGAIN;
  }
  r->state = S_ASCEND;
  return jr_value(r, rec);
}

/* DESCEND: find the member named by the next root segment. */
static int jr_descend(tm_jsonread *r, tm_record *rec) {
  int rc = jr_expect(r, "a key or '}'");
  if (rc != TM_REC_OK) return rc;
  char c = r->buf[r->pos];
  if (c == '}') {
    r->pos++;
    r->level--;
    return jr_root_missing(r, "not found in the document");
  }
  if (!r->first_member) {
    if (c != ',') return jr_root_missing(r, "not reached: expected ',' or '}'");
    r->pos++;
    if ((rc = jr_expect(r, "a key")) != TM_REC_OK) return rc;
  }
  size_t n;
  if ((rc = jr_read_key(r, &n)) != TM_REC_OK) {
    if (rc == TM_REC_BAD) r->state = S_ASCEND;
    return rc;
  }
  int match = strcmp(r->key, r->seg[r->level - 1]) == 0;
  r->pos += n;
  r->first_member = 0;
  if ((rc = jr_expect(r, "':'")) != TM_REC_OK) return rc;
  if (r->buf[r->pos] != ':') return jr_root_missing(r, "not reached: expected ':'");
  r->pos++;
  if ((rc = jr_expect(r, "a value")) != TM_REC_OK) return rc;
  if (match) return jr_enter(r, rec);
  return jr_skim(r, 0, 1) < 0 ? TM_REC_FATAL : REC_AGAIN;
}

/* TOP: the start of the next top-level value. */
static int jr_top(tm_jsonread *r, tm_record *rec) {
  int rc = jr_skip_ws(r);
  if (rc < 0) return TM_REC_FATAL;
  if (rc == 0) {
    r->state = S_DONE;
    if (r->mode == M_DOC && r->docs == 0 && r->cfg.format == TM_FMT_JSON)
      return jr_bad(r, r->first + 1, r->base + r->len, "no JSON value in the input");
    return TM_REC_END;
  }
  if (r->mode == M_DOC && r->docs > 0) {
    r->state = S_DONE;
    return jr_bad(r, r->number + 1, r->base + r->pos,
                  "unexpected content after the JSON document");
  }
  r->docs++;
  char c = r->buf[r->pos];
  if (r->nseg) {
    if (c != '{') {   /* report, then skip the whole value */
      int bad = jr_root_missing(r, "not found: the document is not an object");
      r->state = S_TOP;
      return jr_skim(r, 0, 1) < 0 ? TM_REC_FATAL : bad;
    }
    r->pos++;
    r->level = 1;
    r->first_member = 1;
    r->state = S_DESCEND;
    return REC_AGAIN;
  }
  if (r->mode == M_DOC && c == '[') {
    r->pos++;
    r->state = S_ELEM_FIRST;
    return REC_AGAIN;
  }
  return r->mode == M_LINES ? jr_line(r, rec) : jr_value(r, rec);
}

int tm_jsonread_next(tm_jsonread *r, tm_record *rec) {
  for (;;) {
    int rc;
    switch (r->state) {
      case S_TOP: rc = jr_top(r, rec); break;
      case S_DESCEND: rc = jr_descend(r, rec); break;
      case S_ELEM_FIRST:
      case S_ELEM_NEXT: rc = jr_between_elements(r, rec); break;
      case S_ASCEND: rc = jr_ascend(r); break;
      default: return r->fatal ? TM_REC_FATAL : TM_REC_END;
    }
    if (rc != REC_AGAIN) return rc;
  }
}

/*
** format=auto, when the first value breaks `off` bytes from pos on its
** first line: JSON Lines if a line with more than blanks follows within
** `limit` bytes of pos, one document if not. Reads on as needed, so that
** how the reads split the bytes never changes the answer.
*/
static int jr_sniff_next_line(tm_jsonread *r, size_t off, size_t limit) {
  size_t at = off;   /* from pos, which a read may move: scanned so far */
  int newline = 0;
  for (;;) {
    const char *p = r->buf + r->pos;
    size_t have = r->len - r->pos;
    if (!newline) {
      const char *nl = memchr(p + at, '\n', have - at);
      newline = nl != NULL;
      at = nl ? (size_t)(nl - p) : have;
    }
    if (newline && (at = tm_json_skip_ws(p, have, at)) < have)
      return at <= limit ? M_LINES : M_DOC;
    if (at > limit) return M_DOC;
    int rc = jr_fill(r);
    if (rc <= 0) return rc < 0 ? -1 : M_DOC;
  }
}

/*
** format=auto, when the first value is broken at offset `off` from pos: an
** array is one document; a value broken past its first line, a sequence of
** values; else as the lines after it say.
*/
static int jr_sniff_broken(tm_jsonread *r, char first, size_t off, size_t limit) {
  if (first == '[') return M_DOC;
  if (memchr(r->buf + r->pos, '\n', off)) return M_VALUES;
  return jr_sniff_next_line(r, off, limit);
}

/*
** format=auto, when the first value of `n` bytes at pos is whole: JSON
** Lines if it sits on one line and a newline precedes what comes next; a
** sequence of values if anything else follows; one document if nothing does.
*/
static int jr_sniff_whole(tm_jsonread *r, size_t n) {
  size_t after = n;   /* from pos, which a read may move */
  while ((after = tm_json_skip_ws(r->buf + r->pos, r->len - r->pos, after)) ==
         r->len - r->pos) {
    int rc = jr_fill(r);
    if (rc <= 0) return rc < 0 ? -1 : M_DOC;
  }
  const char *p = r->buf + r->pos;
  int one_line = !memchr(p, '\n', n);
  int newline_after = memchr(p + n, '\n', after - n) != NULL;
  return one_line && newline_after ? M_LINES : M_VALUES;
}

/*
** format=auto: decide from the first value (see jsonread.h). Nothing is
** consumed; the first value is parsed again as a record. Returns -1 on a
** fatal error.
*/
static int jr_sniff(tm_jsonread *r) {
  int rc = jr_skip_ws(r);
  if (rc <= 0) return rc < 0 ? -1 : M_LINES;
  char first = r->buf[r->pos];
  size_t limit = first == '[' ? REC_SNIFF - 1 : r->cfg.max_record;
  size_t n;
  tm_json_err e;
  rc = jr_parse_upto(r, limit, &n, &e);
  if (rc == TM_JSON_OK && n <= limit) return jr_sniff_whole(r, n);
  if (rc == TM_JSON_ERROR && e.off <= limit)   /* reading says where */
    return jr_sniff_broken(r, first, e.off, limit);
  if (rc == TM_JSON_NOMEM) {
    jr_fatal(r, "out of memory");
    return -1;
  }
  if (rc < 0) return -1;
  /* Longer than the limit (whole, broken past it, or unended): how far the
     reads went past the limit is chance, so the first byte alone decides. */
  return first == '[' ? M_DOC : M_VALUES;
}

/* Split root=a.b.c into segments. */
static int jr_split_root(tm_jsonread *r) {
  if (!r->cfg.root || !*r->cfg.root) return 0;
  size_t n = strlen(r->cfg.root);
  r->rootbuf = malloc(n + 1);
  r->seg = malloc((n / 2 + 2) * sizeof *r->seg);
  if (!r->rootbuf || !r->seg) return -1;
  memcpy(r->rootbuf, r->cfg.root, n + 1);
  char *p = r->rootbuf;
  r->seg[r->nseg++] = p;
  for (; *p; p++) {
    if (*p == '.') {
      *p = 0;
      r->seg[r->nseg++] = p + 1;
    }
  }
  return 0;
}

/* Skip a UTF-8 byte order mark at the very start. */
static int jr_skip_bom(tm_jsonread *r) {
  while (r->len < 3 && !r->eof)
    if (jr_fill(r) < 0) return -1;
  if (r->len >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0) r->pos = 3;
  return 0;
}

/* The kind's open: a reader of src counting records from `first`. */
static void *jr_open(tm_source *src, const tm_rec_config *cfg, uint64_t first, char *err,
                     size_t errlen) {
  tm_jsonread *r = calloc(1, sizeof *r);
  if (!r) {
    tm_src_close(src);
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  r->src = src;
  r->cfg = *cfg;
  r->line = 1;
  r->number = r->first = first;
  uint64_t size = tm_src_is_gzip(src) ? 0 : tm_src_id(src).size;
  r->cap = (size && size < REC_BLOCK ? (size_t)size + 1 : REC_BLOCK) + TM_JSON_PAD;
  r->buf = malloc(r->cap);   /* a small file gets a small buffer */
  if (!r->buf || jr_split_root(r)) {
    tm_jsonread_close(r);
    snprintf(err, errlen, "out of memory");
    return NULL;
  }
  r->buf[0] = 0;
  int mode = jr_skip_bom(r);
  if (mode == 0) {
    if (cfg->format == TM_FMT_JSONL) mode = M_LINES;
    else if (cfg->format == TM_FMT_JSON) mode = M_DOC;
    else if (r->nseg) mode = M_VALUES;
    else mode = jr_sniff(r);
  }
  r->mode = mode < 0 ? M_LINES : mode;   /* fatal (r->fatal): any, reading stops */
  return r;
}

tm_jsonread *tm_jsonread_open(tm_source *src, const tm_rec_config *cfg, char *err,
                              size_t errlen) {
  return jr_open(src, cfg, 0, err, errlen);
}

/* Is m a mark this kind could have made (its state exists)? */
static int jr_mark_ok(const tm_mark *m) {
  return m->state <= S_DONE && m->level <= TM_JSON_MAX_DEPTH;
}

/* JSON Lines without root=, from a regular file read as it is (not gzip):
** every line is one record, so a line start is a record boundary. */
static int jr_splittable(const void *arg) {
  const tm_jsonread *r = arg;
  tm_file_id id = tm_src_id(r->src);
  return r->mode == M_LINES && r->nseg == 0 && !tm_src_is_gzip(r->src) && !id.pipe;
}

/* The content offset of the next byte the reader will look at. */
static uint64_t jr_offset(const void *arg) {
  const tm_jsonread *r = arg;
  return r->base + r->pos;
}

/* The reader's position, as a mark of its own file. */
static void jr_mark(void *arg, tm_mark *m) {
  tm_jsonread *r = arg;
  memset(m, 0, sizeof *m);
  jr_count_lines(r, r->base + r->pos);
  m->offset = r->base + r->pos;
  m->number = r->number;
  m->line = r->line;
  m->line_start = r->line_start;
  m->state = (uint32_t)r->state;
  m->level = (uint32_t)r->level;
}

/* Continue from a mark of this file: jump within the buffered bytes when
** it can, else seek the source. Returns 0, or -1 (the reader is done). */
static int jr_seek(void *arg, const tm_mark *m) {
  tm_jsonread *r = arg;
  if (m->offset >= r->base && m->offset <= r->base + r->len) {
    r->pos = (size_t)(m->offset - r->base);    /* already in the buffer */
  } else {
    if (tm_src_seek(r->src, m->offset)) {
      jr_fatal(r, "%s", tm_src_error(r->src));
      return -1;
    }
    r->base = m->offset;
    r->pos = r->len = 0;
    r->buf[0] = 0;
    r->eof = 0;
  }
  r->counted = m->offset;
  r->line = m->line;
  r->line_start = m->line_start;
  r->number = m->number;
  r->state = (int)m->state;
  r->level = (int)m->level;
  r->docs = m->number > r->first || m->state != S_TOP;
  r->fatal = 0;
  return 0;
}

void tm_jsonread_reject(tm_jsonread *r, const tm_record *rec, const char *msg) {
  jr_bad(r, rec->number, rec->offset, "%s", msg);
}

const tm_rec_error *tm_jsonread_error(const tm_jsonread *r) { return &r->err; }
int tm_jsonread_format(const tm_jsonread *r) {
  return r->mode == M_LINES ? TM_FMT_JSONL : r->mode == M_DOC ? TM_FMT_JSON : TM_FMT_AUTO;
}

void tm_jsonread_close(tm_jsonread *r) {
  if (!r) return;
  tm_src_close(r->src);
  tm_json_tape_free(&r->tape);
  free(r->buf);
  free(r->rootbuf);
  free(r->seg);
  free(r->key);
  free(r);
}

/* The kind's functions over the opaque reader the seam holds. */
static int jr_kind_next(void *r, tm_record *rec) { return tm_jsonread_next(r, rec); }
static const tm_rec_error *jr_kind_error(const void *r) { return tm_jsonread_error(r); }
static void jr_kind_reject(void *r, const tm_record *rec, const char *msg) {
  tm_jsonread_reject(r, rec, msg);
}
static int jr_kind_format(const void *r) { return tm_jsonread_format(r); }
static void jr_kind_close(void *r) { tm_jsonread_close(r); }

const tm_rd_kind tm_jsonread_kind = {
    "json",  jr_open,    jr_kind_next, jr_kind_error, jr_kind_reject, jr_mark,
    jr_seek, jr_mark_ok, jr_offset,    jr_splittable, jr_kind_format, jr_kind_close,
};
