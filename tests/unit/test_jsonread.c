/*
** test_jsonread.c: record framing (src/jsonread.c) through real files:
** tm_src_open + tm_jsonread_open + tm_jsonread_next.
**
** Small cases compare a transcript of everything the reader returned:
**
**   <fmt>: #<number>@<offset> <text> | !<record> L<line>:C<col> B<byte> <msg> | END
**
** where <fmt> is the format after sniffing (jsonl, json, values), records
** are "#", bad records "!", a fatal error "FATAL ...". Control characters
** of record text are shown as \n, \r, \t.
*/
#define _GNU_SOURCE   /* mkdtemp, mkfifo */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "check.h"
#include "util.h"
#include "jsonread.h"

static void s_printf(str *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#include <stdarg.h>
static void s_printf(str *s, const char *fmt, ...) {
  char buf[1024];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  s_put(s, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

static void s_text(str *s, const char *p, size_t n) {
  if (n > 300) {   /* a large record: its size and an FNV-1a hash */
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)p[i]) * 16777619u;
    s_printf(s, "<%zu bytes %08x>", n, h);
    return;
  }
  for (size_t i = 0; i < n; i++) {
    if (p[i] == '\n') s_put(s, "\\n", 2);
    else if (p[i] == '\r') s_put(s, "\\r", 2);
    else if (p[i] == '\t') s_put(s, "\\t", 2);
    else s_put(s, p + i, 1);
  }
}

/* Open a reader on `path`. NULL with the message in err on failure. */
static tm_jsonread *open_path(const char *path, int format, const char *root,
                              size_t max_record, char *err, size_t errlen) {
  tm_source *src = tm_src_open(path, TM_COMP_AUTO, err, errlen);
  if (!src) return NULL;
  tm_rec_config cfg = {format, root, max_record};
  return tm_jsonread_open(src, &cfg, err, errlen);
}

/* Open a reader on g_path. */
static tm_jsonread *open_reader(int format, const char *root, size_t max_record,
                                char *err, size_t errlen) {
  return open_path(g_path, format, root, max_record, err, errlen);
}

static const char *fmt_name(int f) {
  return f == TM_FMT_JSONL ? "jsonl" : f == TM_FMT_JSON ? "json" : "values";
}

static void describe_error(str *t, const tm_rec_error *e) {
  s_printf(t, "%llu L%llu:C%llu B%llu %s", (unsigned long long)e->record,
           (unsigned long long)e->line, (unsigned long long)e->col,
           (unsigned long long)e->offset, e->msg);
}

static str g_t;
static void feed_tell(void);

/* Read the file at `path` to the end and return the transcript. */
static const char *transcript_path(const char *path, int format, const char *root,
                                   size_t max_record) {
  char err[600];
  g_t.n = 0;
  s_put(&g_t, "", 0);
  tm_jsonread *r = open_path(path, format, root, max_record, err, sizeof err);
  if (!r) {
    s_printf(&g_t, "OPEN-ERR %s", err);
    return g_t.p;
  }
  s_printf(&g_t, "%s:", fmt_name(tm_jsonread_format(r)));
  for (int i = 0; i < 1000; i++) {
    tm_record rec;
    int rc = tm_jsonread_next(r, &rec);
    if (rc == TM_REC_OK) {
      s_printf(&g_t, " #%llu@%llu ", (unsigned long long)rec.number,
               (unsigned long long)rec.offset);
      s_text(&g_t, rec.text, rec.len);
      s_put(&g_t, " |", 2);
      feed_tell();
    } else if (rc == TM_REC_BAD) {
      s_put(&g_t, " !", 2);
      describe_error(&g_t, tm_jsonread_error(r));
      s_put(&g_t, " |", 2);
      feed_tell();
    } else if (rc == TM_REC_FATAL) {
      s_put(&g_t, " FATAL ", 7);
      describe_error(&g_t, tm_jsonread_error(r));
      break;
    } else {
      s_put(&g_t, " END", 4);
      /* the end is sticky */
      if (tm_jsonread_next(r, &rec) != TM_REC_END) s_put(&g_t, " (END not sticky)", 17);
      break;
    }
  }
  tm_jsonread_close(r);
  return g_t.p;
}

/* The transcript of the file at g_path. */
static const char *transcript_file(int format, const char *root, size_t max_record) {
  return transcript_path(g_path, format, root, max_record);
}

static const char *T(const char *content, int format, const char *root,
                     size_t max_record) {
  write_file(g_path, content, strlen(content));
  return transcript_file(format, root, max_record);
}

static const char *TN(const char *content, size_t n, int format, const char *root,
                      size_t max_record) {
  write_file(g_path, content, n);
  return transcript_file(format, root, max_record);
}

#define BIG ((size_t)64 << 20)

/* One transcript case: the file's content (a C string), the format and
** root= it is read with (max_record is BIG), the transcript expected and
** the check's name. */
typedef struct tcase {
  const char *content;
  int format;
  const char *root;
  const char *want;
  const char *what;
} tcase;

static void check_transcripts(const tcase *cases, size_t n) {
  for (size_t i = 0; i < n; i++)
    CHECK_STR(T(cases[i].content, cases[i].format, cases[i].root, BIG), cases[i].want,
              cases[i].what);
}

/* ----------------------------------------------------------------- JSONL */

static void test_jsonl(void) {
  static const tcase cases[] = {
      {"{\"a\":1}\n\n  \n[2]\r\n\"x\"\n\n", TM_FMT_JSONL, NULL,
       "jsonl: #1@0 {\"a\":1} | #2@12 [2] | #3@17 \"x\" | END",
       "jsonl: blank lines skipped, CRLF, records numbered consecutively"},
      {"1\n2", TM_FMT_JSONL, NULL, "jsonl: #1@0 1 | #2@2 2 | END",
       "jsonl: no final newline"},
      {"", TM_FMT_JSONL, NULL, "jsonl: END", "jsonl: empty file has no records"},
      {"\n\n \r\n\t\n", TM_FMT_JSONL, NULL, "jsonl: END",
       "jsonl: whitespace-only file has no records"},
      {"{\"a\":1}\r\n{\"b\":2}\r\n", TM_FMT_JSONL, NULL,
       "jsonl: #1@0 {\"a\":1} | #2@9 {\"b\":2} | END", "jsonl: CRLF lines"},
      {"{\"a\":1}\n{\"b\":2} {\"c\":3}\n{\"d\":4}\n", TM_FMT_JSONL, NULL,
       "jsonl: #1@0 {\"a\":1} | !2 L2:C9 B16 unexpected content after the value on this line |"
       " #3@24 {\"d\":4} | END",
       "jsonl: two values on a line is an error; the next line is read"},
      {"1\r\n2 3\r\n4", TM_FMT_JSONL, NULL,
       "jsonl: #1@0 1 | !2 L2:C3 B5 unexpected content after the value on this line |"
       " #3@8 4 | END",
       "jsonl: two values on a CRLF line"},
      {"{\"a\":1}\n{\"a\":\n{\"a\":3}", TM_FMT_JSONL, NULL,
       "jsonl: #1@0 {\"a\":1} | !2 L2:C6 B13 expected a value but found end of input |"
       " #3@14 {\"a\":3} | END",
       "jsonl: a value cut by its line end"},
      {"{\n\"a\":1}\n[1]\n", TM_FMT_JSONL, NULL,
       "jsonl: !1 L1:C2 B1 expected a string key but found end of input |"
       " !2 L2:C4 B5 unexpected content after the value on this line | #3@9 [1] | END",
       "jsonl: a pretty-printed object is two bad lines with format=jsonl"},
      {"[1,\n2]\n", TM_FMT_JSONL, NULL,
       "jsonl: !1 L1:C4 B3 expected a value but found end of input |"
       " !2 L2:C2 B5 unexpected content after the value on this line | END",
       "jsonl: an array split over lines"},
      {"\"a\tb\"\n2\n", TM_FMT_JSONL, NULL,
       "jsonl: !1 L1:C3 B2 unescaped control character 0x09 in a string | #2@6 2 | END",
       "jsonl: raw tab in a string"},
      {"[1]\n[2]x\n[3]\n", TM_FMT_JSONL, NULL,
       "jsonl: #1@0 [1] | !2 L2:C4 B7 unexpected content after the value on this line |"
       " #3@9 [3] | END",
       "jsonl: garbage glued to a value"},
      {"1\n\xEF\xBB\xBF"
       "2\n",
       TM_FMT_JSONL, NULL,
       "jsonl: #1@0 1 | !2 L2:C1 B2 expected a value but found byte 0xEF | END",
       "jsonl: a BOM that is not at the start is an error"},
  };
  check_transcripts(cases, sizeof cases / sizeof *cases);
  CHECK_STR(
      TN("1\n\0\n3\n", 6, TM_FMT_JSONL, NULL, BIG),
      "jsonl: #1@0 1 | !2 L2:C1 B2 expected a value but found byte 0x00 | #3@4 3 | END",
      "jsonl: a NUL byte line is data, not an end");

  /* the last error's snippet */
  {
    write_file(g_path, "{\"a\":1}\n{\"b\":2} {\"c\":3}\n", 24);
    char err[600];
    tm_jsonread *r = open_reader(TM_FMT_JSONL, NULL, BIG, err, sizeof err);
    tm_record rec;
    tm_jsonread_next(r, &rec);
    CHECK_INT(tm_jsonread_next(r, &rec), TM_REC_BAD, "snippet case: bad record");
    CHECK_STR(tm_jsonread_error(r)->snippet, "{\"b\":2} {\"c\":3}",
              "snippet: the line of the error");
    tm_jsonread_close(r);
    write_file(g_path, "[1]\n[\"\t\", 1 2]\n", 15);
    r = open_reader(TM_FMT_JSONL, NULL, BIG, err, sizeof err);
    tm_jsonread_next(r, &rec);
    tm_jsonread_next(r, &rec);
    CHECK_STR(tm_jsonread_error(r)->snippet, "[\"?\", 1 2]",
              "snippet: control characters shown as ?");
    tm_jsonread_close(r);
  }

  /* tm_jsonread_reject: a record found bad after parsing */
  {
    write_file(g_path, "1\n2\n3\n", 6);
    char err[600];
    tm_jsonread *r = open_reader(TM_FMT_JSONL, NULL, BIG, err, sizeof err);
    tm_record rec;
    tm_jsonread_next(r, &rec);
    tm_jsonread_next(r, &rec);
    tm_jsonread_reject(r, &rec, "no usable id");
    g_t.n = 0;
    s_put(&g_t, "", 0);
    describe_error(&g_t, tm_jsonread_error(r));
    CHECK_STR(g_t.p, "2 L2:C1 B2 no usable id",
              "tm_jsonread_reject names the record, line, col, byte");
    CHECK_INT(tm_jsonread_next(r, &rec), TM_REC_OK,
              "reading goes on after a rejected record");
    CHECK_INT(rec.number, 3, "the record after a rejected one is 3");
    tm_jsonread_close(r);
  }
}

/* ------------------------------------------------------------ format=json */

static void test_json_doc(void) {
  static const tcase cases[] = {
      {"[{\"a\":1}, 2, \"x\", [3], null]", TM_FMT_JSON, NULL,
       "json: #1@1 {\"a\":1} | #2@10 2 | #3@13 \"x\" | #4@18 [3] | #5@23 null | END",
       "json: array elements are records"},
      {"{\"a\":1}\n", TM_FMT_JSON, NULL, "json: #1@0 {\"a\":1} | END",
       "json: a single object is one record"},
      {"  42  ", TM_FMT_JSON, NULL, "json: #1@2 42 | END",
       "json: a single scalar is one record"},
      {"[]", TM_FMT_JSON, NULL, "json: END", "json: [] has no records"},
      {" \n[ \n ]\n ", TM_FMT_JSON, NULL, "json: END", "json: [ ] with whitespace"},
      {"[[]]", TM_FMT_JSON, NULL, "json: #1@1 [] | END", "json: [[]] has one record"},
      {"[1,2] x", TM_FMT_JSON, NULL,
       "json: #1@1 1 | #2@3 2 | !3 L1:C7 B6 unexpected content after the JSON document | END",
       "json: trailing garbage after an array"},
      {"{\"a\":1} {\"b\":2}", TM_FMT_JSON, NULL,
       "json: #1@0 {\"a\":1} | !2 L1:C9 B8 unexpected content after the JSON document | END",
       "json: a second value is an error"},
      {"<html>\n<body>x</body>\n", TM_FMT_JSON, NULL,
       "json: !1 L1:C1 B0 expected a value but found '<' | END",
       "json: a file that is not JSON is one bad record"},
      {"", TM_FMT_JSON, NULL, "json: !1 L1:C1 B0 no JSON value in the input | END",
       "json: an empty file is an error"},
      {"  \n ", TM_FMT_JSON, NULL, "json: !1 L2:C2 B4 no JSON value in the input | END",
       "json: a whitespace-only file is an error"},
      {"[1,2", TM_FMT_JSON, NULL,
       "json: #1@1 1 | #2@3 2 | !3 L1:C5 B4 unexpected end of input: expected ',' or ']' | END",
       "json: array cut after an element"},
      {"[", TM_FMT_JSON, NULL,
       "json: !1 L1:C2 B1 unexpected end of input: expected a value or ']' | END",
       "json: array cut after ["},
      {"[1,", TM_FMT_JSON, NULL,
       "json: #1@1 1 | !2 L1:C4 B3 unexpected end of input: expected a value | END",
       "json: array cut after a comma"},
      {"[1,{\"a\":tru},3]", TM_FMT_JSON, NULL,
       "json: #1@1 1 | !2 L1:C12 B11 invalid literal: expected 'true' but found '}' |"
       " #3@13 3 | END",
       "json: a bad element is skipped, the next one read"},
      {"[1,,2]", TM_FMT_JSON, NULL,
       "json: #1@1 1 | !2 L1:C4 B3 expected a value but found ',' | #3@4 2 | END",
       "json: an empty element"},
      {"[1,{\"a\":[},3,4]", TM_FMT_JSON, NULL,
       "json: #1@1 1 | !2 L1:C10 B9 expected a value but found '}' |"
       " !3 L1:C16 B15 unexpected end of input: expected ',' or ']' | END",
       "json: unbalanced damage loses the elements up to where brackets balance"},
      {"[1,{\"a\":[},3,{\"b\":]},5]", TM_FMT_JSON, NULL,
       "json: #1@1 1 | !2 L1:C10 B9 expected a value but found '}' | #3@21 5 | END",
       "json: brackets balance again: reading resumes after them"},
      {"[1 2,3]", TM_FMT_JSON, NULL,
       "json: #1@1 1 | !2 L1:C4 B3 expected ',' or ']' after an element but found '2' |"
       " #3@5 3 | END",
       "json: a missing comma: the lost piece and the next element have distinct numbers"},
      {"[\n  {\"a\": 1},\n  {\"a\": 2 \"b\"},\n  {\"a\": 3}\n]\n", TM_FMT_JSON, NULL,
       "json: #1@4 {\"a\": 1} | !2 L3:C11 B24 expected ',' or '}' but found '\"' |"
       " #3@32 {\"a\": 3} | END",
       "json: pretty array with a bad element: line and column"},
  };
  check_transcripts(cases, sizeof cases / sizeof *cases);
  CHECK_STR(
      TN("{\"a\":1}\n\0", 9, TM_FMT_JSON, NULL, BIG),
      "json: #1@0 {\"a\":1} | !2 L2:C1 B8 unexpected content after the JSON document | END",
      "json: a NUL byte after the document is content, an error");
}

/* ------------------------------------------------------------ format=auto */

static void test_auto(void) {
  static const tcase cases[] = {
      {"{\"a\":1}\n{\"a\":2}\n", TM_FMT_AUTO, NULL,
       "jsonl: #1@0 {\"a\":1} | #2@8 {\"a\":2} | END", "auto: JSON Lines"},
      {"{\n  \"a\": 1\n}\n{\n  \"a\": 2\n}\n", TM_FMT_AUTO, NULL,
       "values: #1@0 {\\n  \"a\": 1\\n} | #2@13 {\\n  \"a\": 2\\n} | END",
       "auto: pretty-printed objects one after another"},
      {"{\"a\":1}\n", TM_FMT_AUTO, NULL, "json: #1@0 {\"a\":1} | END",
       "auto: a single object is a document"},
      {"{\n  \"a\": 1\n}\n", TM_FMT_AUTO, NULL, "json: #1@0 {\\n  \"a\": 1\\n} | END",
       "auto: a single pretty object is a document"},
      {"[1,2,3]\n", TM_FMT_AUTO, NULL, "json: #1@1 1 | #2@3 2 | #3@5 3 | END",
       "auto: a single array is streamed element by element"},
      {"[1,2]\n[3]\n", TM_FMT_AUTO, NULL, "jsonl: #1@0 [1,2] | #2@6 [3] | END",
       "auto: JSON Lines of arrays"},
      {"1 2 3", TM_FMT_AUTO, NULL, "values: #1@0 1 | #2@2 2 | #3@4 3 | END",
       "auto: values on one line"},
      {"{\"a\":1}{\"b\":2}", TM_FMT_AUTO, NULL,
       "values: #1@0 {\"a\":1} | #2@7 {\"b\":2} | END", "auto: values glued together"},
      {"\"x\"", TM_FMT_AUTO, NULL, "json: #1@0 \"x\" | END", "auto: a lone string"},
      {"", TM_FMT_AUTO, NULL, "jsonl: END", "auto: empty file has no records"},
      {" \n\n", TM_FMT_AUTO, NULL, "jsonl: END", "auto: whitespace-only file"},
      {"{\"a\":}\n{\"b\":1}\n", TM_FMT_AUTO, NULL,
       "jsonl: !1 L1:C6 B5 expected a value but found '}' | #2@7 {\"b\":1} | END",
       "auto: a bad first line of JSON Lines"},
      {"{\"a\":}", TM_FMT_AUTO, NULL,
       "json: !1 L1:C6 B5 expected a value but found '}' | END",
       "auto: a lone bad document"},
      {"  {\"a\":1}\n  {\"a\":2}\n", TM_FMT_AUTO, NULL,
       "jsonl: #1@2 {\"a\":1} | #2@12 {\"a\":2} | END", "auto: indented JSON Lines"},
  };
  check_transcripts(cases, sizeof cases / sizeof *cases);
}

/* ---------------------------------------------------------------- BOM */

static void test_bom(void) {
  static const tcase cases[] = {
      {"\xEF\xBB\xBF{\"a\":1}\n{\"a\":2}\n", TM_FMT_AUTO, NULL,
       "jsonl: #1@3 {\"a\":1} | #2@11 {\"a\":2} | END", "BOM then JSON Lines"},
      {"\xEF\xBB\xBF[1]", TM_FMT_JSON, NULL, "json: #1@4 1 | END", "BOM then a document"},
      {"\xEF\xBB\xBF{\"a\":}", TM_FMT_JSON, NULL,
       "json: !1 L1:C9 B8 expected a value but found '}' | END",
       "BOM: columns and offsets count its bytes"},
      {"\xEF\xBB\xBF", TM_FMT_AUTO, NULL, "jsonl: END", "BOM only: no records"},
      {"\xEF\xBB\xBF", TM_FMT_JSON, NULL,
       "json: !1 L1:C4 B3 no JSON value in the input | END", "BOM only, format=json"},
      {"\xEF\xBB\xBF{\n \"a\": 1\n}\n{\n \"a\": 2\n}\n", TM_FMT_AUTO, NULL,
       "values: #1@3 {\\n \"a\": 1\\n} | #2@15 {\\n \"a\": 2\\n} | END",
       "BOM then pretty values"},
  };
  check_transcripts(cases, sizeof cases / sizeof *cases);
}

/* ------------------------------------------------------------------ root */

static void test_root(void) {
  static const tcase cases[] = {
      {"{\"x\":1,\"a\":{\"y\":[1,2],\"b\":[{\"r\":1},{\"r\":2}],\"z\":3},\"w\":[4]}",
       TM_FMT_AUTO, "a.b", "values: #1@27 {\"r\":1} | #2@35 {\"r\":2} | END",
       "root=a.b found"},
      {"{\"x\":1,\"a\":{\"y\":[1,2],\"b\":[{\"r\":1},{\"r\":2}],\"z\":3},\"w\":[4]}",
       TM_FMT_JSON, "a.b", "json: #1@27 {\"r\":1} | #2@35 {\"r\":2} | END",
       "root=a.b with format=json"},
      {"{\"a\":{\"c\":1}}", TM_FMT_AUTO, "a.b",
       "values: !1 L1:C13 B12 root path 'a.b' not found in the document | END",
       "root=a.b not found"},
      {"{\"a\":{\"c\":1}}\n{\"a\":{\"b\":[5]}}\n", TM_FMT_AUTO, "a.b",
       "values: !1 L1:C13 B12 root path 'a.b' not found in the document | #2@25 5 | END",
       "root=a.b: a document without the path counts as a record; the next one is record 2"},
      {"{\"a\":[1]}", TM_FMT_AUTO, "a.b",
       "values: !1 L1:C6 B5 root path 'a.b' not found: a step of the path is not an object | END",
       "root=a.b: a is not an object"},
      {"[1,2]", TM_FMT_AUTO, "a",
       "values: !1 L1:C1 B0 root path 'a' not found: the document is not an object | END",
       "root=a: the document is an array"},
      {"{\"a\":{\"b\":{\"k\":1}}}", TM_FMT_AUTO, "a.b", "values: #1@10 {\"k\":1} | END",
       "root value that is an object is the one record"},
      {"{\"a\":5}", TM_FMT_AUTO, "a", "values: #1@5 5 | END",
       "root value that is a scalar is the one record"},
      {"{\"a\":[]}", TM_FMT_AUTO, "a", "values: END", "root array empty"},
      {"{\"\\u0061\":[1]}", TM_FMT_AUTO, "a", "values: #1@11 1 | END",
       "root key matched after unescaping"},
      {"{\"a.b\":[1]}", TM_FMT_AUTO, "a.b",
       "values: !1 L1:C12 B11 root path 'a.b' not found in the document | END",
       "a key containing '.' cannot be named"},
      {"{\"a\\u0000\":[1],\"a\":[2]}", TM_FMT_AUTO, "a", "values: #1@20 2 | END",
       "a key with a NUL does not match"},
      {"{\"d\":[1,2]}\n{\"d\":[3]}\n{\"e\":1}\n{\"d\":[4]}\n", TM_FMT_AUTO, "d",
       "values: #1@6 1 | #2@8 2 | #3@18 3 | !4 L3:C8 B29 root path 'd' not found in the document |"
       " #5@36 4 | END",
       "root= over JSON Lines: each document; one without the path"},
      {"{\"d\":[1]}\n{\"d\":[2]}\n", TM_FMT_JSONL, "d", "jsonl: #1@6 1 | #2@16 2 | END",
       "root= with format=jsonl"},
      {"{\"d\":[1,{\"x\":tru},3],\"e\":0}", TM_FMT_AUTO, "d",
       "values: #1@6 1 | !2 L1:C17 B16 invalid literal: expected 'true' but found '}' |"
       " #3@18 3 | END",
       "root array with a bad element"},
      {"{\"a\":1,\"d\":[1]", TM_FMT_AUTO, "d",
       "values: #1@12 1 | !2 L1:C15 B14 unexpected end of input: expected '}' to close the document | END",
       "root: document cut after the root array"},
      {"{\"a\":1,", TM_FMT_AUTO, "d",
       "values: !1 L1:C8 B7 unexpected end of input: expected a key | END",
       "root: document cut while looking for the key"},
  };
  check_transcripts(cases, sizeof cases / sizeof *cases);

  /* huge siblings before and after the root array, at two levels */
  {
    str c = {0};
    s_put(&c, "{\"big\":\"", 8);
    for (int i = 0; i < 2 * 1024 * 1024 / 64; i++)
      s_put(&c, "xxxxxxxxxxxxxxx\\\"xxxxxxxxxxxxxxxxxxxx]}xxxxxxxxxxxxxxxxxxxxxxxxx", 64);
    s_put(&c, "\",\"pre\":[", 9);
    for (int i = 0; i < 40000; i++) s_put(&c, "{\"k\":[1,{\"q\":\"}\"}]},", 20);
    s_put(&c, "0],\"a\":{\"skip\":{\"d\":[0]},\"d\":", 29);
    size_t at = c.n;
    s_put(&c, "[{\"i\":0},{\"i\":1}]", 17);
    s_put(&c, ",\"post\":{\"s\":\"", 14);
    for (int i = 0; i < 2 * 1024 * 1024 / 16; i++) s_put(&c, "yyyyyyy[yyyyyyy{", 16);
    s_put(&c, "\"}},\"tail\":[[[]]]}\n", 19);
    write_file(g_path, c.p, c.n);
    char want[200];
    snprintf(want, sizeof want, "values: #1@%zu {\"i\":0} | #2@%zu {\"i\":1} | END",
             at + 1, at + 9);
    CHECK_STR(transcript_file(TM_FMT_AUTO, "a.d", BIG), want,
              "root=a.d past 2 MiB siblings before and after");
    snprintf(want, sizeof want, "json: #1@%zu {\"i\":0} | #2@%zu {\"i\":1} | END", at + 1,
             at + 9);
    CHECK_STR(transcript_file(TM_FMT_JSON, "a.d", 4096), want,
              "root=a.d: skipped siblings do not count against max_record");
    free(c.p);
  }
}

/* ----------------------------------------------- big files, line numbers */

/* Line i of the generated JSON Lines file (length varies from 2 to ~3000). */
static size_t gen_line(char *out, unsigned i) {
  size_t n = (size_t)sprintf(out, "{\"i\":%u,\"s\":\"", i);
  size_t pad = (i * 7919u) % 3000u;
  memset(out + n, 'a' + (char)(i % 26), pad);
  n += pad;
  n += (size_t)sprintf(out + n, "\"}");
  return n;
}

/* Read r to the end into g_t: each bad record's error, record 70003 (the
** last of test_big's file), then END or FATAL. */
static void errors_and_last(tm_jsonread *r) {
  g_t.n = 0;
  s_put(&g_t, "", 0);
  tm_record rec;
  int rc;
  while ((rc = tm_jsonread_next(r, &rec)) != TM_REC_END && rc != TM_REC_FATAL) {
    if (rc == TM_REC_BAD) {
      s_put(&g_t, "!", 1);
      describe_error(&g_t, tm_jsonread_error(r));
      s_put(&g_t, " | ", 3);
    } else if (rec.number == 70003) {
      s_printf(&g_t, "#%llu@%llu %.*s | ", (unsigned long long)rec.number,
               (unsigned long long)rec.offset, (int)rec.len, rec.text);
    }
  }
  s_put(&g_t, rc == TM_REC_END ? "END" : "FATAL", rc == TM_REC_END ? 3 : 5);
}

static void test_big(void) {
  /* JSON Lines of about 4.5 MiB: every record comes back whole, with its
     offset, across the buffer refills */
  {
    str c = {0};
    unsigned nlines = 3000;
    size_t *offs = malloc(nlines * sizeof *offs);
    char line[4096];
    for (unsigned i = 0; i < nlines; i++) {
      offs[i] = c.n;
      size_t n = gen_line(line, i);
      s_put(&c, line, n);
      s_put(&c, i % 3 ? "\n" : "\r\n", i % 3 ? 1 : 2);
    }
    write_file(g_path, c.p, c.n);
    for (int pass = 0; pass < 3; pass++) {
      int format = pass == 0 ? TM_FMT_JSONL : TM_FMT_AUTO;
      char err[600], problem[200] = "";
      tm_jsonread *r = open_reader(format, NULL, BIG, err, sizeof err);
      tm_record rec;
      unsigned k = 0;
      int rc;
      while ((rc = tm_jsonread_next(r, &rec)) == TM_REC_OK && !problem[0]) {
        size_t n = gen_line(line, k);
        if (rec.number != k + 1 || rec.offset != offs[k] || rec.len != n ||
            memcmp(rec.text, line, n) != 0)
          snprintf(problem, sizeof problem, "record %u: number %llu offset %llu len %zu",
                   k, (unsigned long long)rec.number, (unsigned long long)rec.offset,
                   rec.len);
        k++;
      }
      char what[100];
      snprintf(what, sizeof what,
               "4.5 MiB of JSON Lines (%s): records whole and in place",
               pass == 0 ? "format=jsonl" : "format=auto");
      CHECK_STR(problem[0] ? problem : "ok", "ok", what);
      snprintf(what, sizeof what, "4.5 MiB of JSON Lines (%s): count and end",
               pass == 0 ? "format=jsonl" : "format=auto");
      CHECK(k == nlines && rc == TM_REC_END, what);
      if (pass == 1)
        CHECK_INT(tm_jsonread_format(r), TM_FMT_JSONL,
                  "4.5 MiB of JSON Lines sniffed as jsonl");
      tm_jsonread_close(r);
    }

    /* the same lines as the elements of one array, and as pretty values */
    for (int pretty = 0; pretty < 2; pretty++) {
      str d = {0};
      if (!pretty) s_put(&d, "[", 1);
      for (unsigned i = 0; i < nlines; i++) {
        offs[i] = d.n;
        size_t n = gen_line(line, i);
        if (pretty) {
          /* {"i":N,"s":"..."} -> {\n"i":N,\n"s":"..."\n} */
          char *comma = strchr(line, ',');
          s_put(&d, "{\n", 2);
          s_put(&d, line + 1, (size_t)(comma - line));
          s_put(&d, "\n", 1);
          s_put(&d, comma + 1, n - (size_t)(comma - line) - 2);
          s_put(&d, "\n}\n", 3);
        } else {
          s_put(&d, line, n);
          s_put(&d, i + 1 < nlines ? ",\n " : "]\n", 2);
        }
      }
      write_file(g_path, d.p, d.n);
      char err[600], problem[200] = "";
      tm_jsonread *r = open_reader(TM_FMT_AUTO, NULL, BIG, err, sizeof err);
      tm_record rec;
      unsigned k = 0;
      int rc;
      while ((rc = tm_jsonread_next(r, &rec)) == TM_REC_OK && !problem[0]) {
        size_t n = gen_line(line, k);
        int ok = rec.number == k + 1 && rec.offset == offs[k];
        if (ok && !pretty) ok = rec.len == n && memcmp(rec.text, line, n) == 0;
        if (ok && pretty)
          ok = rec.len == n + 3 && rec.text[0] == '{' && rec.text[rec.len - 1] == '}';
        if (!ok)
          snprintf(problem, sizeof problem, "record %u: number %llu offset %llu len %zu",
                   k, (unsigned long long)rec.number, (unsigned long long)rec.offset,
                   rec.len);
        k++;
      }
      CHECK_STR(problem[0] ? problem : "ok", "ok",
                pretty ? "4.5 MiB of pretty values: records whole and in place"
                       : "4.5 MiB array: elements whole and in place");
      CHECK(k == nlines && rc == TM_REC_END,
            pretty ? "4.5 MiB of pretty values: count and end"
                   : "4.5 MiB array: count and end");
      CHECK_INT(tm_jsonread_format(r), pretty ? TM_FMT_AUTO : TM_FMT_JSON,
                pretty ? "4.5 MiB of pretty values sniffed as values"
                       : "4.5 MiB array sniffed as a document");
      tm_jsonread_close(r);
      free(d.p);
    }
    free(offs);
    free(c.p);
  }

  /* errors deep in a file: line, column and byte after > 1 MiB */
  {
    str c = {0};
    char line[128];
    unsigned n = 40000;   /* ~1.3 MiB before the first error */
    for (unsigned i = 0; i < n; i++) {
      int k = sprintf(line, "{\"i\":%u,\"pad\":\"%.*s\"}\n", i, (int)(i % 7), "xxxxxxx");
      s_put(&c, line, (size_t)k);
    }
    size_t e1 = c.n;
    s_put(&c, "{\"i\":1,}\n", 9);                 /* error at col 8 */
    for (unsigned i = 0; i < 30000; i++) s_put(&c, "[1,2,3]\n", 8);
    size_t e2 = c.n;
    s_put(&c, "\t [1,2 3]\n", 10);                /* error at col 8 */
    s_put(&c, "{\"last\":true}", 13);             /* no final newline */
    write_file(g_path, c.p, c.n);
    char want[600];
    /* 40000 + 1 + 30000 + 1 + 1 = 70003 records */
    snprintf(
        want, sizeof want,
        "!40001 L40001:C8 B%zu expected a string key but found '}' |"
        " !70002 L70002:C8 B%zu expected ',' or ']' but found '3' | #70003@%zu {\"last\":true} | END",
        e1 + 7, e2 + 7, e2 + 10);
    for (int fmt = 0; fmt < 2; fmt++) {
      char err[600];
      tm_jsonread *r =
          open_reader(fmt ? TM_FMT_AUTO : TM_FMT_JSONL, NULL, BIG, err, sizeof err);
      errors_and_last(r);
      CHECK_STR(g_t.p, want,
                fmt ? "errors after > 1 MiB (format=auto): line, col, byte"
                    : "errors after > 1 MiB (format=jsonl): line, col, byte");
      tm_jsonread_close(r);
    }

    /* the same content gzip-compressed: offsets in the inflated content */
    char gzpath[200];
    snprintf(gzpath, sizeof gzpath, "%s/deep.jsonl.gz", g_dir);
    gzFile gz = gzopen(gzpath, "wb");
    gzwrite(gz, c.p, (unsigned)c.n);
    gzclose(gz);
    char err[600];
    tm_source *src = tm_src_open(gzpath, TM_COMP_AUTO, err, sizeof err);
    tm_rec_config cfg = {TM_FMT_AUTO, NULL, BIG};
    tm_jsonread *r = tm_jsonread_open(src, &cfg, err, sizeof err);
    errors_and_last(r);
    CHECK_STR(g_t.p, want, "errors after > 1 MiB of gzip content: same line, col, byte");
    tm_jsonread_close(r);
    unlink(gzpath);

    /* a pretty array: an element bad on line 100001 */
    str d = {0};
    s_put(&d, "[\n", 2);
    for (unsigned i = 0; i < 100000; i++) s_put(&d, "  {\"v\": 1},\n", 12);
    size_t e3 = d.n;
    s_put(&d, "  {\"v\": 1 2},\n  {\"v\": 3}\n]\n", 27);
    write_file(g_path, d.p, d.n);
    r = open_reader(TM_FMT_AUTO, NULL, BIG, err, sizeof err);
    unsigned ok = 0;
    g_t.n = 0;
    s_put(&g_t, "", 0);
    tm_record rec;
    int rc;
    while ((rc = tm_jsonread_next(r, &rec)) != TM_REC_END && rc != TM_REC_FATAL) {
      if (rc == TM_REC_OK) ok++;
      else describe_error(&g_t, tm_jsonread_error(r));
    }
    snprintf(want, sizeof want,
             "100001 L100002:C11 B%zu expected ',' or '}' but found '2'", e3 + 10);
    CHECK_STR(g_t.p, want, "pretty array: error on line 100002 after 1.2 MiB");
    CHECK_INT(ok, 100001, "pretty array: the other 100001 elements are records");
    tm_jsonread_close(r);
    free(d.p);
    free(c.p);
  }

  /* a first array longer than the 1 MiB sniffing window is one document */
  {
    str c = {0};
    s_put(&c, "[", 1);
    for (int i = 0; i < 600000; i++) s_put(&c, "1,", 2);
    s_put(&c, "1]\n", 3);
    size_t second = c.n;
    s_put(&c, "[2]\n", 4);
    write_file(g_path, c.p, c.n);
    char err[600];
    tm_jsonread *r = open_reader(TM_FMT_AUTO, NULL, BIG, err, sizeof err);
    CHECK_INT(tm_jsonread_format(r), TM_FMT_JSON,
              "first array > 1 MiB: taken as one document");
    tm_record rec;
    int rc;
    unsigned ok = 0;
    g_t.n = 0;
    s_put(&g_t, "", 0);
    while ((rc = tm_jsonread_next(r, &rec)) != TM_REC_END && rc != TM_REC_FATAL) {
      if (rc == TM_REC_OK) ok++;
      else describe_error(&g_t, tm_jsonread_error(r));
    }
    CHECK_INT(ok, 600001, "first array > 1 MiB: its elements are the records");
    char want[200];
    snprintf(want, sizeof want,
             "600002 L2:C1 B%zu unexpected content after the JSON document", second);
    CHECK_STR(g_t.p, want, "first array > 1 MiB: a second line is an error");
    tm_jsonread_close(r);

    r = open_reader(TM_FMT_JSONL, NULL, BIG, err, sizeof err);
    ok = 0;
    while ((rc = tm_jsonread_next(r, &rec)) == TM_REC_OK) ok++;
    CHECK(ok == 2 && rc == TM_REC_END,
          "first array > 1 MiB with format=jsonl: two records");
    tm_jsonread_close(r);

    /* a smaller first array followed by more lines is JSON Lines */
    c.n = 0;
    s_put(&c, "[", 1);
    for (int i = 0; i < 50000; i++) s_put(&c, "1,", 2);
    s_put(&c, "1]\n[2]\n", 7);
    write_file(g_path, c.p, c.n);
    r = open_reader(TM_FMT_AUTO, NULL, BIG, err, sizeof err);
    CHECK_INT(tm_jsonread_format(r), TM_FMT_JSONL,
              "first array of 100 KB then more lines: JSON Lines");
    ok = 0;
    while ((rc = tm_jsonread_next(r, &rec)) == TM_REC_OK) ok++;
    CHECK(ok == 2 && rc == TM_REC_END,
          "first array of 100 KB then more lines: two records");
    tm_jsonread_close(r);
    free(c.p);
  }
}

/* ------------------------------------------------------------ max_record */

static void test_max_record(void) {
  char x200[256];
  memset(x200, 'x', 200);
  x200[200] = 0;
  char doc[1024];
  snprintf(doc, sizeof doc, "[1]\n\"%s\"\n[3]\n", x200);
  CHECK_STR(
      T(doc, TM_FMT_JSONL, NULL, 100),
      "jsonl: #1@0 [1] | !2 L2:C1 B4 record larger than max_record (100 bytes); raise max_record |"
      " #3@207 [3] | END",
      "jsonl: a line over max_record is an error naming it; the next line is read");
  {
    /* a value of exactly max_record bytes is fine, one more is not */
    char v100[128], v101[128];
    snprintf(v100, sizeof v100, "\"%.98s\"", x200);
    snprintf(v101, sizeof v101, "\"%.99s\"", x200);
    snprintf(doc, sizeof doc, "%s\n%s\n", v100, v101);
    const char *t = T(doc, TM_FMT_JSONL, NULL, 100);
    CHECK(
        strncmp(t, "jsonl: #1@0 \"", 13) == 0 &&
            strstr(
                t,
                "| !2 L2:C1 B101 record larger than max_record (100 bytes); raise max_record | END"),
        "jsonl: exactly max_record is allowed, one byte more is not");
  }
  {
    /* max_record limits the record (the value), not the CR or spaces after it */
    char v100[128];
    snprintf(v100, sizeof v100, "\"%.98s\"", x200);
    snprintf(doc, sizeof doc, "%s\r\n%s  \n", v100, v100);
    char want[600];
    snprintf(want, sizeof want, "jsonl: #1@0 %s | #2@102 %s | END", v100, v100);
    CHECK_STR(
        T(doc, TM_FMT_JSONL, NULL, 100), want,
        "jsonl: a value of exactly max_record bytes followed by CR or spaces is allowed");
  }
  snprintf(doc, sizeof doc, "[1,\"%s\",3]", x200);
  CHECK_STR(
      T(doc, TM_FMT_JSON, NULL, 100),
      "json: #1@1 1 | !2 L1:C4 B3 record larger than max_record (100 bytes); raise max_record |"
      " #3@206 3 | END",
      "json: an element over max_record is skipped; the next element is read");
  snprintf(doc, sizeof doc, "{\n\"a\": 1\n}\n{\n\"s\": \"%s\"\n}\n{\n\"a\": 3\n}\n",
           x200);
  CHECK_STR(
      T(doc, TM_FMT_AUTO, NULL, 100),
      "values: #1@0 {\\n\"a\": 1\\n} | !2 L4:C1 B11 record larger than max_record (100 bytes);"
      " raise max_record | #3@223 {\\n\"a\": 3\\n} | END",
      "values: a value over max_record is skipped; the next value is read");

  /* records far larger than the buffer */
  {
    size_t big = 3 * 1024 * 1024;
    str c = {0};
    s_put(&c, "[1]\n\"", 5);
    for (size_t i = 0; i < big; i += 64)
      s_put(&c, "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", 64);
    s_put(&c, "\"\n[3]\n", 6);
    size_t third = c.n - 4;
    write_file(g_path, c.p, c.n);
    char want[300];
    snprintf(
        want, sizeof want,
        "jsonl: #1@0 [1] | !2 L2:C1 B4 record larger than max_record (1048576 bytes); raise max_record |"
        " #3@%zu [3] | END",
        third);
    CHECK_STR(transcript_file(TM_FMT_JSONL, NULL, 1 << 20), want,
              "jsonl: a 3 MiB line over max_record=1M; the next line is read");

    c.n = 0;
    s_put(&c, "[1,\"", 4);
    for (size_t i = 0; i < big; i += 64)
      s_put(&c, "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", 64);
    s_put(&c, "\",3]", 4);
    write_file(g_path, c.p, c.n);
    snprintf(
        want, sizeof want,
        "json: #1@1 1 | !2 L1:C4 B3 record larger than max_record (1048576 bytes); raise max_record |"
        " #3@%zu 3 | END",
        c.n - 2);
    CHECK_STR(transcript_file(TM_FMT_JSON, NULL, 1 << 20), want,
              "json: a 3 MiB element over max_record=1M; the next element is read");

    /* and within the limit, a 3 MiB record is read whole */
    tm_jsonread *r;
    char err[600];
    r = open_reader(TM_FMT_JSON, NULL, 4 << 20, err, sizeof err);
    tm_record rec;
    tm_jsonread_next(r, &rec);
    CHECK_INT(tm_jsonread_next(r, &rec), TM_REC_OK,
              "json: a 3 MiB element within max_record=4M");
    CHECK(rec.len == big + 2 && rec.offset == 3 && rec.text[0] == '"' &&
              rec.text[rec.len - 1] == '"',
          "json: the 3 MiB element is whole");
    CHECK_INT(rec.tape->n, 1, "json: the 3 MiB element is one token");
    tm_jsonread_close(r);
    free(c.p);
  }
}

/* --------------------------------------------------- recovery: values */

static void test_recovery_values(void) {
  static const tcase cases[] = {
      {"{\n  \"a\": 1\n}\n{\n  \"a\": tru\n}\n{\n  \"a\": 3\n}\n", TM_FMT_AUTO, NULL,
       "values: #1@0 {\\n  \"a\": 1\\n} | !2 L5:C11 B25 invalid literal: expected 'true' but found byte 0x0A |"
       " #3@28 {\\n  \"a\": 3\\n} | END",
       "values: a bad value; reading resumes at the next line starting with {"},
      {"{\n \"ok\": 1\n}\n{\"a\": [\n{\"x\": 1}\n], \"b\": tru}\n{\"c\": 3}\n",
       TM_FMT_AUTO, NULL,
       "values: #1@0 {\\n \"ok\": 1\\n} | !2 L6:C12 B41 invalid literal: expected 'true' but found '}' |"
       " #3@21 {\"x\": 1} | !4 L6:C1 B30 expected a value but found ']' | #5@43 {\"c\": 3} | END",
       "values: the pieces of a bad value that start lines with { come back as records"},
      {"{\n\"ok\": 1\n}\n{\"a\": [\n{\"x\": 1}\n], \"b\":\ntru}\n{\"c\": 3}\n",
       TM_FMT_AUTO, NULL,
       "values: #1@0 {\\n\"ok\": 1\\n} | !2 L7:C4 B40 invalid literal: expected 'true' but found '}' |"
       " #3@20 {\"x\": 1} | !4 L6:C1 B29 expected a value but found ']' | #5@42 {\"c\": 3} | END",
       "values: an error on a line before an earlier error's line still names its own line"},
      {"{\n\"a\": 1\n}\n  {\"b\": x}\n  {\"c\": 2}\n[3]\n", TM_FMT_AUTO, NULL,
       "values: #1@0 {\\n\"a\": 1\\n} | !2 L4:C9 B19 expected a value but found 'x' | #3@33 [3] | END",
       "values: indented values are not resync points"},
      {"{\n\"a\": 1\n}\n{\"b\": 1\n", TM_FMT_AUTO, NULL,
       "values: #1@0 {\\n\"a\": 1\\n} | !2 L5:C1 B19 expected ',' or '}' but found end of input | END",
       "values: the last value cut by the end of the file"},
  };
  check_transcripts(cases, sizeof cases / sizeof *cases);
}

/* -------------------------------------------------------------- fatal */

static void test_fatal(void) {
  /* a truncated gzip file: the records before the damage, then FATAL */
  const char *content = "1\n2\n3\n";
  char gzpath[200];
  snprintf(gzpath, sizeof gzpath, "%s/t.gz", g_dir);
  gzFile gz = gzopen(gzpath, "wb");
  gzwrite(gz, content, 6);
  gzclose(gz);
  FILE *f = fopen(gzpath, "rb");
  unsigned char buf[256];
  size_t n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  write_file(g_path, buf, n - 4);
  CHECK_STR(
      transcript_file(TM_FMT_JSONL, NULL, BIG),
      "jsonl: #1@0 1 | #2@2 2 | #3@4 3 | FATAL 4 L4:C1 B6 truncated gzip data (the file ends inside a gzip member)",
      "truncated gzip: the records, then a fatal error");
  {
    char err[600];
    tm_jsonread *r = open_reader(TM_FMT_JSONL, NULL, BIG, err, sizeof err);
    tm_record rec;
    int rc;
    while ((rc = tm_jsonread_next(r, &rec)) == TM_REC_OK) {}
    CHECK_INT(rc, TM_REC_FATAL, "fatal: first report");
    CHECK_INT(tm_jsonread_next(r, &rec), TM_REC_FATAL, "fatal: sticky");
    tm_jsonread_close(r);
  }
  write_file(g_path, "\x1f\x8b", 2);
  CHECK_STR(
      transcript_file(TM_FMT_AUTO, NULL, BIG),
      "jsonl: FATAL 1 L1:C1 B0 truncated gzip data (the file ends inside a gzip member)",
      "a gzip file broken before its first record: the first read says where");
  unlink(gzpath);
}

/* ---------------------------------------------------------- short reads */

/*
** Content fed through a FIFO by a thread, in small uneven pieces, so that
** the reader gets many short reads as from a pipe. Each step waits until
** the reader has handed out `after` records: a record held back until
** more input comes would keep the writer waiting (60 s at most, then it
** goes on and `stalled` says so).
*/
typedef struct feed_step {
  const char *p;
  size_t n;
  unsigned after;     /* records handed out before this step is written */
  int pause_ms;       /* and a pause before it, for the reader to take
                         what came before on its own */
} feed_step;

typedef struct feed {
  char path[160];
  const feed_step *step;
  int nstep;
  pthread_mutex_t mu;
  pthread_cond_t cond;
  unsigned handed;    /* records (good or bad) the reader handed out */
  int stalled;        /* the writer gave up waiting for one */
} feed;

static feed *g_feed;   /* told of every record transcript_path sees, if set */

/* The reader handed out a record: the writer may go on. */
static void feed_tell(void) {
  if (!g_feed) return;
  pthread_mutex_lock(&g_feed->mu);
  g_feed->handed++;
  pthread_cond_broadcast(&g_feed->cond);
  pthread_mutex_unlock(&g_feed->mu);
}

/* Wait until `after` records are out (60 s at most: then stalled). */
static void feed_wait(feed *f, unsigned after) {
  struct timespec until;
  clock_gettime(CLOCK_REALTIME, &until);
  until.tv_sec += 60;
  pthread_mutex_lock(&f->mu);
  while (f->handed < after && !f->stalled)
    if (pthread_cond_timedwait(&f->cond, &f->mu, &until) == ETIMEDOUT) f->stalled = 1;
  pthread_mutex_unlock(&f->mu);
}

/* Write n bytes in pieces of 1 to 6007 bytes, yielding between them so
** that the reader takes them a few at a time. */
static int feed_write(int fd, const char *p, size_t n) {
  static const size_t sizes[] = {1, 5, 211, 4099, 3, 64, 6007, 17};
  for (size_t off = 0, i = 0; off < n; i++) {
    size_t k = sizes[i % 8] < n - off ? sizes[i % 8] : n - off;
    ssize_t w = write(fd, p + off, k);
    if (w < 0 && errno != EINTR) return -1;   /* the reader stopped early */
    if (w > 0) off += (size_t)w;
    sched_yield();
  }
  return 0;
}

/* The writer thread: each step in turn, then the end of the content. */
static void *feed_main(void *arg) {
  feed *f = arg;
  int fd = open(f->path, O_WRONLY);
  if (fd < 0) return NULL;
  for (int i = 0; i < f->nstep; i++) {
    feed_wait(f, f->step[i].after);
    struct timespec pause = {0, f->step[i].pause_ms * 1000000L};
    nanosleep(&pause, NULL);
    if (feed_write(fd, f->step[i].p, f->step[i].n)) break;
  }
  close(fd);
  return NULL;
}

/* The transcript of the steps read through a FIFO; *stalled is set when a
** record whole in the pipe was not handed out before the next step. */
static const char *transcript_fifo(const feed_step *step, int nstep, int format,
                                   const char *root, size_t max_record, int *stalled) {
  feed f = {.step = step, .nstep = nstep};
  snprintf(f.path, sizeof f.path, "%s/fifo", g_dir);
  unlink(f.path);
  if (mkfifo(f.path, 0600) != 0) return "mkfifo failed";
  pthread_mutex_init(&f.mu, NULL);
  pthread_cond_init(&f.cond, NULL);
  pthread_t th;
  pthread_create(&th, NULL, feed_main, &f);
  g_feed = &f;
  const char *t = transcript_path(f.path, format, root, max_record);
  g_feed = NULL;
  pthread_join(th, NULL);
  pthread_cond_destroy(&f.cond);
  pthread_mutex_destroy(&f.mu);
  unlink(f.path);
  *stalled = f.stalled;
  return t;
}

/* Content and, built alongside it, the transcript expected of it. */
typedef struct build {
  str c, want;
  unsigned n;         /* records so far */
} build;

/* Append text that is no record (brackets, blanks, separators). */
static void b_put(build *b, const char *p) { s_put(&b->c, p, strlen(p)); }

/* Append a good record. */
static void b_record(build *b, const char *p, size_t n) {
  s_printf(&b->want, " #%u@%zu ", ++b->n, b->c.n);
  s_text(&b->want, p, n);
  s_put(&b->want, " |", 2);
  s_put(&b->c, p, n);
}

/* Expect record `record` to be reported bad at content offset `at` (line
** and column counted in the content). */
static void b_error(build *b, unsigned record, size_t at, const char *msg) {
  size_t line = 1, start = 0;
  for (size_t i = 0; i < at; i++)
    if (b->c.p[i] == '\n') line++, start = i + 1;
  s_printf(&b->want, " !%u L%zu:C%zu B%zu %s |", record, line, at - start + 1, at, msg);
}

/* Append a bad record whose error is `off` bytes into it. */
static void b_bad(build *b, const char *p, size_t n, size_t off, const char *msg) {
  s_put(&b->c, p, n);
  b_error(b, ++b->n, b->c.n - n + off, msg);
}

/* A value of about `size` bytes: {"a":[{"x":0,"y":"v0"},...]}. */
static void big_object(str *s, size_t size) {
  s->n = 0;
  s_put(s, "{\"a\":[", 6);
  for (unsigned i = 0; s->n < size; i++)
    s_printf(s, "%s{\"x\":%u,\"y\":\"v%u\"}", i ? "," : "", i, i);
  s_put(s, "]}", 2);
}

/* A value of `size` bytes that breaks at its end: `head` then ones, then
** `tail`. */
static void broken_value(str *s, const char *head, size_t size, const char *tail) {
  s->n = 0;
  s_put(s, head, strlen(head));
  while (s->n + strlen(tail) + 2 < size) s_put(s, "1,", 2);
  s_put(s, "1", 1);
  s_put(s, tail, strlen(tail));
}

#define MAXREC  ((size_t)768 << 10)
#define TOO_BIG "record larger than max_record (786432 bytes); raise max_record"

/* Read b's content from a file and through a FIFO; both must give the
** transcript built with it, headed by `fmt`. */
static void check_both(const build *b, const char *fmt, int format, const char *root,
                       const char *what) {
  char *want = malloc(b->want.n + 32), ww[200];
  sprintf(want, "%s:%s END", fmt, b->want.p);
  write_file(g_path, b->c.p, b->c.n);
  snprintf(ww, sizeof ww, "%s, from a file", what);
  CHECK_STR(transcript_file(format, root, MAXREC), want, ww);
  feed_step step = {b->c.p, b->c.n, 0, 0};
  int stalled;
  snprintf(ww, sizeof ww, "%s, through a pipe in short reads", what);
  CHECK_STR(transcript_fifo(&step, 1, format, root, MAXREC, &stalled), want, ww);
  free(want);
}

/* JSON Lines with records of hundreds of KB, a bad one, one over max_record. */
static void test_short_lines(str *big, str *tmp) {
  build b = {0};
  b_record(&b, "{\"i\":1}", 7);
  b_put(&b, "\n");
  b_record(&b, big->p, big->n);
  b_put(&b, "\r\n");
  broken_value(tmp, "{\"a\":[", 300000, ", x]}");
  b_bad(&b, tmp->p, tmp->n, tmp->n - 3, "expected a value but found 'x'");
  b_put(&b, "\n\n");
  broken_value(tmp, "\"", 3 * MAXREC / 2, "\"");   /* a string over max_record */
  b_bad(&b, tmp->p, tmp->n, 0, TOO_BIG);
  b_put(&b, "\n");
  b_record(&b, "{\"i\":5}", 7);   /* no final newline */
  check_both(&b, "jsonl", TM_FMT_JSONL, NULL,
             "jsonl: large lines, a bad one, one over max_record");
  check_both(&b, "jsonl", TM_FMT_AUTO, NULL,
             "auto: large lines, a bad one, one over max_record");
  free(b.c.p);
  free(b.want.p);
}

/*
** One JSON array: elements of hundreds of KB, one over max_record, and a broken
** one whose brackets do not balance, so that only parsing again once the
** bytes doubled finds its error before the end.
*/
static void build_short_doc(build *b, str *big, str *tmp) {
  b_put(b, "[");
  b_record(b, "{\"i\":1}", 7);
  b_put(b, ",\n ");
  b_record(b, big->p, big->n);
  b_put(b, ",\n ");
  broken_value(tmp, "\"", 3 * MAXREC / 2, "\"");   /* a string over max_record */
  b_bad(b, tmp->p, tmp->n, 0, TOO_BIG);
  b_put(b, ",");
  b_record(b, "{\"i\":4}", 7);
  b_put(b, ",\n");
  broken_value(tmp, "{\"a\":[", 300000, "}");
  b_bad(b, tmp->p, tmp->n, tmp->n - 1, "expected ',' or ']' but found '}'");
  b_put(b, ",\n ");   /* skipped with it, up to the final ']' */
  s_put(&b->c, big->p, big->n);
  b_put(b, ",{\"i\":7}]\n");
  b_error(b, ++b->n, b->c.n, "unexpected end of input: expected ',' or ']'");
}

/* The array of build_short_doc, plain and as gzip. */
static void test_short_doc(str *big, str *tmp) {
  build b = {0};
  build_short_doc(&b, big, tmp);
  check_both(&b, "json", TM_FMT_JSON, NULL,
             "json: large elements, one over max_record, one broken");
  check_both(&b, "json", TM_FMT_AUTO, NULL,
             "auto: large elements, one over max_record, one broken");
  char gzpath[200];
  snprintf(gzpath, sizeof gzpath, "%s/doc.gz", g_dir);
  gzFile gz = gzopen(gzpath, "wb");
  gzwrite(gz, b.c.p, (unsigned)b.c.n);
  gzclose(gz);
  FILE *f = fopen(gzpath, "rb");
  build z = {0};
  char chunk[65536];
  size_t n;
  while (f && (n = fread(chunk, 1, sizeof chunk, f)) > 0) s_put(&z.c, chunk, n);
  if (f) fclose(f);
  unlink(gzpath);
  z.want = b.want;   /* the same records: offsets are in the inflated content */
  check_both(&z, "json", TM_FMT_JSON, NULL,
             "json, gzip: large elements, one over max_record, one broken");
  free(z.c.p);
  free(b.c.p);
  free(b.want.p);
}

/* Pretty-printed values, and root= through a large skipped sibling. */
static void test_short_values(str *big, str *tmp) {
  build b = {0};
  b_record(&b, "{\n\"i\": 1\n}", 10);
  b_put(&b, "\n");
  b_record(&b, big->p, big->n);   /* on one line: what breaks lines is the others */
  b_put(&b, "\n");
  broken_value(tmp, "{\n\"a\": [", 300000, ", x]\n}");
  b_bad(&b, tmp->p, tmp->n, tmp->n - 4, "expected a value but found 'x'");
  b_put(&b, "\n");
  b_record(&b, "{\n\"i\": 4\n}", 10);
  b_put(&b, "\n");
  check_both(&b, "values", TM_FMT_AUTO, NULL, "values: large values, a bad one");

  build r = {0};
  b_put(&r, "{\"meta\": ");
  s_put(&r.c, big->p, big->n);
  b_put(&r, ", \"data\": {\"items\": [");
  b_record(&r, "{\"i\":1}", 7);
  b_put(&r, ", ");
  b_record(&r, big->p, big->n);
  b_put(&r, "]}}\n");
  check_both(&r, "values", TM_FMT_AUTO, "data.items",
             "root=data.items past a large sibling");
  free(b.c.p);
  free(b.want.p);
  free(r.c.p);
  free(r.want.p);
}

/*
** A slow producer: a record whole in the pipe is handed out before any
** more input comes (the writer waits for it before writing on), in each
** format, small or of hundreds of KB.
*/
static void test_short_live(str *big) {
  build b = {0};
  b_record(&b, big->p, big->n);
  b_put(&b, "\n");
  b_record(&b, "{\"i\":2}", 7);
  b_put(&b, "\n");
  size_t cut = big->n + 1;
  feed_step lines[] = {{b.c.p, cut, 0, 0}, {b.c.p + cut, b.c.n - cut, 1, 0}};
  int stalled;
  char want[300];
  snprintf(want, sizeof want, "jsonl:%s END", b.want.p);
  CHECK_STR(transcript_fifo(lines, 2, TM_FMT_JSONL, NULL, BIG, &stalled), want,
            "live jsonl: records");
  CHECK_INT(stalled, 0, "live jsonl: a whole line is handed out before the next comes");

  build d = {0};
  b_put(&d, "[");
  b_record(&d, big->p, big->n);
  b_put(&d, ",");
  cut = d.c.n;
  b_record(&d, "{\"i\":2}", 7);
  b_put(&d, "]");
  feed_step doc[] = {{d.c.p, cut, 0, 0}, {d.c.p + cut, d.c.n - cut, 1, 0}};
  snprintf(want, sizeof want, "json:%s END", d.want.p);
  CHECK_STR(transcript_fifo(doc, 2, TM_FMT_JSON, NULL, BIG, &stalled), want,
            "live json: records");
  CHECK_INT(stalled, 0,
            "live json: a whole large element is handed out before the next comes");

  build v = {0};
  b_record(&v, "{\n\"i\": 1\n}", 10);
  b_put(&v, "\n");
  b_record(&v, big->p, big->n);
  b_put(&v, "\n");
  cut = v.c.n;
  b_record(&v, "{\n\"i\": 3\n}", 10);
  feed_step values[] = {{v.c.p, cut, 0, 0}, {v.c.p + cut, v.c.n - cut, 2, 0}};
  snprintf(want, sizeof want, "values:%s END", v.want.p);
  CHECK_STR(transcript_fifo(values, 2, TM_FMT_AUTO, NULL, BIG, &stalled), want,
            "live values: records");
  CHECK_INT(stalled, 0,
            "live values: a whole large value is handed out before the next comes");
  free(b.c.p);
  free(b.want.p);
  free(d.c.p);
  free(d.want.p);
  free(v.c.p);
  free(v.want.p);
}

/*
** format=auto on a first line that is broken: JSON Lines if more lines
** follow, even when the reader has the first line alone at first.
*/
static void test_short_sniff(void) {
  const char *first = "{\"i\":1,}\n", *rest = "{\"i\":2}\n";
  feed_step steps[] = {{first, strlen(first), 0, 0}, {rest, strlen(rest), 0, 200}};
  int stalled;
  CHECK_STR(
      transcript_fifo(steps, 2, TM_FMT_AUTO, NULL, BIG, &stalled),
      "jsonl: !1 L1:C8 B7 expected a string key but found '}' | #2@9 {\"i\":2} | END",
      "auto: a broken first line, the next one later: JSON Lines");
}

/* Records of hundreds of KB in short reads: the same records as from a file. */
static void test_short_reads(void) {
  signal(SIGPIPE, SIG_IGN);   /* a reader that stops early fails a check, not the run */
  str big = {0}, tmp = {0};
  big_object(&big, 600000);   /* over half the first buffer: it grows */
  test_short_lines(&big, &tmp);
  test_short_doc(&big, &tmp);
  test_short_values(&big, &tmp);
  test_short_live(&big);
  test_short_sniff();
  free(big.p);
  free(tmp.p);
}

int main(void) {
  if (tmp_dir_make("tm_records", "input")) return 1;
  test_jsonl();
  test_json_doc();
  test_auto();
  test_bom();
  test_root();
  test_max_record();
  test_recovery_values();
  test_fatal();
  test_big();
  test_short_reads();
  tmp_dir_remove();
  free(g_t.p);
  return check_failures != 0;
}
