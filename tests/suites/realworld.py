"""Real-world files (../shared/data/realworld, see shared/data/README.md
section 3) through transmog_each, checked against Python's json module.

Every expectation here is computed in Python from the file itself, never
from transmog. A small reference flattener (`Reference` below) applies the
documented rules (README "Flattening": child tables per array that holds
objects, ids as 1-based ordinals per table in file order, `_parent_id` the
immediate parent row, maps past max_columns, suffixes for names taken) to
the records Python parses. For each file it gives:

  tables   rows per table (SELECT table_name, count(*) ... GROUP BY 1)
  links    every row's (table, _id, _parent_id, _root_id, _index)
  columns  every (table, key of `row`) pair that occurs
  leaves   a census of the scalar values in all rows (json_tree over `row`):
           per JSON type, the count and a checksum (UTF-8 bytes of text,
           integers mod 1000000007, reals as sum(trunc(x*1000))), and the
           count of integers beyond 2^53
  errors   transmog_errors lists nothing (Python parses every record)

plus value checks particular to each file (ids above 2^53, the crates'
deps per version, OpenAlex institutions per authorship, non-ASCII text,
sums of numeric fields...).
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))   # tests/
from suitelib import ROOT, bkey, first_error, lines_check, sql_str  # noqa: E402

REL = "../shared/data/realworld"            # relative to the repo root (the cases' cwd)
DIR = os.path.normpath(os.path.join(ROOT, REL))

META = ("_id", "_parent_id", "_root_id", "_index", "_extra")
MOD = 1000000007
KEY, VALUE = ("\x00key",), ("\x00value",)   # column paths of a map key and a non-object value


# ---------------------------------------------------------------- reference

class Table:
    def __init__(self, name, parent):
        self.name, self.parent = name, parent
        self.cols = {}          # column path (tuple) -> name
        self.taken = set(m.lower() for m in META)
        self.children = set()  # child table identities
        self.objkeys = {}       # object path (tuple) -> set of distinct keys
        self.rows = 0
        self.is_map = False

    def colname(self, path, sep):
        """The column for `path`, named on first sight (suffix if taken)."""
        if path not in self.cols:
            base = sep.join(path).lstrip("\x00")
            name, n = base, 1
            while name.lower() in self.taken:
                n += 1
                name = "%s_%d" % (base, n)
            self.taken.add(name.lower())
            self.cols[path] = name
        return self.cols[path]


class Reference:
    """The documented flattening of a list of records, in Python."""

    def __init__(self, main, sep="_", max_columns=1000):
        self.main, self.sep, self.max_columns = main, sep, max_columns
        self.tables = {}        # identity (tuple) -> Table
        self.taken = set()      # table names, lowercased
        self.rows = []          # (table name, _id, _parent_id, _root_id, _index, {col: value})
        self.maps = {}          # table identity -> object paths (in its rows) that are maps
        self.table(("main",), None, main)

    def table(self, ident, parent_ident, name):
        if ident not in self.tables:
            base, n = name, 1
            while name.lower() in self.taken:
                n += 1
                name = "%s_%d" % (base, n)
            self.taken.add(name.lower())
            self.tables[ident] = Table(name, parent_ident)
            if parent_ident is not None:
                self.tables[parent_ident].children.add(ident)
        return self.tables[ident]

    # A record is first walked into a plan: rows with column *paths*, table
    # identities and object key sets, nothing named. If committing the plan
    # would push a table past max_columns, its widest object becomes a map
    # and the record is planned again.

    def plan(self, rec):
        rows = []

        def new_row(ident, parent_pos, index):
            rows.append([ident, parent_pos, index, []])
            return len(rows) - 1

        def walk_obj(obj, ident, pos, path):
            if path in self.maps.get(ident, ()):
                mident = ident + (("map",) + path,)
                for i, (k, v) in enumerate(obj.items()):
                    p = new_row(mident, pos, i)
                    rows[p][3].append((KEY, k))
                    if isinstance(v, dict):
                        walk_obj(v, mident, p, ())
                    else:
                        rows[p][3].append((VALUE, v))
                return
            rows[pos][3].append(("obj", path, tuple(obj.keys())))
            for k, v in obj.items():
                walk_val(v, ident, pos, path + (k,))

        def walk_val(v, ident, pos, path):
            if isinstance(v, dict):
                if v:
                    walk_obj(v, ident, pos, path)
            elif isinstance(v, list):
                if any(isinstance(e, dict) for e in v):
                    cident = ident + (path,)
                    for i, e in enumerate(v):
                        p = new_row(cident, pos, i)
                        if isinstance(e, dict):
                            walk_obj(e, cident, p, ())
                        else:
                            rows[p][3].append((VALUE, e))
                elif v:
                    rows[pos][3].append((path, v))
            else:
                rows[pos][3].append((path, v))

        p = new_row(("main",), None, None)
        if isinstance(rec, dict):
            walk_obj(rec, ("main",), p, ())
        else:
            rows[p][3].append((VALUE, rec))
        return rows

    def overflow(self, rows):
        """The first table (identity) that this plan would push past
        max_columns, with its object key sets as they would be."""
        cols, kids, objs = {}, {}, {}
        for ident, t in self.tables.items():
            cols[ident] = set(t.cols)
            kids[ident] = set(t.children)
            objs[ident] = {k: set(v) for k, v in t.objkeys.items()}
        for ident, parent_pos, index, items in rows:
            if parent_pos is not None:
                pident = rows[parent_pos][0]
                kids.setdefault(pident, set()).add(ident)
            for it in items:
                if it[0] == "obj":
                    objs.setdefault(ident, {}).setdefault(it[1], set()).update(it[2])
                else:
                    cols.setdefault(ident, set()).add(it[0])
        for ident in list(cols) + [i for i in kids if i not in cols]:
            n = len(cols.get(ident, ())) + len(kids.get(ident, ()))
            if n > self.max_columns:
                return ident, objs.get(ident, {})
        return None

    def add(self, rec):
        while True:
            rows = self.plan(rec)
            over = self.overflow(rows)
            if over is None:
                break
            ident, objs = over
            maps = self.maps.setdefault(ident, set())
            cands = [(len(k), p) for p, k in objs.items() if p not in maps]
            if not cands:
                raise RuntimeError("reference: table %r would need _extra" % (ident,))
            best = max(cands, key=lambda c: c[0])[1]   # first of the widest
            maps.add(best)
        self.commit(rows)

    def commit(self, rows):
        ids = []
        for ident, parent_pos, index, items in rows:
            if parent_pos is None:
                t = self.tables[ident]
            else:
                pident = rows[parent_pos][0]
                pt = self.tables[pident]
                last = ident[-1]
                if isinstance(last, tuple) and last[:1] == ("map",):
                    path = last[1:]
                    name = pt.name + self.sep + (self.sep.join(path) if path else "members")
                else:
                    name = pt.name + self.sep + self.sep.join(last)
                t = self.table(ident, pident, name)
                if isinstance(last, tuple) and last[:1] == ("map",):
                    t.is_map = True
                    t.colname(KEY, self.sep)
            t.rows += 1
            rid = t.rows
            if parent_pos is None:
                root, pid = rid, None
            else:
                pid = ids[parent_pos][1]
                root = ids[parent_pos][2]
            ids.append((t, rid, root))
            values = {}
            for it in items:
                if it[0] == "obj":
                    t.objkeys.setdefault(it[1], set()).update(it[2])
                else:
                    values[t.colname(it[0], self.sep)] = it[1]
            self.rows.append((t.name, rid, pid, None if pid is None else root,
                              index, values))

    # ------------------------------------------------------------ answers

    def table_counts(self):
        return sorted(((t.name, t.rows) for t in self.tables.values() if t.rows),
                      key=lambda r: bkey(r[0]))

    def links(self):
        out = [(r[0], r[1], r[2], r[3], r[4]) for r in self.rows]
        return sorted(out, key=lambda r: (bkey(r[0]), r[1]))

    def columns(self):
        pairs = {(r[0], k) for r in self.rows for k in r[5]}
        return sorted(pairs, key=lambda p: (bkey(p[0]), bkey(p[1])))

    def leaves(self):
        """{json type: [count, checksum, count of |ints| > 2^53]}"""
        census = {}

        def leaf(v):
            if isinstance(v, dict):
                for x in v.values():
                    leaf(x)
                return
            if isinstance(v, list):
                for x in v:
                    leaf(x)
                return
            if v is None:
                typ, ck = "null", 0
            elif v is True:
                typ, ck = "true", 0
            elif v is False:
                typ, ck = "false", 0
            elif isinstance(v, int):
                if not -2**63 <= v < 2**63:
                    raise RuntimeError("reference: integer beyond 64 bits")
                typ, ck = "integer", (abs(v) % MOD) * (1 if v >= 0 else -1)
            elif isinstance(v, float):
                typ, ck = "real", int(v * 1000) if abs(v) < 1e9 else 0
            else:
                if "\x00" in v:
                    raise RuntimeError("reference: text with NUL")
                typ, ck = "text", len(v.encode("utf-8"))
            c = census.setdefault(typ, [0, 0, 0])
            c[0] += 1
            c[1] += ck
            if typ == "integer" and abs(v) > 2**53:
                c[2] += 1

        for r in self.rows:
            leaf(r[5])
        return sorted((k, v[0], v[1], v[2]) for k, v in census.items())


# ---------------------------------------------------------------- checks

def fmt(*vals):
    """One line as the shell prints it in list mode."""
    return "|".join("" if v is None else str(v) for v in vals)


def records_of(fname, root=None, jsonl=False):
    path = os.path.join(DIR, fname)
    if jsonl:
        with open(path, encoding="utf-8") as f:
            return [json.loads(l) for l in f if l.strip()]
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    for k in (root.split(".") if root else []):
        doc = doc[k]
    return doc if isinstance(doc, list) else [doc]


def each(fname, table=None, opts=None):
    args = [sql_str(REL + "/" + fname)]
    if table is not None or opts is not None:
        args.append("NULL" if table is None else sql_str(table))
    if opts is not None:
        args.append(sql_str(opts))
    return "transmog_each(%s)" % ", ".join(args)


def temp(name, fname, table, opts=None):
    """Copy one table of transmog_each into a temp table, so that joins run
    over a real table (transmog_each has no seeks: a join on it would scan
    the file once per outer row)."""
    return "CREATE TEMP TABLE %s AS SELECT * FROM %s;\n" % (name, each(fname, table, opts))


def generic_cases(Case, label, fname, ref, opts=None):
    """tables / links / columns / leaves for one file and its reference."""
    src = each(fname, None, opts)
    out = []
    out.append(Case("realworld: %s tables" % label,
                    "SELECT table_name, count(*) FROM %s GROUP BY 1 ORDER BY 1;" % src,
                    lines_check([fmt(*r) for r in ref.table_counts()])))
    out.append(Case("realworld: %s links" % label,
                    "SELECT table_name, _id, _parent_id, _root_id, _index FROM %s ORDER BY 1, 2;" % src,
                    lines_check([fmt(*r) for r in ref.links()])))
    out.append(Case("realworld: %s columns" % label,
                    "SELECT DISTINCT e.table_name, j.key FROM %s e, json_each(e.row) j ORDER BY 1, 2;" % src,
                    lines_check([fmt(*r) for r in ref.columns()])))
    out.append(Case("realworld: %s leaves" % label,
                    "SELECT j.type, count(*), sum(CASE j.type"
                    " WHEN 'text' THEN length(CAST(j.atom AS BLOB))"
                    " WHEN 'integer' THEN j.atom %% %d"
                    " WHEN 'real' THEN CASE WHEN abs(j.atom) < 1e9 THEN CAST(j.atom * 1000 AS INTEGER) ELSE 0 END"
                    " ELSE 0 END),"
                    " sum(j.type = 'integer' AND abs(j.atom) > 9007199254740992)"
                    " FROM %s e, json_tree(e.row) j WHERE j.type NOT IN ('object', 'array')"
                    " GROUP BY 1 ORDER BY 1;" % (MOD, src),
                    lines_check([fmt(*r) for r in ref.leaves()])))
    eargs = [sql_str(REL + "/" + fname)] + ([sql_str(opts)] if opts is not None else [])
    out.append(Case("realworld: %s no errors" % label,
                    "SELECT count(*) FROM transmog_errors(%s);" % ", ".join(eargs),
                    lines_check([0])))   # Python's json parsed every record
    return out


def reference(main, recs, **kw):
    ref = Reference(main, **kw)
    for r in recs:
        ref.add(r)
    return ref


# ---------------------------------------------------------------- per file

def twitter_cases(Case):
    out = []
    recs = records_of("twitter.json", root="statuses")
    ref = reference("twitter", recs)
    out += generic_cases(Case, "twitter.json root=statuses", "twitter.json", ref, "root=statuses")
    src = each("twitter.json", "twitter", "root=statuses")

    # The 64-bit ids come back as exact INTEGERs: every status id, user id
    # and retweeted status id, compared with Python's ints.
    want = []
    for i, s in enumerate(recs):
        rt = s.get("retweeted_status") or {}
        want.append(fmt(i + 1, "integer", s["id"], s["id_str"] == str(s["id"]) and 1 or 0,
                        s["user"]["id"], rt.get("id")))
    out.append(Case("realworld: twitter.json ids above 2^53 are exact integers",
                    "SELECT _id, typeof(row->>'id'), row->>'id', row->>'id' = CAST(row->>'id_str' AS INTEGER),"
                    " row->>'user_id', row->>'retweeted_status_id' FROM %s ORDER BY _id;" % src,
                    lines_check(want)))
    big = sum(1 for s in recs for _ in iter_big_ints(s))
    out.append(Case("realworld: twitter.json count of integers above 2^53",
                    "SELECT count(*) FROM %s e, json_tree(e.row) j"
                    " WHERE j.type = 'integer' AND j.atom > 9007199254740992;"
                    % each("twitter.json", None, "root=statuses"),
                    lines_check([big])))

    # user mentions: the exact mentioned ids and screen names per status
    want = []
    for i, s in enumerate(recs):
        for k, m in enumerate(s["entities"]["user_mentions"]):
            want.append(fmt(i + 1, k, m["id"], m["screen_name"], m["indices"][0]))
    out.append(Case("realworld: twitter.json user mentions per status",
                    "SELECT _parent_id, _index, row->>'id', row->>'screen_name', row->>'$.indices[0]'"
                    " FROM %s ORDER BY _parent_id, _index;"
                    % each("twitter.json", "twitter_entities_user_mentions", "root=statuses"),
                    lines_check(want)))

    # non-ASCII text, byte for byte: every status's text and user name
    want = [fmt(i + 1, s["text"].encode("utf-8").hex().upper(),
                s["user"]["name"].encode("utf-8").hex().upper()) for i, s in enumerate(recs)]
    out.append(Case("realworld: twitter.json text and user names byte for byte",
                    "SELECT _id, hex(CAST(row->>'text' AS BLOB)), hex(CAST(row->>'user_name' AS BLOB))"
                    " FROM %s ORDER BY _id;" % src,
                    lines_check(want)))

    # sums of numeric fields
    rc = sum(s["retweet_count"] for s in recs)
    fc = sum(s["user"]["followers_count"] for s in recs)
    out.append(Case("realworld: twitter.json sums of counts",
                    "SELECT sum(row->>'retweet_count'), sum(row->>'user_followers_count') FROM %s;" % src,
                    lines_check([fmt(rc, fc)])))

    # The whole document without root=: one record, statuses a child table.
    whole = reference("twitter", records_of("twitter.json"))
    out += generic_cases(Case, "twitter.json whole", "twitter.json", whole)
    return out


def iter_big_ints(v):
    if isinstance(v, dict):
        for x in v.values():
            yield from iter_big_ints(x)
    elif isinstance(v, list):
        for x in v:
            yield from iter_big_ints(x)
    elif isinstance(v, int) and not isinstance(v, bool) and v > 2**53:
        yield v


def github_cases(Case):
    out = []
    recs = records_of("github_events.json")
    ref = reference("github_events", recs)
    out += generic_cases(Case, "github_events.json", "github_events.json", ref)
    want = []
    for i, e in enumerate(recs):
        for k, c in enumerate((e.get("payload") or {}).get("commits") or []):
            want.append(fmt(i + 1, k, c["sha"], c["author"]["name"].encode("utf-8").hex().upper(),
                            c["message"].encode("utf-8").hex().upper()))
    out.append(Case("realworld: github_events.json commits per event",
                    "SELECT _parent_id, _index, row->>'sha', hex(CAST(row->>'author_name' AS BLOB)),"
                    " hex(CAST(row->>'message' AS BLOB))"
                    " FROM %s ORDER BY _parent_id, _index;"
                    % each("github_events.json", "github_events_payload_commits"),
                    lines_check(want)))
    want = []
    for i, e in enumerate(recs):
        for k, p in enumerate((e.get("payload") or {}).get("pages") or []):
            want.append(fmt(i + 1, k, p["page_name"], p["action"], p["sha"]))
    out.append(Case("realworld: github_events.json gollum pages",
                    "SELECT _parent_id, _index, row->>'page_name', row->>'action', row->>'sha'"
                    " FROM %s ORDER BY _parent_id, _index;"
                    % each("github_events.json", "github_events_payload_pages"),
                    lines_check(want)))
    want = [fmt(i + 1, e["type"], e["actor"]["login"], e["repo"]["name"],
                (e.get("org") or {}).get("login"), (e.get("payload") or {}).get("size"))
            for i, e in enumerate(recs)]
    out.append(Case("realworld: github_events.json event fields",
                    "SELECT _id, row->>'type', row->>'actor_login', row->>'repo_name',"
                    " row->>'org_login', row->>'payload_size' FROM %s ORDER BY _id;"
                    % each("github_events.json", "github_events"),
                    lines_check(want)))
    return out


def random_cases(Case):
    out = []
    recs = records_of("random.json")
    ref = reference("random", recs)
    out += generic_cases(Case, "random.json", "random.json", ref)
    users = recs[0]["result"]
    want = [fmt(i + 1, u["name"].encode("utf-8").hex().upper(), len(u["friends"])) for i, u in enumerate(users)]
    out.append(Case("realworld: random.json user names byte for byte",
                    temp("f", "random.json", "random_result_friends") +
                    "SELECT r._id, hex(CAST(r.row->>'name' AS BLOB)),"
                    " (SELECT count(*) FROM f WHERE f._parent_id = r._id)"
                    " FROM %s r ORDER BY r._id;" % each("random.json", "random_result"),
                    lines_check(want)))
    want = []
    n = 0
    for i, u in enumerate(users):
        for k, f in enumerate(u["friends"]):
            n += 1
            want.append(fmt(n, i + 1, k, f["id"], f["name"].encode("utf-8").hex().upper()))
    out.append(Case("realworld: random.json friends",
                    "SELECT _id, _parent_id, _index, row->>'id', hex(CAST(row->>'name' AS BLOB))"
                    " FROM %s ORDER BY _id;" % each("random.json", "random_result_friends"),
                    lines_check(want)))
    out.append(Case("realworld: random.json sums",
                    "SELECT sum(row->>'id'), sum(row->>'age') FROM %s;" % each("random.json", "random_result"),
                    lines_check([fmt(sum(u["id"] for u in users), sum(u["age"] for u in users))])))
    return out


def instruments_cases(Case):
    out = []
    recs = records_of("instruments.json")
    ref = reference("instruments", recs)
    out += generic_cases(Case, "instruments.json", "instruments.json", ref)
    doc = recs[0]
    for env in ("volume_envelope", "pitch_envelope", "panning_envelope"):
        want = []
        for i, ins in enumerate(doc["instruments"]):
            nodes = (ins.get(env) or {}).get("nodes") or []
            if nodes:
                want.append(fmt(i + 1, len(nodes), sum(n["tick"] for n in nodes), sum(n["value"] for n in nodes)))
        out.append(Case("realworld: instruments.json %s nodes per instrument" % env,
                        "SELECT _parent_id, count(*), sum(row->>'tick'), sum(row->>'value') FROM %s"
                        " GROUP BY 1 ORDER BY 1;" % each("instruments.json", "instruments_instruments_%s_nodes" % env),
                        lines_check(want)))
    return out


def apache_cases(Case):
    out = []
    recs = records_of("apache_builds.json")
    ref = reference("apache_builds", recs)
    out += generic_cases(Case, "apache_builds.json", "apache_builds.json", ref)
    want = [fmt(i + 1, j["name"], j["color"], j["url"]) for i, j in enumerate(recs[0]["jobs"])]
    out.append(Case("realworld: apache_builds.json jobs",
                    "SELECT _id, row->>'name', row->>'color', row->>'url' FROM %s ORDER BY _id;"
                    % each("apache_builds.json", "apache_builds_jobs"),
                    lines_check(want)))
    return out


def amazon_cases(Case):
    out = []
    recs = records_of("amazon_cellphones.ndjson", jsonl=True)
    ref = reference("amazon_cellphones", recs)
    out += generic_cases(Case, "amazon_cellphones.ndjson", "amazon_cellphones.ndjson", ref)
    want = [fmt(i + 1, len(r), r[0], r[2].encode("utf-8").hex().upper(), r[7]) for i, r in enumerate(recs)]
    out.append(Case("realworld: amazon_cellphones.ndjson array records in one value column",
                    "SELECT _id, json_array_length(row->'value'), row->>'$.value[0]',"
                    " hex(CAST(row->>'$.value[2]' AS BLOB)), row->>'$.value[7]'"
                    " FROM %s ORDER BY _id;" % each("amazon_cellphones.ndjson", "amazon_cellphones"),
                    lines_check(want)))
    return out


def canada_cases(Case):
    out = []
    recs = records_of("canada.json")
    ref = reference("canada", recs)
    out += generic_cases(Case, "canada.json", "canada.json", ref)
    rings = recs[0]["features"][0]["geometry"]["coordinates"]
    npoints = sum(len(r) for r in rings)
    pairs = sum(1 for r in rings for p in r if len(p) == 2)
    out.append(Case("realworld: canada.json coordinates kept whole",
                    "SELECT json_array_length(row->'geometry_coordinates'),"
                    " (SELECT sum(json_array_length(value)) FROM json_each(row->'geometry_coordinates')),"
                    " (SELECT count(*) FROM json_each(row->'geometry_coordinates') r, json_each(r.value) p"
                    " WHERE json_array_length(p.value) = 2)"
                    " FROM %s;" % each("canada.json", "canada_features"),
                    lines_check([fmt(len(rings), npoints, pairs)])))
    return out


def mesh_cases(Case):
    out = []
    recs = records_of("mesh.json")
    ref = reference("mesh", recs)
    out += generic_cases(Case, "mesh.json", "mesh.json", ref)
    doc = recs[0]
    keys = [k for k, v in doc.items() if isinstance(v, list) and v and not any(isinstance(e, dict) for e in v)]
    sel = ", ".join("json_array_length(row->%s)" % sql_str(k) for k in keys)
    out.append(Case("realworld: mesh.json big arrays kept whole",
                    "SELECT %s FROM %s;" % (sel, each("mesh.json", "mesh")),
                    lines_check([fmt(*[len(doc[k]) for k in keys])])))
    out.append(Case("realworld: mesh.json indices sum",
                    "SELECT sum(value) FROM %s, json_each(row->'indices');" % each("mesh.json", "mesh"),
                    lines_check([sum(doc["indices"])])))
    return out


def gsoc_cases(Case):
    out = []
    recs = records_of("gsoc-2018.json")
    ref = reference("gsoc-2018", recs)
    out += generic_cases(Case, "gsoc-2018.json", "gsoc-2018.json", ref)
    doc = recs[0]
    # descriptions with escapes and non-ASCII text, byte for byte
    want = []
    for i, (k, v) in enumerate(doc.items()):
        d = v.get("description") or ""
        if any(ord(c) > 127 for c in d) or "\\" in d or '"' in d:
            want.append(fmt(i, k, d.encode("utf-8").hex().upper()))
        if len(want) >= 40:
            break
    if not want:
        raise RuntimeError("realworld: no gsoc description with non-ASCII text or escapes")
    idx = ",".join(l.split("|")[0] for l in want)
    out.append(Case("realworld: gsoc-2018.json map members, text byte for byte",
                    "SELECT _index, row->>'key', hex(CAST(row->>'description' AS BLOB)) FROM %s"
                    " WHERE _index IN (%s) ORDER BY _index;" % (each("gsoc-2018.json", "gsoc-2018_members"), idx),
                    lines_check(want)))
    return out


def citm_cases(Case):
    out = []
    recs = records_of("citm_catalog.json")
    ref = reference("citm_catalog", recs)
    out += generic_cases(Case, "citm_catalog.json", "citm_catalog.json", ref)
    doc = recs[0]
    want = [fmt(i, k, v["id"], v["name"].encode("utf-8").hex().upper(), json.dumps(v["topicIds"], separators=(",", ":")) if v["topicIds"] else None)
            for i, (k, v) in enumerate(doc["events"].items())]
    out.append(Case("realworld: citm_catalog.json events map",
                    "SELECT _index, row->>'key', row->>'id', hex(CAST(row->>'name' AS BLOB)), json(row->'topicIds')"
                    " FROM %s ORDER BY _index;" % each("citm_catalog.json", "citm_catalog_events"),
                    lines_check(want)))
    want = []
    n = 0
    for p in doc["performances"]:
        for s in p["seatCategories"]:
            n += 1
            for k, a in enumerate(s.get("areas", [])):
                want.append(fmt(n, k, a["areaId"], json.dumps(a["blockIds"]) if a["blockIds"] else None))
    out.append(Case("realworld: citm_catalog.json areas under their seat categories (grandchild)",
                    "SELECT _parent_id, _index, row->>'areaId', json(row->'blockIds') FROM %s ORDER BY _id;"
                    % each("citm_catalog.json", "citm_catalog_performances_seatCategories_areas"),
                    lines_check(want)))
    want = []
    for pi, p in enumerate(doc["performances"]):
        areas = [a for s in p["seatCategories"] for a in s.get("areas", [])]
        if areas:
            want.append(fmt(pi + 1, p["id"], len(areas), sum(a["areaId"] for a in areas)))
    out.append(Case("realworld: citm_catalog.json areas per performance through seat categories",
                    temp("a", "citm_catalog.json", "citm_catalog_performances_seatCategories_areas") +
                    temp("s", "citm_catalog.json", "citm_catalog_performances_seatCategories") +
                    temp("p", "citm_catalog.json", "citm_catalog_performances") +
                    "SELECT p._id, p.row->>'id', count(*), sum(a.row->>'areaId') FROM a"
                    " JOIN s ON a._parent_id = s._id JOIN p ON s._parent_id = p._id"
                    " GROUP BY p._id ORDER BY p._id;",
                    lines_check(want)))
    return out


def update_center_cases(Case):
    out = []
    recs = records_of("update-center.json")
    ref = reference("update-center", recs)
    out += generic_cases(Case, "update-center.json", "update-center.json", ref)
    plugins = recs[0]["plugins"]
    want = []
    for i, (k, p) in enumerate(plugins.items()):
        for d in p.get("dependencies", []):
            want.append(fmt(k, d["name"], d["version"], 1 if d["optional"] else 0))
    want.sort(key=lambda l: bkey(l))
    out.append(Case("realworld: update-center.json dependencies per plugin",
                    temp("d", "update-center.json", "update-center_plugins_dependencies") +
                    "SELECT p.row->>'key' || '|' || (d.row->>'name') || '|' || (d.row->>'version') || '|' ||"
                    " (d.row->>'optional') AS l FROM %s p JOIN d ON d._parent_id = p._id ORDER BY l;"
                    % each("update-center.json", "update-center_plugins"),
                    lines_check(want)))
    return out


def crates_cases(Case):
    out = []
    fname = "crates_io_index/top_crates_index.jsonl"
    recs = records_of(fname, jsonl=True)
    ref = reference("top_crates_index", recs)
    out += generic_cases(Case, "top_crates_index.jsonl", fname, ref)
    out.append(Case("realworld: top_crates_index.jsonl main and deps rows",
                    "SELECT count(*) FROM %s; SELECT count(*) FROM %s;"
                    % (each(fname, "top_crates_index"), each(fname, "top_crates_index_deps")),
                    lines_check([len(recs), sum(len(r["deps"]) for r in recs)])))
    want = [fmt(i + 1, len(r["deps"])) for i, r in enumerate(recs) if r["deps"]]
    out.append(Case("realworld: top_crates_index.jsonl deps per version (_parent_id)",
                    "SELECT _parent_id, count(*) FROM %s GROUP BY 1 ORDER BY 1;" % each(fname, "top_crates_index_deps"),
                    lines_check(want)))
    want = sorted((fmt(r["name"], r["vers"], k, d["name"], d["req"], d.get("kind"), d.get("package"))
                   for r in recs for k, d in enumerate(r["deps"])), key=bkey)
    out.append(Case("realworld: top_crates_index.jsonl each dep under its crate version",
                    temp("d", fname, "top_crates_index_deps") +
                    "SELECT (c.row->>'name') || '|' || (c.row->>'vers') || '|' || d._index || '|' ||"
                    " (d.row->>'name') || '|' || (d.row->>'req') || '|' || ifnull(d.row->>'kind', '') || '|' ||"
                    " ifnull(d.row->>'package', '') AS l"
                    " FROM %s c JOIN d ON d._parent_id = c._id ORDER BY l;" % each(fname, "top_crates_index"),
                    lines_check(want)))
    return out


def openalex_cases(Case):
    out = []
    for base in ("W2741809807", "A5023888391", "I27837315", "S137773608", "C71924100"):
        fname = "openalex/%s.json" % base
        recs = records_of(fname)
        ref = reference(base, recs)
        out += generic_cases(Case, fname, fname, ref)
    # The same rules under other options: the separator, and a lower
    # max_columns that turns the widest objects into map tables.
    for base, opts, kw in (("W2741809807", "separator=.", dict(sep=".")),
                           ("W2741809807", "max_columns=100", dict(max_columns=100)),
                           ("I27837315", "max_columns=60", dict(max_columns=60)),
                           ("C71924100", "max_columns=40 separator=__", dict(max_columns=40, sep="__"))):
        fname = "openalex/%s.json" % base
        ref = reference(base, records_of(fname), **kw)
        out += generic_cases(Case, "%s %s" % (fname, opts), fname, ref, opts)
    fname = "openalex/W2741809807.json"
    work = records_of(fname)[0]
    want = []
    for ai, a in enumerate(work["authorships"]):
        for ii, inst in enumerate(a["institutions"]):
            want.append(fmt(ai, a["author"]["display_name"].encode("utf-8").hex().upper(), ii,
                            inst["display_name"].encode("utf-8").hex().upper(), inst["id"]))
    out.append(Case("realworld: openalex/W2741809807.json institutions per authorship",
                    temp("i", fname, "W2741809807_authorships_institutions") +
                    "SELECT a._index, hex(CAST(a.row->>'author_display_name' AS BLOB)), i._index,"
                    " hex(CAST(i.row->>'display_name' AS BLOB)), i.row->>'id'"
                    " FROM %s a JOIN i ON i._parent_id = a._id ORDER BY a._index, i._index;"
                    % each(fname, "W2741809807_authorships"),
                    lines_check(want)))
    want = []
    for ai, a in enumerate(work["authorships"]):
        for ii, af in enumerate(a.get("affiliations", [])):
            want.append(fmt(ai, ii, af["raw_affiliation_string"].encode("utf-8").hex().upper(),
                            json.dumps(af["institution_ids"], separators=(",", ":")) if af["institution_ids"] else None))
    out.append(Case("realworld: openalex/W2741809807.json affiliations per authorship",
                    temp("f", fname, "W2741809807_authorships_affiliations") +
                    "SELECT a._index, f._index, hex(CAST(f.row->>'raw_affiliation_string' AS BLOB)),"
                    " json(f.row->'institution_ids')"
                    " FROM %s a JOIN f ON f._parent_id = a._id ORDER BY a._index, f._index;"
                    % each(fname, "W2741809807_authorships"),
                    lines_check(want)))
    inv = work["abstract_inverted_index"]
    ref = reference("W2741809807", [work])
    cols = ref.tables[("main",)].cols
    if "v3" in inv:
        raise RuntimeError("realworld: the word 'v3' would collide with abstract_inverted_index_v3")
    want = [fmt(n, v) for n, v in sorted(((cols[("abstract_inverted_index", w)], json.dumps(v, separators=(",", ":")))
                                          for w, v in inv.items()), key=lambda p: bkey(p[0]))]
    out.append(Case("realworld: openalex/W2741809807.json abstract_inverted_index words",
                    "SELECT j.key, json(j.value) FROM %s e, json_each(e.row) j"
                    " WHERE j.key LIKE 'abstract\\_inverted\\_index\\_%%' ESCAPE '\\'"
                    " AND j.key <> 'abstract_inverted_index_v3' ORDER BY 1;"
                    % each(fname, "W2741809807"),
                    lines_check(want)))
    return out


def cases(Case, expect_output, expect_error):
    out = []
    for f in (twitter_cases, github_cases, random_cases, instruments_cases, apache_cases,
              amazon_cases, canada_cases, mesh_cases, gsoc_cases, citm_cases,
              update_center_cases, crates_cases, openalex_cases):
        out += f(Case)
    return out
