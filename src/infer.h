/*
** infer.h: the schema pass. One scan of a file that learns its tables and
** columns (and, for a virtual table, leaves the sparse index of seek.h on
** the way), then freezes the catalogue for the passes that read rows.
*/
#ifndef TM_INFER_H
#define TM_INFER_H

#include "scan.h"

/*
** The version of the rules that turn records into tables, columns and
** types (flatten.c, schema.c, schemamerge.c, infer.c). A catalogue cached
** under other rules is never used (ext/cache.c keys its rows with this).
** Bump it with any change to what a schema pass makes of a file: a table
** or column named, ordered, typed or kept differently, a map recognised
** differently, ids or counts made differently.
*/
#define TM_RULES_VERSION 2   /* 2: maps inside maps move exactly (issue 18) */

/*
** The schema pass over the n files of `paths` read as one (see reader.h):
** as tm_infer, with the files' identities in *id (free it with
** tm_src_id_free). Only a list of one file is ever read in two halves.
*/
tm_schema *tm_infer_files(const char *const *paths, uint32_t n, const tm_options *o,
                          const char *name, tm_input_id *id, tm_seek **seek, char **err);

/*
** The schema pass: read the whole file (or its first o->sample records)
** into a new catalogue named `name`, with its statistics, and freeze it.
** With a sample, every table gets an _extra column for keys met later.
** Bad records follow o->errors: raise fails the pass, skip goes on. Returns
** the schema and the file's identity in *id, or NULL with a malloc'd *err.
** With `seek` not NULL, also builds the sparse index of the records read
** (with a sample, only those). A map recognised after the first checkpoint
** changes the ids of rows read before it, so the counts are then taken
** again by a second, counting-only pass over that part of the file.
*/
tm_schema *tm_infer(const char *path, const tm_options *o, const char *name,
                    tm_file_id *id, tm_seek **seek, char **err);

/* Schema passes, since the library was loaded, that read a file in two
** halves and merged them (for tests and benchmarks: see infer.c). */
uint64_t tm_infer_merges(void);

/*
** Can `path` be read a second time after the schema pass? A pipe cannot:
** its content is gone once read. Returns 0, or -1 with a malloc'd *err
** that says what to do instead.
*/
int tm_infer_rereadable(const char *path, char **err);

#endif
