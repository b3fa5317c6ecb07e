/*
** writer.c: the writer seam declared in writer.h: the registry of file
** formats, and what every writer (and every file writer) shares.
*/
#include "writer.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

extern const tm_writer_class tm_csv_writer;     /* csvwrite.c */
extern const tm_writer_class tm_jsonl_writer;   /* jsonlwrite.c */

/* The file formats, one line each. */
static const tm_writer_class *const writer_formats[] = {
    &tm_csv_writer,
    &tm_jsonl_writer,
};

const tm_writer_class *tm_writer_find(const char *name) {
  for (size_t i = 0; i < sizeof writer_formats / sizeof *writer_formats; i++)
    if (strcmp(writer_formats[i]->name, name) == 0) return writer_formats[i];
  return NULL;
}

tm_writer *tm_writer_open(const tm_writer_class *c, const tm_writer_config *cfg) {
  tm_writer *w = calloc(1, c->size);
  if (!w) return NULL;
  w->cls = c;
  w->cfg = *cfg;
  if (c->suffix && !(w->sinks = calloc(cfg->schema->ntables, sizeof *w->sinks))) {
    free(w);
    return NULL;
  }
  return w;
}

void tm_writer_free(tm_writer *w) {
  if (!w) return;
  if (w->cls->free) w->cls->free(w);
  for (uint32_t t = 0; w->sinks && t < w->cfg.schema->ntables; t++)
    tm_sink_free(w->sinks[t]);   /* an uncommitted file goes */
  free(w->sinks);
  free(w->err);
  free(w);
}

const char *tm_writer_error(const tm_writer *w) { return w->err ? w->err : ""; }

int tm_writer_fail(tm_writer *w, const char *fmt, ...) {
  if (w->err) return TM_WRITE_ERROR;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || !(w->err = malloc((size_t)n + 1))) return tm_writer_nomem(w);
  va_start(ap, fmt);
  vsnprintf(w->err, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return TM_WRITE_ERROR;
}

int tm_writer_nomem(tm_writer *w) {
  w->nomem = 1;
  return TM_WRITE_NOMEM;
}

/* Table `name`'s file name: '/' and '%' escaped, then the suffix (and
** .gz). A malloc'd string, or NULL. */
static char *writer_file_name(const tm_writer *w, const char *name) {
  tm_buf o = {0};
  for (const char *p = name; *p; p++) {
    if (*p == '/') tm_buf_put(&o, "%2F", 3);
    else if (*p == '%') tm_buf_put(&o, "%25", 3);
    else tm_buf_putc(&o, *p);
  }
  tm_buf_putc(&o, '.');
  tm_buf_put(&o, w->cls->suffix, strlen(w->cls->suffix));
  if (w->cfg.gzip) tm_buf_put(&o, ".gz", 3);
  tm_buf_putc(&o, 0);
  if (o.nomem) tm_buf_free(&o);
  return o.p;
}

int tm_writer_file(tm_writer *w, uint32_t t, const char *name) {
  char err[400], *file = writer_file_name(w, name);
  int rc = file ? TM_WRITE_OK : tm_writer_nomem(w);
  if (rc == TM_WRITE_OK && !(w->sinks[t] = tm_sink_open(w->cfg.dir, file, w->cfg.gzip,
                                                        w->cfg.replace, err, sizeof err)))
    rc = tm_writer_fail(w, "%s", err);
  free(file);
  return rc;
}

int tm_writer_put(tm_writer *w, uint32_t t, const void *p, size_t n) {
  if (tm_sink_write(w->sinks[t], p, n))
    return tm_writer_fail(w, "%s", tm_sink_error(w->sinks[t]));
  return TM_WRITE_OK;
}

int tm_writer_commit_files(tm_writer *w) {
  uint32_t n = w->cfg.schema->ntables;
  /* first what can fail for want of room, for every file: a full disk
     leaves every target as it was */
  for (uint32_t t = 0; t < n; t++)
    if (w->sinks[t] && tm_sink_close(w->sinks[t]) != 0)
      return tm_writer_fail(w, "%s", tm_sink_error(w->sinks[t]));
  for (uint32_t t = 0; t < n; t++) {
    if (!w->sinks[t] || tm_sink_rename(w->sinks[t]) == 0) continue;
    int rc = tm_writer_fail(w, "%s", tm_sink_error(w->sinks[t]));
    while (t-- > 0)   /* the files renamed already go too: all or nothing */
      if (w->sinks[t]) unlink(tm_sink_path(w->sinks[t]));
    return rc;
  }
  if (tm_sink_sync_dir(w->cfg.dir) != 0)
    return tm_writer_fail(w, "cannot sync the directory '%s': %s", w->cfg.dir,
                          strerror(errno));
  return TM_WRITE_OK;
}
