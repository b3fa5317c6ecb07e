/*
** source.h: bytes in. Opens a file (or a pipe), recognises gzip by its magic
** bytes and inflates it on the fly (every member of a multi-member file),
** and hands out the content in caller-sized blocks. It notices a file that
** shrinks or changes while it is read, and gzip data that is cut short or
** corrupt.
*/
#ifndef TM_SOURCE_H
#define TM_SOURCE_H

#include <stddef.h>
#include <stdint.h>

enum { TM_COMP_AUTO, TM_COMP_NONE, TM_COMP_GZIP };

/* What identifies a file's content cheaply: size and modification time. */
typedef struct tm_file_id {
  uint64_t size;
  int64_t mtime_ns;
  int pipe;   /* a pipe (FIFO): its content can be read only once */
} tm_file_id;

/* What identifies an input read as one: its files' identities, in order
** (one file is a list of one). */
typedef struct tm_input_id {
  uint32_t n;
  tm_file_id *files;    /* malloc'd */
} tm_input_id;

typedef struct tm_source tm_source;

/*
** Open `path` for reading. compression is TM_COMP_AUTO (gzip if the file
** starts with the gzip magic bytes), TM_COMP_NONE or TM_COMP_GZIP. On failure
** returns NULL and writes a message naming the file to err.
*/
tm_source *tm_src_open(const char *path, int compression, char *err, size_t errlen);

/*
** Read up to cap bytes of content (inflated if gzip) into dst. Returns the
** number of bytes, 0 at the end, or -1 on error (see tm_src_error).
*/
long tm_src_read(tm_source *s, char *dst, size_t cap);

/*
** Continue reading at content offset `offset` (of the inflated content for
** gzip). A plain file seeks directly. A gzip file inflates forward from
** where it is, or from its start when the offset lies behind: going back
** costs the inflation of everything before the offset. Pipes cannot seek.
** Returns 0, or -1 (see tm_src_error).
*/
int tm_src_seek(tm_source *s, uint64_t offset);

/* The last read error's message (the caller names the file and place). */
const char *tm_src_error(const tm_source *s);

/* Bytes of the file consumed so far (compressed bytes for gzip). */
uint64_t tm_src_consumed(const tm_source *s);

/* The file's size and mtime when it was opened (size 0 for pipes). */
tm_file_id tm_src_id(const tm_source *s);

/* Is the content gzip-compressed? */
int tm_src_is_gzip(const tm_source *s);

/* Close the file and free everything. Accepts NULL. */
void tm_src_close(tm_source *s);

/*
** Read a file's identity without opening it for reading. Returns 0 on
** success, or -1 with a message in err.
*/
int tm_src_stat(const char *path, tm_file_id *id, char *err, size_t errlen);

/* Do two identities name the same content (size and mtime)? */
int tm_src_same(tm_file_id a, tm_file_id b);

/* Do two inputs have the same files, each with the same content? */
int tm_src_id_same(const tm_input_id *a, const tm_input_id *b);

/* The index of the first file whose identity differs between two inputs
** (0 when none of the files both have does): the one a message names. */
uint32_t tm_src_id_changed(const tm_input_id *a, const tm_input_id *b);

/* Make dst a copy of src (dst's old list is not freed). Returns 0, or -1
** when out of memory (dst is then empty). */
int tm_src_id_copy(tm_input_id *dst, const tm_input_id *src);

/* The sum of the files' sizes (0 if one is a pipe). */
uint64_t tm_src_id_size(const tm_input_id *id);

/* Free the list and empty it. */
void tm_src_id_free(tm_input_id *id);

#endif
