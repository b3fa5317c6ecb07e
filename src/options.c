/*
** options.c: the option parser declared in options.h.
**
** Both forms are copied into one block (opts->store) and cut in place, so
** every string option points into it and lives as long as the tm_opts.
*/
#define _POSIX_C_SOURCE 200809L   /* strdup */
#include "options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The options, in the order of their TM_OPT_* bits. */
enum {
  OPT_NAME, OPT_FORMAT, OPT_COMPRESSION, OPT_ROOT, OPT_SEPARATOR, OPT_ARRAYS,
  OPT_MAX_DEPTH, OPT_MAX_COLUMNS, OPT_SAMPLE, OPT_ERRORS, OPT_MAX_RECORD,
  OPT_ID, OPT_TYPES, OPT_SCHEMA, OPT_MODE, OPT_TO, OPT_PROGRESS, OPT_COUNT
};
_Static_assert(TM_OPT_TYPES == 1 << OPT_TYPES && TM_OPT_PROGRESS == 1 << OPT_PROGRESS,
               "the TM_OPT_* bits follow the OPT_* order");

static const char *const opt_names[OPT_COUNT] = {
  "name", "format", "compression", "root", "separator", "arrays",
  "max_depth", "max_columns", "sample", "errors", "max_record", "id", "types",
  "schema", "mode", "to", "progress"
};

/* One word an option with a fixed set of values accepts, and its value. */
typedef struct opt_word {
  const char *word;
  int value;
} opt_word;

/* Write "a, b and c": the names of the options in `allowed`. */
static void opt_list(unsigned allowed, char *out, size_t n) {
  size_t len = 0;
  out[0] = 0;
  for (int i = 0; i < OPT_COUNT && len < n; i++) {
    if (!(allowed & (1u << i))) continue;
    len += (size_t)snprintf(out + len, n - len, "%s%s", len ? ", " : "", opt_names[i]);
  }
}

/* Set *out to the value of `word` in the NULL-terminated `words`; returns
** 0, or -1 when it is not one of them. */
static int opt_choice(const char *word, const opt_word *words, int *out) {
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
static int opt_number(const char *s, int64_t lo, int64_t hi, int sized,
                      int64_t *out) {
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

/* Set a string option that must not be empty; returns `expected` if it is. */
static const char *opt_set_string(const char **dst, const char *value, const char *expected) {
  if (!*value) return expected;
  *dst = value;
  return NULL;
}

/* Set an export option (schema, mode, to, progress) from `value`. Returns
** what a bad value should have been, or NULL. */
static const char *opt_set_export(tm_opts *opts, int i, const char *value) {
  static const opt_word modes[] = {
    {"create", TM_MODE_CREATE}, {"replace", TM_MODE_REPLACE}, {"append", TM_MODE_APPEND}, {NULL, 0}};
  switch (i) {
    case OPT_SCHEMA: return opt_set_string(&opts->schema, value, "a database name, such as main or an attached one");
    case OPT_MODE: return opt_choice(value, modes, &opts->mode) ? "create, replace or append" : NULL;
    case OPT_TO: return opt_set_string(&opts->to, value, "a directory");
    default:
      if (strcmp(value, "0") && strcmp(value, "1")) return "0 or 1";
      opts->progress = value[0] == '1';
      return NULL;
  }
}

/* Set format= : an input format, or csv (only a format of files written). */
static const char *opt_set_format(tm_opts *opts, const char *value) {
  static const opt_word formats[] = {
    {"auto", TM_FMT_AUTO}, {"jsonl", TM_FMT_JSONL}, {"json", TM_FMT_JSON}, {NULL, 0}};
  opts->format_csv = strcmp(value, "csv") == 0;
  if (opts->format_csv || !opt_choice(value, formats, &opts->o.format)) return NULL;
  return "auto, jsonl or json";
}

/* Set root= : keys joined by dots, none of them empty. */
static const char *opt_set_root(tm_options *o, const char *value) {
  if (!*value || *value == '.' || value[strlen(value) - 1] == '.' || strstr(value, ".."))
    return "a path of keys joined by '.', such as data.items";
  o->root = value;
  return NULL;
}

/* Set one of the whole-number options (max_depth, max_columns, sample,
** max_record) from `value`. Returns what a bad value should have been, or
** NULL. */
static const char *opt_set_number(tm_options *o, int i, const char *value) {
  int64_t v = 0;
  switch (i) {
    case OPT_MAX_DEPTH:
      if (opt_number(value, 1, TM_JSON_MAX_DEPTH, 0, &v)) return "a whole number from 1 to 1000";
      o->max_depth = (int)v;
      return NULL;
    case OPT_MAX_COLUMNS:
      if (opt_number(value, 1, 1990, 0, &v)) return "a whole number from 1 to 1990";
      o->max_columns = (int)v;
      return NULL;
    case OPT_SAMPLE:
      if (strcmp(value, "all") == 0) v = -1;
      else if (opt_number(value, 1, INT64_MAX, 0, &v)) return "'all' or a positive number of records";
      o->sample = v;
      return NULL;
    default:
      if (opt_number(value, 1, 1 << 30, 1, &v)) return "a size from 1 byte to 1G, such as 64M";
      o->max_record = (size_t)v;
      return NULL;
  }
}

/* Set option i from `value`. Returns what a bad value should have been, or
** NULL. */
static const char *opt_value(tm_opts *opts, int i, const char *value) {
  static const opt_word comps[] = {
    {"auto", TM_COMP_AUTO}, {"none", TM_COMP_NONE}, {"gzip", TM_COMP_GZIP}, {NULL, 0}};
  static const opt_word arrays[] = {
    {"json", TM_ARRAYS_JSON}, {"child", TM_ARRAYS_CHILD}, {"skip", TM_ARRAYS_SKIP}, {NULL, 0}};
  static const opt_word errors[] = {{"raise", TM_ERRORS_RAISE}, {"skip", TM_ERRORS_SKIP}, {NULL, 0}};
  static const opt_word types[] = {{"infer", TM_TYPES_INFER}, {"text", TM_TYPES_TEXT}, {NULL, 0}};
  tm_options *o = &opts->o;
  switch (i) {
    case OPT_NAME: return opt_set_string(&o->name, value, "a non-empty table name");
    case OPT_FORMAT: return opt_set_format(opts, value);
    case OPT_COMPRESSION: return opt_choice(value, comps, &o->compression) ? "auto, none or gzip" : NULL;
    case OPT_ROOT: return opt_set_root(o, value);
    case OPT_SEPARATOR: return opt_set_string(&o->separator, value, "a non-empty string");
    case OPT_ARRAYS: return opt_choice(value, arrays, &o->arrays) ? "json, child or skip" : NULL;
    case OPT_ERRORS: return opt_choice(value, errors, &o->errors) ? "raise or skip" : NULL;
    case OPT_ID: return opt_set_string(&o->id, value, "a top-level field name");
    case OPT_TYPES: return opt_choice(value, types, &o->types) ? "infer or text" : NULL;
    case OPT_MAX_DEPTH: case OPT_MAX_COLUMNS: case OPT_SAMPLE: case OPT_MAX_RECORD:
      return opt_set_number(o, i, value);
    default: return opt_set_export(opts, i, value);
  }
}

/* Set option i from `value`; on a bad value write why to msg. */
static int opt_set(tm_opts *opts, int i, const char *value, char *msg, size_t n) {
  const char *expected = opt_value(opts, i, value);
  if (!expected) return 0;
  snprintf(msg, n, "invalid value '%s' for option '%s': expected %s", value,
           opt_names[i], expected);
  return -1;
}

/* Apply one pair; writes a message to msg on error. */
static int opt_apply(tm_opts *opts, const char *key, const char *value,
                     unsigned allowed, char *msg, size_t n) {
  char valid[256];
  int i = 0;
  while (i < OPT_COUNT && strcmp(key, opt_names[i])) i++;
  const char *fmt = i == OPT_COUNT ? "unknown option '%s'; valid options are: %s"
                  : !(allowed & (1u << i)) ? "option '%s' does not apply here; valid options are: %s"
                  : opts->given & (1u << i) ? "option '%s' given twice; valid options are: %s"
                  : NULL;
  if (fmt) {   /* the list of valid options is made only for the message */
    opt_list(allowed, valid, sizeof valid);
    snprintf(msg, n, fmt, key, valid);
    return -1;
  }
  opts->given |= 1u << i;
  return opt_set(opts, i, value, msg, n);
}

/*
** After every pair: with to=, format= and compression= are about the files
** written (the input's are sniffed); without it, format=csv means nothing.
*/
static int opt_settle(tm_opts *opts, char *msg, size_t n) {
  tm_options *o = &opts->o;
  if (!opts->to) {
    if (!opts->format_csv) return 0;
    snprintf(msg, n, "format 'csv' is for the files transmog_export writes with to=; "
                     "input formats are auto, jsonl and json");
    return -1;
  }
  if ((opts->given & TM_OPT_FORMAT) && !opts->format_csv && o->format != TM_FMT_JSONL) {
    snprintf(msg, n, "with to=, format is the files' format: csv or jsonl");
    return -1;
  }
  if ((opts->given & TM_OPT_COMPRESSION) && o->compression == TM_COMP_AUTO) {
    snprintf(msg, n, "with to=, compression is the files' compression: gzip or none");
    return -1;
  }
  opts->out_format = o->format == TM_FMT_JSONL ? TM_OUT_JSONL : TM_OUT_CSV;
  opts->out_gzip = o->compression == TM_COMP_GZIP;
  o->format = TM_FMT_AUTO;
  o->compression = TM_COMP_AUTO;
  return 0;
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

int tm_opts_parse(tm_opts *opts, const char *text, unsigned allowed,
                  const char *who, char **err) {
  char msg[512];
  memset(opts, 0, sizeof *opts);
  tm_options_init(&opts->o);
  *err = NULL;
  if (!text) return 0;
  if (!(opts->store = strdup(text))) return opt_fail(who, "out of memory", err);
  char *p = opts->store, *key, *value;
  int rc;
  while ((rc = opt_cut(&p, &key, &value)) > 0)
    if (opt_apply(opts, key, value, allowed, msg, sizeof msg))
      return opt_fail(who, msg, err);
  if (rc < 0) {
    snprintf(msg, sizeof msg, "expected key=value in options but found '%s'", key);
    return opt_fail(who, msg, err);
  }
  return opt_settle(opts, msg, sizeof msg) ? opt_fail(who, msg, err) : 0;
}

/* Trim spaces at both ends of s in place; returns the new start. */
static char *opt_trim(char *s) {
  while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') s++;
  char *e = s + strlen(s);
  while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r')) e--;
  *e = 0;
  return s;
}

int tm_opts_parse_args(tm_opts *opts, int argc, const char *const *argv,
                       unsigned allowed, const char *who, char **err) {
  char msg[512];
  size_t total = 1;
  memset(opts, 0, sizeof *opts);
  tm_options_init(&opts->o);
  *err = NULL;
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
    if (opt_apply(opts, key, value, allowed, msg, sizeof msg))
      return opt_fail(who, msg, err);
    o += n;
  }
  return opt_settle(opts, msg, sizeof msg) ? opt_fail(who, msg, err) : 0;
}

void tm_opts_free(tm_opts *opts) {
  free(opts->store);
  opts->store = NULL;
}
