/*
** jsonlwrite.c: the JSON Lines file writer (format jsonl). One file per
** table, one JSON object per row and line: the metadata (_id; for child
** rows _parent_id, _root_id, _index), then the row as transmog_each gives
** it (rowtext.h), written from the record's tokens: numbers keep their
** digits, strings their escapes.
*/
#include <string.h>

#include "rowtext.h"
#include "writer.h"

typedef struct jsonl_writer {
  tm_writer base;
  tm_buf line;
  tm_buf meta;           /* the row's ids, as JSON members */
  tm_buf names;          /* the metadata members' names, made once: ,"name": */
  size_t name_at[TM_META_COUNT + 1];   /* where each starts in names */
} jsonl_writer;

/* Make the metadata members' names once: ,"_id": ,"_parent_id": ... */
static int jsonl_names(jsonl_writer *j) {
  if (j->names.n) return j->names.nomem ? -1 : 0;
  for (int m = 0; m < TM_META_COUNT; m++) {
    j->name_at[m] = j->names.n;
    tm_buf_putc(&j->names, ',');
    tm_jsonout_string(&j->names, tm_meta_names[m], strlen(tm_meta_names[m]));
    tm_buf_putc(&j->names, ':');
  }
  j->name_at[TM_META_COUNT] = j->names.n;
  return j->names.nomem ? -1 : 0;
}

/* Append metadata column m's name as a member (without its comma when
** first). */
static void jsonl_member(jsonl_writer *j, int first, int m) {
  size_t at = j->name_at[m] + (first ? 1 : 0);
  tm_buf_put(&j->meta, j->names.p + at, j->name_at[m + 1] - at);
}

/* Open table t's file (the members' names made first). */
static int jsonl_table(tm_writer *w, uint32_t t, const char *name, const tm_coldecl *cols,
                       int ncols) {
  (void)cols;
  (void)ncols;
  if (jsonl_names((jsonl_writer *)w)) return tm_writer_nomem(w);
  return tm_writer_file(w, t, name);
}

/* Make the metadata members of row r into j->meta. */
static void jsonl_meta(jsonl_writer *j, const tm_rows *rv, const tm_row *r) {
  const tm_record *rec = rv->rec;
  const tm_row *ids[3] = {r, r->parent == TM_NONE ? NULL : &rv->row[r->parent],
                          r->parent == TM_NONE ? NULL : &rv->row[0]};
  tm_buf *meta = &j->meta;
  meta->n = 0;
  for (int k = 0; k < 3 && ids[k]; k++) {
    jsonl_member(j, k == 0, TM_META_ID + k);
    if (ids[k]->natural != TM_NONE) {
      tm_rowtext_value(meta, rec->text, rec->tape->tok, ids[k]->natural,
                       j->base.cfg.types == TM_TYPES_TEXT);
    } else {
      tm_buf_uint64(meta, ids[k]->id);
    }
  }
  if (ids[1]) {
    jsonl_member(j, 0, TM_META_INDEX);
    tm_buf_uint64(meta, r->index);
  }
}

/* Write a row as one line: the metadata, then the row's JSON. */
static int jsonl_row(tm_writer *w, const tm_write_row *r) {
  jsonl_writer *j = (jsonl_writer *)w;
  jsonl_meta(j, r->rows, r->row);
  j->line.n = 0;
  tm_rowtext_json(&j->line, w->cfg.schema, r->rows, r->row, w->cfg.types == TM_TYPES_TEXT,
                  j->meta.p, j->meta.n);
  tm_buf_putc(&j->line, '\n');
  if (j->meta.nomem || j->line.nomem) return tm_writer_nomem(w);
  return tm_writer_put(w, r->row->table, j->line.p, j->line.n);
}

/* Free the buffers. */
static void jsonl_free(tm_writer *w) {
  jsonl_writer *j = (jsonl_writer *)w;
  tm_buf_free(&j->line);
  tm_buf_free(&j->meta);
  tm_buf_free(&j->names);
}

const tm_writer_class tm_jsonl_writer = {
    .name = "jsonl",
    .suffix = "jsonl",
    .size = sizeof(jsonl_writer),
    .convert = TM_WRITE_RAW,
    .table = jsonl_table,
    .row = jsonl_row,
    .commit = tm_writer_commit_files,
    .free = jsonl_free,
};
