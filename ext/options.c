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

/* The option names, in the order of the TM_OPT_* bits. */
static const char *const opt_names[] = {
  "name", "format", "compression", "root", "separator", "arrays",
  "max_depth", "max_columns", "sample", "errors", "max_record", "id", "types",
  "schema", "mode", "to", "progress"
};
#define OPT_FORMAT_CSV 3   /* format=csv: only an output format (with to=) */
#define OPT_COUNT (int)(sizeof opt_names / sizeof *opt_names)

/* Write "a, b and c": the names of the options in `allowed`. */
static void opt_list(unsigned allowed, char *out, size_t n) {
  size_t len = 0;
  out[0] = 0;
  for (int i = 0; i < OPT_COUNT && len < n; i++) {
    if (!(allowed & (1u << i))) continue;
    len += (size_t)snprintf(out + len, n - len, "%s%s", len ? ", " : "", opt_names[i]);
  }
}

/* Index of `value` in the NULL-terminated `choices`, or -1. */
static int opt_choice(const char *value, const char *const *choices) {
  for (int i = 0; choices[i]; i++)
    if (strcmp(value, choices[i]) == 0) return i;
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

/* Set an export option (i >= 13) from `value`. Returns what a bad value
** should have been, or NULL. */
static const char *opt_set_export(tm_opts *opts, int i, const char *value) {
  static const char *const modes[] = {"create", "replace", "append", NULL};
  int k;
  switch (i) {
    case 13: if (!*value) return "a database name, such as main or an attached one"; opts->schema = value; break;
    case 14: if ((k = opt_choice(value, modes)) < 0) return "create, replace or append"; opts->mode = k; break;
    case 15: if (!*value) return "a directory"; opts->to = value; break;
    default:
      if (strcmp(value, "0") && strcmp(value, "1")) return "0 or 1";
      opts->progress = value[0] == '1';
      break;
  }
  return NULL;
}

/* Set option i from `value`; on a bad value write why to msg. */
static int opt_set(tm_opts *opts, int i, const char *value, char *msg, size_t n) {
  static const char *const formats[] = {"auto", "jsonl", "json", "csv", NULL};
  tm_options *o = &opts->o;
  static const char *const comps[] = {"auto", "none", "gzip", NULL};
  static const char *const arrays[] = {"json", "child", "skip", NULL};
  static const char *const errors[] = {"raise", "skip", NULL};
  static const char *const types[] = {"infer", "text", NULL};
  int64_t v = 0;
  int k = 0;
  const char *expected = NULL;
  switch (i) {
    case 0: if (!*value) expected = "a non-empty table name"; else o->name = value; break;
    case 1: if ((k = opt_choice(value, formats)) < 0) expected = "auto, jsonl or json"; else o->format = k; break;
    case 2:
      if ((k = opt_choice(value, comps)) < 0) expected = "auto, none or gzip";
      else o->compression = k == 0 ? TM_COMP_AUTO : k == 1 ? TM_COMP_NONE : TM_COMP_GZIP;
      break;
    case 3:
      if (!*value || *value == '.' || value[strlen(value) - 1] == '.' || strstr(value, ".."))
        expected = "a path of keys joined by '.', such as data.items";
      else o->root = value;
      break;
    case 4: if (!*value) expected = "a non-empty string"; else o->separator = value; break;
    case 5: if ((k = opt_choice(value, arrays)) < 0) expected = "json, child or skip"; else o->arrays = k; break;
    case 6:
      if (opt_number(value, 1, TM_JSON_MAX_DEPTH, 0, &v)) expected = "a whole number from 1 to 1000";
      else o->max_depth = (int)v;
      break;
    case 7:
      if (opt_number(value, 1, 1990, 0, &v)) expected = "a whole number from 1 to 1990";
      else o->max_columns = (int)v;
      break;
    case 8:
      if (strcmp(value, "all") == 0) o->sample = -1;
      else if (opt_number(value, 1, INT64_MAX, 0, &v)) expected = "'all' or a positive number of records";
      else o->sample = v;
      break;
    case 9: if ((k = opt_choice(value, errors)) < 0) expected = "raise or skip"; else o->errors = k; break;
    case 10:
      if (opt_number(value, 1, 1 << 30, 1, &v)) expected = "a size from 1 byte to 1G, such as 64M";
      else o->max_record = (size_t)v;
      break;
    case 11: if (!*value) expected = "a top-level field name"; else o->id = value; break;
    case 12: if ((k = opt_choice(value, types)) < 0) expected = "infer or text"; else o->types = k; break;
    default: expected = opt_set_export(opts, i, value); break;
  }
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
  opt_list(allowed, valid, sizeof valid);
  if (i == OPT_COUNT || !(allowed & (1u << i))) {
    snprintf(msg, n, i == OPT_COUNT ? "unknown option '%s'; valid options are: %s"
                                     : "option '%s' does not apply here; valid options are: %s",
             key, valid);
    return -1;
  }
  if (opts->given & (1u << i)) {
    snprintf(msg, n, "option '%s' given twice; valid options are: %s", key, valid);
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
    if (o->format != OPT_FORMAT_CSV) return 0;
    snprintf(msg, n, "format 'csv' is for the files transmog_export writes with to=; "
                     "input formats are auto, jsonl and json");
    return -1;
  }
  if ((opts->given & TM_OPT_FORMAT) && o->format != OPT_FORMAT_CSV && o->format != TM_FMT_JSONL) {
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

void tm_opts_dequote(char *s) {
  char q = s[0];
  if (q != '\'' && q != '"') return;
  char *o = s;
  for (char *p = s + 1; *p; p++) {
    if (*p == q) {
      if (p[1] != q) break;
      p++;
    }
    *o++ = *p;
  }
  *o = 0;
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
    char q = *p, *o = p;
    for (p++;; p++) {
      if (!*p) return -1;   /* unterminated quote */
      if (*p == q && p[1] != q) break;
      if (*p == q) p++;
      *o++ = *p;
    }
    *o = 0;
    p++;
    if (*p && !opt_gap(*p)) return -1;
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
