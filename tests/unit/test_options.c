/*
** test_options.c: the option registry (src/options.c) against what it
** promises: the defaults of DESIGN 3.1, every row well made and its default
** a value the option takes, a cache key that sees only the options that
** change the catalogue, and README.md's options table equal to the table
** the registry makes, so the documentation cannot drift from the code.
**
**     build/unit/test_options            the checks
**     build/unit/test_options --readme   print the table README.md holds
**
** The messages of the parser are pinned by tests/sql/options.test.
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "options.h"

/* The functions of TM_FN_* in bit order, as README's table names them. */
static const char *const fn_names[] = {"CREATE",     "`_each`",   "`_tables`",
                                       "`_columns`", "`_errors`", "`_export`"};
#define FN_COUNT (int)(sizeof fn_names / sizeof *fn_names)
_Static_assert(TM_FN_ALL == (1 << 6) - 1, "one name per function");

/* Write the functions in `fns` as README's "accepted by": all, all but a
** few, or the few. */
static void fns_cell(unsigned fns, char *out, size_t n) {
  int count = 0, len = 0;
  for (int i = 0; i < FN_COUNT; i++) count += fns >> i & 1;
  if (count == FN_COUNT) {
    snprintf(out, n, "all");
    return;
  }
  int but = count > FN_COUNT / 2;   /* name the fewer: those missing */
  len = snprintf(out, n, "%s", but ? "all but " : "");
  for (int i = 0, k = 0; i < FN_COUNT; i++)
    if ((int)(fns >> i & 1) != but)
      len += snprintf(out + len, n - (size_t)len, "%s%s", k++ ? ", " : "", fn_names[i]);
}

/* Write line i of README's options table: 0 and 1 the header, then one
** per row. Returns 0, or -1 past the last line. */
static int table_line(int i, char *out, size_t n) {
  char def[64], fns[128];
  if (i == 0) snprintf(out, n, "| option | default | accepted by | meaning |");
  else if (i == 1) snprintf(out, n, "|---|---|---|---|");
  else if (i - 2 >= tm_opt_count) return -1;
  else {
    const tm_opt_def *d = &tm_opt_defs[i - 2];
    if (d->def) snprintf(def, sizeof def, "`%s`", d->def);
    else snprintf(def, sizeof def, "%s", d->unset ? d->unset : "none");
    fns_cell(d->fns, fns, sizeof fns);
    snprintf(out, n, "| `%s` | %s | %s | %s |", d->name, def, fns, d->doc);
  }
  return 0;
}

/* The registry's defaults are DESIGN 3.1's. */
static void test_defaults(void) {
  tm_options o;
  tm_options_init(&o);
  CHECK(!o.name && !o.root && !o.id, "defaults: no name, root or id");
  CHECK_INT(o.format, TM_FMT_AUTO, "defaults: format=auto");
  CHECK_INT(o.compression, TM_COMP_AUTO, "defaults: compression=auto");
  CHECK_STR(o.separator, "_", "defaults: separator=_");
  CHECK_INT(o.arrays, TM_ARRAYS_JSON, "defaults: arrays=json");
  CHECK_INT(o.max_depth, 64, "defaults: max_depth=64");
  CHECK_INT(o.max_columns, 1000, "defaults: max_columns=1000");
  CHECK_INT(o.sample, -1, "defaults: sample=all");
  CHECK_INT(o.errors, TM_ERRORS_RAISE, "defaults: errors=raise");
  CHECK_INT(o.max_record, 64 << 20, "defaults: max_record=64M");
  CHECK_INT(o.types, TM_TYPES_INFER, "defaults: types=infer");
  tm_opts opts;
  char *err = NULL;
  CHECK_INT(tm_opts_parse(&opts, NULL, TM_FN_EXPORT, "t", &err), 0,
            "defaults: no options parse");
  CHECK(!opts.schema && !opts.to && opts.mode == TM_MODE_CREATE && !opts.progress,
        "defaults: export into main, mode=create, no to=, no progress");
  CHECK(opts.out_format == TM_OUT_CSV && !opts.out_gzip,
        "defaults: output_format=csv, output_compression=none");
  tm_opts_free(&opts);
}

/* Every row is well made, and its default is a value it takes. */
static void test_rows(void) {
  int bad = 0, bad_default = 0;
  for (int i = 0; i < tm_opt_count; i++) {
    const tm_opt_def *d = &tm_opt_defs[i];
    bad += !d->name || !d->doc || !*d->doc || !d->fns ||
           (d->fns & ~(unsigned)TM_FN_ALL) ||
           (d->kind == TM_OPT_WORD) != (d->words != NULL) || strchr(d->doc, '|');
    for (int j = 0; j < i; j++) bad += strcmp(d->name, tm_opt_defs[j].name) == 0;
    if (!d->def) continue;
    char text[256], *err = NULL;
    tm_opts opts;
    snprintf(text, sizeof text, "%s='%s' %s%s", d->name, d->def, d->with ? d->with : "",
             d->with ? "=x" : "");
    if (tm_opts_parse(&opts, text, TM_FN_ALL, "t", &err)) {
      printf("# %s: %s\n", text, err ? err : "out of memory");
      bad_default++;
    }
    tm_opts_free(&opts);
    free(err);
  }
  CHECK_INT(
      bad, 0,
      "registry: every row named once, documented (no |), for some function, words where needed");
  CHECK_INT(bad_default, 0, "registry: every default is a value its option takes");
}

/* The cache key of an options string (NULL when it does not parse). */
static char *key_of(const char *text) {
  tm_opts opts;
  char *err = NULL, *key = NULL;
  if (tm_opts_parse(&opts, text, TM_FN_CREATE, "t", &err) == 0) key = tm_opts_key(&opts);
  tm_opts_free(&opts);
  free(err);
  return key;
}

/* The cache key: the options that change the catalogue, canonical. */
static void test_key(void) {
  char *none = key_of(""),
       *same = key_of("types=text, format=auto, max_record=64MiB, sample=all");
  char *sep = key_of("separator=."), *quote = key_of("separator=\"a'b\"");
  CHECK_STR(none,
            "format='auto' compression='auto' root='' separator='_' arrays='json' "
            "max_depth='64' max_columns='1000' sample='all' errors='raise' "
            "max_record='67108864' id=''",
            "key: every option that changes the catalogue, defaults included");
  CHECK(none && same && strcmp(none, same) == 0,
        "key: types= and defaults written out do not change it");
  CHECK(none && sep && strcmp(none, sep) != 0, "key: separator= changes it");
  CHECK(quote && strstr(quote, "separator='a''b'"), "key: quotes in a value are doubled");
  free(none);
  free(same);
  free(sep);
  free(quote);
}

/* README.md's options table is the registry's, line for line. */
static void test_readme(void) {
  FILE *f = fopen("README.md", "r");
  char line[4096], want[4096];
  int i = -1, differ = 0;
  CHECK(f != NULL, "README.md opens (run from the repository root)");
  if (!f) return;
  table_line(0, want, sizeof want);
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\n")] = 0;
    if (i < 0 && strcmp(line, want) != 0) continue;   /* before the table */
    if (i >= 0 && line[0] != '|') break;              /* after it */
    i++;
    if (table_line(i, want, sizeof want) || strcmp(line, want) != 0) {
      printf("# README.md:  %s\n# registry:   %s\n", line,
             i - 2 < tm_opt_count ? want : "(no more rows)");
      differ = 1;
      break;
    }
  }
  fclose(f);
  CHECK(i >= 0, "README.md has the options table");
  CHECK(
      !differ && table_line(i + 1, want, sizeof want) < 0,
      "README.md's options table is the registry's (build/unit/test_options --readme prints it)");
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "--readme") == 0) {
    char line[4096];
    for (int i = 0; table_line(i, line, sizeof line) == 0; i++) puts(line);
    return 0;
  }
  test_defaults();
  test_rows();
  test_key();
  test_readme();
  return check_failures;
}
