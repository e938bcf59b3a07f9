"""Case totals per officer, kept by the triggers of migration 6.

The case list shows how many cases match its filter. For the filters people
use most (open / closed / all cases, anyone's or one officer's) the answer is
read from ``case_counts`` instead of counting the cases: a fresh SQLCipher
connection decrypts every index page a count reads, which made the count the
slowest part of showing the list after sign-in (benchmarks/RESULTS.md).
"""

from __future__ import annotations

from sendiass_desktop.domain.cases import CaseFilter, CaseStatus
from sendiass_desktop.store.connection import Connection


def answers(f: CaseFilter) -> bool:
    """Whether the totals can answer a count for ``f`` (officer and status only)."""
    # Compared whole, so a filter field added later falls back to counting.
    return f == CaseFilter(officer=f.officer, status=f.status)


def kept(conn: Connection) -> bool:
    """Whether this store has the totals (a read-only session does not migrate)."""
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'case_counts'"
    ).fetchone()
    return row is not None


def count(conn: Connection, f: CaseFilter) -> int:
    """Cases matching ``f``, which must be one the totals ``answers``."""
    if f.status is CaseStatus.OPEN:
        column = "sum(open_cases)"
    elif f.status is CaseStatus.CLOSED:
        column = "sum(all_cases - open_cases)"
    else:
        column = "sum(all_cases)"
    # The column is one of the three constant expressions above.
    sql = f"SELECT coalesce({column}, 0) FROM case_counts"  # noqa: S608
    if f.officer:
        row = conn.execute(sql + " WHERE officer = ?", (f.officer,)).fetchone()
    else:
        row = conn.execute(sql).fetchone()
    return int(row[0])


# The totals as counting the cases gives them (migration 6 fills the table the same way).
_COUNTED = """
    SELECT assigned_officer, count(*), count(*) - count(closed_on)
    FROM cases GROUP BY assigned_officer
"""


def mismatches(conn: Connection) -> int:
    """Officers whose kept totals differ from counting their cases (0 on a sound store)."""
    # The cases are counted once (a CTE used twice is computed once) and compared
    # both ways: a kept row that is wrong, and a counted one that is missing.
    row = conn.execute(
        f"""
        WITH counted (officer, all_cases, open_cases) AS MATERIALIZED ({_COUNTED}),
             kept AS (SELECT officer, all_cases, open_cases FROM case_counts
                      WHERE all_cases != 0 OR open_cases != 0)
        SELECT (SELECT count(*) FROM (SELECT * FROM kept EXCEPT SELECT * FROM counted))
             + (SELECT count(*) FROM (SELECT * FROM counted EXCEPT SELECT * FROM kept))
        """  # noqa: S608 - _COUNTED is a constant
    ).fetchone()
    return int(row[0])


def recount(conn: Connection) -> None:
    """Count the totals again from the cases (inside the caller's transaction).

    They are derived data: out of step means a bug or a hand edit, not damage,
    so the store check puts them right instead of failing backups over them.
    """
    conn.execute("DELETE FROM case_counts")
    conn.execute(f"INSERT INTO case_counts (officer, all_cases, open_cases) {_COUNTED}")
