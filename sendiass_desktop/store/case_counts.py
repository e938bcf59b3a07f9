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


def mismatches(conn: Connection) -> int:
    """Officers whose kept totals differ from counting their cases (0 on a sound store)."""
    row = conn.execute(
        """
        SELECT count(*) FROM (
            SELECT officer, all_cases, open_cases FROM case_counts
            WHERE all_cases != 0 OR open_cases != 0
            EXCEPT
            SELECT assigned_officer, count(*), count(*) - count(closed_on)
            FROM cases GROUP BY assigned_officer
        ) AS differs
        """
    ).fetchone()
    extra = conn.execute(
        """
        SELECT count(*) FROM (
            SELECT assigned_officer, count(*), count(*) - count(closed_on)
            FROM cases GROUP BY assigned_officer
            EXCEPT
            SELECT officer, all_cases, open_cases FROM case_counts
        ) AS missing
        """
    ).fetchone()
    return int(row[0]) + int(extra[0])


def recount(conn: Connection) -> None:
    """Count the totals again from the cases (inside the caller's transaction).

    They are derived data: out of step means a bug or a hand edit, not damage,
    so the store check puts them right instead of failing backups over them.
    """
    conn.execute("DELETE FROM case_counts")
    conn.execute(
        """
        INSERT INTO case_counts (officer, all_cases, open_cases)
        SELECT assigned_officer, count(*), count(*) - count(closed_on)
        FROM cases GROUP BY assigned_officer
        """
    )
