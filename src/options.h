/*
** options.h: the option registry, and the parser of the key=value options
** of every transmog module and function.
**
** One syntax everywhere. In a function, the options are one string of
** pairs separated by spaces or commas:
**
**     'separator=. arrays=child max_record=128M'
**     'root="data.items" name=events'
**
** In CREATE VIRTUAL TABLE, each argument after the path is one pair:
**
**     USING transmog('orders.jsonl', separator='.', sample=1000)
**
** A value may be quoted with '...' or "..." (a doubled quote inside stands
** for itself). Unknown keys, keys given twice and bad values are errors
** that say what is valid. Plain C: no SQLite types here, so a command line
** can take the same options.
**
** Every option is one row of the registry, tm_opt_defs (options.c): its
** name, the kind of value it takes, the words or the range it accepts,
** its default, the functions that accept it, whether it changes the
** catalogue, and its line in README's options table. The rows drive the
** parsing, the defaults (tm_options_init), which function accepts what,
** the "valid options are" lists and the schema cache's key
** (tm_opts_key); tests/unit/test_options.c checks README's table against
** them. To add an option:
**
**   1. add the field it fills: to tm_options (src/scan.h) if the engine
**      reads it, else to tm_opts below; its C type follows from its kind
**      (see tm_opt_kind);
**   2. add its row to tm_opt_defs in options.c, where it belongs in
**      README's table (the order of the rows is the order of the lists in
**      messages and of the table);
**   3. run `build/unit/test_options --readme` and paste what it prints
**      over the options table in README.md.
**
** Nothing else: no bit to number, no list of names or defaults to extend.
*/
#ifndef TM_OPTIONS_H
#define TM_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "scan.h"

/* The functions that take options, one bit each; a row's `fns` says which
** of them accept it. */
enum {
  TM_FN_CREATE = 1 << 0,    /* CREATE VIRTUAL TABLE ... USING transmog */
  TM_FN_EACH = 1 << 1,      /* transmog_each */
  TM_FN_TABLES = 1 << 2,    /* transmog_tables */
  TM_FN_COLUMNS = 1 << 3,   /* transmog_columns */
  TM_FN_ERRORS = 1 << 4,    /* transmog_errors */
  TM_FN_EXPORT = 1 << 5,    /* transmog_export */
  TM_FN_ALL = (1 << 6) - 1
};

/* What an option's value is, and the C type of the field it fills. */
typedef enum tm_opt_kind {
  TM_OPT_WORD,    /* int: the value of one of `words` */
  TM_OPT_INT,     /* int: a whole number from lo to hi */
  TM_OPT_COUNT,   /* int64_t: 'all' (stored as -1) or a number from lo to hi */
  TM_OPT_SIZE,    /* size_t: bytes from lo to hi, with k, m or g suffixes
                     (x1024, optionally followed by B or iB) */
  TM_OPT_TEXT,    /* const char *: any non-empty string */
  TM_OPT_PATH,    /* const char *: keys joined by '.', none of them empty */
  TM_OPT_BOOL     /* int: 0 or 1 */
} tm_opt_kind;

/* One word of a TM_OPT_WORD option, and the value it stores. */
typedef struct tm_opt_word {
  const char *word;
  int value;
} tm_opt_word;

/* One row of the registry: everything about one option. */
typedef struct tm_opt_def {
  const char *name;
  tm_opt_kind kind;
  size_t field;               /* offsetof(tm_opts, ...) of the field it fills */
  const tm_opt_word *words;   /* TM_OPT_WORD: the words, NULL-terminated */
  int64_t lo, hi;             /* TM_OPT_INT, _COUNT, _SIZE: the range */
  const char *def;            /* the default, as a user would write it;
                                 NULL: none (the field stays zero) */
  unsigned fns;               /* TM_FN_* bits of the functions accepting it */
  int catalog;                /* 1: it changes the catalogue (the tables and
                                 columns found), so it is in the cache key */
  const char *with;           /* it means something only with this option
                                 given too (an error otherwise); NULL */
  const char *expected;       /* what a bad value should have been, for the
                                 message; NULL: from the words or range */
  const char *unset;          /* README's default when def is NULL; NULL: none */
  const char *doc;            /* README's meaning (markdown, one line) */
} tm_opt_def;

/* The registry, and its number of rows. */
extern const tm_opt_def tm_opt_defs[];
extern const int tm_opt_count;

/* Export modes (mode=) and the format of files written (output_format=:
** its word is the name of a writer class, see tm_opts_word). */
enum { TM_MODE_CREATE, TM_MODE_REPLACE, TM_MODE_APPEND };
enum { TM_OUT_CSV, TM_OUT_JSONL };

/* The word that stands for `value` of the word option `name`
** (tm_opts_word("output_format", TM_OUT_CSV) is "csv"), or NULL. */
const char *tm_opts_word(const char *name, int value);

/* Parsed options; the strings live in `store`. */
typedef struct tm_opts {
  tm_options o;         /* the engine's options (first: see options.c) */
  uint64_t given;       /* bit i: the option of row i was given */
  const char *schema;   /* export: target schema (NULL: main) */
  int mode;             /* export: TM_MODE_* */
  const char *to;       /* export: a directory to write files to */
  int progress;         /* export: report progress on stderr */
  int out_format;       /* export with to=: TM_OUT_* (output_format=) */
  int out_gzip;         /* export with to=: gzip the files (output_compression=) */
  char *store;
} tm_opts;

/*
** Parse one options string (NULL or empty: all defaults). Only the options
** of the functions in `fns` (TM_FN_* bits) are accepted; `who` names the
** caller in messages. Returns 0, or -1 with *err set to a malloc'd message.
*/
int tm_opts_parse(tm_opts *opts, const char *text, unsigned fns, const char *who,
                  char **err);

/* The same for a list of "key=value" arguments. */
int tm_opts_parse_args(tm_opts *opts, int argc, const char *const *argv, unsigned fns,
                       const char *who, char **err);

void tm_opts_free(tm_opts *opts);

/* Set every option whose field is in tm_options to its default, and the
** rest of *o to zero (tm_options_init adds what is not an option). */
void tm_opts_defaults(tm_options *o);

/* The schema cache's key: the options that change the catalogue, each as
** name='value' (defaults included), so that options written differently
** with the same meaning give the same key. Returns a malloc'd string, or
** NULL when out of memory. */
char *tm_opts_key(const tm_opts *opts);

/* Remove SQL quotes from a string in place ('a''b' -> a'b). Returns what
** follows the closing quote (NULL when there is none), or s itself when s
** is not quoted. */
char *tm_opts_dequote(char *s);

#endif
