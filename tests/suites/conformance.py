"""JSONTestSuite (nst/JSONTestSuite test_parsing/) through transmog_each.

One case per file, named after it:

  y_*.json  must be accepted with format=json; the number of main rows must
            equal what Python's json module says (the number of elements if
            the document is an array, else 1), and every record that is a
            string, an integer, a boolean or null must come back in `row`
            as `value` with the type and the exact bytes Python decodes.
  n_*.json  must be rejected with format=json by an error located as
            "transmog: '<path>' line ...", and again with the default
            format=auto (a second case per file, "(format=auto)"). Two
            exceptions under auto: a file with no value at all (only
            whitespace, or only a UTF-8 BOM) is an empty JSON Lines file
            (DESIGN section 4: "an empty file is zero records"), and a file
            that is several complete JSON values one after another (such as
            "[][]") is a sequence of values, one record each (README,
            Inputs); there the auto case asserts that many records.
  i_*.json  implementation-defined: either accepted (then the main row count
            must equal Python's, when Python can parse the file) or a clean
            "transmog: " error; never a crash (exit code 0 or 1 only).

Expectations come from Python's json module only, never from transmog.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))   # tests/
from suitelib import ROOT, first_error, sql_str  # noqa: E402

def value_sequence(data):
    """The JSON values of data read one after another (a UTF-8 BOM first
    allowed, whitespace between), with Python's json module: None unless it
    is zero values or two or more, all strictly valid (no NaN, no Infinity)."""
    def refuse(name):
        raise ValueError(name)
    try:
        text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", "strict")
    except UnicodeDecodeError:
        return None
    decoder = json.JSONDecoder(parse_constant=refuse)
    values, i = [], 0
    while True:
        while i < len(text) and text[i] in " \t\r\n":
            i += 1
        if i == len(text):
            return values if len(values) != 1 else None
        try:
            value, i = decoder.raw_decode(text, i)
        except (ValueError, RecursionError):
            return None
        values.append(value)


REL = "../shared/data/jsontestsuite"          # relative to the repo root (the cases' cwd)
DIR = os.path.normpath(os.path.join(ROOT, REL))

def main_name(fname):
    """The main table name transmog gives a file: base name without extensions."""
    return fname.split(".", 1)[0]


def records(doc):
    """The records of a format=json document, per DESIGN section 4."""
    return doc if isinstance(doc, list) else [doc]


def scalar_expectation(v):
    """(typeof, hex of the bytes) that row->>'value' must give for scalar v,
    or None when the check is not cheap and exact (floats, big ints,
    strings with NUL, which SQLite 3.40's json1 truncates)."""
    if v is None:
        return ("null", "")
    if isinstance(v, bool):
        return ("integer", ("1" if v else "0").encode().hex().upper())
    if isinstance(v, int):
        if -2**63 <= v < 2**63:
            return ("integer", str(v).encode().hex().upper())
        return None
    if isinstance(v, str):
        if "\x00" in v:
            return None
        return ("text", v.encode("utf-8").hex().upper())
    return None


def accepted_check(fname, want_lines):
    def check(out, err, rc):
        if rc != 0 or first_error(err):
            return "rejected (exit %d): %s" % (rc, first_error(err) or err.strip()[-300:])
        got = [l.rstrip() for l in out.strip("\n").split("\n")] if out.strip() else []
        if got != want_lines:
            return "expected:\n  %s\ngot:\n  %s" % ("\n  ".join(want_lines), "\n  ".join(got))
        return None
    return check


def rejected_check(path):
    prefix = "transmog: %s line " % sql_str(path)

    def check(out, err, rc):
        if rc not in (0, 1):
            return "crashed (exit %d): %s" % (rc, err.strip()[-300:])
        msg = first_error(err)
        if msg is None:
            return "accepted (exit %d), printed: %s" % (rc, out.strip()[:300])
        if not msg.startswith(prefix):
            return "error does not start with %r: %s" % (prefix, msg)
        return None
    return check


def implementation_check(path, want_count):
    def check(out, err, rc):
        if rc not in (0, 1):
            return "crashed (exit %d): %s" % (rc, err.strip()[-300:])
        msg = first_error(err)
        if msg is not None:
            if not msg.startswith("transmog: "):
                return "error is not a transmog error: %s" % msg
            return None
        if rc != 0:
            return "exit %d without an error message: %s" % (rc, err.strip()[-300:])
        if want_count is not None and out.strip() != str(want_count):
            return "accepted, but main rows %r (Python: %d)" % (out.strip(), want_count)
        return None
    return check


def cases(Case, expect_output, expect_error):
    out = []
    names = sorted(os.listdir(DIR))
    for fname in names:
        if not fname.endswith(".json") or fname[:2] not in ("y_", "n_", "i_"):
            continue
        path = REL + "/" + fname
        with open(os.path.join(DIR, fname), "rb") as f:
            data = f.read()
        main = main_name(fname)
        each = "transmog_each(%s, %s, 'format=json')" % (sql_str(path), sql_str(main))
        kind = fname[:2]
        if kind == "y_":
            doc = json.loads(data)
            recs = records(doc)
            sql = ["SELECT count(*) FROM %s;" % each]
            want = [str(len(recs))]
            ids, exp = [], []
            for i, v in enumerate(recs):
                e = scalar_expectation(v) if not isinstance(v, (list, dict)) else None
                if e is not None:
                    ids.append(i + 1)
                    exp.append("%d|%s|%s" % (i + 1, e[0], e[1]))
            if ids:
                sql.append("SELECT _id, typeof(row->>'value'), hex(CAST(row->>'value' AS BLOB)) "
                           "FROM %s WHERE _id IN (%s) ORDER BY _id;"
                           % (each, ",".join(map(str, ids))))
                want += exp
            out.append(Case("conformance: " + fname, "\n".join(sql), accepted_check(fname, want)))
        elif kind == "n_":
            out.append(Case("conformance: " + fname,
                            "SELECT count(*) FROM transmog_each(%s, NULL, 'format=json');" % sql_str(path),
                            rejected_check(path)))
            auto_sql = "SELECT count(*) FROM transmog_each(%s);" % sql_str(path)
            values = value_sequence(data)
            if values is not None:
                auto_check = accepted_check(fname, [str(len(values))])
            else:
                auto_check = rejected_check(path)
            out.append(Case("conformance: %s (format=auto)" % fname, auto_sql, auto_check))
        else:
            try:
                want_count = len(records(json.loads(data)))
            except (ValueError, RecursionError):
                want_count = None
            out.append(Case("conformance: " + fname,
                            "SELECT count(*) FROM %s;" % each,
                            implementation_check(path, want_count)))
    return out
