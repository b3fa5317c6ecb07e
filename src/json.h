/*
** json.h: a strict, non-recursive RFC 8259 tokenizer.
**
** tm_json_parse() reads exactly one JSON value from a contiguous buffer of
** explicit length and writes its tokens to a tape: one token per scalar,
** key, array and object, in document order. Containers record where their
** subtree ends on the tape, so a reader can skip them in one step. Nothing
** is copied: tokens point into the buffer, and strings are unescaped only
** when someone asks (tm_json_unescape).
**
** The buffer must be followed by TM_JSON_PAD readable bytes, the first of
** which is 0: the scanning loops use it as a sentinel instead of checking
** the length at every byte.
*/
#ifndef TM_JSON_H
#define TM_JSON_H

#include <stddef.h>
#include <stdint.h>

#define TM_JSON_PAD       64           /* readable bytes required after the input */
#define TM_JSON_MAX_DEPTH 1000   /* deeper nesting is an error */

/* Token kinds, in the low bits of tm_tok.kind. */
enum {
  TM_NULL,
  TM_FALSE,
  TM_TRUE,
  TM_INT,    /* integer that fits in int64 */
  TM_BIG,    /* integer too large for int64: kept as exact text */
  TM_REAL,   /* number with a fraction or an exponent */
  TM_STR,    /* string value or object key */
  TM_ARR,
  TM_OBJ
};

/* Token flags, in tm_tok.flags. */
#define TM_F_ESC    0x01   /* string: contains backslash escapes */
#define TM_F_HASOBJ 0x02   /* array: at least one element is an object */
#define TM_F_HASARR 0x04   /* array: at least one element is an array */

/*
** One token. For scalars, [off, off+len) is the raw text (for strings, the
** bytes between the quotes). For containers, [off, off+len) spans from the
** opening to the closing bracket and `end` is the tape index just past the
** container's last descendant.
*/
typedef struct tm_tok {
  uint8_t kind;
  uint8_t flags;
  uint16_t unused;
  uint32_t len;
  uint32_t off;
  uint32_t end;
} tm_tok;

/* A growable array of tokens, reused from one record to the next. */
typedef struct tm_tape {
  tm_tok *tok;
  size_t n, cap;
} tm_tape;

/* Where and why parsing failed. msg is lowercase, without a final period. */
typedef struct tm_json_err {
  size_t off;        /* offset of the offending byte in the buffer */
  char msg[128];
} tm_json_err;

/* Results of tm_json_parse. */
enum { TM_JSON_OK = 0, TM_JSON_MORE = 1, TM_JSON_ERROR = 2, TM_JSON_NOMEM = 3 };

/*
** Parse one value starting exactly at buf[0] (no leading whitespace).
** On TM_JSON_OK, *end is the offset just past the value. If the input ends
** before the value does, returns TM_JSON_MORE when `final` is 0 (the caller
** may supply more bytes and call again from the start) and TM_JSON_ERROR
** when `final` is 1.
*/
int tm_json_parse(const char *buf, size_t len, int final, tm_tape *tape, size_t *end,
                  tm_json_err *err);

/* Release a tape's memory. */
void tm_json_tape_free(tm_tape *tape);

/* Describe the byte at p for an error message: "'x'", "byte 0x00", or
** "end of input" at end. */
void tm_json_describe(const char *p, const char *end, char *out, size_t n);

/* Length of the UTF-8 sequence at p (2 to 4) if it is valid, 0 if it is
** not, -1 if it is a valid start cut off by end. */
int tm_json_utf8_len(const char *p, const char *end);

/* Offset of the first byte at or after `off` that is not JSON whitespace. */
size_t tm_json_skip_ws(const char *buf, size_t len, size_t off);

/*
** Write the unescaped form of a string token's raw text to dst, which has
** room for at least len bytes (unescaping never grows a string). Returns the
** number of bytes written. A lone surrogate escape becomes U+FFFD.
*/
size_t tm_json_unescape(const char *src, size_t len, char *dst);

/* Value of a TM_INT token's text. */
int64_t tm_json_int(const char *src, size_t len);

/* Correctly rounded value of a TM_REAL token's text (locale-independent). */
double tm_json_real(const char *src, size_t len);

/*
** A resumable, lenient scanner that finds where a value ends without
** checking its grammar beyond strings and bracket balance. It serves to skip
** what the user did not ask for (siblings of root=) and to resynchronise
** after a bad record. Feed it bytes with tm_json_skim until it reports done.
*/
typedef struct tm_skim {
  uint32_t depth;     /* open brackets */
  uint8_t in_string;  /* inside a string */
  uint8_t escaped;    /* the previous byte was a backslash in a string */
  uint8_t in_scalar;  /* inside a top-level number or literal */
} tm_skim;

/*
** Scan [buf, buf+len) continuing the state in *s. Returns the number of
** bytes that belong to the value, and sets *done when the value ended there.
** A scalar ends before the first byte that cannot continue it; a container
** after its closing bracket.
*/
size_t tm_json_skim(tm_skim *s, const char *buf, size_t len, int *done);

#endif
