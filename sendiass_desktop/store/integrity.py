"""Whole-store checks: SQLCipher page HMACs, SQLite structure, foreign keys."""

from __future__ import annotations

from dataclasses import dataclass, field

from sendiass_desktop.store import audit_log, case_counts
from sendiass_desktop.store.cancel import StopCheck, raise_if_stopped, stoppable
from sendiass_desktop.store.connection import Connection, DatabaseError


@dataclass
class CheckReport:
    problems: list[str] = field(default_factory=list)
    audit_entries: int = 0
    # Derived data out of step (a bug or a hand edit, not damage): does not fail
    # the check, so backups and restores go ahead; services.store_admin puts it right.
    totals_out_of_step: bool = False
    notes: list[str] = field(default_factory=list)  # said to the user; not problems

    @property
    def ok(self) -> bool:
        return not self.problems


def check(conn: Connection, should_stop: StopCheck | None = None) -> CheckReport:
    """Every check there is; ``should_stop`` lets a caller end it early (OperationCancelled)."""
    with stoppable(conn, should_stop):
        return _check(conn, should_stop)


def _check(conn: Connection, should_stop: StopCheck | None) -> CheckReport:
    report = CheckReport()
    try:
        bad_pages = conn.execute("PRAGMA cipher_integrity_check").fetchall()
        if bad_pages:
            report.problems.append(
                f"{len(bad_pages)} encrypted page(s) fail their integrity check (damaged or "
                "altered)."
            )
        rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
        if rows != ["ok"]:
            report.problems.append(f"The database structure is damaged ({len(rows)} problem(s)).")
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            report.problems.append(f"{len(fk)} record(s) point to records that do not exist.")
        report.totals_out_of_step = case_counts.kept(conn) and bool(case_counts.mismatches(conn))
        brk, report.audit_entries = audit_log.verify(conn, should_stop)
        if brk is not None:
            report.problems.append(f"The audit log is broken: {brk.describe()}")
    except DatabaseError:
        raise_if_stopped(should_stop)  # interrupted, not damaged
        report.problems.append("The store could not be read to the end: it is damaged.")
    return report
