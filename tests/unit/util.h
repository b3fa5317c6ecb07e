/*
** util.h: helpers shared by the C unit tests that work on real files: the
** test's temporary directory, writing a file, and a growable string. The
** including file defines _GNU_SOURCE first (for mkdtemp).
*/
#ifndef TM_UTIL_H
#define TM_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The test's temporary directory, and the one input file in it (if any). */
static char g_dir[64];
static char g_path[128];

/* Make the temporary directory /tmp/<prefix>_XXXXXX, with g_path the file
** `file` in it (none when NULL). Returns 0, or 1 (said on stderr). */
static inline int tmp_dir_make(const char *prefix, const char *file) {
  snprintf(g_dir, sizeof g_dir, "/tmp/%s_XXXXXX", prefix);
  if (!mkdtemp(g_dir)) {
    perror("mkdtemp");
    return 1;
  }
  if (file) snprintf(g_path, sizeof g_path, "%s/%s", g_dir, file);
  return 0;
}

/* Remove g_path (if any) and the temporary directory, which must then be
** empty. */
static inline void tmp_dir_remove(void) {
  if (g_path[0]) unlink(g_path);
  rmdir(g_dir);
}

static inline void write_file(const char *path, const void *data, size_t n) {
  FILE *f = fopen(path, "wb");
  if (!f || (n && fwrite(data, 1, n, f) != n)) abort();
  fclose(f);
}

/* A growable string, always NUL-terminated once something was put. */
typedef struct str {
  char *p;
  size_t n, cap;
} str;

static inline void s_put(str *s, const char *p, size_t n) {
  if (s->n + n + 1 > s->cap) {
    size_t cap = s->cap ? s->cap : 256;
    while (cap < s->n + n + 1) cap *= 2;
    s->p = realloc(s->p, cap);
    if (!s->p) abort();
    s->cap = cap;
  }
  memcpy(s->p + s->n, p, n);
  s->n += n;
  s->p[s->n] = 0;
}

static inline void s_str(str *s, const char *p) { s_put(s, p, strlen(p)); }

#endif
