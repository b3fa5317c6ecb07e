"""Helpers shared by the Python suites (tests/suites/*.py), which import it
after putting tests/ on sys.path (it is not itself a suite: run.py loads
every tests/suites/*.py as one)."""
import os
import re

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))   # the repository root

# An error line of the sqlite3 shell; group 1 is the message.
ERROR_RE = re.compile(r"^(?:(?:Parse|Runtime) error near line \d+|Error)(?: near line \d+)?: (.*)$")


def sql_str(s):
    """A SQL string literal."""
    return "'" + s.replace("'", "''") + "'"


def first_error(stderr):
    """The first error message the shell printed, without its prefix."""
    for line in stderr.splitlines():
        m = ERROR_RE.match(line)
        if m:
            return m.group(1)
    return None


def bkey(s):
    """Sort key matching SQLite's BINARY collation (UTF-8 bytes)."""
    return s.encode("utf-8")


def lines_check(want):
    """The statement(s) succeed and print exactly `want` (a list of lines);
    on a difference, show the lines missing and unexpected (or, when only
    the order differs, the first differing line)."""
    want = [str(l) for l in want]

    def check(out, err, rc):
        if rc != 0 or first_error(err):
            return "failed (exit %d): %s" % (rc, first_error(err) or err.strip()[-300:])
        got = [l.rstrip() for l in out.rstrip("\n").split("\n")] if out.strip() else []
        if got == want:
            return None
        gs, ws = set(got), set(want)
        missing = [l for l in want if l not in gs][:5]
        extra = [l for l in got if l not in ws][:5]
        if missing or extra:
            return ("got %d lines, expected %d;\n  missing: %s\n  unexpected: %s"
                    % (len(got), len(want), " ; ".join(l[:200] for l in missing) or "-",
                       " ; ".join(l[:200] for l in extra) or "-"))
        for i, (g, w) in enumerate(zip(got, want)):
            if g != w:
                return ("line %d differs (got %d lines, expected %d):\n  expected: %s\n  got:      %s"
                        % (i + 1, len(got), len(want), w[:400], g[:400]))
        i = min(len(got), len(want))
        return ("got %d lines, expected %d; first extra line %d: %s"
                % (len(got), len(want), i + 1,
                   (got[i] if len(got) > len(want) else "(expected) " + want[i])[:400]))
    return check
