/*
** test_flatten.c: flattening (src/flatten.c, src/schema.c) through the scan
** front door (tm_scan_open / tm_scan_next), against the README's
** "Flattening" section.
**
** Rows are rendered one per line:
**
**   <table>#<id>[(<natural id>)][<<parent table>#<parent id>/<index>] [key=..] col=value ... _extra.name=value
**
** where values are the compact JSON text of their tokens. The schema's
** statistics are rendered one table per line:
**
**   <table>[<parent>][ map][ +_extra] rows=N: col{types}count ...
**
** with types as letters: n(ull) f(alse) t(rue) i(nt) b(ig) r(eal) s(tring)
** A(rray) O(bject). Tables merged away (dead) are not shown.
*/
#define _GNU_SOURCE   /* mkdtemp */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check.h"
#include "util.h"
#include "jsonout.h"
#include "rowtext.h"
#include "scan.h"

static void s_num(str *s, unsigned long long v) {
  char b[32];
  snprintf(b, sizeof b, "%llu", v);
  s_str(s, b);
}

/* The compact JSON text of token i. */
static void s_tok(str *s, const tm_record *rec, uint32_t i) {
  tm_buf o = {0};
  tm_jsonout_value(&o, rec->text, rec->tape->tok, i);
  s_put(s, o.p ? o.p : "", o.n);
  tm_buf_free(&o);
}

/* A name that may hold NULs (shown as \0). */
static void s_name(str *s, const char *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    if (p[i]) s_put(s, p + i, 1);
    else s_str(s, "\\0");
  }
}

/* The rows of the scan's last record. */
static void describe_rows(str *t, tm_scan *sc) {
  tm_schema *s = tm_scan_schema(sc);
  tm_flat *f = tm_scan_flat(sc);
  const tm_record *rec = tm_scan_record(sc);
  uint32_t n;
  const tm_row *rows = tm_flat_rows(f, &n);
  const tm_cell *cells = tm_flat_cells(f);
  tm_rows v;
  tm_flat_view(f, rec, &v);
  tm_buf name = {0};
  for (uint32_t i = 0; i < n; i++) {
    const tm_row *r = &rows[i];
    const tm_table *tb = &s->tables[r->table];
    s_str(t, tm_schema_name(s, tb->name));
    s_str(t, "#");
    s_num(t, r->id);
    if (r->natural != TM_NONE) {
      s_str(t, "(");
      s_tok(t, rec, r->natural);
      s_str(t, ")");
    }
    if (r->parent != TM_NONE) {
      const tm_row *p = &rows[r->parent];
      s_str(t, "<");
      s_str(t, tm_schema_name(s, s->tables[p->table].name));
      s_str(t, "#");
      s_num(t, p->id);
      s_str(t, "/");
      s_num(t, r->index);
    }
    if (r->key != TM_NONE) {
      s_str(t, " ");
      s_str(t, tm_schema_name(s, tb->cols[0].name));
      s_str(t, "=");
      s_tok(t, rec, r->key);
    }
    for (uint32_t c = r->cell; c < r->cell + r->ncells; c++) {
      s_str(t, " ");
      s_str(t, tm_schema_name(s, tb->cols[cells[c].col].name));
      s_str(t, "=");
      s_tok(t, rec, cells[c].tok);
    }
    for (uint32_t e = r->extra; e < r->extra + r->nextra; e++) {
      s_str(t, " _extra.");
      name.n = 0;
      tm_rowtext_extra_name(&name, s, &v, &v.extras[e]);
      s_name(t, name.p, name.n);
      s_str(t, "=");
      s_tok(t, rec, v.extras[e].tok);
    }
    s_str(t, "\n");
  }
  tm_buf_free(&name);
}

/* The live tables of a schema with their statistics. */
static void describe_schema(str *t, const tm_schema *s) {
  static const char kinds[] = "nftibrsAO";
  for (uint32_t i = 0; i < s->ntables; i++) {
    const tm_table *tb = &s->tables[i];
    if (tb->dead) continue;
    s_str(t, tm_schema_name(s, tb->name));
    if (tb->parent != TM_NONE) {
      s_str(t, "<");
      s_str(t, tm_schema_name(s, s->tables[tb->parent].name));
    }
    if (tb->is_map) s_str(t, " map");
    if (tb->has_extra) s_str(t, " +_extra");
    s_str(t, " rows=");
    s_num(t, tb->rows);
    s_str(t, ":");
    for (uint32_t c = 0; c < tb->ncols; c++) {
      s_str(t, " ");
      s_str(t, tm_schema_name(s, tb->cols[c].name));
      s_str(t, "{");
      for (int k = 0; k <= TM_OBJ; k++)
        if (tb->cols[c].types & (1u << k)) s_put(t, kinds + k, 1);
      s_str(t, "}");
      s_num(t, tb->cols[c].count);
    }
    s_str(t, "\n");
  }
}

/* Options with the main table named "orders". */
static tm_options opts(void) {
  tm_options o;
  tm_options_init(&o);
  o.name = "orders";
  return o;
}

static str g_rows, g_schema;

/*
** Scan `content` with options o into the given schema (NULL: a new one),
** observing statistics. Leaves the rows of every record in g_rows (bad
** records as "!message") and the schema in g_schema. Returns the rows.
*/
/* A `want` meaning: every table's ids, no cells (count(*)). */
#define NO_CELLS (UINT32_MAX - 1)

static const char *scan_into(const char *content, const tm_options *o, tm_schema *schema,
                             uint32_t want) {
  int cells = want != NO_CELLS;
  if (!cells) want = TM_NONE;
  write_file(g_path, content, strlen(content));
  g_rows.n = g_schema.n = 0;
  s_put(&g_rows, "", 0);
  s_put(&g_schema, "", 0);
  char *err = NULL;
  tm_scan *sc = tm_scan_open(g_path, o, schema, want, cells, schema == NULL, &err);
  if (!sc) {
    s_str(&g_rows, "OPEN ");
    s_str(&g_rows, err);
    free(err);
    return g_rows.p;
  }
  int rc;
  while ((rc = tm_scan_next(sc)) != TM_REC_END && rc != TM_REC_FATAL) {
    if (rc == TM_REC_BAD) {
      s_str(&g_rows, "!");
      s_str(&g_rows, tm_scan_message(sc));
      s_str(&g_rows, "\n");
      continue;
    }
    describe_rows(&g_rows, sc);
  }
  if (rc == TM_REC_FATAL) {
    s_str(&g_rows, "FATAL ");
    s_str(&g_rows, tm_scan_message(sc));
  }
  describe_schema(&g_schema, tm_scan_schema(sc));
  tm_scan_close(sc);
  return g_rows.p;
}

static const char *scan(const char *content, const tm_options *o) {
  return scan_into(content, o, NULL, TM_NONE);
}

/* ------------------------------------------------------------- nesting */

static void test_nesting(void) {
  tm_options o = opts();
  CHECK_STR(
      scan("{\"customer\":{\"address\":{\"city\":\"Paris\",\"zip\":\"75001\"}},\"n\":1,"
           "\"t\":true,\"f\":false,\"z\":null,\"r\":1.50,\"big\":123456789012345678901,"
           "\"s\":\"x\\ty\"}\n",
           &o),
      "orders#1 customer_address_city=\"Paris\" customer_address_zip=\"75001\" n=1 t=true"
      " f=false z=null r=1.50 big=123456789012345678901 s=\"x\\ty\"\n",
      "nested objects join with _, scalars as cells");
  CHECK_STR(
      g_schema.p,
      "orders rows=1: customer_address_city{s}1 customer_address_zip{s}1 n{i}1 t{t}1 f{f}1"
      " z{n}0 r{r}1 big{b}1 s{s}1\n",
      "column types and non-null counts");

  const char *doc =
      "{\"id\":1,\"items\":[{\"sku\":\"a\",\"d\":[{\"p\":1},{\"p\":2}]},{\"sku\":\"b\",\"d\":[{\"p\":3}]}],"
      "\"customer\":{\"address\":{\"city\":\"Paris\"}}}\n"
      "{\"id\":2,\"items\":[{\"sku\":\"c\",\"d\":[{\"p\":4}]}]}\n";
  CHECK_STR(
      scan(doc, &o),
      "orders#1 id=1 customer_address_city=\"Paris\"\n"
      "orders_items#1<orders#1/0 sku=\"a\"\n"
      "orders_items_d#1<orders_items#1/0 p=1\n"
      "orders_items_d#2<orders_items#1/1 p=2\n"
      "orders_items#2<orders#1/1 sku=\"b\"\n"
      "orders_items_d#3<orders_items#2/0 p=3\n"
      "orders#2 id=2\n"
      "orders_items#3<orders#2/0 sku=\"c\"\n"
      "orders_items_d#4<orders_items#3/0 p=4\n",
      "child and grandchild tables: ids in file order, parent is the immediate parent");
  CHECK_STR(g_schema.p,
            "orders rows=2: id{i}2 customer_address_city{s}1\n"
            "orders_items<orders rows=3: sku{s}3\n"
            "orders_items_d<orders_items rows=4: p{i}4\n",
            "child tables: statistics");

  o.separator = ".";
  CHECK_STR(scan(doc, &o),
            "orders#1 id=1 customer.address.city=\"Paris\"\n"
            "orders.items#1<orders#1/0 sku=\"a\"\n"
            "orders.items.d#1<orders.items#1/0 p=1\n"
            "orders.items.d#2<orders.items#1/1 p=2\n"
            "orders.items#2<orders#1/1 sku=\"b\"\n"
            "orders.items.d#3<orders.items#2/0 p=3\n"
            "orders#2 id=2\n"
            "orders.items#3<orders#2/0 sku=\"c\"\n"
            "orders.items.d#4<orders.items#3/0 p=4\n",
            "separator=. in column and table names");
  o.separator = "__";
  CHECK_STR(scan(doc, &o),
            "orders#1 id=1 customer__address__city=\"Paris\"\n"
            "orders__items#1<orders#1/0 sku=\"a\"\n"
            "orders__items__d#1<orders__items#1/0 p=1\n"
            "orders__items__d#2<orders__items#1/1 p=2\n"
            "orders__items#2<orders#1/1 sku=\"b\"\n"
            "orders__items__d#3<orders__items#2/0 p=3\n"
            "orders#2 id=2\n"
            "orders__items#3<orders#2/0 sku=\"c\"\n"
            "orders__items__d#4<orders__items#3/0 p=4\n",
            "multi-character separator __");

  o = opts();
  CHECK_STR(
      scan(
          "{\"a\":{\"b\":[{\"x\":1},{\"x\":2}]},\"items\":[{\"meta\":{\"tags\":[{\"t\":1}]}}]}\n",
          &o),
      "orders#1\n"
      "orders_a_b#1<orders#1/0 x=1\n"
      "orders_a_b#2<orders#1/1 x=2\n"
      "orders_items#1<orders#1/0\n"
      "orders_items_meta_tags#1<orders_items#1/0 t=1\n",
      "arrays under nested objects: table named by the whole path, parent is the row");
  CHECK_STR(g_schema.p,
            "orders rows=1:\n"
            "orders_a_b<orders rows=2: x{i}2\n"
            "orders_items<orders rows=1:\n"
            "orders_items_meta_tags<orders_items rows=1: t{i}1\n",
            "arrays under nested objects: tables");

  /* the main table's default name: the file's base name without extensions */
  {
    char *n1 = tm_default_name("data/orders.jsonl.gz");
    char *n2 = tm_default_name("/x/y/dump.ndjson");
    char *n3 = tm_default_name("backup.tar.gz");
    char *n4 = tm_default_name("README");
    char *n5 = tm_default_name("dir/.json");
    char *n6 = tm_default_name("Events.JSON");
    CHECK_STR(n1, "orders", "default name: orders.jsonl.gz -> orders");
    CHECK_STR(n2, "dump", "default name: dump.ndjson -> dump");
    CHECK_STR(n3, "backup.tar", "default name: only known extensions are removed");
    CHECK_STR(n4, "README", "default name: no extension");
    CHECK_STR(n5, "data", "default name: nothing left -> data");
    CHECK_STR(n6, "Events", "default name: extensions compared without case");
    free(n1);
    free(n2);
    free(n3);
    free(n4);
    free(n5);
    free(n6);
    char path[200];
    snprintf(path, sizeof path, "%s/events.jsonl.gz", g_dir);
    write_file(path, "{\"l\":[{\"a\":1}]}\n", 16);
    tm_options d;
    tm_options_init(&d);
    char *err = NULL;
    tm_scan *sc = tm_scan_open(path, &d, NULL, TM_NONE, 1, 1, &err);
    str t = {0};
    s_put(&t, "", 0);
    if (sc && tm_scan_next(sc) == TM_REC_OK) describe_rows(&t, sc);
    CHECK_STR(t.p, "events#1\nevents_l#1<events#1/0 a=1\n",
              "a scan names the main table after the file");
    tm_scan_close(sc);
    free(t.p);
    unlink(path);
  }
}

/* -------------------------------------------------------------- arrays */

static void test_arrays(void) {
  tm_options o = opts();
  CHECK_STR(scan("{\"m\":[1,{\"x\":2},\"s\",null,[3, 4],{\"value\":9},true]}\n", &o),
            "orders#1\n"
            "orders_m#1<orders#1/0 value=1\n"
            "orders_m#2<orders#1/1 x=2\n"
            "orders_m#3<orders#1/2 value=\"s\"\n"
            "orders_m#4<orders#1/3 value=null\n"
            "orders_m#5<orders#1/4 value=[3,4]\n"
            "orders_m#6<orders#1/5 value_2=9\n"
            "orders_m#7<orders#1/6 value=true\n",
            "mixed array: primitives are value rows, nested arrays JSON text");
  CHECK_STR(g_schema.p,
            "orders rows=1:\norders_m<orders rows=7: value{ntisA}4 x{i}1 value_2{i}1\n",
            "mixed array: columns value, x and a key 'value' renamed value_2");

  const char *prim =
      "{\"tags\":[\"a\", \"b\"],\"n\":[1,2.5,null],\"aa\":[[1,2],[3]],\"e\":[],"
      "\"o\":[{\"k\":1}]}\n";
  CHECK_STR(scan(prim, &o),
            "orders#1 tags=[\"a\",\"b\"] n=[1,2.5,null] aa=[[1,2],[3]]\n"
            "orders_o#1<orders#1/0 k=1\n",
            "arrays=json: primitive arrays and arrays of arrays are one JSON column");
  CHECK_STR(g_schema.p,
            "orders rows=1: tags{A}1 n{A}1 aa{A}1\norders_o<orders rows=1: k{i}1\n",
            "arrays=json: statistics");
  o.arrays = TM_ARRAYS_CHILD;
  CHECK_STR(scan(prim, &o),
            "orders#1\n"
            "orders_tags#1<orders#1/0 value=\"a\"\n"
            "orders_tags#2<orders#1/1 value=\"b\"\n"
            "orders_n#1<orders#1/0 value=1\n"
            "orders_n#2<orders#1/1 value=2.5\n"
            "orders_n#3<orders#1/2 value=null\n"
            "orders_aa#1<orders#1/0 value=[1,2]\n"
            "orders_aa#2<orders#1/1 value=[3]\n"
            "orders_o#1<orders#1/0 k=1\n",
            "arrays=child: a child table with a value column per array");
  CHECK_STR(g_schema.p,
            "orders rows=1:\n"
            "orders_tags<orders rows=2: value{s}2\n"
            "orders_n<orders rows=3: value{nir}2\n"
            "orders_aa<orders rows=2: value{A}2\n"
            "orders_o<orders rows=1: k{i}1\n",
            "arrays=child: statistics");
  o.arrays = TM_ARRAYS_SKIP;
  CHECK_STR(scan(prim, &o), "orders#1\norders_o#1<orders#1/0 k=1\n",
            "arrays=skip: primitive arrays dropped, arrays of objects kept");
  CHECK_STR(g_schema.p, "orders rows=1:\norders_o<orders rows=1: k{i}1\n",
            "arrays=skip: no columns");

  o = opts();
  CHECK_STR(scan("{\"e\":[],\"o\":{},\"p\":{\"q\":{},\"r\":[]},\"x\":1}\n{}\n", &o),
            "orders#1 x=1\norders#2\n",
            "empty arrays and objects add no rows and no columns");
  CHECK_STR(g_schema.p, "orders rows=2: x{i}1\n", "empty containers: only x");

  CHECK_STR(scan("1\n\"s\"\n[1,2]\nnull\n[{\"a\":1}]\ntrue\n{\"value\":5}\n", &o),
            "orders#1 value=1\n"
            "orders#2 value=\"s\"\n"
            "orders#3 value=[1,2]\n"
            "orders#4 value=null\n"
            "orders#5 value=[{\"a\":1}]\n"
            "orders#6 value=true\n"
            "orders#7 value_2=5\n",
            "records that are not objects are rows with a value column");
  CHECK_STR(g_schema.p, "orders rows=7: value{ntisA}5 value_2{i}1\n",
            "non-object records: statistics");

  CHECK_STR(scan("{\"l\":[{\"x\":1}],\"l\":[{\"x\":2}]}\n", &o),
            "orders#1\norders_l#1<orders#1/0 x=1\norders_l_2#1<orders#1/0 x=2\n",
            "a repeated key holding arrays gives two tables");
}

/* ----------------------------------------------------------- max_depth */

static void test_depth(void) {
  tm_options o = opts();
  o.max_depth = 2;
  CHECK_STR(
      scan("{\"a\":{\"b\":{\"c\":1}},\"x\":{\"y\":1},\"l\":[{\"m\":1}],\"q\":[1]}\n", &o),
      "orders#1 a_b={\"c\":1} x_y=1 q=[1]\n"
      "orders_l#1<orders#1/0 value={\"m\":1}\n",
      "max_depth=2: the third level of containers stays JSON text");
  o.max_depth = 1;
  CHECK_STR(scan("{\"a\":{\"b\":1},\"l\":[{\"x\":1}],\"p\":[1]}\n", &o),
            "orders#1 a={\"b\":1} l=[{\"x\":1}] p=[1]\n",
            "max_depth=1: every container below the record is JSON text");
  CHECK_STR(g_schema.p, "orders rows=1: a{O}1 l{A}1 p{A}1\n",
            "max_depth=1: no child tables");

  /* default 64: 70 nested objects */
  o = opts();
  str d = {0}, want = {0};
  for (int i = 0; i < 70; i++) s_str(&d, "{\"k\":");
  s_str(&d, "1");
  for (int i = 0; i < 70; i++) s_str(&d, "}");
  s_str(&d, "\n");
  s_str(&want, "orders#1 ");
  for (int i = 0; i < 64; i++) s_str(&want, i ? "_k" : "k");
  s_str(&want, "={\"k\":{\"k\":{\"k\":{\"k\":{\"k\":{\"k\":1}}}}}}\n");
  CHECK_STR(scan(d.p, &o), want.p,
            "max_depth=64 by default: 64 keys joined, the rest JSON text");
  free(d.p);
  free(want.p);
}

/* --------------------------------------------------------------- names */

static void test_names(void) {
  tm_options o = opts();
  CHECK_STR(
      scan("{\"a_b\":1,\"a\":{\"b\":2},\"Name\":1,\"name\":2,\"NAME\":3,\"r\":1,\"r\":2,"
           "\"r\":3,"
           "\"o\":{\"x\":1},\"o\":{\"x\":2}}\n{\"a\":{\"b\":3},\"r\":4,\"name\":5}\n",
           &o),
      "orders#1 a_b=1 a_b_2=2 Name=1 name_2=2 NAME_3=3 r=1 r_2=2 r_3=3 o_x=1 o_x_2=2\n"
      "orders#2 a_b_2=3 r=4 name_2=5\n",
      "collisions: a_b vs a.b, case, repeated keys; the same key keeps its column");
  CHECK_STR(scan("{\"a\":{\"b\":2},\"a_b\":1}\n", &o), "orders#1 a_b=2 a_b_2=1\n",
            "collisions follow first-seen order");
  CHECK_STR(scan("{\"a\":{\"b\":[{\"x\":1}]},\"a_b\":[{\"y\":1}],\"items\":[{\"z\":1}],"
                 "\"ITEMS\":[{\"z\":2}]}\n",
                 &o),
            "orders#1\n"
            "orders_a_b#1<orders#1/0 x=1\n"
            "orders_a_b_2#1<orders#1/0 y=1\n"
            "orders_items#1<orders#1/0 z=1\n"
            "orders_ITEMS_2#1<orders#1/0 z=2\n",
            "table names collide the same way");
  CHECK_STR(
      scan(
          "{\"_id\":5,\"_ID\":3,\"_extra\":1,\"_parent_id\":1,\"_root_id\":7,\"_index\":2,"
          "\"items\":[{\"_id\":1,\"_parent_id\":2,\"_root_id\":3,\"_index\":4,\"_extra\":5,"
          "\"value\":6}]}\n",
          &o),
      "orders#1 _id_2=5 _ID_3=3 _extra_2=1 _parent_id_2=1 _root_id_2=7 _index_2=2\n"
      "orders_items#1<orders#1/0 _id_2=1 _parent_id_2=2 _root_id_2=3 _index_2=4 _extra_2=5 value=6\n",
      "metadata names are taken in every table (README: _id, _parent_id, _root_id, _index, _extra)");
  CHECK_STR(
      scan("{\"a\\u0000b\":1,\"a\\\\u0000b\":2,\"\":3,\"\":4,\"e\":{\"\":5},\"q\\\"t\":6,"
           "\"caf\\u00e9\":7,\"\xC3\x89\":8,\"\xC3\xA9\":9}\n",
           &o),
      "orders#1 a\\u0000b=1 a\\u0000b_2=2 =3 _2=4 e_=5 q\"t=6 caf\xC3\xA9=7 \xC3\x89=8 \xC3\xA9=9\n",
      "NUL spelled \\u0000, empty keys, quotes, non-ASCII case is distinct");
}

/* ---------------------------------------------------------------- maps */

static void test_maps(void) {
  tm_options o = opts();
  o.max_columns = 5;
  CHECK_STR(
      scan(
          "{\"id\":1,\"scores\":{\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5},\"name\":\"x\"}\n",
          &o),
      "orders#1 id=1 name=\"x\"\n"
      "orders_scores#1<orders#1/0 key=\"k1\" value=1\n"
      "orders_scores#2<orders#1/1 key=\"k2\" value=2\n"
      "orders_scores#3<orders#1/2 key=\"k3\" value=3\n"
      "orders_scores#4<orders#1/3 key=\"k4\" value=4\n"
      "orders_scores#5<orders#1/4 key=\"k5\" value=5\n",
      "max_columns=5: the widest object becomes a map table with key and value");
  CHECK_STR(g_schema.p,
            "orders rows=1: id{i}1 name{s}1\n"
            "orders_scores<orders map rows=5: key{s}5 value{i}5\n",
            "map table: statistics");

  /* statistics merged at conversion equal those of a scan that knew the map
     from its first record */
  const char *A = "{\"id\":1,\"s\":{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5}}\n";
  const char *B = "{\"id\":2,\"s\":{\"f\":\"x\"}}\n";
  char ba[256], ab[256];
  snprintf(ba, sizeof ba, "%s%s", B, A);
  snprintf(ab, sizeof ab, "%s%s", A, B);
  CHECK_STR(scan(ba, &o),
            "orders#1 id=2 s_f=\"x\"\n"
            "orders#2 id=1\n"
            "orders_s#1<orders#2/0 key=\"a\" value=1\n"
            "orders_s#2<orders#2/1 key=\"b\" value=2\n"
            "orders_s#3<orders#2/2 key=\"c\" value=3\n"
            "orders_s#4<orders#2/3 key=\"d\" value=4\n"
            "orders_s#5<orders#2/4 key=\"e\" value=5\n",
            "map found at record 2: rows before keep the members as columns");
  char merged[512];
  snprintf(merged, sizeof merged, "%s", g_schema.p);
  CHECK_STR(merged,
            "orders rows=2: id{i}2\norders_s<orders map rows=6: key{s}6 value{is}6\n",
            "map found at record 2: merged statistics");
  scan(ab, &o);
  CHECK_STR(merged, g_schema.p, "merged statistics equal a fresh scan's");

  const char *A2 = "{\"id\":1,\"s\":{\"a\":{\"p\":1,\"q\":\"x\"},\"b\":{\"p\":2},\"c\":3,"
                   "\"d\":4,\"e\":5}}\n";
  const char *B2 = "{\"id\":2,\"s\":{\"f\":{\"p\":3,\"r\":[{\"z\":1}]}}}\n";
  snprintf(ba, sizeof ba, "%s%s", B2, A2);
  snprintf(ab, sizeof ab, "%s%s", A2, B2);
  CHECK_STR(scan(ab, &o),
            "orders#1 id=1\n"
            "orders_s#1<orders#1/0 key=\"a\" p=1 q=\"x\"\n"
            "orders_s#2<orders#1/1 key=\"b\" p=2\n"
            "orders_s#3<orders#1/2 key=\"c\" value=3\n"
            "orders_s#4<orders#1/3 key=\"d\" value=4\n"
            "orders_s#5<orders#1/4 key=\"e\" value=5\n"
            "orders#2 id=2\n"
            "orders_s#6<orders#2/0 key=\"f\" p=3\n"
            "orders_s_r#1<orders_s#6/0 z=1\n",
            "map members that are objects: their fields flattened beside key");
  snprintf(merged, sizeof merged, "%s", g_schema.p);
  CHECK_STR(merged,
            "orders rows=2: id{i}2\n"
            "orders_s<orders map rows=6: key{s}6 p{i}3 q{s}1 value{i}3\n"
            "orders_s_r<orders_s rows=1: z{i}1\n",
            "map with object members: statistics");
  scan(ba, &o);
  CHECK_STR(g_schema.p, merged,
            "map with object members and a child table: merge equals a fresh scan");

  /* the record itself is the widest object: <table>_members */
  CHECK_STR(scan("{\"a\":1,\"b\":2,\"c\":3,\"d\":4,\"e\":5,\"f\":6}\n", &o),
            "orders#1\n"
            "orders_members#1<orders#1/0 key=\"a\" value=1\n"
            "orders_members#2<orders#1/1 key=\"b\" value=2\n"
            "orders_members#3<orders#1/2 key=\"c\" value=3\n"
            "orders_members#4<orders#1/3 key=\"d\" value=4\n"
            "orders_members#5<orders#1/4 key=\"e\" value=5\n"
            "orders_members#6<orders#1/5 key=\"f\" value=6\n",
            "the record as a map: orders_members");
  CHECK_STR(g_schema.p,
            "orders rows=1:\norders_members<orders map rows=6: key{s}6 value{i}6\n",
            "orders_members: statistics");
  CHECK_STR(
      scan("{\"u1\":{\"name\":\"a\",\"age\":1},\"u2\":{\"name\":\"b\"},\"u3\":{\"x\":1},"
           "\"u4\":{\"x\":2},\"u5\":{\"x\":3},\"u6\":{\"x\":4}}\n",
           &o),
      "orders#1\n"
      "orders_members#1<orders#1/0 key=\"u1\" name=\"a\" age=1\n"
      "orders_members#2<orders#1/1 key=\"u2\" name=\"b\"\n"
      "orders_members#3<orders#1/2 key=\"u3\" x=1\n"
      "orders_members#4<orders#1/3 key=\"u4\" x=2\n"
      "orders_members#5<orders#1/4 key=\"u5\" x=3\n"
      "orders_members#6<orders#1/5 key=\"u6\" x=4\n",
      "a file that is one big map of objects");
  CHECK_STR(
      g_schema.p,
      "orders rows=1:\norders_members<orders map rows=6: key{s}6 name{s}2 age{i}1 x{i}4\n",
      "one big map of objects: statistics");

  /* a member field named key */
  o.max_columns = 3;
  CHECK_STR(scan("{\"s\":{\"a\":{\"key\":1},\"b\":2,\"c\":3,\"d\":4}}\n", &o),
            "orders#1\n"
            "orders_s#1<orders#1/0 key=\"a\" key_2=1\n"
            "orders_s#2<orders#1/1 key=\"b\" value=2\n"
            "orders_s#3<orders#1/2 key=\"c\" value=3\n"
            "orders_s#4<orders#1/3 key=\"d\" value=4\n",
            "a member field named key becomes key_2");

  /* nothing left to turn into a map: _extra */
  o.max_columns = 2;
  CHECK_STR(
      scan("{\"a\":1,\"b\":2,\"c\":3}\n{\"d\":{\"x\":1}}\n{\"e\":{\"x\":{\"y\":2}}}\n",
           &o),
      "orders#1\n"
      "orders_members#1<orders#1/0 key=\"a\" value=1\n"
      "orders_members#2<orders#1/1 key=\"b\" value=2\n"
      "orders_members#3<orders#1/2 key=\"c\" value=3\n"
      "orders#2\n"
      "orders_members#4<orders#2/0 key=\"d\" _extra.x=1\n"
      "orders#3\n"
      "orders_members#5<orders#3/0 key=\"e\" _extra.x_y=2\n",
      "a full table sends further keys to _extra with flattened names");
  CHECK_STR(
      g_schema.p,
      "orders rows=3:\norders_members<orders map +_extra rows=5: key{s}5 value{i}3\n",
      "_extra: statistics");

  /* members whose values are arrays of objects: value holds the JSON text
     (README: "value for a scalar or an array"), and no table is left behind */
  CHECK_STR(scan("{\"x\":1,\"y\":[{\"p\":1}],\"z\":[{\"q\":1}]}\n", &o),
            "orders#1\n"
            "orders_members#1<orders#1/0 key=\"x\" value=1\n"
            "orders_members#2<orders#1/1 key=\"y\" value=[{\"p\":1}]\n"
            "orders_members#3<orders#1/2 key=\"z\" value=[{\"q\":1}]\n",
            "map of arrays of objects: key and value fit in max_columns=2");
  CHECK_STR(g_schema.p,
            "orders rows=1:\norders_members<orders map rows=3: key{s}3 value{iA}3\n",
            "map of arrays of objects: no table left over from before the conversion");
  o.max_columns = 3;
  CHECK_STR(
      scan(
          "{\"2019\":[{\"e\":1}]}\n{\"2020\":[{\"e\":2}],\"2021\":[{\"e\":3}],\"2022\":[{\"e\":4}]}\n",
          &o),
      "orders#1\n"
      "orders_2019#1<orders#1/0 e=1\n"
      "orders#2\n"
      "orders_members#1<orders#2/0 key=\"2020\" value=[{\"e\":2}]\n"
      "orders_members#2<orders#2/1 key=\"2021\" value=[{\"e\":3}]\n"
      "orders_members#3<orders#2/2 key=\"2022\" value=[{\"e\":4}]\n",
      "map of arrays found at record 2: rows");
  CHECK_STR(
      g_schema.p, "orders rows=2:\norders_members<orders map rows=4: key{s}4 value{A}4\n",
      "map of arrays found at record 2: the earlier array counts as a value, like a fresh scan");

  /* frozen after a map was found: any member name is a row */
  {
    o = opts();
    o.max_columns = 5;
    scan(
        "{\"id\":1,\"scores\":{\"k1\":1,\"k2\":2,\"k3\":3,\"k4\":4,\"k5\":5},\"name\":\"x\"}\n",
        &o);
    char *err = NULL;
    tm_scan *sc = tm_scan_open(g_path, &o, NULL, TM_NONE, 1, 1, &err);
    while (tm_scan_next(sc) == TM_REC_OK) {}
    tm_schema *s = tm_scan_schema(sc);
    tm_schema_freeze(s);
    tm_scan *sc2 = NULL;
    {
      const char *d2 =
          "{\"id\":9,\"scores\":{\"zz\":1,\"k1\":{\"deep\":1}},\"name\":\"y\",\"more\":true}\n";
      write_file(g_path, d2, strlen(d2));
    }
    sc2 = tm_scan_open(g_path, &o, s, TM_NONE, 1, 0, &err);
    str t = {0};
    s_put(&t, "", 0);
    if (sc2 && tm_scan_next(sc2) == TM_REC_OK) describe_rows(&t, sc2);
    CHECK_STR(
        t.p,
        "orders#1 id=9 name=\"y\" _extra.more=true\n"
        "orders_scores#1<orders#1/0 key=\"zz\" value=1\n"
        "orders_scores#2<orders#1/1 key=\"k1\" _extra.deep=1\n",
        "frozen schema with a map: new member names are rows, new fields go to _extra");
    tm_scan_close(sc2);
    tm_scan_close(sc);
    free(t.p);
  }
}

/*
** Run a scan in a child process, so that a crash is one failed check and
** not the end of this program. The child prints the rows of the first
** `shown` records, then reads the rest and adds one line saying whether
** every map row's member name sits in a column named "key".
*/
static const char *scan_isolated(const char *content, const tm_options *o, int shown) {
  write_file(g_path, content, strlen(content));
  fflush(stdout);
  int fd[2];
  if (pipe(fd) != 0) abort();
  pid_t pid = fork();
  if (pid == 0) {
    close(fd[0]);
    str t = {0};
    s_put(&t, "", 0);
    char *err = NULL;
    tm_scan *sc = tm_scan_open(g_path, o, NULL, TM_NONE, 1, 1, &err);
    int rc, k = 0, keys_ok = 1;
    while (sc && (rc = tm_scan_next(sc)) == TM_REC_OK) {
      if (k++ < shown) describe_rows(&t, sc);
      tm_schema *s = tm_scan_schema(sc);
      uint32_t n;
      const tm_row *rows = tm_flat_rows(tm_scan_flat(sc), &n);
      for (uint32_t i = 0; i < n; i++)
        if (rows[i].key != TM_NONE &&
            strcmp(tm_schema_name(s, s->tables[rows[i].table].cols[0].name), "key") != 0)
          keys_ok = 0;
    }
    s_str(&t, keys_ok ? "map keys in key columns\n" : "a map key outside a key column\n");
    tm_scan_close(sc);
    if (write(fd[1], t.p, t.n) < 0) _exit(3);
    _exit(0);
  }
  close(fd[1]);
  g_rows.n = 0;
  s_put(&g_rows, "", 0);
  char buf[4096];
  ssize_t n;
  while ((n = read(fd[0], buf, sizeof buf)) > 0) s_put(&g_rows, buf, (size_t)n);
  close(fd[0]);
  int st = 0;
  waitpid(pid, &st, 0);
  char why[64] = "";
  if (WIFSIGNALED(st)) snprintf(why, sizeof why, "CRASH: signal %d\n", WTERMSIG(st));
  else if (WEXITSTATUS(st))
    snprintf(why, sizeof why, "CRASH: exit %d\n", WEXITSTATUS(st));
  s_str(&g_rows, why);
  return g_rows.p;
}

/*
** Two members of an object that becomes a map hold the same key K: in one
** K is an array of objects (a child table), in the other K is an object
** that already became a map. Merging them must not crash, and a map key
** must never land in another column. K is then a map wherever it is, so
** m1's array stays JSON text in column K (issue 18: it was dropped), and
** orders_s (key, K, value and the map table of K) is one over
** max_columns=3: value goes to _extra.
*/
static void test_map_merge_shapes(void) {
  tm_options o = opts();
  o.max_columns = 3;
  CHECK_STR(scan_isolated("{\"s\":{\"m1\":{\"K\":[{\"x\":{}}]}}}\n"
                          "{\"s\":{\"m2\":{\"K\":{\"a\":1,\"b\":2,\"c\":3,\"d\":4}}}}\n"
                          "{\"s\":{\"m3\":1,\"m4\":2}}\n",
                          &o, 3),
            "orders#1\n"
            "orders_s_m1_K#1<orders#1/0\n"
            "orders#2\n"
            "orders_s_m2_K#1<orders#2/0 key=\"a\" value=1\n"
            "orders_s_m2_K#2<orders#2/1 key=\"b\" value=2\n"
            "orders_s_m2_K#3<orders#2/2 key=\"c\" value=3\n"
            "orders_s_m2_K#4<orders#2/3 key=\"d\" value=4\n"
            "orders#3\n"
            "orders_s#1<orders#3/0 key=\"m3\" _extra.value=1\n"
            "orders_s#2<orders#3/1 key=\"m4\" _extra.value=2\n"
            "map keys in key columns\n",
            "map merge: an array table and a map at the same member key (no crash)");
  CHECK_STR(
      scan_isolated("{\"s\":{\"m1\":{\"K\":[{\"x\":1}]}}}\n"
                    "{\"s\":{\"m2\":{\"K\":{\"a\":1,\"b\":2,\"c\":3,\"d\":4}}}}\n"
                    "{\"s\":{\"m3\":1,\"m4\":2}}\n"
                    "{\"s\":{\"m1\":{\"K\":[{\"x\":5}]},\"m2\":{\"K\":{\"a\":9}}}}\n",
                    &o, 0),
      "map keys in key columns\n",
      "map merge: an array table and a map at the same member key (map keys stay in key)");
}

/* -------------------------------------------------------------- frozen */

/*
** A schema built by one scan is read by the next (the schema pass, then
** the queries): the same record must land in the same columns, whether the
** schema is still open or frozen.
*/
static void test_reuse(void) {
  tm_options o = opts();
  const char *doc = "{\"a\":1,\"b\":{\"c\":2},\"l\":[{\"x\":1}]}\n";
  for (int frozen = 0; frozen < 2; frozen++) {
    write_file(g_path, doc, strlen(doc));
    char *err = NULL;
    tm_scan *sc = tm_scan_open(g_path, &o, NULL, TM_NONE, 1, 1, &err);
    while (tm_scan_next(sc) == TM_REC_OK) {}
    tm_schema *s = tm_scan_schema(sc);
    if (frozen) tm_schema_freeze(s);
    scan_into(doc, &o, s, TM_NONE);
    CHECK_STR(
        g_rows.p, "orders#1 a=1 b_c=2\norders_l#1<orders#1/0 x=1\n",
        frozen
            ? "a frozen schema from an earlier scan: the same record, the same columns"
            : "an open schema from an earlier scan: the same record, the same columns");
    CHECK_STR(g_schema.p, "orders rows=1: a{i}1 b_c{i}1\norders_l<orders rows=1: x{i}1\n",
              frozen ? "a frozen schema reused: unchanged"
                     : "an open schema reused: no new columns");
    tm_scan_close(sc);
  }
}

static void test_frozen(void) {
  tm_options o = opts();
  char *err = NULL;
  {
    const char *d1 =
        "{\"a\":1,\"o\":{\"b\":2},\"items\":[{\"x\":1}],\"tags\":[{\"t\":1}]}\n";
    write_file(g_path, d1, strlen(d1));
  }
  tm_scan *sc = tm_scan_open(g_path, &o, NULL, TM_NONE, 1, 1, &err);
  while (tm_scan_next(sc) == TM_REC_OK) {}
  tm_schema *s = tm_scan_schema(sc);
  tm_schema_freeze(s);
  uint32_t ntables = s->ntables, ncols = s->tables[0].ncols;

  const char *doc =
      "{\"a\":1,\"o\":{\"b\":2,\"c\":3,\"d\":{\"e\":1}},\"z\":[1],\"n\":{\"m\":{\"k\":1}},"
      "\"items\":[{\"x\":2,\"y\":3},{\"x\":4}],\"new\":[{\"q\":1}],"
      "\"tags\":[{\"t\":2}]}\n"
      "{\"a\":{\"sub\":1},\"items\":[{\"x\":{\"w\":1}}]}\n";
  CHECK_STR(
      scan_into(doc, &o, s, TM_NONE),
      "orders#1 a=1 o_b=2 _extra.o_c=3 _extra.o_d={\"e\":1} _extra.z=[1] _extra.n={\"m\":{\"k\":1}}"
      " _extra.new=[{\"q\":1}]\n"
      "orders_items#1<orders#1/0 x=2 _extra.y=3\n"
      "orders_items#2<orders#1/1 x=4\n"
      "orders_tags#1<orders#1/0 t=2\n"
      "orders#2 _extra.a_sub=1\n"
      "orders_items#3<orders#2/0 _extra.x_w=1\n",
      "frozen schema: unknown keys go to _extra under their flattened names");
  CHECK_INT(s->ntables, ntables, "frozen schema: no table added");
  CHECK_INT(s->tables[0].ncols, ncols, "frozen schema: no column added");

  /* only the wanted table gets cells; tables off its path are not expanded */
  uint32_t items = tm_schema_find_table(s, "ORDERS_ITEMS");
  CHECK_INT(items, 1, "tm_schema_find_table ignores case");
  CHECK_STR(scan_into(doc, &o, s, items),
            "orders#1\n"
            "orders_items#1<orders#1/0 x=2 _extra.y=3\n"
            "orders_items#2<orders#1/1 x=4\n"
            "orders#2\n"
            "orders_items#3<orders#2/0 _extra.x_w=1\n",
            "want=orders_items: cells only there, other tables not expanded");
  CHECK_INT(tm_schema_find_table(s, "nope"), TM_NONE,
            "tm_schema_find_table: unknown name");
  tm_scan_close(sc);

  /* NO_CELLS: rows and ids, no cells */
  o = opts();
  scan_into("{\"a\":1,\"l\":[{\"x\":1},{\"x\":2}]}\n{\"a\":2,\"l\":[{\"x\":3}]}\n", &o,
            NULL, NO_CELLS);
  CHECK_STR(
      g_rows.p,
      "orders#1\norders_l#1<orders#1/0\norders_l#2<orders#1/1\norders#2\norders_l#3<orders#2/0\n",
      "NO_CELLS: ids and parents only");
}

/*
** The rows of `doc` read with a schema frozen on `first`, each as its JSON
** text (tm_rowtext_json), one a line: _extra names as users see them.
*/
static const char *frozen_json(const char *first, const char *doc, const tm_options *o) {
  write_file(g_path, first, strlen(first));
  char *err = NULL;
  tm_scan *sc = tm_scan_open(g_path, o, NULL, TM_NONE, 1, 1, &err);
  while (tm_scan_next(sc) == TM_REC_OK) {}
  tm_schema *s = tm_scan_schema(sc);
  tm_schema_freeze(s);
  write_file(g_path, doc, strlen(doc));
  tm_scan *sc2 = tm_scan_open(g_path, o, s, TM_NONE, 1, 0, &err);
  g_rows.n = 0;
  s_put(&g_rows, "", 0);
  tm_buf j = {0};
  while (sc2 && tm_scan_next(sc2) == TM_REC_OK) {
    tm_rows v;
    tm_flat_view(tm_scan_flat(sc2), tm_scan_record(sc2), &v);
    for (uint32_t i = 0; i < v.nrows; i++) {
      j.n = 0;
      tm_rowtext_json(&j, s, &v, &v.row[i], 0, NULL, 0);
      s_put(&g_rows, j.p, j.n);
      s_str(&g_rows, "\n");
    }
  }
  tm_buf_free(&j);
  tm_scan_close(sc2);
  tm_scan_close(sc);
  return g_rows.p;
}

/* _extra names: a known path (NULs spelled \u0000, as in column names) joined
** to the new key as the record spells it (unescaped, then escaped again). */
static void test_extra_names(void) {
  tm_options o = opts();
  CHECK_STR(
      frozen_json(
          "{\"a\\u0000b\":{\"x\":1},\"k\":{\"y\":1},\"l\":[{\"z\":1}]}\n",
          "{\"a\\u0000b\":{\"x\":1,\"q\\\"\\u0000\\n\\u00e9\\/\":2,\"\\ud83d\\ude00\":3},"
          "\"k\":7,\"new\\u0041\":4,\"l\":[5,{\"z\":2,\"w\":{\"v\":6}}]}\n",
          &o),
      "{\"a\\\\u0000b_x\":1,\"_extra\":{\"a\\\\u0000b_q\\\"\\u0000\\n\xC3\xA9/\":2,"
      "\"a\\\\u0000b_\xF0\x9F\x98\x80\":3,\"k\":7,\"newA\":4}}\n"
      "{\"_extra\":{\"value\":5}}\n"
      "{\"z\":2,\"_extra\":{\"w\":{\"v\":6}}}\n",
      "frozen schema: _extra names in a row's JSON, escapes and NULs as in column names");
  o.separator = "\"/";
  CHECK_STR(frozen_json("{\"o\":{\"p\":{\"x\":1}}}\n",
                        "{\"o\":{\"p\":{\"x\":1,\"y\":2}}}\n", &o),
            "{\"o\\\"/p\\\"/x\":1,\"_extra\":{\"o\\\"/p\\\"/y\":2}}\n",
            "frozen schema: a separator that needs escaping, in _extra names");
}

/* Reals beyond a double are written as strings in a row's JSON (their
** columns give them as TEXT); the boundary is DBL_MAX rounded. */
static void test_huge_reals(void) {
  tm_options o = opts();
  const char *doc =
      "{\"a\":1e308,\"b\":1.7976931348623157e308,\"c\":1.7976931348623159e308,\"d\":1e309,"
      "\"e\":0.1e309,\"f\":-1e400,\"g\":12345.6e305,\"h\":1e-400,\"i\":0.0e999,"
      "\"j\":99.9e306,\"k\":-17976931348623159e292,\"l\":1E+99999999999999999999,"
      "\"m\":5e-99999999999999999999,\"n\":0.00001e313}\n";
  CHECK_STR(
      frozen_json(doc, doc, &o),
      "{\"a\":1e308,\"b\":1.7976931348623157e308,\"c\":\"1.7976931348623159e308\","
      "\"d\":\"1e309\",\"e\":0.1e309,\"f\":\"-1e400\",\"g\":\"12345.6e305\",\"h\":1e-400,"
      "\"i\":0.0e999,\"j\":99.9e306,\"k\":\"-17976931348623159e292\","
      "\"l\":\"1E+99999999999999999999\",\"m\":5e-99999999999999999999,\"n\":0.00001e313}\n",
      "row JSON: reals beyond a double as strings, from the exponent or, near DBL_MAX, the value");
}

/* ------------------------------------------------------------------ id= */

static void test_natural_id(void) {
  tm_options o = opts();
  o.id = "id";
  scan(
      "{\"id\":\"a\",\"x\":1}\n{\"x\":2}\n{\"id\":null}\n{\"id\":[1]}\n"
      "{\"id\":7,\"items\":[{\"p\":1}]}\n{\"o\":{\"id\":1}}\n{\"id\":{\"k\":1}}\n{\"id\":2.5}\n",
      &o);
  char want[2048];
  const char *why =
      "no usable id: top-level field 'id' (option id) is missing, null or not a scalar";
  snprintf(want, sizeof want,
           "orders#1(\"a\") id=\"a\" x=1\n"
           "!'%s' line 2 col 1 (byte 17, record 2): %s\n"
           "!'%s' line 3 col 1 (byte 25, record 3): %s\n"
           "!'%s' line 4 col 1 (byte 37, record 4): %s\n"
           "orders#2(7) id=7\n"
           "orders_items#1<orders#2/0 p=1\n"
           "!'%s' line 6 col 1 (byte 75, record 6): %s\n"
           "!'%s' line 7 col 1 (byte 90, record 7): %s\n"
           "orders#3(2.5) id=2.5\n",
           g_path, why, g_path, why, g_path, why, g_path, why, g_path, why);
  CHECK_STR(
      g_rows.p, want,
      "id=: the field's value is the main row's id; missing, null or container is a bad record");

  /* a bad record (missing id) leaves nothing in the statistics */
  CHECK_STR(g_schema.p,
            "orders rows=3: id{irs}3 x{i}1\norders_items<orders rows=1: p{i}1\n",
            "id=: rejected records are not counted");
}

/* -------------------------------------------------------- parse errors */

static void test_bad_records(void) {
  tm_options o = opts();
  scan("{\"a\":1}\n{\"a\":2,}\n{\"b\":3}\n", &o);
  char want[1024];
  snprintf(want, sizeof want,
           "orders#1 a=1\n"
           "!'%s' line 2 col 8 (byte 15, record 2): expected a string key but found '}'\n"
           "orders#2 b=3\n",
           g_path);
  CHECK_STR(g_rows.p, want,
            "a bad record is reported with file, line, col, byte, record; ids go on");
}

int main(void) {
  if (tmp_dir_make("tm_flatten", "orders.jsonl")) return 1;
  test_nesting();
  test_arrays();
  test_depth();
  test_names();
  test_maps();
  test_map_merge_shapes();
  test_reuse();
  test_frozen();
  test_extra_names();
  test_huge_reals();
  test_natural_id();
  test_bad_records();
  tmp_dir_remove();
  free(g_rows.p);
  free(g_schema.p);
  return check_failures != 0;
}
