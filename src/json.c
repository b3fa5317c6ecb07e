/*
** json.c: the strict tokenizer declared in json.h.
**
** One function, tm_json_parse, walks the grammar of RFC 8259 with an
** explicit stack (no recursion, so 100,000 nested brackets are an error and
** not a stack overflow). The hot loops lean on the zero sentinel after the
** input: a scan stops at the sentinel as it would at any unexpected byte, and
** only then asks whether it ran out of input.
*/
#define _GNU_SOURCE   /* strtod_l, newlocale */
#include "json.h"

#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "buf.h"

/* JSON whitespace: space, tab, line feed, carriage return. */
static const uint8_t json_ws[256] = {[' '] = 1, ['\t'] = 1, ['\n'] = 1, ['\r'] = 1};

/* Value of a hex digit, or 16 for anything else. */
static uint8_t json_hex(uint8_t c) {
  if (c >= '0' && c <= '9') return (uint8_t)(c - '0');
  c |= 0x20;
  if (c >= 'a' && c <= 'f') return (uint8_t)(c - 'a' + 10);
  return 16;
}

/* Is c an ASCII digit (locale-independent)? */
static int json_is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

/* Skip JSON whitespace; stops at the sentinel because 0 is not whitespace. */
static const uint8_t *json_ws_skip(const uint8_t *p) {
  while (json_ws[*p]) p++;
  return p;
}

size_t tm_json_skip_ws(const char *buf, size_t len, size_t off) {
  while (off < len && json_ws[(uint8_t)buf[off]]) off++;
  return off;
}

/*
** Advance over string bytes that need no attention: printable ASCII other
** than '"' and '\\'. Returns the first byte that does (a quote, a backslash,
** a control character, a non-ASCII byte, or the sentinel).
*/
static const uint8_t *json_plain_skip(const uint8_t *p) {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i bslash = _mm_set1_epi8('\\');
  const __m128i space = _mm_set1_epi8(0x20);
  for (;;) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
    /* signed compare: bytes >= 0x80 are negative, so "< 0x20" catches them */
    __m128i m =
        _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
                     _mm_cmplt_epi8(v, space));
    int mask = _mm_movemask_epi8(m);
    if (mask) return p + __builtin_ctz((unsigned)mask);
    p += 16;
  }
#else
  while (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') p++;
  return p;
#endif
}

/*
** Length of the UTF-8 sequence at p (2 to 4) if it is valid, 0 if it is not,
** and -1 if it is a valid prefix cut off by the end of the input.
*/
static int json_utf8_len(const uint8_t *p, const uint8_t *end) {
  uint8_t c = p[0], lo = 0x80, hi = 0xBF;
  int n;
  if (c >= 0xC2 && c <= 0xDF) n = 2;
  else if (c >= 0xE0 && c <= 0xEF) {
    n = 3;
    if (c == 0xE0) lo = 0xA0;          /* overlong */
    else if (c == 0xED) hi = 0x9F;     /* UTF-16 surrogates */
  } else if (c >= 0xF0 && c <= 0xF4) {
    n = 4;
    if (c == 0xF0) lo = 0x90;          /* overlong */
    else if (c == 0xF4) hi = 0x8F;     /* above U+10FFFF */
  } else {
    return 0;
  }
  for (int i = 1; i < n; i++) {
    if (p + i >= end) return -1;
    uint8_t b = p[i];
    if (i == 1 ? (b < lo || b > hi) : (b & 0xC0) != 0x80) return 0;
  }
  return n;
}

int tm_json_utf8_len(const char *p, const char *end) {
  return json_utf8_len((const uint8_t *)p, (const uint8_t *)end);
}

void tm_json_describe(const char *p, const char *end, char *out, size_t n) {
  uint8_t b = p < end ? (uint8_t)*p : 0;
  if (p >= end) snprintf(out, n, "end of input");
  else if (b >= 0x20 && b < 0x7F) snprintf(out, n, "'%c'", b);
  else snprintf(out, n, "byte 0x%02X", b);
}

/* Parser state shared by the scanning helpers of one tm_json_parse call. */
typedef struct json_ctx {
  const uint8_t *base, *end;
  int final;
  tm_json_err *err;
} json_ctx;

/* Record an error at p: `what` followed by a description of the byte. */
static int json_fail(json_ctx *c, const uint8_t *p, const char *what) {
  char found[24];
  tm_json_describe((const char *)p, (const char *)c->end, found, sizeof found);
  c->err->off = (size_t)(p - c->base);
  snprintf(c->err->msg, sizeof c->err->msg, "%s but found %s", what, found);
  return TM_JSON_ERROR;
}

/* `what` was expected at p: an error, or, if the input ends there and
** more may come, TM_JSON_MORE. */
static int json_expected(json_ctx *c, const uint8_t *p, const char *what) {
  if (p >= c->end && !c->final) return TM_JSON_MORE;
  return json_fail(c, p, what);
}

/* Record an error at p with a fixed message. */
static int json_fail_msg(json_ctx *c, const uint8_t *p, const char *msg) {
  c->err->off = (size_t)(p - c->base);
  snprintf(c->err->msg, sizeof c->err->msg, "%s", msg);
  return TM_JSON_ERROR;
}

/* Check the escape sequence at p (p[0] is the backslash). */
static int json_escape(json_ctx *c, const uint8_t *p, size_t *n) {
  if (p + 1 >= c->end) return json_expected(c, p + 1, "expected an escape");
  switch (p[1]) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't': *n = 2; return TM_JSON_OK;
    case 'u':
      for (int i = 2; i < 6; i++) {
        if (p + i >= c->end) return json_expected(c, p + i, "expected a hex digit");
        if (json_hex(p[i]) > 15)
          return json_fail(c, p + i, "invalid \\u escape: expected a hex digit");
      }
      *n = 6;
      return TM_JSON_OK;
    default: {
      char msg[64];
      if (p[1] >= 0x20 && p[1] < 0x7F)
        snprintf(msg, sizeof msg, "invalid escape '\\%c' in a string", p[1]);
      else snprintf(msg, sizeof msg, "invalid escape (byte 0x%02X) in a string", p[1]);
      return json_fail_msg(c, p, msg);
    }
  }
}

/*
** Scan a string whose first content byte is *pp (just after the opening
** quote). On success *pp is the closing quote.
*/
static int json_string(json_ctx *c, const uint8_t **pp, uint8_t *flags) {
  const uint8_t *p = *pp;
  for (;;) {
    p = json_plain_skip(p);
    uint8_t b = *p;
    if (b == '"') {
      *pp = p;
      return TM_JSON_OK;
    }
    if (b == '\\') {
      size_t n;
      int rc = json_escape(c, p, &n);
      if (rc) return rc;
      *flags |= TM_F_ESC;
      p += n;
      continue;
    }
    if (b < 0x20) {
      if (p >= c->end) return json_expected(c, p, "unterminated string: expected '\"'");
      char msg[64];
      snprintf(msg, sizeof msg, "unescaped control character 0x%02X in a string", b);
      return json_fail_msg(c, p, msg);
    }
    int n = json_utf8_len(p, c->end);
    if (n > 0) {
      p += n;
      continue;
    }
    if (n < 0 && !c->final) return TM_JSON_MORE;
    char msg[64];
    snprintf(msg, sizeof msg, "invalid UTF-8 byte 0x%02X in a string", b);
    return json_fail_msg(c, p, msg);
  }
}

/* Scan the digits that must follow p, or fail with `what`. */
static int json_digits(json_ctx *c, const uint8_t **pp, const char *what) {
  const uint8_t *p = *pp;
  if (!json_is_digit(*p)) {
    return json_expected(c, p, what);
  }
  while (json_is_digit(*p)) p++;
  *pp = p;
  return TM_JSON_OK;
}

/* Scan a number starting at *pp and classify it as INT, BIG or REAL. */
static int json_number(json_ctx *c, const uint8_t **pp, uint8_t *kind) {
  const uint8_t *p = *pp;
  int neg = *p == '-', rc, real = 0;
  if (neg) p++;
  const uint8_t *digits = p;
  if (*p == '0') {
    p++;
  } else if ((rc = json_digits(c, &p, "invalid number: expected a digit"))) {
    return rc;
  }
  size_t ndigits = (size_t)(p - digits);
  if (*p == '.') {
    p++;
    if ((rc = json_digits(c, &p, "invalid number: expected a digit after '.'")))
      return rc;
    real = 1;
  }
  if (*p == 'e' || *p == 'E') {
    p++;
    if (*p == '+' || *p == '-') p++;
    if ((rc = json_digits(c, &p, "invalid number: expected a digit in the exponent")))
      return rc;
    real = 1;
  }
  if (p >= c->end && !c->final) return TM_JSON_MORE;  /* it may go on */
  if (json_is_digit(*p)) return json_fail_msg(c, digits, "invalid number: leading zero");
  if (real) *kind = TM_REAL;
  else if (ndigits < 19) *kind = TM_INT;
  else if (ndigits > 19) *kind = TM_BIG;
  else {
    const char *lim = neg ? "9223372036854775808" : "9223372036854775807";
    *kind = memcmp(digits, lim, 19) <= 0 ? TM_INT : TM_BIG;
  }
  *pp = p;
  return TM_JSON_OK;
}

/* Match the literal `word` (true, false, null) at p. */
static int json_literal(json_ctx *c, const uint8_t *p, const char *word, size_t n) {
  size_t i = 0;
  while (i < n && p + i < c->end && p[i] == (uint8_t)word[i]) i++;
  if (i == n) return TM_JSON_OK;
  char what[40];
  snprintf(what, sizeof what, "invalid literal: expected '%s'", word);
  return json_expected(c, p + i, what);
}

/* Make room for one more token. */
static int json_tape_grow(tm_tape *t) {
  tm_tok *tok = tm_grow(t->tok, &t->cap, t->n + 1, sizeof *tok);
  if (!tok) return TM_JSON_NOMEM;
  t->tok = tok;
  return TM_JSON_OK;
}

void tm_json_tape_free(tm_tape *tape) {
  free(tape->tok);
  tape->tok = NULL;
  tape->n = tape->cap = 0;
}

int tm_json_parse(const char *buf, size_t len, int final, tm_tape *tape, size_t *endoff,
                  tm_json_err *err) {
  json_ctx c = {(const uint8_t *)buf, (const uint8_t *)buf + len, final, err};
  const uint8_t *p = c.base;
  uint32_t stack[TM_JSON_MAX_DEPTH];
  int depth = 0, rc;
  tm_tok *t;
  tape->n = 0;

value:
  if (tape->n == tape->cap && json_tape_grow(tape)) return TM_JSON_NOMEM;
  t = &tape->tok[tape->n];
  t->off = (uint32_t)(p - c.base);
  t->flags = 0;
  t->unused = 0;
  t->end = 0;
  switch (*p) {
    case '{':
    case '[':
      if (depth == TM_JSON_MAX_DEPTH)
        return json_fail_msg(&c, p, "nesting deeper than 1000 levels");
      if (depth && tape->tok[stack[depth - 1]].kind == TM_ARR)
        tape->tok[stack[depth - 1]].flags |= *p == '{' ? TM_F_HASOBJ : TM_F_HASARR;
      t->kind = *p == '{' ? TM_OBJ : TM_ARR;
      stack[depth++] = (uint32_t)tape->n++;
      p = json_ws_skip(p + 1);
      if (*p == (t->kind == TM_OBJ ? '}' : ']')) {
        p++;
        goto close;
      }
      if (t->kind == TM_OBJ) goto key;
      goto value;
    case '"': {
      const uint8_t *q = p + 1;
      if ((rc = json_string(&c, &q, &t->flags))) return rc;
      t->kind = TM_STR;
      t->off = (uint32_t)(p + 1 - c.base);
      t->len = (uint32_t)(q - p - 1);
      tape->n++;
      p = q + 1;
      goto after;
    }
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9': {
      const uint8_t *q = p;
      if ((rc = json_number(&c, &q, &t->kind))) return rc;
      t->len = (uint32_t)(q - p);
      tape->n++;
      p = q;
      goto after;
    }
    case 't':
      if ((rc = json_literal(&c, p, "true", 4))) return rc;
      t->kind = TM_TRUE;
      t->len = 4;
      break;
    case 'f':
      if ((rc = json_literal(&c, p, "false", 5))) return rc;
      t->kind = TM_FALSE;
      t->len = 5;
      break;
    case 'n':
      if ((rc = json_literal(&c, p, "null", 4))) return rc;
      t->kind = TM_NULL;
      t->len = 4;
      break;
    default: return json_expected(&c, p, "expected a value");
  }
  tape->n++;
  p += t->len;
  goto after;

key:
  if (*p != '"') {
    return json_expected(&c, p, "expected a string key");
  }
  if (tape->n == tape->cap && json_tape_grow(tape)) return TM_JSON_NOMEM;
  t = &tape->tok[tape->n];
  {
    const uint8_t *q = p + 1;
    t->flags = 0;
    if ((rc = json_string(&c, &q, &t->flags))) return rc;
    t->kind = TM_STR;
    t->unused = 0;
    t->end = 0;
    t->off = (uint32_t)(p + 1 - c.base);
    t->len = (uint32_t)(q - p - 1);
    tape->n++;
    p = json_ws_skip(q + 1);
  }
  if (*p != ':') {
    return json_expected(&c, p, "expected ':'");
  }
  p = json_ws_skip(p + 1);
  goto value;

close:
  t = &tape->tok[stack[--depth]];
  t->end = (uint32_t)tape->n;
  t->len = (uint32_t)(p - c.base) - t->off;

after:
  if (depth == 0) {
    *endoff = (size_t)(p - c.base);
    return TM_JSON_OK;
  }
  p = json_ws_skip(p);
  t = &tape->tok[stack[depth - 1]];
  if (*p == ',') {
    p = json_ws_skip(p + 1);
    if (t->kind == TM_OBJ) goto key;
    goto value;
  }
  if (*p == (t->kind == TM_OBJ ? '}' : ']')) {
    p++;
    goto close;
  }
  {
    const char *what = t->kind == TM_OBJ ? "expected ',' or '}'" : "expected ',' or ']'";
    return json_expected(&c, p, what);
  }
}

/* Write code point cp as UTF-8; returns the number of bytes. */
static size_t json_put_utf8(char *o, uint32_t cp) {
  if (cp < 0x80) {
    o[0] = (char)cp;
    return 1;
  }
  if (cp < 0x800) {
    o[0] = (char)(0xC0 | (cp >> 6));
    o[1] = (char)(0x80 | (cp & 0x3F));
    return 2;
  }
  if (cp < 0x10000) {
    o[0] = (char)(0xE0 | (cp >> 12));
    o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
  }
  o[0] = (char)(0xF0 | (cp >> 18));
  o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
  o[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

/* The code point of the four hex digits at p. */
static uint32_t json_hex4(const char *p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; i++) v = v << 4 | json_hex((uint8_t)p[i]);
  return v;
}

size_t tm_json_unescape(const char *src, size_t len, char *dst) {
  const char *p = src, *e = src + len;
  char *o = dst;
  while (p < e) {
    const char *bs = memchr(p, '\\', (size_t)(e - p));
    if (!bs) bs = e;
    memcpy(o, p, (size_t)(bs - p));
    o += bs - p;
    if (bs == e) break;
    p = bs + 2;
    switch (bs[1]) {
      case 'b': *o++ = '\b'; break;
      case 'f': *o++ = '\f'; break;
      case 'n': *o++ = '\n'; break;
      case 'r': *o++ = '\r'; break;
      case 't': *o++ = '\t'; break;
      case 'u': {
        uint32_t cp = json_hex4(p);
        p += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF && e - p >= 6 && p[0] == '\\' && p[1] == 'u') {
          uint32_t lo = json_hex4(p + 2);
          if (lo >= 0xDC00 && lo <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            p += 6;
          }
        }
        if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;  /* lone surrogate */
        o += json_put_utf8(o, cp);
        break;
      }
      default: *o++ = bs[1]; break;   /* '"', '\\', '/' */
    }
  }
  return (size_t)(o - dst);
}

int64_t tm_json_int(const char *s, size_t len) {
  size_t i = s[0] == '-';
  uint64_t v = 0;
  for (size_t k = i; k < len; k++) v = v * 10 + (uint64_t)(s[k] - '0');
  if (!i) return (int64_t)v;
  return v ? -(int64_t)(v - 1) - 1 : 0;  /* no overflow at INT64_MIN */
}

static locale_t json_c_locale;
static pthread_once_t json_c_locale_once = PTHREAD_ONCE_INIT;

/* Create the "C" locale used by strtod_l, once per process. */
static void json_c_locale_init(void) {
  json_c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

/* Exact powers of ten representable as doubles. */
static const double json_pow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                    1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                    1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/*
** Clinger's fast path: when the significant digits fit in 53 bits and the
** power of ten is exact, one IEEE multiply or divide rounds correctly.
** Returns 1 and sets *out when it applies.
*/
static int json_real_fast(const char *s, size_t len, double *out) {
  const char *p = s, *e = s + len;
  int neg = *p == '-', frac = 0;
  uint64_t m = 0;
  int nd = 0;
  long exp10 = 0;
  if (neg) p++;
  for (; p < e; p++) {
    if (*p == '.') {
      frac = 1;
      continue;
    }
    if (*p == 'e' || *p == 'E') break;
    unsigned d = (unsigned)(*p - '0');
    if (m == 0 && d == 0) {        /* leading zeros are not significant */
      exp10 -= frac;
      continue;
    }
    if (nd == 19) return 0;        /* too many significant digits */
    m = m * 10 + d;
    nd++;
    exp10 -= frac;
  }
  if (p < e) {
    p++;
    int eneg = *p == '-';
    if (*p == '-' || *p == '+') p++;
    long x = 0;
    for (; p < e && x < 100000; p++) x = x * 10 + (*p - '0');
    exp10 += eneg ? -x : x;
  }
  if (m > (1ULL << 53) || exp10 < -22 || exp10 > 22) return 0;
  double d = (double)m;
  d = exp10 < 0 ? d / json_pow10[-exp10] : d * json_pow10[exp10];
  *out = neg ? -d : d;
  return 1;
}

double tm_json_real(const char *s, size_t len) {
  double d;
  if (json_real_fast(s, len, &d)) return d;
  char small[128];
  char *tmp = len < sizeof small ? small : malloc(len + 1);
  if (!tmp) return 0.0;
  memcpy(tmp, s, len);
  tmp[len] = 0;
  pthread_once(&json_c_locale_once, json_c_locale_init);
  d = json_c_locale ? strtod_l(tmp, NULL, json_c_locale) : strtod(tmp, NULL);
  if (tmp != small) free(tmp);
  return d;
}

/* Can byte c continue a number or a literal? */
static int json_scalar_byte(uint8_t c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         c == '-' || c == '+' || c == '.';
}

size_t tm_json_skim(tm_skim *s, const char *buf, size_t len, int *done) {
  size_t i = 0;
  *done = 0;
  for (; i < len; i++) {
    uint8_t c = (uint8_t)buf[i];
    if (s->in_string) {
      if (s->escaped) s->escaped = 0;
      else if (c == '\\') s->escaped = 1;
      else if (c == '"') {
        s->in_string = 0;
        if (s->depth == 0) {
          *done = 1;
          return i + 1;
        }
      }
      continue;
    }
    if (s->in_scalar) {
      if (json_scalar_byte(c)) continue;
      s->in_scalar = 0;
      *done = 1;
      return i;
    }
    switch (c) {
      case '"': s->in_string = 1; break;
      case '{':
      case '[': s->depth++; break;
      case '}':
      case ']':
        if (s->depth == 0) {     /* nothing to skip: leave it to the caller */
          *done = 1;
          return i;
        }
        if (--s->depth == 0) {
          *done = 1;
          return i + 1;
        }
        break;
      default:
        if (s->depth == 0 && !json_ws[c]) {
          if (!json_scalar_byte(c)) {   /* not a value at all */
            *done = 1;
            return i;
          }
          s->in_scalar = 1;
        }
        break;
    }
  }
  return i;
}
