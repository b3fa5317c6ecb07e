/*
** schema.h: the catalogue that flattening fills and queries read. It maps
** every key path seen to a table and a column, names them, and counts what
** it saw (rows per table; types and non-null values per column).
**
**   node    one key path, e.g. customer.address.city, or the element level
**           of a table (its rows' own fields hang below it)
**   table   the main table, one per array path that holds objects (or
**           every array path with arrays=child), and one per map object
**   column  one per node that held a scalar (or JSON text), named by the
**           path from its table's element node joined with the separator
**
** Names are given in first-seen order and never change; a name already
** taken in its table (SQLite compares names without ASCII case) gets a
** suffix _2, _3, ... A table whose columns and child tables would exceed
** max_columns turns its widest object (most distinct keys) into a map: a
** child table with one row per member (columns `key` and the member's
** value, flattened), named after the object's path, or <table>_members
** when the widest object is the row itself. When no object is left to
** turn, further keys go to the table's JSON column _extra. A map table is
** a table like any other (its widest object may become a map in turn);
** what the records before a map saw moves into it as if they were read
** after it, so the counts always equal what a scan with the final
** catalogue gives, and every child table has rows.
**
** Until tm_schema_freeze, lookups create what they do not find; after it,
** they return TM_NONE and flattening sends those values to _extra.
*/
#ifndef TM_SCHEMA_H
#define TM_SCHEMA_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "jsonout.h"

#define TM_NONE UINT32_MAX

enum { TM_ARRAYS_JSON, TM_ARRAYS_CHILD, TM_ARRAYS_SKIP };

/* Node flags. */
#define TM_N_MAP    0x01   /* an object used as a map: members are rows */
#define TM_N_EXTRA  0x02   /* its values go to _extra (the table is full) */
#define TM_N_DEAD   0x04   /* merged into a map table; no longer used */
#define TM_N_TABLES 0x08   /* a child table hangs at or below this node */
#define TM_N_DUP    0x10   /* a repeated key in one object (2nd, 3rd...) */

typedef struct tm_node {
  uint32_t parent;          /* TM_NONE for a table's element node */
  uint32_t table;           /* the table whose rows hold its values */
  uint32_t key, keylen;     /* key bytes at schema->keys + key */
  uint32_t hash;
  int32_t col;              /* column in `table` for its values, or -1 */
  uint32_t child;           /* table of its array elements or map members */
  uint32_t first, last;     /* children, in first-seen order */
  uint32_t next;            /* next sibling */
  uint32_t dup;             /* node for the next occurrence of this key */
  uint32_t nkeys;           /* distinct direct keys */
  uint64_t seen;            /* occurrences observed */
  uint64_t expanded;        /* values here expanded as child table rows */
  uint8_t flags;
} tm_node;

typedef struct tm_column {
  uint32_t name;            /* NUL-terminated, at schema->names + name */
  uint32_t member, memberlen;   /* `,"name":` at schema->members.p + member
                               (see tm_schema_member) */
  uint32_t node;            /* TM_NONE for a map table's key column */
  uint32_t types;           /* bit (1 << kind) for every token kind seen */
  uint64_t count;           /* non-null values seen */
} tm_column;

typedef struct tm_table {
  uint32_t name;            /* at schema->names + name */
  uint32_t parent;          /* TM_NONE for the main table */
  uint32_t owner;           /* the node (in the parent) whose array elements
                               or map members are this table's rows */
  uint32_t elem;            /* element node */
  tm_column *cols;
  uint32_t ncols, capcols;
  uint32_t nchild;          /* live child tables */
  uint64_t rows;            /* rows observed */
  uint8_t is_map, full, dead, has_extra;
} tm_table;

typedef struct tm_schema_config {
  const char *name;         /* main table name */
  const char *sep;          /* joins path segments in names */
  int arrays;               /* TM_ARRAYS_* for arrays without objects */
  int max_depth;            /* deeper containers stay JSON text */
  int max_columns;          /* per table: columns plus child tables */
} tm_schema_config;

typedef struct tm_schema {
  tm_schema_config cfg;     /* strings owned */
  tm_node *nodes;
  uint32_t nnodes, capnodes;
  tm_table *tables;
  uint32_t ntables, captables;
  char *keys;               /* key bytes of all nodes */
  size_t nkeybytes, capkeybytes;
  char *names;              /* table and column names, NUL-terminated */
  size_t nnamebytes, capnamebytes;
  tm_buf members;           /* column names as row text writes them (not
                               stored in the cache: made again on loading) */
  uint32_t *index;          /* hash: (parent, key) -> node */
  uint32_t indexcap;
  struct tm_name_slot *taken;   /* hash: (table, folded name) taken */
  uint32_t takencap, ntaken;
  uint32_t maps;             /* objects turned into maps so far */
  int frozen;
  int nomem;                /* an allocation failed; the schema is unusable */
} tm_schema;

/* A new schema with the main table (id 0, element node 0). NULL on OOM. */
tm_schema *tm_schema_new(const tm_schema_config *cfg);
void tm_schema_free(tm_schema *s);

/* No more nodes, columns or tables from now on. */
void tm_schema_freeze(tm_schema *s);

/* Is s frozen? Only a frozen schema may be shared with another thread,
** and only through a const pointer (see bgscan.c). */
static inline int tm_schema_frozen(const tm_schema *s) { return s->frozen; }

/* Does node id have exactly the key [key, key+len)? Inline: flattening
** asks it for nearly every key of every record. */
static inline int tm_schema_key_is(const tm_schema *s, uint32_t id, const char *key,
                                   size_t len) {
  const tm_node *n = &s->nodes[id];
  if (n->keylen != len) return 0;
  const char *k = s->keys + n->key;
  for (; len >= 8; len -= 8, k += 8, key += 8) {   /* keys are short: 8 bytes */
    uint64_t a, b;                                 /* a step, no call */
    memcpy(&a, k, 8);
    memcpy(&b, key, 8);
    if (a != b) return 0;
  }
  if (len >= 4) {
    uint32_t a, b;
    memcpy(&a, k, 4);
    memcpy(&b, key, 4);
    if (a != b) return 0;
    len -= 4, k += 4, key += 4;
  }
  for (; len; len--)
    if (*k++ != *key++) return 0;
  return 1;
}

/*
** The child of `parent` with key [key, key+len), or TM_NONE. Only reads the
** schema: what guesses the walks make to skip this hash lookup is theirs
** to keep (flatten.c), so readers of a frozen schema never write to it.
*/
uint32_t tm_schema_find_child(const tm_schema *s, uint32_t parent, const char *key,
                              size_t len);

/* The same, created unless frozen (TM_NONE if absent and frozen). */
uint32_t tm_schema_child(tm_schema *s, uint32_t parent, const char *key, size_t len);

/* The node for the next occurrence of node's key in the same object. */
uint32_t tm_schema_dup(tm_schema *s, uint32_t node);

/* The column of node, created unless frozen or full; -1 if none. */
int32_t tm_schema_column(tm_schema *s, uint32_t node);

/* The child table at node, created unless frozen; TM_NONE if none. */
uint32_t tm_schema_table(tm_schema *s, uint32_t node);

/*
** After a record, make every table fit max_columns (maps, then _extra).
** Returns 1 if the layout changed, so the record must be flattened again.
*/
int tm_schema_settle(tm_schema *s);

/*
** Add to a, read from the first part of a file, what b, read from the part
** that follows, saw (schemamerge.c): as if one open catalogue had read both
** parts in turn. Fills tables[t] with a's table for each table t of b.
** Returns 0; 1 if that cannot be done exactly (see schemamerge.c), and
** then a is untouched; -1 out of memory.
*/
int tm_schema_absorb(tm_schema *a, const tm_schema *b, uint32_t *tables);

/* A name in the catalogue. */
static inline const char *tm_schema_name(const tm_schema *s, uint32_t off) {
  return s->names + off;
}

/* Append column c's name as a member of a JSON object, `"name":`, after a
** comma unless it is the object's first member: made once per column, so
** that writing a row copies names instead of escaping them again. */
static inline void tm_schema_member(tm_buf *o, const tm_schema *s, const tm_column *c,
                                    int first) {
  first = first != 0;
  tm_buf_put(o, s->members.p + c->member + first, c->memberlen - (uint32_t)first);
}

/* The relative path of node within its table, joined with the separator
** (the unsuffixed name its column would get; "value" for an element node).
** Returns a malloc'd string. */
char *tm_schema_path(const tm_schema *s, uint32_t node);

/* Append the same path to *o (for names made while writing, without a
** malloc each). */
void tm_schema_put_path(tm_buf *o, const tm_schema *s, uint32_t node);

/*
** Where node's values come from in the document, from the record's root:
** keys joined by '.', "[]" for each array of a child table and "*" for the
** members of a map: items[].discounts[].code, events.*.name. Returns a
** malloc'd string ("" for the main table's element node).
*/
char *tm_schema_source(const tm_schema *s, uint32_t node);

/* Is table t the table `want`, or one of its ancestors? */
int tm_schema_on_path(const tm_schema *s, uint32_t t, uint32_t want);

/* Make again what the cache form does not store (after loading): the hash
** index of the nodes and the columns' member names. 0 or -1. */
int tm_schema_rebuild(tm_schema *s);

/* The table named `name` (case-insensitive), or TM_NONE. */
uint32_t tm_schema_find_table(const tm_schema *s, const char *name);

/* The cache form (schemaio.c). Append the schema's serialised form to *out, which the
** caller frees. Returns 0, or -1 when out of memory. */
int tm_schema_save(const tm_schema *s, tm_buf *out);

/*
** A frozen schema read back from tm_schema_save's bytes. Every index is
** checked, so bytes from an untrusted database cannot make it read out of
** bounds: anything inconsistent gives NULL (the caller rescans the file).
*/
tm_schema *tm_schema_load(const void *data, size_t n);

/*
** The metadata columns, in the order every table declares them: _id; for
** a child table _parent_id, _root_id and _index; then the table's own
** columns; then _extra, when the table has one. Their names are taken in
** every table: a key of the same name gets a suffix (_id_2).
*/
enum {
  TM_META_ID,
  TM_META_PARENT,
  TM_META_ROOT,
  TM_META_INDEX,
  TM_META_EXTRA,
  TM_META_COUNT
};
extern const char *const tm_meta_names[TM_META_COUNT];

#endif
