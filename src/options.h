/*
** options.h: the key=value options of every transmog module and function.
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
** that say what is valid. Plain C: no SQLite types here.
**
** transmog_export also takes schema=, mode=, to= and progress=; with to=,
** format= (csv or jsonl) and compression= (gzip or none) describe the files
** it writes, and the input's format and compression are sniffed.
*/
#ifndef TM_OPTIONS_H
#define TM_OPTIONS_H

#include "scan.h"

/* One bit per option, to say which ones a function accepts. */
enum {
  TM_OPT_NAME = 1 << 0, TM_OPT_FORMAT = 1 << 1, TM_OPT_COMPRESSION = 1 << 2,
  TM_OPT_ROOT = 1 << 3, TM_OPT_SEPARATOR = 1 << 4, TM_OPT_ARRAYS = 1 << 5,
  TM_OPT_MAX_DEPTH = 1 << 6, TM_OPT_MAX_COLUMNS = 1 << 7,
  TM_OPT_SAMPLE = 1 << 8, TM_OPT_ERRORS = 1 << 9, TM_OPT_MAX_RECORD = 1 << 10,
  TM_OPT_ID = 1 << 11, TM_OPT_TYPES = 1 << 12,
  TM_OPT_ALL = (1 << 13) - 1,
  /* transmog_export only */
  TM_OPT_SCHEMA = 1 << 13, TM_OPT_MODE = 1 << 14, TM_OPT_TO = 1 << 15,
  TM_OPT_PROGRESS = 1 << 16,
  TM_OPT_EXPORT = (1 << 17) - 1
};

/* Export modes (mode=) and output formats (format= with to=). */
enum { TM_MODE_CREATE, TM_MODE_REPLACE, TM_MODE_APPEND };
enum { TM_OUT_CSV, TM_OUT_JSONL };

/* Parsed options; the strings live in `store`. */
typedef struct tm_opts {
  tm_options o;
  unsigned given;       /* TM_OPT_* bits of the options set explicitly */
  const char *schema;   /* export: target schema (NULL: main) */
  int mode;             /* export: TM_MODE_* */
  const char *to;       /* export: a directory to write files to */
  int progress;         /* export: report progress on stderr */
  int format_csv;       /* format=csv was given: a format of files written */
  int out_format;       /* export with to=: TM_OUT_* (from format=) */
  int out_gzip;         /* export with to=: gzip the files (compression=) */
  char *store;
} tm_opts;

/*
** Parse one options string (NULL or empty: all defaults). Only the options
** in `allowed` are accepted; `who` names the caller in messages. Returns 0,
** or -1 with *err set to a malloc'd message.
*/
int tm_opts_parse(tm_opts *opts, const char *text, unsigned allowed,
                  const char *who, char **err);

/* The same for a list of "key=value" arguments. */
int tm_opts_parse_args(tm_opts *opts, int argc, const char *const *argv,
                       unsigned allowed, const char *who, char **err);

void tm_opts_free(tm_opts *opts);

/* Remove SQL quotes from a string in place ('a''b' -> a'b). Returns what
** follows the closing quote (NULL when there is none), or s itself when s
** is not quoted. */
char *tm_opts_dequote(char *s);

#endif
