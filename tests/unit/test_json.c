/*
** test_json.c: the strict tokenizer (src/json.c).
**
** Every parse goes through a fresh heap buffer of exactly len bytes plus
** TM_JSON_PAD zero bytes, as json.h requires, so that ASan and valgrind see
** any read past the padding. Results are rendered as short strings so that
** each check compares one exact value:
**
**   "OK end=N <tape>"   with the tape as "<kind>@off:len[>end][flags]"
**   "MORE"
**   "ERR@off message"
**
** kinds: n f t i (INT) b (BIG) r (REAL) s (string) A (array) O (object);
** flags: e (TM_F_ESC), o (TM_F_HASOBJ), a (TM_F_HASARR).
*/
#define _GNU_SOURCE   /* setenv, mkdtemp */
#include <float.h>
#include <locale.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "json.h"

/* A copy of s[0..n) followed by TM_JSON_PAD zero bytes. */
static char *padded(const char *s, size_t n) {
  char *b = malloc(n + TM_JSON_PAD);
  if (!b) abort();
  if (n) memcpy(b, s, n);
  memset(b + n, 0, TM_JSON_PAD);
  return b;
}

/* Render a tape as "<kind>@off:len[>end][flags] ...". */
static void render_tape(const tm_tape *t, char *out, size_t cap) {
  static const char kinds[] = "nftibrsAO";
  size_t o = 0;
  out[0] = 0;
  for (size_t i = 0; i < t->n && o + 64 < cap; i++) {
    const tm_tok *k = &t->tok[i];
    o += (size_t)snprintf(out + o, cap - o, "%s%c@%u:%u", i ? " " : "",
                          k->kind <= TM_OBJ ? kinds[k->kind] : '?', k->off, k->len);
    if (k->kind >= TM_ARR) o += (size_t)snprintf(out + o, cap - o, ">%u", k->end);
    if (k->flags & TM_F_ESC) out[o++] = 'e';
    if (k->flags & TM_F_HASOBJ) out[o++] = 'o';
    if (k->flags & TM_F_HASARR) out[o++] = 'a';
    out[o] = 0;
  }
}

static tm_tape g_tape;
static char g_res[8192];

/* Parse s[0..n) and describe the outcome (with the tape when tape=1). */
static const char *parse_n(const char *s, size_t n, int final, int tape) {
  char *b = padded(s, n);
  size_t end = 12345;
  tm_json_err err;
  memset(&err, 0, sizeof err);
  int rc = tm_json_parse(b, n, final, &g_tape, &end, &err);
  if (rc == TM_JSON_OK) {
    int o = snprintf(g_res, sizeof g_res, "OK end=%zu", end);
    if (tape) {
      g_res[o++] = ' ';
      render_tape(&g_tape, g_res + o, sizeof g_res - (size_t)o);
    }
  } else if (rc == TM_JSON_MORE) {
    snprintf(g_res, sizeof g_res, "MORE");
  } else if (rc == TM_JSON_ERROR) {
    snprintf(g_res, sizeof g_res, "ERR@%zu %s", err.off, err.msg);
  } else {
    snprintf(g_res, sizeof g_res, "rc=%d", rc);
  }
  free(b);
  return g_res;
}

static const char *P(const char *s) { return parse_n(s, strlen(s), 1, 1); }
static const char *PE(const char *s) { return parse_n(s, strlen(s), 1, 0); }

/* ---------------------------------------------------------------- tokens */

static void test_tokens(void) {
  /* offsets: 0 { 1 " 2 a 3 " 4 : 5 [ 6 1 7 , 8 { 9 " 10 b 11 " 12 : 13-16 null
     17 } 18 ] 19 , 20 " 21 c 22 " 23 : 24 " 25 x 26 \ 27 " 28 y 29 " 30 } */
  CHECK_STR(P("{\"a\":[1,{\"b\":null}],\"c\":\"x\\\"y\"}"),
            "OK end=31 O@0:31>9 s@2:1 A@5:14>7o i@6:1 O@8:10>7 s@10:1 n@13:4 "
            "s@21:1 s@25:4e",
            "nested object/array: kinds, offsets, lengths, end indices, flags");
  CHECK_STR(P("[ 1 , [ ] , { } , \"\" , true , false ]"),
            "OK end=37 A@0:37>7oa i@2:1 A@6:3>3 O@12:3>4 s@19:0 t@23:4 f@30:5",
            "whitespace inside containers; empty containers span their brackets");
  CHECK_STR(P("[[[]]]"), "OK end=6 A@0:6>3a A@1:4>3a A@2:2>3",
            "nested arrays: HASARR on each array holding an array");
  CHECK_STR(P("[{}]"), "OK end=4 A@0:4>2o O@1:2>2", "array of object: HASOBJ");
  CHECK_STR(P("[1,[2],{\"x\":[3]}]"),
            "OK end=17 A@0:17>8oa i@1:1 A@3:3>4 i@4:1 O@7:9>8 s@9:1 A@12:3>8 i@13:1",
            "flags only describe direct elements");
  CHECK_STR(P("{\"a\":{},\"b\":[]}"), "OK end=15 O@0:15>5 s@2:1 O@5:2>3 s@9:1 A@12:2>5",
            "objects never carry HASOBJ/HASARR");
  CHECK_STR(P("{\"a\\nb\":\"\\u0041\",\"plain\":\"v\"}"),
            "OK end=29 O@0:29>5 s@2:4e s@9:6e s@18:5 s@26:1",
            "escaped key and value carry TM_F_ESC, plain ones do not");
  CHECK_STR(P("\"\""), "OK end=2 s@1:0", "empty string: off after the quote, len 0");
  CHECK_STR(P("true"), "OK end=4 t@0:4", "top-level true");
  CHECK_STR(P("false"), "OK end=5 f@0:5", "top-level false");
  CHECK_STR(P("null"), "OK end=4 n@0:4", "top-level null");
  CHECK_STR(P("{}"), "OK end=2 O@0:2>1", "empty object end index");
  CHECK_STR(P("[]"), "OK end=2 A@0:2>1", "empty array end index");
  CHECK_STR(P("{\"a\":1} xyz"), "OK end=7 O@0:7>3 s@2:1 i@5:1",
            "content after a complete top-level value is left to the caller");
  CHECK_STR(P("\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\""), "OK end=11 s@1:9",
            "multibyte UTF-8 string: len counts bytes");

  /* the tape is reused: a small document after a big one */
  CHECK_STR(P("[1,2,3,4,5,6,7,8,9,10]"),
            "OK end=22 A@0:22>11 i@1:1 i@3:1 i@5:1 i@7:1 i@9:1 i@11:1 i@13:1 "
            "i@15:1 i@17:1 i@19:2",
            "ten integers");
  CHECK_STR(P("7"), "OK end=1 i@0:1", "tape reset between parses");
  CHECK_INT(g_tape.n, 1, "tape.n is 1 after a scalar document");

  /* a large tape (forces growth past the initial capacity) */
  {
    size_t n = 20000;
    char *doc = malloc(n * 2 + 2);
    size_t o = 0;
    doc[o++] = '[';
    for (size_t i = 0; i < n; i++) {
      doc[o++] = '0';
      doc[o++] = i + 1 < n ? ',' : ']';
    }
    char *b = padded(doc, o);
    size_t end = 0;
    tm_json_err err;
    int rc = tm_json_parse(b, o, 1, &g_tape, &end, &err);
    CHECK_INT(rc, TM_JSON_OK, "20000-element array parses");
    CHECK_INT(g_tape.n, 20001, "20000-element array: 20001 tokens");
    CHECK_INT(g_tape.tok[0].end, 20001, "20000-element array: end index");
    CHECK_INT(g_tape.tok[20000].off, 39999, "20000-element array: last offset");
    free(b);
    free(doc);
  }
}

/* --------------------------------------------------------------- numbers */

static void test_numbers(void) {
  CHECK_STR(P("9223372036854775807"), "OK end=19 i@0:19", "INT64_MAX is INT");
  CHECK_STR(P("9223372036854775808"), "OK end=19 b@0:19", "INT64_MAX+1 is BIG");
  CHECK_STR(P("-9223372036854775808"), "OK end=20 i@0:20", "INT64_MIN is INT");
  CHECK_STR(P("-9223372036854775809"), "OK end=20 b@0:20", "INT64_MIN-1 is BIG");
  CHECK_STR(P("9999999999999999999"), "OK end=19 b@0:19", "19 nines is BIG");
  CHECK_STR(P("1000000000000000000"), "OK end=19 i@0:19", "10^18 (19 digits) is INT");
  CHECK_STR(P("999999999999999999"), "OK end=18 i@0:18", "18 digits is INT");
  CHECK_STR(P("10000000000000000000"), "OK end=20 b@0:20", "10^19 (20 digits) is BIG");
  CHECK_STR(P("18446744073709551616"), "OK end=20 b@0:20", "2^64 is BIG");
  CHECK_STR(P("-10000000000000000000"), "OK end=21 b@0:21", "-10^19 is BIG");
  CHECK_STR(P("123456789012345678901234567890"), "OK end=30 b@0:30", "30 digits is BIG");
  CHECK_STR(P("-0"), "OK end=2 i@0:2", "-0 is INT");
  CHECK_STR(P("0"), "OK end=1 i@0:1", "0 is INT");
  CHECK_STR(P("0.0"), "OK end=3 r@0:3", "0.0 is REAL");
  CHECK_STR(P("-0.0"), "OK end=4 r@0:4", "-0.0 is REAL");
  CHECK_STR(P("1e5"), "OK end=3 r@0:3", "1e5 is REAL");
  CHECK_STR(P("1E5"), "OK end=3 r@0:3", "1E5 is REAL");
  CHECK_STR(P("1e+5"), "OK end=4 r@0:4", "1e+5 is REAL");
  CHECK_STR(P("1E-5"), "OK end=4 r@0:4", "1E-5 is REAL");
  CHECK_STR(P("0e0"), "OK end=3 r@0:3", "0e0 is REAL");
  CHECK_STR(P("-0e-0"), "OK end=5 r@0:5", "-0e-0 is REAL");
  CHECK_STR(P("9223372036854775807.0"), "OK end=21 r@0:21", "INT64_MAX.0 is REAL");
  CHECK_STR(P("92233720368547758070e-1"), "OK end=23 r@0:23",
            "20 digits with exponent is REAL");
  CHECK_STR(P("-1.5e+300"), "OK end=9 r@0:9", "-1.5e+300 is REAL");
  CHECK_STR(P("[-9223372036854775808,9223372036854775808]"),
            "OK end=42 A@0:42>3 i@1:20 b@22:19", "edges inside an array");
  CHECK_STR(P("0x10"), "OK end=1 i@0:1",
            "0x10: the number is 0, the rest is not the parser's");
  CHECK_STR(P("1.5."), "OK end=3 r@0:3", "1.5. at top level ends after 1.5");

  /* tm_json_int */
  CHECK(tm_json_int("9223372036854775807", 19) == INT64_MAX, "tm_json_int INT64_MAX");
  CHECK(tm_json_int("-9223372036854775808", 20) == INT64_MIN, "tm_json_int INT64_MIN");
  CHECK_INT(tm_json_int("-9223372036854775807", 20), -INT64_MAX,
            "tm_json_int -INT64_MAX");
  CHECK_INT(tm_json_int("0", 1), 0, "tm_json_int 0");
  CHECK_INT(tm_json_int("-0", 2), 0, "tm_json_int -0");
  CHECK_INT(tm_json_int("-1", 2), -1, "tm_json_int -1");
  CHECK_INT(tm_json_int("42", 2), 42, "tm_json_int 42");
  CHECK_INT(tm_json_int("1000000000000000000", 19), 1000000000000000000LL,
            "tm_json_int 10^18");
  CHECK_INT(tm_json_int("123,", 3), 123, "tm_json_int stops at len");
}

/* ------------------------------------------------------------------ real */

/* Check tm_json_real(s) bit for bit against `want` and its %.17g text. */
static void check_real(const char *s, double want, const char *want17) {
  double got = tm_json_real(s, strlen(s));
  char what[200], txt[64];
  snprintf(what, sizeof what, "tm_json_real(%.60s) bits", s);
  CHECK(memcmp(&got, &want, sizeof got) == 0, what);
  snprintf(txt, sizeof txt, "%.17g", got);
  snprintf(what, sizeof what, "tm_json_real(%.60s) %%.17g", s);
  CHECK_STR(txt, want17, what);
}

static void test_real(void) {
  check_real("0.1", 0.1, "0.10000000000000001");
  check_real("0.3", 0.3, "0.29999999999999999");
  check_real("3.14159", 3.14159, "3.1415899999999999");
  check_real("123.456", 123.456, "123.456");
  check_real("-1.5e-7", -1.5e-7, "-1.4999999999999999e-07");
  check_real("1e22", 1e22, "1e+22");                       /* fast path edge */
  check_real("1e23", 1e23, "9.9999999999999992e+22");      /* first slow one */
  check_real("1e-22", 1e-22, "1e-22");
  check_real("0.1e-21", 1e-22, "1e-22");
  check_real("1e-23", 1e-23, "9.9999999999999996e-24");
  check_real("1e-21", 1e-21, "9.9999999999999991e-22");
  check_real("8.41e21", 8.41e21, "8.4099999999999995e+21");
  check_real("9007199254740992e22", 9007199254740992e22, "9.007199254740992e+37");
  check_real("9007199254740991e-22", 9007199254740991e-22, "9.0071992547409914e-07");
  check_real("9007199254740993.0", 9007199254740992.0, "9007199254740992");
  check_real("9007199254740995.0", 9007199254740996.0, "9007199254740996");
  check_real("9007199254740993.0000000000000001", 9007199254740994.0, "9007199254740994");
  check_real("4503599627370497.5", 4503599627370498.0, "4503599627370498");
  check_real("1234567890123456789e-5", 12345678901234.568, "12345678901234.568");
  check_real("12345678901234567890e-5", 123456789012345.67, "123456789012345.67");
  check_real("123456789012345678901234567890.0", 1.2345678901234568e+29,
             "1.2345678901234568e+29");
  check_real("1.00000000000000011102230246251565404236316680908203125", 1.0, "1");
  check_real("1.00000000000000011102230246251565404236316680908203126",
             1.0000000000000002, "1.0000000000000002");
  check_real("0.000000000000000000000000000001", 1e-30, "1.0000000000000001e-30");
  check_real("2.2250738585072014e-308", DBL_MIN, "2.2250738585072014e-308");
  check_real("2.2250738585072011e-308", 2.2250738585072011e-308,
             "2.2250738585072009e-308");
  check_real("5e-324", 4.9406564584124654e-324, "4.9406564584124654e-324");
  check_real("4.9e-324", 4.9406564584124654e-324, "4.9406564584124654e-324");
  check_real("2.4703282292062328e-324", 4.9406564584124654e-324,
             "4.9406564584124654e-324");
  check_real("2.4703282292062327e-324", 0.0, "0");
  check_real("1.7976931348623157e308", DBL_MAX, "1.7976931348623157e+308");
  check_real("1.7976931348623158e308", DBL_MAX, "1.7976931348623157e+308");
  check_real("1.7976931348623159e308", HUGE_VAL, "inf");
  check_real("1e400", HUGE_VAL, "inf");
  check_real("1e-400", 0.0, "0");
  check_real("-0.0", -0.0, "-0");
  check_real("-0e400", -0.0, "-0");
  check_real("0e5", 0.0, "0");
  check_real("1e-0000000000000000022", 1e-22, "1e-22");
  {
    /* longer than the 128-byte stack copy: 1 followed by 150 zeros, .0 */
    char big[200];
    big[0] = '1';
    memset(big + 1, '0', 150);
    memcpy(big + 151, ".0", 3);
    check_real(big, 1e150, "9.9999999999999998e+149");
  }
  {
    /* len is honoured: the text after len is not part of the number */
    double d = tm_json_real("2.5e1xyz", 5);
    CHECK(d == 2.5e1, "tm_json_real honours len (fast path)");
    d = tm_json_real("1e231234", 4);
    CHECK(d == 1e23, "tm_json_real honours len (slow path)");
  }
}

/*
** tm_json_real must not follow the process locale. Find a locale whose
** decimal point is ','; if none is installed, build one with localedef into
** build/unit/locale (glibc reads LOCPATH at each setlocale call). Returns
** 1 when LC_NUMERIC is now such a locale.
*/
static int set_comma_locale(void) {
  static const char *const names[] = {
      "de_DE.UTF-8", "de_DE.utf8",  "de_DE",       "fr_FR.UTF-8", "fr_FR.utf8",
      "nl_NL.UTF-8", "es_ES.UTF-8", "it_IT.UTF-8", "ru_RU.UTF-8", "pt_BR.UTF-8"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (setlocale(LC_NUMERIC, names[i]) && strcmp(localeconv()->decimal_point, ",") == 0)
      return 1;
  const char *dir = "build/unit/locale";
  mkdir("build", 0755);
  mkdir("build/unit", 0755);
  mkdir(dir, 0755);
  FILE *f = fopen("build/unit/locale/comma.def", "w");
  if (!f) return 0;
  fputs("LC_NUMERIC\ndecimal_point \",\"\nthousands_sep \".\"\ngrouping 3;3\n"
        "END LC_NUMERIC\n",
        f);
  fclose(f);
  struct stat st;
  if (stat("build/unit/locale/tm_comma/LC_NUMERIC", &st) != 0) {
    int rc = system("localedef -c -i build/unit/locale/comma.def -f UTF-8 "
                    "build/unit/locale/tm_comma >/dev/null 2>&1");
    (void)rc;   /* -c exits 1 for the missing categories; setlocale decides */
  }
  setenv("LOCPATH", dir, 1);
  if (setlocale(LC_NUMERIC, "tm_comma") && strcmp(localeconv()->decimal_point, ",") == 0)
    return 1;
  setlocale(LC_NUMERIC, "C");
  return 0;
}

static void test_locale(void) {
  if (!set_comma_locale()) {
    fprintf(stderr,
            "test_json: no locale with a ',' decimal point: locale check not run\n");
    return;
  }
  /* the locale really is in force: the C library's strtod stops at '.' */
  CHECK(strtod("1.5", NULL) == 1.0, "comma locale in force (strtod(\"1.5\") == 1)");
  CHECK(tm_json_real("1.5", 3) == 1.5, "comma locale: tm_json_real 1.5 (fast path)");
  CHECK(tm_json_real("1.5e-30", 7) == 1.5e-30,
        "comma locale: tm_json_real 1.5e-30 (slow path)");
  CHECK(tm_json_real("2.2250738585072011e-308", 23) == 2.2250738585072011e-308,
        "comma locale: tm_json_real 2.2250738585072011e-308");
  CHECK(tm_json_real("0.1234567890123456789012", 24) == 0.1234567890123456789012,
        "comma locale: tm_json_real with 22 digits");
  setlocale(LC_NUMERIC, "C");
  unsetenv("LOCPATH");
}

/* ---------------------------------------------------------------- errors */

static void test_errors(void) {
  /* numbers */
  CHECK_STR(PE("01"), "ERR@0 invalid number: leading zero", "01");
  CHECK_STR(PE("-01"), "ERR@1 invalid number: leading zero", "-01");
  CHECK_STR(PE("[00]"), "ERR@1 invalid number: leading zero", "[00]");
  CHECK_STR(PE("00.5"), "ERR@0 invalid number: leading zero", "00.5");
  CHECK_STR(PE("1."),
            "ERR@2 invalid number: expected a digit after '.' but found end of input",
            "1.");
  CHECK_STR(PE("[1.]"), "ERR@3 invalid number: expected a digit after '.' but found ']'",
            "[1.]");
  CHECK_STR(PE("1.e5"), "ERR@2 invalid number: expected a digit after '.' but found 'e'",
            "1.e5");
  CHECK_STR(PE(".5"), "ERR@0 expected a value but found '.'", ".5");
  CHECK_STR(PE("-"), "ERR@1 invalid number: expected a digit but found end of input",
            "-");
  CHECK_STR(PE("-a"), "ERR@1 invalid number: expected a digit but found 'a'", "-a");
  CHECK_STR(PE("- 1"), "ERR@1 invalid number: expected a digit but found ' '", "- 1");
  CHECK_STR(PE("-Infinity"), "ERR@1 invalid number: expected a digit but found 'I'",
            "-Infinity");
  CHECK_STR(PE("+1"), "ERR@0 expected a value but found '+'", "+1");
  CHECK_STR(
      PE("1e"),
      "ERR@2 invalid number: expected a digit in the exponent but found end of input",
      "1e");
  CHECK_STR(
      PE("1e+"),
      "ERR@3 invalid number: expected a digit in the exponent but found end of input",
      "1e+");
  CHECK_STR(PE("[1e-]"),
            "ERR@4 invalid number: expected a digit in the exponent but found ']'",
            "[1e-]");
  CHECK_STR(PE("[0x10]"), "ERR@2 expected ',' or ']' but found 'x'", "[0x10]");
  CHECK_STR(PE("Infinity"), "ERR@0 expected a value but found 'I'", "Infinity");
  CHECK_STR(PE("NaN"), "ERR@0 expected a value but found 'N'", "NaN");

  /* escapes */
  CHECK_STR(PE("\"\\x\""), "ERR@1 invalid escape '\\x' in a string", "\\x");
  CHECK_STR(PE("\"ab\\a\""), "ERR@3 invalid escape '\\a' in a string", "\\a after text");
  CHECK_STR(PE("\"\\U0041\""), "ERR@1 invalid escape '\\U' in a string", "\\U");
  CHECK_STR(PE("\"\\'\""), "ERR@1 invalid escape '\\'' in a string", "\\'");
  CHECK_STR(PE("\"\\0\""), "ERR@1 invalid escape '\\0' in a string", "\\0");
  CHECK_STR(PE("\"\\\x01\""), "ERR@1 invalid escape (byte 0x01) in a string",
            "backslash + 0x01");
  CHECK_STR(PE("\"\\\xC3\xA9\""), "ERR@1 invalid escape (byte 0xC3) in a string",
            "backslash + é");
  CHECK_STR(PE("\"\\u12G4\""),
            "ERR@5 invalid \\u escape: expected a hex digit but found 'G'", "\\u12G4");
  CHECK_STR(PE("\"\\u\""),
            "ERR@3 invalid \\u escape: expected a hex digit but found '\"'", "\\u");
  CHECK_STR(PE("\"\\u00\""),
            "ERR@5 invalid \\u escape: expected a hex digit but found '\"'", "\\u00");
  CHECK_STR(PE("\"\\u-123\""),
            "ERR@3 invalid \\u escape: expected a hex digit but found '-'", "\\u-123");
  CHECK_STR(PE("\"\\u00"), "ERR@5 expected a hex digit but found end of input",
            "\\u00 at EOF");
  CHECK_STR(PE("\"\\"), "ERR@2 expected an escape but found end of input",
            "backslash at EOF");
  CHECK_STR(P("\"\\uD800\""), "OK end=8 s@1:6e", "lone surrogate escape is grammatical");
  CHECK_STR(P("\"\\uDFFF\\uD800\""), "OK end=14 s@1:12e",
            "reversed surrogates are grammatical");
  CHECK_STR(P("\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00aF\""), "OK end=24 s@1:22e",
            "every valid escape");

  /* raw control characters */
  CHECK_STR(PE("\"a\x01\""), "ERR@2 unescaped control character 0x01 in a string",
            "raw 0x01");
  CHECK_STR(PE("\"\t\""), "ERR@1 unescaped control character 0x09 in a string",
            "raw tab");
  CHECK_STR(PE("\"\n\""), "ERR@1 unescaped control character 0x0A in a string",
            "raw newline");
  CHECK_STR(PE("\"\x1f\""), "ERR@1 unescaped control character 0x1F in a string",
            "raw 0x1F");
  CHECK_STR(P("\"\x7f\""), "OK end=3 s@1:1", "raw DEL is allowed");
  CHECK_STR(P("\" ~\""), "OK end=4 s@1:2", "space and tilde are allowed");

  /* invalid UTF-8 */
  CHECK_STR(PE("\"\xC0\x80\""), "ERR@1 invalid UTF-8 byte 0xC0 in a string",
            "overlong C0 80");
  CHECK_STR(PE("\"\xC1\xBF\""), "ERR@1 invalid UTF-8 byte 0xC1 in a string",
            "overlong C1 BF");
  CHECK_STR(PE("\"\xE0\x80\x80\""), "ERR@1 invalid UTF-8 byte 0xE0 in a string",
            "overlong E0 80 80");
  CHECK_STR(PE("\"\xE0\x9F\xBF\""), "ERR@1 invalid UTF-8 byte 0xE0 in a string",
            "overlong E0 9F BF");
  CHECK_STR(PE("\"\xF0\x80\x80\x80\""), "ERR@1 invalid UTF-8 byte 0xF0 in a string",
            "overlong F0 80 80 80");
  CHECK_STR(PE("\"\xF0\x8F\xBF\xBF\""), "ERR@1 invalid UTF-8 byte 0xF0 in a string",
            "overlong F0 8F BF BF");
  CHECK_STR(PE("\"\xED\xA0\x80\""), "ERR@1 invalid UTF-8 byte 0xED in a string",
            "surrogate ED A0 80");
  CHECK_STR(PE("\"\xED\xBF\xBF\""), "ERR@1 invalid UTF-8 byte 0xED in a string",
            "surrogate ED BF BF");
  CHECK_STR(PE("\"\xF4\x90\x80\x80\""), "ERR@1 invalid UTF-8 byte 0xF4 in a string",
            "above U+10FFFF F4 90 80 80");
  CHECK_STR(PE("\"\xF5\x80\x80\x80\""), "ERR@1 invalid UTF-8 byte 0xF5 in a string",
            "F5 lead byte");
  CHECK_STR(PE("\"\xF8\x88\x80\x80\x80\""), "ERR@1 invalid UTF-8 byte 0xF8 in a string",
            "F8 lead byte");
  CHECK_STR(PE("\"\xFE\""), "ERR@1 invalid UTF-8 byte 0xFE in a string", "FE");
  CHECK_STR(PE("\"\xFF\""), "ERR@1 invalid UTF-8 byte 0xFF in a string", "FF");
  CHECK_STR(PE("\"\x80\""), "ERR@1 invalid UTF-8 byte 0x80 in a string",
            "lone continuation 80");
  CHECK_STR(PE("\"ab\xBF\""), "ERR@3 invalid UTF-8 byte 0xBF in a string",
            "lone continuation BF after text");
  CHECK_STR(PE("\"\xC3\""), "ERR@1 invalid UTF-8 byte 0xC3 in a string",
            "truncated 2-byte sequence");
  CHECK_STR(PE("\"\xE2\x82\""), "ERR@1 invalid UTF-8 byte 0xE2 in a string",
            "truncated 3-byte sequence");
  CHECK_STR(PE("\"\xF0\x9F\x98\""), "ERR@1 invalid UTF-8 byte 0xF0 in a string",
            "truncated 4-byte sequence");
  CHECK_STR(PE("\"\xE2\x82\x41\""), "ERR@1 invalid UTF-8 byte 0xE2 in a string",
            "bad third byte");
  CHECK_STR(PE("\"\xC3\xA9\xC3\""), "ERR@3 invalid UTF-8 byte 0xC3 in a string",
            "truncated after a valid char");
  CHECK_STR(PE("\"\xE2\x82"), "ERR@1 invalid UTF-8 byte 0xE2 in a string",
            "truncated sequence at EOF (final)");
  CHECK_STR(PE("{\"\xFF\":1}"), "ERR@2 invalid UTF-8 byte 0xFF in a string",
            "invalid UTF-8 in a key");
  CHECK_STR(PE("[\xFF]"), "ERR@1 expected a value but found byte 0xFF",
            "invalid byte outside strings");
  CHECK_STR(
      P("\"\xC2\x80\xDF\xBF\xE0\xA0\x80\xED\x9F\xBF\xEE\x80\x80\xEF\xBF\xBF"
        "\xF0\x90\x80\x80\xF4\x8F\xBF\xBF\""),
      "OK end=26 s@1:24",
      "boundary code points U+80 U+7FF U+800 U+D7FF U+E000 U+FFFF U+10000 U+10FFFF");

  /* literals */
  CHECK_STR(PE("tru"), "ERR@3 invalid literal: expected 'true' but found end of input",
            "tru");
  CHECK_STR(PE("trUe"), "ERR@2 invalid literal: expected 'true' but found 'U'", "trUe");
  CHECK_STR(PE("nul"), "ERR@3 invalid literal: expected 'null' but found end of input",
            "nul");
  CHECK_STR(PE("nulx"), "ERR@3 invalid literal: expected 'null' but found 'x'", "nulx");
  CHECK_STR(PE("fals"), "ERR@4 invalid literal: expected 'false' but found end of input",
            "fals");
  CHECK_STR(PE("[t]"), "ERR@2 invalid literal: expected 'true' but found ']'", "[t]");
  CHECK_STR(PE("True"), "ERR@0 expected a value but found 'T'", "True");
  CHECK_STR(PE("[truex]"), "ERR@5 expected ',' or ']' but found 'x'", "[truex]");

  /* structure */
  CHECK_STR(PE("[1,]"), "ERR@3 expected a value but found ']'",
            "trailing comma in array");
  CHECK_STR(PE("{\"a\":1,}"), "ERR@7 expected a string key but found '}'",
            "trailing comma in object");
  CHECK_STR(PE("{\"a\" 1}"), "ERR@5 expected ':' but found '1'", "missing colon");
  CHECK_STR(PE("{\"a\"}"), "ERR@4 expected ':' but found '}'", "key without value");
  CHECK_STR(PE("{\"a\":}"), "ERR@5 expected a value but found '}'",
            "colon without value");
  CHECK_STR(PE("{,}"), "ERR@1 expected a string key but found ','", "{,}");
  CHECK_STR(PE("[,1]"), "ERR@1 expected a value but found ','", "[,1]");
  CHECK_STR(PE("[1 2]"), "ERR@3 expected ',' or ']' but found '2'",
            "missing comma in array");
  CHECK_STR(PE("{\"a\":1 \"b\":2}"), "ERR@7 expected ',' or '}' but found '\"'",
            "missing comma in object");
  CHECK_STR(PE("[1}"), "ERR@2 expected ',' or ']' but found '}'", "[1}");
  CHECK_STR(PE("{\"a\":1]"), "ERR@6 expected ',' or '}' but found ']'", "{\"a\":1]");
  CHECK_STR(PE("{1:2}"), "ERR@1 expected a string key but found '1'", "number key");
  CHECK_STR(PE("{'a':1}"), "ERR@1 expected a string key but found '''",
            "single-quoted key");
  CHECK_STR(PE("["), "ERR@1 expected a value but found end of input", "[ at EOF");
  CHECK_STR(PE("{"), "ERR@1 expected a string key but found end of input", "{ at EOF");
  CHECK_STR(PE("[1"), "ERR@2 expected ',' or ']' but found end of input", "[1 at EOF");
  CHECK_STR(PE("{\"a\":1"), "ERR@6 expected ',' or '}' but found end of input",
            "{\"a\":1 at EOF");
  CHECK_STR(PE("{\"a\""), "ERR@4 expected ':' but found end of input", "{\"a\" at EOF");
  CHECK_STR(PE("\"abc"),
            "ERR@4 unterminated string: expected '\"' but found end of input",
            "unterminated string");
  CHECK_STR(PE(""), "ERR@0 expected a value but found end of input", "empty input");
  CHECK_STR(PE(" 1"), "ERR@0 expected a value but found ' '",
            "leading whitespace is the caller's");
  CHECK_STR(PE("]"), "ERR@0 expected a value but found ']'", "lone ]");
  CHECK_STR(PE("[1]]"), "OK end=3", "a second ] after a complete value is the caller's");
}

/* ------------------------------------------------------------------ NULs */

static void test_nul(void) {
  CHECK_STR(parse_n("\"a\0b\"", 5, 1, 0),
            "ERR@2 unescaped control character 0x00 in a string",
            "raw NUL inside a string (explicit length)");
  CHECK_STR(parse_n("{\"a\0\":1}", 8, 1, 0),
            "ERR@3 unescaped control character 0x00 in a string", "raw NUL inside a key");
  CHECK_STR(parse_n("1\0", 2, 1, 1), "OK end=1 i@0:1", "NUL after a top-level number");
  CHECK_STR(parse_n("12\0", 3, 0, 1), "OK end=2 i@0:2",
            "NUL after a number, final=0: the number ended");
  CHECK_STR(parse_n("{}\0garbage", 10, 1, 1), "OK end=2 O@0:2>1",
            "NUL and garbage after an object");
  CHECK_STR(parse_n("true\0", 5, 1, 1), "OK end=4 t@0:4", "NUL after a literal");
  CHECK_STR(parse_n("[1\0]", 4, 1, 0), "ERR@2 expected ',' or ']' but found byte 0x00",
            "NUL inside an array");
  CHECK_STR(parse_n("[1,\0]", 5, 1, 0), "ERR@3 expected a value but found byte 0x00",
            "NUL where a value is expected");
  CHECK_STR(parse_n("\0", 1, 1, 0), "ERR@0 expected a value but found byte 0x00",
            "NUL as the value");
  CHECK_STR(parse_n("\0", 1, 0, 0), "ERR@0 expected a value but found byte 0x00",
            "NUL as the value, final=0: an error, not MORE");
  CHECK_STR(parse_n("{\"a\"\0:1}", 8, 0, 0), "ERR@4 expected ':' but found byte 0x00",
            "NUL before a colon, final=0");
  CHECK_STR(parse_n("nu\0l", 4, 0, 0),
            "ERR@2 invalid literal: expected 'null' but found byte 0x00",
            "NUL inside a literal, final=0");
  CHECK_STR(parse_n("\"\\u0000\"", 8, 1, 1), "OK end=8 s@1:6e", "escaped NUL is fine");
}

/* ------------------------------------------------------------------ depth */

static void test_depth(void) {
  char *doc = malloc(300000);
  size_t n;

  n = 0;
  for (int i = 0; i < 1000; i++) doc[n++] = '[';
  for (int i = 0; i < 1000; i++) doc[n++] = ']';
  {
    char *b = padded(doc, n);
    size_t end = 0;
    tm_json_err err;
    int rc = tm_json_parse(b, n, 1, &g_tape, &end, &err);
    CHECK_INT(rc, TM_JSON_OK, "1000 nested arrays parse");
    CHECK_INT(end, 2000, "1000 nested arrays: end");
    CHECK_INT(g_tape.n, 1000, "1000 nested arrays: 1000 tokens");
    CHECK_INT(g_tape.tok[0].end, 1000, "1000 nested arrays: outer end index");
    CHECK_INT(g_tape.tok[999].end, 1000, "1000 nested arrays: inner end index");
    CHECK_INT(g_tape.tok[999].off, 999, "1000 nested arrays: inner offset");
    CHECK_INT(g_tape.tok[0].flags, TM_F_HASARR, "1000 nested arrays: outer HASARR");
    CHECK_INT(g_tape.tok[999].flags, 0, "1000 nested arrays: innermost has no flag");
    free(b);
  }

  n = 0;
  for (int i = 0; i < 1001; i++) doc[n++] = '[';
  for (int i = 0; i < 1001; i++) doc[n++] = ']';
  CHECK_STR(parse_n(doc, n, 1, 0), "ERR@1000 nesting deeper than 1000 levels",
            "1001 nested arrays");
  CHECK_STR(parse_n(doc, 1001, 0, 0), "ERR@1000 nesting deeper than 1000 levels",
            "1001 open arrays, final=0: an error, not MORE");

  n = 0;
  for (int i = 0; i < 100000; i++) doc[n++] = '[';
  CHECK_STR(parse_n(doc, n, 1, 0), "ERR@1000 nesting deeper than 1000 levels",
            "100000 open arrays: an error, no stack overflow");

  n = 0;
  for (int i = 0; i < 1000; i++) n += (size_t)sprintf(doc + n, "{\"a\":");
  doc[n++] = '1';
  for (int i = 0; i < 1000; i++) doc[n++] = '}';
  CHECK_STR(parse_n(doc, n, 1, 0), "OK end=6001", "1000 nested objects parse");
  CHECK_INT(g_tape.n, 2001, "1000 nested objects: 2001 tokens");

  n = 0;
  for (int i = 0; i < 1001; i++) n += (size_t)sprintf(doc + n, "{\"a\":");
  doc[n++] = '1';
  for (int i = 0; i < 1001; i++) doc[n++] = '}';
  CHECK_STR(parse_n(doc, n, 1, 0), "ERR@5000 nesting deeper than 1000 levels",
            "1001 nested objects");

  n = 0;
  for (int i = 0; i < 999; i++) doc[n++] = '[';
  n += (size_t)sprintf(doc + n, "{\"k\":[1]}");
  for (int i = 0; i < 999; i++) doc[n++] = ']';
  CHECK_STR(parse_n(doc, n, 1, 0), "ERR@1004 nesting deeper than 1000 levels",
            "999 arrays + object + array = 1001 levels");
  n = 0;
  for (int i = 0; i < 999; i++) doc[n++] = '[';
  n += (size_t)sprintf(doc + n, "{\"k\":1}");
  for (int i = 0; i < 999; i++) doc[n++] = ']';
  CHECK_STR(parse_n(doc, n, 1, 0), "OK end=2005", "999 arrays + object = 1000 levels");
  free(doc);
}

/* ------------------------------------------------------ incremental input */

/*
** Every proper prefix of a document gives MORE with final=0 and an error
** with final=1 (at the end of the input, or at the start of a multibyte
** character it cuts); the whole document gives OK.
*/
static void check_prefixes(const char *doc, size_t len) {
  char what[200], problem[300];
  problem[0] = 0;
  for (size_t k = 0; k < len && !problem[0]; k++) {
    const char *r = parse_n(doc, k, 0, 0);
    if (strcmp(r, "MORE") != 0)
      snprintf(problem, sizeof problem, "cut %zu, final=0: %s", k, r);
  }
  snprintf(what, sizeof what, "every proper prefix is MORE (final=0): %.60s", doc);
  CHECK_STR(problem[0] ? problem : "all MORE", "all MORE", what);

  int number = doc[0] == '-' || (doc[0] >= '0' && doc[0] <= '9');
  if (!number) {
    problem[0] = 0;
    for (size_t k = 0; k < len && !problem[0]; k++) {
      char *b = padded(doc, k);
      size_t end;
      tm_json_err err;
      int rc = tm_json_parse(b, k, 1, &g_tape, &end, &err);
      free(b);
      /* a cut inside a multibyte character is reported at its lead byte */
      size_t at = k;
      while (at > 0 && ((unsigned char)doc[at] & 0xC0) == 0x80) at--;
      int in_char = at < k || (k < len && ((unsigned char)doc[k] & 0xC0) == 0x80);
      if (in_char && ((unsigned char)doc[at] & 0xC0) != 0xC0) in_char = 0;
      if (rc != TM_JSON_ERROR) {
        snprintf(problem, sizeof problem, "cut %zu, final=1: rc %d", k, rc);
      } else if (in_char) {
        char want[64];
        snprintf(want, sizeof want, "invalid UTF-8 byte 0x%02X in a string",
                 (unsigned char)doc[at]);
        if (err.off != at || strcmp(err.msg, want) != 0)
          snprintf(problem, sizeof problem, "cut %zu, final=1: ERR@%zu %s", k, err.off,
                   err.msg);
      } else {
        size_t ml = strlen(err.msg);
        if (err.off != k || ml < 12 || strcmp(err.msg + ml - 12, "end of input") != 0)
          snprintf(problem, sizeof problem, "cut %zu, final=1: ERR@%zu %s", k, err.off,
                   err.msg);
      }
    }
    snprintf(what, sizeof what, "every proper prefix is an error at EOF (final=1): %.60s",
             doc);
    CHECK_STR(problem[0] ? problem : "all errors at EOF", "all errors at EOF", what);
  }

  char want[64];
  snprintf(want, sizeof want, "OK end=%zu", len);
  snprintf(what, sizeof what, "whole document, final=1: %.60s", doc);
  CHECK_STR(parse_n(doc, len, 1, 0), want, what);
  snprintf(what, sizeof what, "whole document, final=0: %.60s", doc);
  /* a top-level number may go on in the next bytes */
  CHECK_STR(parse_n(doc, len, 0, 0), number ? "MORE" : want, what);
}

static void test_incremental(void) {
  static const char *const docs[] = {
      "{\"a\":[1,-2.5e+3,true,false,null,\"x\\\"y\\u00e9\\n\"],\"b\":{\"c\":{}},\"d\":[]}",
      "[[[]],{},\"\",0,-0,1e5,1E-5,0.25]",
      "[ 1 , { \"a\" : 2 } , [ ] ]",
      "\"h\xC3\xA9llo \\u20ac \xE2\x82\xAC \xF0\x9F\x98\x80 \\uD83D\\uDE00\"",
      "{\"\xC3\xA9\":\"\xF4\x8F\xBF\xBF\"}",
      "true",
      "false",
      "null",
      "\"\"",
      "{}",
      "[]",
      "{\"k\":\"v\",\"n\":null,\"t\":true,\"f\":false}",
      "[-0.0e-0,123,4.5]",
      "-12.5e-7",
      "0",
      "123",
      "-0",
      "1E+2",
  };
  for (size_t i = 0; i < sizeof docs / sizeof *docs; i++)
    check_prefixes(docs[i], strlen(docs[i]));

  /* specific cuts with final=0 */
  CHECK_STR(parse_n("1.", 2, 0, 0), "MORE", "1. with final=0");
  CHECK_STR(parse_n("1e", 2, 0, 0), "MORE", "1e with final=0");
  CHECK_STR(parse_n("1e+", 3, 0, 0), "MORE", "1e+ with final=0");
  CHECK_STR(parse_n("-", 1, 0, 0), "MORE", "- with final=0");
  CHECK_STR(parse_n("\"\\u00", 5, 0, 0), "MORE", "cut inside \\u escape, final=0");
  CHECK_STR(parse_n("\"\\", 2, 0, 0), "MORE", "cut after backslash, final=0");
  CHECK_STR(parse_n("\"\xF0\x9F", 3, 0, 0), "MORE",
            "cut inside a 4-byte character, final=0");
  CHECK_STR(parse_n("[1 ", 3, 0, 0), "MORE", "cut in whitespace, final=0");
  CHECK_STR(parse_n("", 0, 0, 0), "MORE", "empty input, final=0");
  /* an error inside a prefix is an error even with final=0 */
  CHECK_STR(parse_n("[1,]", 4, 0, 0), "ERR@3 expected a value but found ']'",
            "errors win over MORE");
  CHECK_STR(parse_n("\"\xC0\x80", 3, 0, 0), "ERR@1 invalid UTF-8 byte 0xC0 in a string",
            "invalid lead byte at a cut, final=0: error");
  CHECK_STR(parse_n("\"\xE2\x28", 3, 0, 0), "ERR@1 invalid UTF-8 byte 0xE2 in a string",
            "bad continuation before a cut, final=0: error");
}

/* --------------------------------------------------------------- unescape */

/* Unescape s and compare with want[0..wantlen). */
static void check_unescape(const char *s, const char *want, size_t wantlen,
                           const char *what) {
  size_t n = strlen(s);
  char *dst = malloc(n ? n : 1);
  size_t got = tm_json_unescape(s, n, dst);
  char w[200];
  snprintf(w, sizeof w, "unescape %s: length", what);
  CHECK_INT(got, wantlen, w);
  snprintf(w, sizeof w, "unescape %s: bytes", what);
  CHECK(got == wantlen && memcmp(dst, want, wantlen) == 0, w);
  free(dst);
}

static void test_unescape(void) {
  check_unescape("plain text", "plain text", 10, "no escapes");
  check_unescape("", "", 0, "empty");
  check_unescape("\\\"\\\\\\/\\b\\f\\n\\r\\t", "\"\\/\b\f\n\r\t", 8, "all short escapes");
  check_unescape("a\\nb", "a\nb", 3, "escape between text");
  check_unescape("\\u0041\\u00e9\\u00E9", "A\xC3\xA9\xC3\xA9", 5,
                 "\\u 1 and 2 bytes, both hex cases");
  check_unescape("\\u07FF\\u0800", "\xDF\xBF\xE0\xA0\x80", 5, "\\u07FF \\u0800");
  check_unescape("\\u20AC\\uFFFF", "\xE2\x82\xAC\xEF\xBF\xBF", 6, "\\u20AC \\uFFFF");
  check_unescape("\\uD83D\\uDE00", "\xF0\x9F\x98\x80", 4, "surrogate pair");
  check_unescape("\\uDBFF\\uDFFF", "\xF4\x8F\xBF\xBF", 4, "highest surrogate pair");
  check_unescape("\\uD800\\uDC00", "\xF0\x90\x80\x80", 4, "lowest surrogate pair");
  check_unescape("\\uD83D", "\xEF\xBF\xBD", 3, "lone high surrogate at end");
  check_unescape("\\uD83Dx", "\xEF\xBF\xBDx", 4, "lone high surrogate before text");
  check_unescape("\\uD83D\\u0041",
                 "\xEF\xBF\xBD"
                 "A",
                 4, "high surrogate then non-surrogate");
  check_unescape("\\uD83D\\n", "\xEF\xBF\xBD\n", 4, "high surrogate then short escape");
  check_unescape("\\uDE00", "\xEF\xBF\xBD", 3, "lone low surrogate");
  check_unescape("\\uDE00\\uD83D", "\xEF\xBF\xBD\xEF\xBF\xBD", 6, "low then high");
  check_unescape("\\uD83D\\uD83D\\uDE00", "\xEF\xBF\xBD\xF0\x9F\x98\x80", 7,
                 "high, high+low");
  check_unescape("\\u0000", "\0", 1, "\\u0000 is one NUL byte");
  check_unescape("a\\u0000b", "a\0b", 3, "NUL between text");
  check_unescape("\xC3\xA9\\t\xF0\x9F\x98\x80", "\xC3\xA9\t\xF0\x9F\x98\x80", 7,
                 "raw UTF-8 kept");
  {
    /* dst of exactly len bytes is enough: a heap buffer lets ASan check it */
    const char *s = "\\u0041";
    char *dst = malloc(6);
    size_t got = tm_json_unescape(s, 6, dst);
    CHECK_INT(got, 1, "unescape writes within len bytes");
    free(dst);
    /* the source is read only up to len */
    char *src = malloc(8);
    memcpy(src, "ab\\u0041", 8);
    dst = malloc(8);
    got = tm_json_unescape(src, 8, dst);
    CHECK(got == 3 && memcmp(dst, "abA", 3) == 0,
          "unescape reads exactly len source bytes");
    free(src);
    free(dst);
  }
}

/* ------------------------------------------------------------------ skim */

/* Skim s in one go from a fresh state; "n done" or "n more". */
static const char *skim1(const char *s, uint32_t depth) {
  static char out[64];
  tm_skim k = {depth, 0, 0, 0};
  int done = -1;
  size_t n = tm_json_skim(&k, s, strlen(s), &done);
  snprintf(out, sizeof out, "%zu %s", n, done ? "done" : "more");
  return out;
}

/* Skim s fed in two chunks cut at every position: the value ends where it
** does in one go, and a chunk that ends before it says "more". */
static void skim_chunks(const char *s, size_t want, const char *what) {
  size_t len = strlen(s);
  char problem[200] = "";
  for (size_t cut = 0; cut <= len && !problem[0]; cut++) {
    tm_skim k = {0, 0, 0, 0};
    int done = -1;
    size_t n1 = tm_json_skim(&k, s, cut, &done), total = n1;
    if (done) {
      if (n1 != want) snprintf(problem, sizeof problem, "cut %zu: done at %zu", cut, n1);
      continue;
    }
    if (n1 != cut) {
      snprintf(problem, sizeof problem, "cut %zu: first chunk consumed %zu", cut, n1);
      continue;
    }
    total += tm_json_skim(&k, s + cut, len - cut, &done);
    if (!done || total != want)
      snprintf(problem, sizeof problem, "cut %zu: total %zu done %d", cut, total, done);
  }
  char w[200];
  snprintf(w, sizeof w, "skim across every chunk boundary: %s", what);
  CHECK_STR(problem[0] ? problem : "ok", "ok", w);
}

static void test_skim(void) {
  CHECK_STR(skim1("\"a\\\"b\" rest", 0), "6 done", "string with an escaped quote");
  CHECK_STR(skim1("\"a\\\\\" rest", 0), "5 done",
            "string ending in an escaped backslash");
  CHECK_STR(skim1("{\"a\":[1,{\"b\":\"]}\"}]} tail", 0), "20 done",
            "nested brackets, brackets in strings");
  CHECK_STR(skim1("[[],[[]]],", 0), "9 done", "nested arrays");
  CHECK_STR(skim1("123,", 0), "3 done", "number");
  CHECK_STR(skim1("-1.5e+3 ", 0), "7 done", "number with sign and exponent");
  CHECK_STR(skim1("true]", 0), "4 done", "literal before ]");
  CHECK_STR(skim1("null}", 0), "4 done", "literal before }");
  CHECK_STR(skim1("  [1] x", 0), "5 done", "leading whitespace is skimmed");
  CHECK_STR(skim1("]", 0), "0 done", "] at depth 0 is not consumed");
  CHECK_STR(skim1(",1", 0), "0 done", ", is not a value");
  CHECK_STR(skim1("123", 0), "3 more", "number at the end of a chunk may go on");
  CHECK_STR(skim1("[1,2", 0), "4 more", "open array at the end of a chunk");
  CHECK_STR(skim1("\"abc", 0), "4 more", "open string at the end of a chunk");
  CHECK_STR(skim1("1,2]}, \"x\"", 2), "5 done", "starting inside two brackets");
  CHECK_STR(skim1("\"}\"]}", 1), "4 done",
            "starting inside a bracket, bracket in a string");
  CHECK_STR(skim1("{\"a\":[}, 3, 4] , 5", 0), "14 done",
            "unbalanced: ends where brackets balance");

  skim_chunks("{\"a\":\"x\\\"}\",\"b\":[1,{\"c\":\"\\\\\"}]} tail", 31,
              "object with escapes");
  skim_chunks("\"a\\\"b\\\\\" tail", 8, "top-level string with escapes");
  skim_chunks("[[\"]\"],\"[\"] ", 11, "brackets inside strings");
  skim_chunks("  -12.5e+3,", 10, "number with leading whitespace");

  /* many small chunks: one byte at a time */
  {
    const char *s = "{\"k\":[\"\\\"\",{\"x\":\"}\"}]},";
    tm_skim k = {0, 0, 0, 0};
    size_t total = 0, i = 0;
    int done = 0;
    for (; i < strlen(s) && !done; i++) total += tm_json_skim(&k, s + i, 1, &done);
    CHECK_INT(total, 22, "skim one byte at a time: length");
    CHECK_INT(done, 1, "skim one byte at a time: done");
  }
}

int main(void) {
  test_locale();   /* first, so the C locale object is made under ',' */
  test_tokens();
  test_numbers();
  test_real();
  test_errors();
  test_nul();
  test_depth();
  test_incremental();
  test_unescape();
  test_skim();
  tm_json_tape_free(&g_tape);
  return check_failures != 0;
}
