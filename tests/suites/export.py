"""transmog_export (DESIGN 3.3, issue 5) checked against the virtual tables.

For every real-world file (../shared/data/realworld, twitter.json also with
root=statuses), for gen.py's orders (build/data/orders3k.jsonl and its .gz)
and for a few option variants, each case builds the reference in the same
sqlite3 process: CREATE VIRTUAL TABLE v.<name> USING transmog(...) with the
same options, then CREATE TABLE r.<t> AS SELECT * FROM v.<t> for every
table. Then:

  tables  the export into main, into temp and into an attached file
          database (schema=): the same set of real tables, the same
          columns and declared types (pragma_table_info of the virtual
          table), the same rows: EXCEPT both ways over every column plus a
          signature of every column's typeof() (1, 1.0 and '1' differ),
          equal counts; and the JSON summary agrees (rows per table,
          records, skipped, bytes = the file's size, seconds >= 0).
  csv     to=DIR output_format=csv (and output_compression=gzip, read
          through zcat): the directory holds exactly one file per table
          (no temporary file); each loads back with the shell's `.import
          --csv`; the header is the declared column names; every value
          but a REAL is ifnull(CAST(v AS TEXT), '') (CSV has no NULL); a
          REAL must read back as the same double ("exact values", issue
          5): rows whose field does not CAST back to it are listed and
          re-checked here in Python with float() against printf('%!.20e')
          of the value (SQLite 3.40's text-to-real conversion is not
          always correctly rounded).
  jsonl   to=DIR output_format=jsonl (plain and gzip): each file read back with
          CREATE VIRTUAL TABLE w.<t> USING transmog('DIR/<t>.jsonl') has
          the columns _id (its own ordinal), _id_2, _parent_id_2,
          _root_id_2, _index_2 (the exported metadata, renamed as the
          flattening rules rename a taken name) and the data columns, with
          the virtual table's declared types, and the same rows and types.

The table and column names come from one sqlite3 run at generation time
(enumeration only: pragma_table_info of the virtual tables); every value
compared is computed inside the case from the virtual tables.

Run as a script (`python3 tests/suites/export.py interrupt SCENARIO DIR`),
this file is the driver of the interrupt cases: it starts sqlite3 on an
export of a big file, waits for the export's own progress line
(progress=1) to know which pass it is in, sends SIGINT (what Ctrl-C does),
and prints what happened: the error, whether progress went on after the
signal, what is left in the database and the directory.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))   # tests/
from suitelib import ROOT, ERROR_RE, bkey, first_error, lines_check, sql_str as qs  # noqa: E402

RW = "../shared/data/realworld"          # relative to the repo root (the cases' cwd)
META = ("_id", "_parent_id", "_root_id", "_index")
SUMMARY_KEYS = "tables,records,skipped,bytes,seconds"

# (slug, path, main table name, options as (key, value) pairs, kinds of cases)
ALL = ("tables", "csv", "csv.gz", "jsonl", "jsonl.gz")
INPUTS = [
    ("amazon", RW + "/amazon_cellphones.ndjson", "amazon_cellphones", [], ALL),
    ("apache", RW + "/apache_builds.json", "apache_builds", [], ALL),
    ("canada", RW + "/canada.json", "canada", [], ALL),
    ("citm", RW + "/citm_catalog.json", "citm_catalog", [], ALL),
    ("crates", RW + "/crates_io_index/top_crates_index.jsonl", "top_crates_index", [], ALL),
    ("github", RW + "/github_events.json", "github_events", [], ALL),
    ("gsoc", RW + "/gsoc-2018.json", "gsoc-2018", [], ALL),
    ("instruments", RW + "/instruments.json", "instruments", [], ALL),
    ("mesh", RW + "/mesh.json", "mesh", [], ALL),
    ("oa_author", RW + "/openalex/A5023888391.json", "A5023888391", [], ALL),
    ("oa_concept", RW + "/openalex/C71924100.json", "C71924100", [], ALL),
    ("oa_inst", RW + "/openalex/I27837315.json", "I27837315", [], ALL),
    ("oa_source", RW + "/openalex/S137773608.json", "S137773608", [], ALL),
    ("oa_work", RW + "/openalex/W2741809807.json", "W2741809807", [], ALL),
    ("random", RW + "/random.json", "random", [], ALL),
    ("twitter", RW + "/twitter.json", "twitter", [], ALL),
    ("twitter_root", RW + "/twitter.json", "twitter", [("root", "statuses")], ALL),
    ("update_center", RW + "/update-center.json", "update-center", [], ALL),
    ("orders", "build/data/orders3k.jsonl", "orders3k", [], ALL),
    ("orders_gz", "build/data/orders3k.jsonl.gz", "orders3k", [], ALL),
    # option variants: the declarations and values must follow the options
    ("orders_text", "build/data/orders3k.jsonl", "orders3k", [("types", "text")],
     ("tables", "csv", "jsonl")),
    ("orders_id", "build/data/orders3k.jsonl", "orders3k", [("id", "order_id")],
     ("tables", "csv", "jsonl")),
    ("orders_sample", "build/data/orders3k.jsonl", "orders3k", [("sample", "5")],
     ("tables", "csv")),   # _extra is a JSON object: JSONL would flatten it on reading back
    ("twitter_child", RW + "/twitter.json", "tw",
     [("root", "statuses"), ("arrays", "child"), ("separator", ".")], ("tables", "csv", "jsonl")),
]


def qi(name):
    """A quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def file_name(table, ext):
    """The file transmog_export writes for a table (README: '/' and '%'
    escaped)."""
    return table.replace("%", "%25").replace("/", "%2F") + ext


def back_names(cols):
    """The column names of an exported JSONL file read back by transmog:
    its own _id, then the row's keys in order, a name already taken
    (case-insensitively; the metadata names are taken) getting _2, _3..."""
    taken = {m.lower() for m in META + ("_extra",)}
    out = {}
    for c in cols:
        name, n = c, 1
        while name.lower() in taken:
            n += 1
            name = "%s_%d" % (c, n)
        taken.add(name.lower())
        out[c] = name
    return out


# ------------------------------------------------------------ enumeration

def create_args(path, opts):
    return ", ".join([qs(path)] + ["%s=%s" % (k, qs(v)) for k, v in opts])


def export_opts(opts, extra=""):
    return " ".join([extra] * bool(extra) + ["%s=%s" % (k, v) for k, v in opts])


def enumerate_inputs():
    """{slug: [(table, [(column, declared type)])]} from one sqlite3 run
    over every input (names only; no value is taken from here)."""
    sql = [".load ./transmog", ".bail off", ".mode json"]
    for i, (slug, path, name, opts, kinds) in enumerate(INPUTS):
        sql.append("CREATE VIRTUAL TABLE temp.%s USING transmog(%s);" % (qi(name), create_args(path, opts)))
        sql.append("SELECT %d AS i, t.name AS t, p.cid AS c, p.name AS n, p.type AS d "
                   "FROM pragma_table_list AS t, pragma_table_info(t.name, 'temp') AS p "
                   "WHERE t.schema = 'temp' AND t.type = 'virtual';" % i)
        sql.append("DROP TABLE temp.%s;" % qi(name))
    env = dict(os.environ)
    if os.environ.get("TM_PRELOAD"):   # make asan: the sanitizer runtime, as tests/run.py does
        env["LD_PRELOAD"] = os.environ["TM_PRELOAD"]
    try:
        p = subprocess.run(["sqlite3", "-batch", ":memory:"], input="\n".join(sql).encode(),
                           capture_output=True, cwd=ROOT, env=env, timeout=300)
        out = p.stdout.decode("utf-8")
    except Exception as e:  # reported by the cases themselves
        return {}, str(e)
    found = {}
    # .mode json prints one array per SELECT
    dec, at, chunks = json.JSONDecoder(), 0, []
    while True:
        at = out.find("[", at)
        if at < 0:
            break
        chunk, at = dec.raw_decode(out, at)
        chunks.append(chunk)
    for chunk in chunks:
        for row in chunk:
            slug = INPUTS[row["i"]][0]
            found.setdefault(slug, {}).setdefault(row["t"], []).append((row["c"], row["n"], row["d"]))
    result = {}
    for slug, tables in found.items():
        result[slug] = sorted(((t, [(n, d) for c, n, d in sorted(cols)]) for t, cols in tables.items()),
                              key=lambda x: bkey(x[0]))
    return result, p.stderr.decode("utf-8", "replace").strip()


# ------------------------------------------------------------ SQL pieces

def typesig(cols, alias=""):
    """One value that differs when any column's storage class differs:
    json_array()s of typeof(), at most 100 arguments each."""
    parts = []
    for i in range(0, len(cols), 100):
        parts.append("json_array(%s)" % ", ".join("typeof(%s%s)" % (alias, qi(c)) for c in cols[i:i + 100]))
    return " || ".join(parts)


def reference_sql(path, name, opts, tables, typed=True):
    """The virtual tables in v, and copies of them in r: CREATE TABLE AS
    (typed: the declared types' affinities apply, as they do to the
    exported tables), or tables of untyped columns that keep every value
    exactly as the virtual table gives it (what a file must hold: with
    sample=, a column declared REAL may still hold a string)."""
    sql = ["ATTACH ':memory:' AS v;", "ATTACH ':memory:' AS r;",
           "CREATE VIRTUAL TABLE v.%s USING transmog(%s);" % (qi(name), create_args(path, opts))]
    for t, cols in tables:
        if typed:
            sql.append("CREATE TABLE r.%s AS SELECT * FROM v.%s;" % (qi(t), qi(t)))
        else:
            sql.append("CREATE TABLE r.%s(%s);" % (qi(t), ", ".join(qi(c) for c, _ in cols)))
            sql.append("INSERT INTO r.%s SELECT * FROM v.%s;" % (qi(t), qi(t)))
    return sql


def summary_sql(path, name, options, tables, label, d):
    """Call transmog_export once, alone in its statement (its output saved
    with .once), then print one line about its summary: label|keys|records
    ok|skipped|bytes ok|seconds ok|tables listed|tables whose count is right."""
    f = "%s/summary-%s.json" % (d, re.sub(r"\W", "_", label))
    whens = " ".join("WHEN %s THEN (SELECT count(*) FROM r.%s)" % (qs(t), qi(t)) for t, _ in tables)
    return [".once %s" % f,
            "SELECT transmog_export(%s, %s, %s);" % (qs(path), qs(name), qs(options)),
            "SELECT %s, 'keys=' || (SELECT group_concat(key, ',') FROM json_each(s)), "
            "'records ok=' || (json_extract(s, '$.records') = (SELECT count(*) FROM r.%s)), "
            "'skipped=' || json_extract(s, '$.skipped'), "
            "'bytes ok=' || (json_extract(s, '$.bytes') = length(readfile(%s))), "
            "'seconds ok=' || (json_extract(s, '$.seconds') >= 0), "
            "'tables=' || (SELECT count(*) FROM json_each(s, '$.tables')), "
            "'counts ok=' || (SELECT count(*) FROM json_each(s, '$.tables') AS j WHERE j.value IS CASE j.key %s END) "
            "FROM (SELECT CAST(readfile(%s) AS TEXT) AS s);"
            % (qs(label), qi(name), qs(path), whens, qs(f))]


def summary_line(label, tables):
    n = len(tables)
    return "%s|keys=%s|records ok=1|skipped=0|bytes ok=1|seconds ok=1|tables=%d|counts ok=%d" % (label, SUMMARY_KEYS, n, n)


def info_sig(t, schema):
    return ("(SELECT group_concat(cid || ':' || name || ':' || type || ':' || \"notnull\" || ':' || "
            "ifnull(dflt_value, '-') || ':' || pk, ',') FROM pragma_table_info(%s, %s))" % (qs(t), qs(schema)))


# ------------------------------------------------------------ cases

def tables_case(Case, slug, path, name, opts, tables, check):
    d = "build/ex_tab_%s" % slug
    sql = [".shell rm -rf %s && mkdir -p %s" % (d, d)]
    sql += reference_sql(path, name, opts, tables)
    sql.append("ATTACH '%s/out.db' AS o;" % d)
    want = []
    names = " ".join("%s:table" % t for t, _ in tables)
    for dest in ("main", "temp", "o"):
        o = export_opts(opts, "" if dest == "main" else "schema=" + dest)
        sql += summary_sql(path, name, o, tables, "summary " + dest, d)
        want.append(summary_line("summary " + dest, tables))
        sql.append("SELECT %s, group_concat(name || ':' || type, ' ') FROM (SELECT name, type "
                   "FROM pragma_table_list WHERE schema = %s AND name NOT LIKE 'sqlite\\_%%' ESCAPE '\\' "
                   "ORDER BY name);" % (qs("tables " + dest), qs(dest)))
        want.append("tables %s|%s" % (dest, names))
        for t, cols in tables:
            names_only = [c for c, _ in cols]
            sig = typesig(names_only)
            sql.append(
                "SELECT %s, %s, 'columns same=' || (%s IS %s), "
                "'count same=' || ((SELECT count(*) FROM %s.%s) = (SELECT count(*) FROM r.%s)), "
                "'only exported=' || (SELECT count(*) FROM (SELECT *, %s FROM %s.%s EXCEPT SELECT *, %s FROM r.%s)), "
                "'only reference=' || (SELECT count(*) FROM (SELECT *, %s FROM r.%s EXCEPT SELECT *, %s FROM %s.%s)), "
                "'rows>0=' || ((SELECT count(*) FROM r.%s) > 0);"
                % (qs(dest), qs(t), info_sig(t, dest), info_sig(t, "v"), dest, qi(t), qi(t),
                   sig, dest, qi(t), sig, qi(t), sig, qi(t), sig, dest, qi(t), qi(t)))
            want.append("%s|%s|columns same=1|count same=1|only exported=0|only reference=0|rows>0=1" % (dest, t))
    sql.append("DETACH o;")
    sql.append(".shell rm -rf %s" % d)
    return Case("export %s: tables into main, temp and an attached file (schema=)" % slug,
                "\n".join(sql), check(want), timeout=300)


def files_export(fmt, slug, path, name, opts, tables, gz):
    """The start of a to=DIR case: the reference tables, the export of
    every table as `fmt` files (gzip if gz) with its summary, and the
    listing of the files. Returns (d, out, ext, sql, want)."""
    d = "build/ex_%s%s_%s" % (fmt, "gz" if gz else "", slug)
    out = d + "/out"
    sql = [".shell rm -rf %s && mkdir -p %s" % (d, out)]
    sql += reference_sql(path, name, opts, tables, typed=False)
    o = export_opts(opts, "to=%s output_format=%s%s" % (out, fmt, " output_compression=gzip" if gz else ""))
    sql += summary_sql(path, name, o, tables, "summary", d)
    want = [summary_line("summary", tables)]
    ext = ".%s.gz" % fmt if gz else ".%s" % fmt
    sql.append(".shell cd %s && LC_ALL=C ls -A" % out)
    want += sorted((file_name(t, ext) for t, _ in tables), key=bkey)
    return d, out, ext, sql, want


def csv_case(Case, slug, path, name, opts, tables, gz, reals_check):
    d, out, ext, sql, want = files_export("csv", slug, path, name, opts, tables, gz)
    real_queries = []
    for i, (t, cols) in enumerate(tables):
        f = "%s/%s" % (out, file_name(t, ext))
        src = "|zcat %s" % f if gz else f
        sql.append(".import --csv '%s' imp_%d" % (src.replace("'", "'\\''"), i))
        names = [c for c, _ in cols]
        hdr = ("(SELECT group_concat(name, ',') FROM pragma_table_info('imp_%d')) = "
               "(SELECT group_concat(name, ',') FROM pragma_table_info(%s, 'v'))" % (i, qs(t)))
        cond = " AND ".join("(typeof(a.%s) = 'real' OR ifnull(CAST(a.%s AS TEXT), '') = b.%s)"
                            % (qi(c), qi(c), qi(c)) for c in names)
        sql.append(
            "SELECT %s, 'header same=' || (%s), "
            "'count same=' || ((SELECT count(*) FROM imp_%d) = (SELECT count(*) FROM r.%s)), "
            "'rows differing=' || (SELECT count(*) FROM r.%s AS a LEFT JOIN imp_%d AS b ON b.rowid = a.rowid "
            "WHERE b.rowid IS NULL OR NOT (%s)), 'rows>0=' || ((SELECT count(*) FROM r.%s) > 0);"
            % (qs(t), hdr, i, qi(t), qi(t), i, cond, qi(t)))
        want.append("%s|header same=1|count same=1|rows differing=0|rows>0=1" % t)
        for c, _ in cols:   # every column: with sample=, a REAL may sit in any
            real_queries.append(
                "SELECT 'real', %s, %s, b.%s, printf('%%!.20e', a.%s) FROM r.%s AS a "
                "JOIN imp_%d AS b ON b.rowid = a.rowid WHERE typeof(a.%s) = 'real' "
                "AND CAST(b.%s AS REAL) IS NOT a.%s"
                % (qs(t), qs(c), qi(c), qi(c), qi(t), i, qi(c), qi(c), qi(c)))
    if real_queries:
        # the reals that do not CAST back (at most 1000 shown per chunk of
        # 400 columns, under SQLite's limit of 500 terms in a compound
        # SELECT; see reals_check)
        chunks = [" UNION ALL ".join(real_queries[i:i + 400]) for i in range(0, len(real_queries), 400)]
        sql.append("SELECT %s;" % " + ".join("(SELECT count(*) FROM (%s))" % c for c in chunks))
        for c in chunks:
            sql.append("SELECT * FROM (%s) LIMIT 1000;" % c)
    sql.append(".shell rm -rf %s" % d)
    what = "CSV%s" % (" gzip, read back through zcat" if gz else "")
    return Case("export %s: %s files load back with .import --csv to the same values" % (slug, what),
                "\n".join(sql), reals_check(want, bool(real_queries)), timeout=300)


def jsonl_case(Case, slug, path, name, opts, tables, gz, check):
    d, out, ext, sql, want = files_export("jsonl", slug, path, name, opts, tables, gz)
    sql.append("ATTACH ':memory:' AS w;")
    sql.append("CREATE TEMP TABLE names(tab, orig, back);")
    ordinal = not any(k == "id" for k, _ in opts)
    for t, cols in tables:
        names = [c for c, _ in cols]
        back = back_names(names)
        sql.append("INSERT INTO names VALUES %s;" % ", ".join(
            "(%s, %s, %s)" % (qs(t), qs(c), qs(back[c])) for c in names))
        sql.append("CREATE VIRTUAL TABLE w.%s USING transmog(%s);" % (qi(t), qs("%s/%s" % (out, file_name(t, ext)))))
        expect_cols = ("SELECT * FROM (SELECT n.back, p.type FROM pragma_table_info(%s, 'v') AS p JOIN names AS n "
                       "ON n.tab = %s AND n.orig = p.name UNION ALL SELECT '_id', 'INTEGER')" % (qs(t), qs(t)))
        got_cols = "SELECT name, type FROM pragma_table_info(%s, 'w')" % qs(t)
        wsel = ", ".join(qi(back[c]) for c in names)
        rsel = ", ".join(qi(c) for c in names)
        sql.append(
            "SELECT %s, 'columns differing=' || ((SELECT count(*) FROM (%s EXCEPT %s)) + (SELECT count(*) FROM (%s EXCEPT %s))), "
            "'count same=' || ((SELECT count(*) FROM w.%s) = (SELECT count(*) FROM r.%s)), "
            "'only read back=' || (SELECT count(*) FROM (SELECT %s, %s FROM w.%s EXCEPT SELECT %s, %s FROM r.%s)), "
            "'only reference=' || (SELECT count(*) FROM (SELECT %s, %s FROM r.%s EXCEPT SELECT %s, %s FROM w.%s)), "
            "'_id is not _id_2=' || %s, 'rows>0=' || ((SELECT count(*) FROM r.%s) > 0);"
            % (qs(t), expect_cols, got_cols, got_cols, expect_cols, qi(t), qi(t),
               wsel, typesig([back[c] for c in names]), qi(t), rsel, typesig(names), qi(t),
               rsel, typesig(names), qi(t), wsel, typesig([back[c] for c in names]), qi(t),
               "(SELECT count(*) FROM w.%s WHERE _id IS NOT _id_2)" % qi(t) if ordinal else "'-'",
               qi(t)))
        want.append("%s|columns differing=0|count same=1|only read back=0|only reference=0|_id is not _id_2=%s|rows>0=1"
                    % (t, "0" if ordinal else "-"))
    sql.append(".shell rm -rf %s" % d)
    what = "JSONL%s" % (" gzip" if gz else "")
    return Case("export %s: %s files read back through transmog give the same rows" % (slug, what),
                "\n".join(sql), check(want), timeout=300)


# ------------------------------------------------------------ checks

def reals_check(want, has_reals):
    """lines_check, plus: the count of REAL values whose CSV field does not
    CAST back to them, then those rows ('real|table|column|field|%.20e');
    each must still be the same double by Python's correctly rounded
    float(), and there may not be more than the 1000 listed."""
    plain = lines_check(want)

    def check(out, err, rc):
        lines = [l.rstrip("\r") for l in out.rstrip("\n").split("\n")] if out.strip() else []
        if rc != 0 or first_error(err):
            return "failed (exit %d): %s" % (rc, first_error(err) or err.strip()[-400:])
        if not has_reals:
            return plain(out, err, rc)
        reals = [l for l in lines if l.startswith("real|")]
        rest = [l for l in lines if not l.startswith("real|")]
        if not rest:
            return "no output"
        count = rest.pop()
        problem = plain("\n".join(rest) + "\n", err, rc)
        if problem:
            return problem
        if not count.isdigit():
            return "expected the count of reals not casting back, got %r" % count
        lost = []
        for l in reals:
            _, t, c, tail = (l.split("|", 3) + ["", "", ""])[:4]
            field, _, exact = tail.rpartition("|")
            try:
                ok = float(field) == float(exact)
            except ValueError:
                ok = False
            if not ok:
                lost.append("%s.%s: %s for %s" % (t, c, field, exact))
        if int(count) > len(reals):
            return "%s REAL values are not exact in the CSV (e.g. %s)" % (count, "; ".join(lost[:3]))
        if lost:
            return "%d REAL values are not exact in the CSV, e.g. %s" % (len(lost), "; ".join(lost[:3]))
        return None
    return check


def broken_case(Case, slug, why):
    def check(out, err, rc):
        return "could not enumerate the tables of %s: %s" % (slug, why[-400:] or "no tables")
    return Case("export %s: enumeration" % slug, "SELECT 1;", check)


# ------------------------------------------------------------ interrupts

INTERRUPTS = {
    # scenario: (what the case says, big file, options)
    "schema": ("Ctrl-C during the schema pass stops at once: no progress after it, "
               "no table in the database file", "gz", ""),
    "tables": ("Ctrl-C while rows are inserted: no table left in the database file", "jsonl", ""),
    "files": ("Ctrl-C while files are written: no file (nor temporary file) left", "gz", "to=%(dir)s/out"),
}
PROGRESS_RE = re.compile(r"^transmog_export: (schema pass|writing): \d+ records, \d+\.\d% of \d+ MB, "
                         r"\d+ MB/s, \d+ s left$")


def interrupt_cases(Case):
    out = []
    for scenario, (what, _, _) in sorted(INTERRUPTS.items()):
        d = "build/ex_intr_%s" % scenario
        sql = ".shell env -u LD_PRELOAD TM_INNER_PRELOAD=\"${LD_PRELOAD:-}\" python3 tests/suites/export.py interrupt %s %s" % (scenario, d)
        want = ["error: transmog: interrupted",
                "progress lines well-formed: yes",
                "progress after the signal: none",
                "tables left: none",
                "files left: none"]
        out.append(Case("export interrupt (%s): %s" % (scenario, what), sql, lines_check(want), timeout=300))
    return out


def make_big(d, kind, members):
    """A big input without gen.py's CPU cost (12 s for 300000 records):
    copies of gen.py's 3000 orders (build/data, made by `make test`): 100
    copies of the JSONL (300000 records, ~178 MB; rows are inserted at
    about 60 MB/s, so the writing pass lasts seconds), or `members` gzip
    members (~0.29 MB each, 3000 records; a multi-member gzip file is read
    whole) whose inflating makes the schema pass last seconds, the first
    progress line coming after one."""
    if kind == "gz":
        src, n, dst = os.path.join(ROOT, "build/data/orders3k.jsonl.gz"), members, os.path.join(d, "big.jsonl.gz")
    else:
        src, n, dst = os.path.join(ROOT, "build/data/orders3k.jsonl"), 100, os.path.join(d, "big.jsonl")
    with open(src, "rb") as f:
        data = f.read()
    with open(dst, "wb") as f:
        for _ in range(n):
            f.write(data)
    return os.path.relpath(dst, ROOT)


def interrupt_main(scenario, d):
    what, kind, options = INTERRUPTS[scenario]
    d_abs = os.path.join(ROOT, d)
    shutil.rmtree(d_abs, ignore_errors=True)
    os.makedirs(d_abs)
    options = options % {"dir": d}
    if "to=" in options:
        os.makedirs(os.path.join(d_abs, "out"))
    big = make_big(d_abs, kind, 400 if scenario == "schema" else 200)
    db = os.path.join(d, "db.sqlite")
    env = dict(os.environ)
    env.pop("LD_PRELOAD", None)
    if os.environ.get("TM_INNER_PRELOAD"):
        env["LD_PRELOAD"] = os.environ["TM_INNER_PRELOAD"]
    sql = (".load ./transmog\nSELECT transmog_export('%s', 'big', 'progress=1 %s');\n" % (big, options))
    p = subprocess.Popen(["sqlite3", "-batch", "-bail", db], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, cwd=ROOT, env=env)
    p.stdin.write(sql.encode())
    p.stdin.close()
    wanted = "schema pass" if scenario == "schema" else "writing"
    lines, signalled, after = [], False, []
    deadline = time.time() + 120
    for raw in p.stderr:   # one line at a time, as the export prints them
        line = raw.decode("utf-8", "replace").rstrip("\n")
        lines.append(line)
        if signalled:
            if line.startswith("transmog_export:"):
                after.append(line)
        elif line.startswith("transmog_export: %s:" % wanted):
            p.send_signal(signal.SIGINT)
            signalled = True
        if time.time() > deadline:
            break
    if not signalled:   # the pass never printed: the case fails, and says why
        p.kill()
    p.wait()
    stdout = p.stdout.read().decode("utf-8", "replace").strip()
    errors = [m.group(1) for m in (ERROR_RE.match(l) for l in lines) if m]
    progress = [l for l in lines if l.startswith("transmog_export:")]
    print("error: %s" % ("; ".join(errors) if errors else
                         "none (signal %s; output %r; exit %s)" % ("sent" if signalled else "never sent: no '%s' progress line" % wanted,
                                                                  stdout[:200], p.returncode)))
    print("progress lines well-formed: %s" % ("yes" if progress and all(PROGRESS_RE.match(l) for l in progress)
                                              else "no: %r" % progress[:3]))
    print("progress after the signal: %s" % ("none" if not after else "%d line(s), e.g. %s" % (len(after), after[0])))
    q = subprocess.run(["sqlite3", "-batch", db, "SELECT group_concat(name, ' ') FROM sqlite_master;"],
                       capture_output=True, cwd=ROOT)
    left = q.stdout.decode().strip()
    print("tables left: %s" % (left or "none"))
    os.remove(os.path.join(d_abs, os.path.basename(big)))
    files = sorted(os.listdir(os.path.join(d_abs, "out"))) if "to=" in options else \
        sorted(f for f in os.listdir(d_abs) if f != "db.sqlite")
    print("files left: %s" % (" ".join(files) or "none"))
    shutil.rmtree(d_abs, ignore_errors=True)


# ------------------------------------------------------------ entry points

def cases(Case, expect_output, expect_error):
    found, why = enumerate_inputs()
    out = []
    for slug, path, name, opts, kinds in INPUTS:
        tables = found.get(slug)
        if not tables:
            out.append(broken_case(Case, slug, why))
            continue
        if "tables" in kinds:
            out.append(tables_case(Case, slug, path, name, opts, tables, lines_check))
        for gz in (False, True):
            if ("csv.gz" if gz else "csv") in kinds:
                out.append(csv_case(Case, slug, path, name, opts, tables, gz, reals_check))
            if ("jsonl.gz" if gz else "jsonl") in kinds:
                out.append(jsonl_case(Case, slug, path, name, opts, tables, gz, lines_check))
    out += interrupt_cases(Case)
    return out


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "interrupt" and sys.argv[2] in INTERRUPTS:
        interrupt_main(sys.argv[2], sys.argv[3])
    else:
        sys.exit("usage: export.py interrupt {%s} DIR" % ",".join(sorted(INTERRUPTS)))
