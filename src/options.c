/*
** options.c: the option registry and the parser declared in options.h.
**
** Both forms are copied into one block (opts->store) and cut in place, so
** every string option points into it and lives as long as the tm_opts.
*/
#define _POSIX_C_SOURCE 200809L   /* strdup */
#include "options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The words of the options that take one. */
static const tm_opt_word opt_formats[] = {
    {"auto", TM_FMT_AUTO}, {"jsonl", TM_FMT_JSONL}, {"json", TM_FMT_JSON}, {NULL, 0}};
static const tm_opt_word opt_comps[] = {
    {"auto", TM_COMP_AUTO}, {"none", TM_COMP_NONE}, {"gzip", TM_COMP_GZIP}, {NULL, 0}};
static const tm_opt_word opt_arrays[] = {{"json", TM_ARRAYS_JSON},
                                         {"child", TM_ARRAYS_CHILD},
                                         {"skip", TM_ARRAYS_SKIP},
                                         {NULL, 0}};
static const tm_opt_word opt_errors[] = {
    {"raise", TM_ERRORS_RAISE}, {"skip", TM_ERRORS_SKIP}, {NULL, 0}};
static const tm_opt_word opt_types[] = {
    {"infer", TM_TYPES_INFER}, {"text", TM_TYPES_TEXT}, {NULL, 0}};
static const tm_opt_word opt_modes[] = {{"create", TM_MODE_CREATE},
                                        {"replace", TM_MODE_REPLACE},
                                        {"append", TM_MODE_APPEND},
                                        {NULL, 0}};
static const tm_opt_word opt_out_formats[] = {
    {"csv", TM_OUT_CSV}, {"jsonl", TM_OUT_JSONL}, {NULL, 0}};
static const tm_opt_word opt_out_comps[] = {{"none", 0}, {"gzip", 1}, {NULL, 0}};

/* The field a row fills, and the functions that read a JSON file (every
** function today; not a writer of query results, to come). */
#define OPT_FIELD(f) offsetof(tm_opts, f)
#define OPT_SCANS \
  (TM_FN_CREATE | TM_FN_EACH | TM_FN_TABLES | TM_FN_COLUMNS | TM_FN_ERRORS | TM_FN_EXPORT)

/* The registry: one row per option, in the order of README's table. */
const tm_opt_def tm_opt_defs[] = {
    {.name = "name",
     .kind = TM_OPT_TEXT,
     .field = OPT_FIELD(o.name),
     .fns = TM_FN_EACH | TM_FN_TABLES | TM_FN_COLUMNS | TM_FN_ERRORS,
     .expected = "a non-empty table name",
     .unset = "file base name",
     .doc =
         "the main table's name, prefix of the child tables (a CREATE's is the table's own)"},
    {.name = "format",
     .kind = TM_OPT_WORD,
     .field = OPT_FIELD(o.format),
     .words = opt_formats,
     .def = "auto",
     .fns = OPT_SCANS,
     .catalog = 1,
     .doc = "the input's format: `jsonl`, `json` or `auto` (see Inputs)"},
    {.name = "compression",
     .kind = TM_OPT_WORD,
     .field = OPT_FIELD(o.compression),
     .words = opt_comps,
     .def = "auto",
     .fns = OPT_SCANS,
     .catalog = 1,
     .doc =
         "the input's compression: `gzip`, `none`, or `auto` (gzip when the file starts with gzip's magic bytes)"},
    {.name = "root",
     .kind = TM_OPT_PATH,
     .field = OPT_FIELD(o.root),
     .fns = OPT_SCANS,
     .catalog = 1,
     .expected = "a path of keys joined by '.', such as data.items",
     .doc =
         "path of keys to the record array inside each document, e.g. `root=statuses`, `root=data.items`"},
    {.name = "separator",
     .kind = TM_OPT_TEXT,
     .field = OPT_FIELD(o.separator),
     .def = "_",
     .fns = OPT_SCANS,
     .catalog = 1,
     .expected = "a non-empty string",
     .doc = "joins path segments in column and table names"},
    {.name = "arrays",
     .kind = TM_OPT_WORD,
     .field = OPT_FIELD(o.arrays),
     .words = opt_arrays,
     .def = "json",
     .fns = OPT_SCANS,
     .catalog = 1,
     .doc =
         "arrays without objects: `json` (one JSON text column), `child` (a child table with a `value` column), `skip` (dropped)"},
    {.name = "max_depth",
     .kind = TM_OPT_INT,
     .field = OPT_FIELD(o.max_depth),
     .lo = 1,
     .hi = TM_JSON_MAX_DEPTH,
     .def = "64",
     .fns = OPT_SCANS,
     .catalog = 1,
     .doc = "containers nested deeper than this stay JSON text (1 to 1000)"},
    {.name = "max_columns",
     .kind = TM_OPT_INT,
     .field = OPT_FIELD(o.max_columns),
     .lo = 1,
     .hi = 1990,
     .def = "1000",
     .fns = OPT_SCANS,
     .catalog = 1,
     .doc = "per table, columns plus child tables (1 to 1990); see maps"},
    {.name = "sample",
     .kind = TM_OPT_COUNT,
     .field = OPT_FIELD(o.sample),
     .lo = 1,
     .hi = INT64_MAX,
     .def = "all",
     .fns = TM_FN_CREATE | TM_FN_TABLES | TM_FN_COLUMNS | TM_FN_EXPORT,
     .catalog = 1,
     .expected = "'all' or a positive number of records",
     .doc = "records read to infer the schema: `all` or a count"},
    {.name = "errors",
     .kind = TM_OPT_WORD,
     .field = OPT_FIELD(o.errors),
     .words = opt_errors,
     .def = "raise",
     .fns = OPT_SCANS & ~TM_FN_ERRORS,
     .catalog = 1,
     .doc = "bad records: `raise` (the statement fails) or `skip`"},
    {.name = "max_record",
     .kind = TM_OPT_SIZE,
     .field = OPT_FIELD(o.max_record),
     .lo = 1,
     .hi = 1 << 30,
     .def = "64M",
     .fns = OPT_SCANS,
     .catalog = 1,
     .expected = "a size from 1 byte to 1G, such as 64M",
     .doc = "largest record, in bytes (`k`, `m`, `g` suffixes, optionally followed by "
            "`B` or `iB`: powers of 1024; at most `1G`); in JSON Lines, blanks after the "
            "value do not count"},
    {.name = "id",
     .kind = TM_OPT_TEXT,
     .field = OPT_FIELD(o.id),
     .fns = OPT_SCANS,
     .catalog = 1,
     .expected = "a top-level field name",
     .doc = "a top-level field whose value is the main table's `_id` (and its children's "
            "`_parent_id`, `_root_id`); the field stays a column too; if the key is "
            "repeated, the first one; a record without it (or with null, an array or an "
            "object there) is a bad record, and leaves no trace in the schema"},
    {.name = "types",
     .kind = TM_OPT_WORD,
     .field = OPT_FIELD(o.types),
     .words = opt_types,
     .def = "infer",
     .fns = OPT_SCANS,
     .doc = "`infer`, or `text` for every scalar as TEXT"},
    {.name = "schema",
     .kind = TM_OPT_TEXT,
     .field = OPT_FIELD(schema),
     .fns = TM_FN_EXPORT,
     .expected = "a database name, such as main or an attached one",
     .unset = "`main`",
     .doc =
         "the database the tables are written into: `main`, `temp` or an attached one"},
    {.name = "mode",
     .kind = TM_OPT_WORD,
     .field = OPT_FIELD(mode),
     .words = opt_modes,
     .def = "create",
     .fns = TM_FN_EXPORT,
     .doc =
         "`create` (a table or file that exists is an error), `replace` (drops it first) or `append` (adds rows to a table)"},
    {.name = "to",
     .kind = TM_OPT_TEXT,
     .field = OPT_FIELD(to),
     .fns = TM_FN_EXPORT,
     .expected = "a directory",
     .doc = "a directory: one file per table is written there instead of tables"},
    {.name = "output_format",
     .kind = TM_OPT_WORD,
     .field = OPT_FIELD(out_format),
     .words = opt_out_formats,
     .def = "csv",
     .fns = TM_FN_EXPORT,
     .with = "to",
     .doc = "the format of the files written with `to=`: `csv` or `jsonl`"},
    {.name = "output_compression",
     .kind = TM_OPT_WORD,
     .field = OPT_FIELD(out_gzip),
     .words = opt_out_comps,
     .def = "none",
     .fns = TM_FN_EXPORT,
     .with = "to",
     .doc =
         "the compression of the files written with `to=`: `none` or `gzip` (adds `.gz`)"},
    {.name = "progress",
     .kind = TM_OPT_BOOL,
     .field = OPT_FIELD(progress),
     .def = "0",
     .fns = TM_FN_EXPORT,
     .doc = "`1` prints the progress to stderr, at most once a second"},
};
const int tm_opt_count = (int)(sizeof tm_opt_defs / sizeof *tm_opt_defs);

#define OPT_MAX 64   /* rows: the bits of tm_opts.given */
_Static_assert(sizeof tm_opt_defs / sizeof *tm_opt_defs <= OPT_MAX,
               "one bit of given per option");
_Static_assert(offsetof(tm_opts, o) == 0,
               "the engine's fields lie first, as in a tm_options");

/* The options that moved with the output options: with to=, they used to
** describe the files written; they now always describe the input. */
static const struct {
  const char *old, *now;
} opt_moved[] = {{"format", "output_format"}, {"compression", "output_compression"}};

/* One parse under way: what was given, and the first bad value. */
typedef struct opt_state {
  tm_opts *opts;
  unsigned fns;                 /* TM_FN_* of the caller */
  const char *raw[OPT_MAX];     /* each given value, as written */
  char bad[512];                /* the first bad value's message, or "" */
} opt_state;

/* The row of option `name`, or -1. */
static int opt_find(const char *name) {
  for (int i = 0; i < tm_opt_count; i++)
    if (strcmp(name, tm_opt_defs[i].name) == 0) return i;
  return -1;
}

/* Was option `name` given? */
static int opt_given(const tm_opts *opts, const char *name) {
  int i = opt_find(name);
  return i >= 0 && (opts->given >> i & 1);
}

/* Write "a, b and c": the names of the options the functions `fns` take. */
static void opt_list(unsigned fns, char *out, size_t n) {
  size_t len = 0;
  out[0] = 0;
  for (int i = 0; i < tm_opt_count && len < n; i++) {
    if (!(tm_opt_defs[i].fns & fns)) continue;
    len += (size_t)snprintf(out + len, n - len, "%s%s", len ? ", " : "",
                            tm_opt_defs[i].name);
  }
}

/* Set *out to the value of `word` in the NULL-terminated `words`; returns
** 0, or -1 when it is not one of them. */
static int opt_choice(const char *word, const tm_opt_word *words, int *out) {
  for (int i = 0; words[i].word; i++) {
    if (strcmp(word, words[i].word) == 0) {
      *out = words[i].value;
      return 0;
    }
  }
  return -1;
}

/* Parse a whole number in [lo, hi], with an optional k/m/g (x1024) suffix
** when `sized`. Returns 0 or -1. */
static int opt_number(const char *s, int64_t lo, int64_t hi, int sized, int64_t *out) {
  int64_t v = 0;
  const char *p = s;
  if (*p < '0' || *p > '9') return -1;
  for (; *p >= '0' && *p <= '9'; p++) {
    if (v > (INT64_MAX - 9) / 10) return -1;
    v = v * 10 + (*p - '0');
  }
  if (sized && *p) {
    int shift = 0;
    switch (*p | 0x20) {
      case 'k': shift = 10; break;
      case 'm': shift = 20; break;
      case 'g': shift = 30; break;
      default: return -1;
    }
    p++;
    if ((*p | 0x20) == 'i' && (p[1] | 0x20) == 'b') p += 2;   /* 64MiB */
    else if ((*p | 0x20) == 'b') p++;                         /* 64MB */
    if (v > (INT64_MAX >> shift)) return -1;
    v <<= shift;
  }
  if (*p || v < lo || v > hi) return -1;
  *out = v;
  return 0;
}

/* Is `value` a root= path: keys joined by dots, none of them empty? */
static int opt_is_path(const char *value) {
  return *value && *value != '.' && value[strlen(value) - 1] != '.' &&
         !strstr(value, "..");
}

/* Set the field of row d in the options at `base` from `value`. Returns 0,
** or -1 when the value is not one the option takes. */
static int opt_value(char *base, const tm_opt_def *d, const char *value) {
  void *field = base + d->field;
  int64_t v = 0;
  switch (d->kind) {
    case TM_OPT_WORD: return opt_choice(value, d->words, (int *)field);
    case TM_OPT_BOOL:
      if (strcmp(value, "0") && strcmp(value, "1")) return -1;
      *(int *)field = value[0] == '1';
      return 0;
    case TM_OPT_INT:
      if (opt_number(value, d->lo, d->hi, 0, &v)) return -1;
      *(int *)field = (int)v;
      return 0;
    case TM_OPT_COUNT:
      if (strcmp(value, "all") == 0) v = -1;
      else if (opt_number(value, d->lo, d->hi, 0, &v)) return -1;
      *(int64_t *)field = v;
      return 0;
    case TM_OPT_SIZE:
      if (opt_number(value, d->lo, d->hi, 1, &v)) return -1;
      *(size_t *)field = (size_t)v;
      return 0;
    case TM_OPT_PATH:
    case TM_OPT_TEXT:
      if (d->kind == TM_OPT_PATH ? !opt_is_path(value) : !*value) return -1;
      *(const char **)field = value;
      return 0;
  }
  return -1;
}

/* Write what a value of row d should be: the row's own words for it, or
** the option's words or range. */
static void opt_expected(const tm_opt_def *d, char *out, size_t n) {
  if (d->expected) {
    snprintf(out, n, "%s", d->expected);
  } else if (d->kind == TM_OPT_INT) {
    snprintf(out, n, "a whole number from %lld to %lld", (long long)d->lo,
             (long long)d->hi);
  } else if (d->kind == TM_OPT_BOOL) {
    snprintf(out, n, "0 or 1");
  } else {   /* TM_OPT_WORD: "a, b or c" */
    size_t len = 0;
    out[0] = 0;
    for (int i = 0; d->words[i].word && len < n; i++)
      len += (size_t)snprintf(out + len, n - len, "%s%s",
                              i == 0                 ? ""
                              : d->words[i + 1].word ? ", "
                                                     : " or ",
                              d->words[i].word);
  }
}

/* Apply one pair. A bad key is an error at once (written to msg); a bad
** value is kept in st->bad, reported after every pair was seen (an old
** spelling says more). */
static int opt_apply(opt_state *st, const char *key, const char *value, char *msg,
                     size_t n) {
  char valid[512];
  tm_opts *opts = st->opts;
  int i = opt_find(key);
  const char *fmt = i < 0 ? "unknown option '%s'; valid options are: %s"
                    : !(tm_opt_defs[i].fns & st->fns)
                        ? "option '%s' does not apply here; valid options are: %s"
                    : opts->given >> i & 1
                        ? "option '%s' given twice; valid options are: %s"
                        : NULL;
  if (fmt) {   /* the list of valid options is made only for the message */
    opt_list(st->fns, valid, sizeof valid);
    snprintf(msg, n, fmt, key, valid);
    return -1;
  }
  opts->given |= (uint64_t)1 << i;
  st->raw[i] = value;
  if (st->bad[0] || !opt_value((char *)opts, &tm_opt_defs[i], value)) return 0;
  opt_expected(&tm_opt_defs[i], valid, sizeof valid);
  snprintf(st->bad, sizeof st->bad, "invalid value '%s' for option '%s': expected %s",
           value, tm_opt_defs[i].name, valid);
  return 0;
}

/* An old spelling: format= or compression= with to= but without the
** output option that now says what it said. Writes the message; 0 if none. */
static int opt_old_spelling(const opt_state *st, char *msg, size_t n) {
  for (size_t k = 0; k < sizeof opt_moved / sizeof *opt_moved; k++) {
    int old = opt_find(opt_moved[k].old), now = opt_find(opt_moved[k].now);
    const tm_opt_def *d = &tm_opt_defs[now];
    if (!(st->opts->given >> old & 1) || !opt_given(st->opts, d->with) ||
        st->opts->given >> now & 1)
      continue;
    int ignored;
    const char *hint =
        opt_choice(st->raw[old], d->words, &ignored) ? d->def : st->raw[old];
    snprintf(msg, n, "with %s=, %s= names the input's %s; write %s=%s for the files",
             d->with, opt_moved[k].old, opt_moved[k].old, d->name, hint);
    return -1;
  }
  return 0;
}

/* After every pair: an old spelling, then a bad value, then an option
** given without the one it goes with. Writes the message; 0 if none. */
static int opt_settle(const opt_state *st, char *msg, size_t n) {
  if (opt_old_spelling(st, msg, n)) return -1;
  if (st->bad[0]) {
    snprintf(msg, n, "%s", st->bad);
    return -1;
  }
  for (int i = 0; i < tm_opt_count; i++) {
    const tm_opt_def *d = &tm_opt_defs[i];
    if (d->with && (st->opts->given >> i & 1) && !opt_given(st->opts, d->with)) {
      snprintf(msg, n, "option '%s' applies only with %s=", d->name, d->with);
      return -1;
    }
  }
  return 0;
}

/* Set the defaults of the rows whose field lies in [from, to) of `base`. */
static void opt_defaults(char *base, size_t from, size_t to) {
  for (int i = 0; i < tm_opt_count; i++) {
    const tm_opt_def *d = &tm_opt_defs[i];
    if (d->def && d->field >= from && d->field < to)
      opt_value(base, d, d->def);   /* cannot fail: test_options parses every default */
  }
}

void tm_opts_defaults(tm_options *o) {
  memset(o, 0, sizeof *o);
  opt_defaults((char *)o, 0, sizeof *o);
}

/* Start a parse: every option at its default, nothing given. */
static void opt_start(opt_state *st, tm_opts *opts, unsigned fns, char **err) {
  memset(opts, 0, sizeof *opts);
  tm_options_init(&opts->o);
  opt_defaults((char *)opts, sizeof opts->o, sizeof *opts);
  memset(st, 0, sizeof *st);
  st->opts = opts;
  st->fns = fns;
  *err = NULL;
}

/* Set *err to "who: msg". */
static int opt_fail(const char *who, const char *msg, char **err) {
  size_t n = strlen(who) + strlen(msg) + 3;
  *err = malloc(n);
  if (*err) snprintf(*err, n, "%s: %s", who, msg);
  return -1;
}

char *tm_opts_dequote(char *s) {
  char q = s[0];
  if (q != '\'' && q != '"') return s;
  char *o = s, *p = s + 1;
  for (; *p; p++) {
    if (*p == q) {
      if (p[1] != q) break;
      p++;
    }
    *o++ = *p;
  }
  *o = 0;   /* behind p: what follows the closing quote stays */
  return *p ? p + 1 : NULL;
}

/* Is c between pairs in an options string? */
static int opt_gap(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',';
}

/*
** Cut the next "key=value" out of *pp (in place), dequoting the value.
** Returns 1 with key/value set, 0 at the end, -1 on a syntax error.
*/
static int opt_cut(char **pp, char **key, char **value) {
  char *p = *pp;
  while (opt_gap(*p)) p++;
  if (!*p) return 0;
  *key = p;
  while (*p && *p != '=' && !opt_gap(*p)) p++;
  if (*p != '=') {
    *p = 0;
    return -1;
  }
  *p++ = 0;
  *value = p;
  if (*p == '\'' || *p == '"') {
    p = tm_opts_dequote(p);
    if (!p || (*p && !opt_gap(*p))) return -1;   /* unterminated, or glued on */
  } else {
    while (*p && !opt_gap(*p)) p++;
  }
  if (*p) *p++ = 0;
  *pp = p;
  return 1;
}

int tm_opts_parse(tm_opts *opts, const char *text, unsigned fns, const char *who,
                  char **err) {
  char msg[1024];
  opt_state st;
  opt_start(&st, opts, fns, err);
  if (!text) return 0;
  if (!(opts->store = strdup(text))) return opt_fail(who, "out of memory", err);
  char *p = opts->store, *key, *value;
  int rc;
  while ((rc = opt_cut(&p, &key, &value)) > 0)
    if (opt_apply(&st, key, value, msg, sizeof msg)) return opt_fail(who, msg, err);
  if (rc < 0) {
    snprintf(msg, sizeof msg, "expected key=value in options but found '%s'", key);
    return opt_fail(who, msg, err);
  }
  return opt_settle(&st, msg, sizeof msg) ? opt_fail(who, msg, err) : 0;
}

/* Trim spaces at both ends of s in place; returns the new start. */
static char *opt_trim(char *s) {
  while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') s++;
  char *e = s + strlen(s);
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r')) e--;
  *e = 0;
  return s;
}

int tm_opts_parse_args(tm_opts *opts, int argc, const char *const *argv, unsigned fns,
                       const char *who, char **err) {
  char msg[1024];
  size_t total = 1;
  opt_state st;
  opt_start(&st, opts, fns, err);
  for (int i = 0; i < argc; i++) total += strlen(argv[i]) + 1;
  char *o = opts->store = malloc(total);
  if (!o) return opt_fail(who, "out of memory", err);
  for (int i = 0; i < argc; i++) {
    size_t n = strlen(argv[i]) + 1;
    memcpy(o, argv[i], n);
    char *eq = strchr(o, '=');
    if (!eq) {
      snprintf(msg, sizeof msg, "expected key=value but found '%s'", opt_trim(o));
      return opt_fail(who, msg, err);
    }
    *eq = 0;
    char *key = opt_trim(o), *value = opt_trim(eq + 1);
    tm_opts_dequote(value);
    if (opt_apply(&st, key, value, msg, sizeof msg)) return opt_fail(who, msg, err);
    o += n;
  }
  return opt_settle(&st, msg, sizeof msg) ? opt_fail(who, msg, err) : 0;
}

void tm_opts_free(tm_opts *opts) {
  free(opts->store);
  opts->store = NULL;
}

/* The value of row d in the options at `base`, as text: a string option's
** own string ("" when unset), else written into buf. */
static const char *opt_show(const char *base, const tm_opt_def *d, char *buf, size_t n) {
  const void *field = base + d->field;
  buf[0] = 0;
  switch (d->kind) {
    case TM_OPT_WORD:
      for (int i = 0; d->words[i].word; i++)
        if (d->words[i].value == *(const int *)field) return d->words[i].word;
      break;
    case TM_OPT_INT:
    case TM_OPT_BOOL: snprintf(buf, n, "%d", *(const int *)field); break;
    case TM_OPT_COUNT:
      if (*(const int64_t *)field < 0) return "all";
      snprintf(buf, n, "%lld", (long long)*(const int64_t *)field);
      break;
    case TM_OPT_SIZE: snprintf(buf, n, "%zu", *(const size_t *)field); break;
    case TM_OPT_PATH:
    case TM_OPT_TEXT: {
      const char *s = *(const char *const *)field;
      return s ? s : "";
    }
  }
  return buf;
}

const char *tm_opts_word(const char *name, int value) {
  for (int i = 0; i < tm_opt_count; i++) {
    const tm_opt_def *d = &tm_opt_defs[i];
    if (d->kind != TM_OPT_WORD || strcmp(d->name, name) != 0) continue;
    for (int w = 0; d->words[w].word; w++)
      if (d->words[w].value == value) return d->words[w].word;
  }
  return NULL;
}

char *tm_opts_key(const tm_opts *opts) {
  char buf[32];
  size_t n = 1;
  for (int i = 0; i < tm_opt_count; i++)   /* " name='value'", every quote doubled */
    if (tm_opt_defs[i].catalog)
      n += strlen(tm_opt_defs[i].name) + 4 +
           2 * strlen(opt_show((const char *)opts, &tm_opt_defs[i], buf, sizeof buf));
  char *key = malloc(n), *p = key;
  if (!key) return NULL;
  for (int i = 0; i < tm_opt_count; i++) {
    if (!tm_opt_defs[i].catalog) continue;
    p += sprintf(p, "%s%s='", p == key ? "" : " ", tm_opt_defs[i].name);
    for (const char *s = opt_show((const char *)opts, &tm_opt_defs[i], buf, sizeof buf);
         *s; s++) {
      if (*s == '\'') *p++ = '\'';
      *p++ = *s;
    }
    *p++ = '\'';
  }
  *p = 0;
  return key;
}
