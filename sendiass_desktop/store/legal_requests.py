"""Rows of ``legal_requests`` and ``legal_request_approvals`` (migration 4).

A legal request is a request from the Local Authority (or another public body)
for records for a legal reason, such as a judicial review; rule 5 says two
managers decide it. The rules live in ``services/legal_requests.py``; this
module only maps rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sendiass_desktop.domain.errors import ConflictError, NotFound
from sendiass_desktop.domain.labels import LabelledEnum
from sendiass_desktop.store import counters
from sendiass_desktop.store.connection import Connection
from sendiass_desktop.store.rows import now_iso, required_date, required_dt


class LegalStatus(LabelledEnum):
    AWAITING_APPROVAL = ("awaiting_approval", "Awaiting approval by two managers")
    APPROVED = ("approved", "Approved by two managers")
    EXTRACTED = ("extracted", "Extract sent")
    REFUSED = ("refused", "Refused")


class ApprovalDecision(LabelledEnum):
    APPROVE = ("approve", "Approved")
    REFUSE = ("refuse", "Refused")


@dataclass(frozen=True)
class Approval:
    """One manager's decision on a request (one row per manager)."""

    manager: str
    decision: ApprovalDecision
    reason: str
    decided_at: datetime


@dataclass(frozen=True)
class LegalRequest:
    ref: str  # LR-2026-0003
    case_id: int | None  # None once the case has been disposed of
    requesting_body: str  # e.g. "Northshire County Council, legal services"
    legal_basis: str  # e.g. "Judicial review claim; CPR 31 disclosure"
    description: str  # what is asked for
    received_on: date
    created_by: str
    status: LegalStatus = LegalStatus.AWAITING_APPROVAL
    consent_recorded: bool = False  # the family consented to the disclosure
    disclosure_id: int | None = None  # the extract sent
    family_copy_id: int | None = None  # the family's copy
    created_at: datetime | None = None
    approvals: tuple[Approval, ...] = ()
    id: int | None = None
    version: int = 1

    @property
    def approved_by(self) -> tuple[str, ...]:
        """Different managers who approved (a manager counts once)."""
        return tuple(sorted({a.manager for a in self.approvals
                             if a.decision is ApprovalDecision.APPROVE}))

    @property
    def refused_by(self) -> tuple[str, ...]:
        return tuple(sorted({a.manager for a in self.approvals
                             if a.decision is ApprovalDecision.REFUSE}))


def format_legal_ref(year: int, number: int) -> str:
    return f"LR-{year:04d}-{number:04d}"


_COLUMNS = (
    "id, ref, case_id, requesting_body, legal_basis, description, received_on, status, "
    "consent_recorded, disclosure_id, family_copy_id, created_by, created_at, version"
)


def approvals_for(conn: Connection, request_id: int) -> tuple[Approval, ...]:
    rows = conn.execute(
        "SELECT manager, decision, reason, decided_at FROM legal_request_approvals "
        "WHERE request_id = ? ORDER BY decided_at, manager", (request_id,)).fetchall()
    return tuple(Approval(r[0], ApprovalDecision(r[1]), r[2], required_dt(r[3])) for r in rows)


def _from_row(conn: Connection, row: tuple[Any, ...]) -> LegalRequest:
    return LegalRequest(
        id=row[0], ref=row[1], case_id=row[2], requesting_body=row[3], legal_basis=row[4],
        description=row[5], received_on=required_date(row[6]), status=LegalStatus(row[7]),
        consent_recorded=bool(row[8]), disclosure_id=row[9], family_copy_id=row[10],
        created_by=row[11], created_at=required_dt(row[12]), version=row[13],
        approvals=approvals_for(conn, row[0]),
    )


def insert(conn: Connection, request: LegalRequest) -> LegalRequest:
    """Add a request; a blank ``ref`` gets the next LR-YYYY-NNNN for its year of receipt."""
    ref = request.ref or format_legal_ref(
        request.received_on.year,
        counters.next_value(conn, f"legal:{request.received_on.year}"))
    created = now_iso()
    cur = conn.execute(
        "INSERT INTO legal_requests (ref, case_id, requesting_body, legal_basis, description, "
        "received_on, status, consent_recorded, created_by, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (ref, request.case_id, request.requesting_body, request.legal_basis,
         request.description, request.received_on.isoformat(), request.status.code,
         int(request.consent_recorded), request.created_by, created),
    )
    return replace(request, id=cur.lastrowid, ref=ref, version=1, approvals=(),
                   created_at=required_dt(created))


def get(conn: Connection, request_id: int) -> LegalRequest:
    row = conn.execute(f"SELECT {_COLUMNS} FROM legal_requests WHERE id = ?",  # noqa: S608
                       (request_id,)).fetchone()
    if row is None:
        raise NotFound("That legal request is not in the register.")
    return _from_row(conn, row)


def by_ref(conn: Connection, ref: str) -> LegalRequest:
    row = conn.execute(f"SELECT {_COLUMNS} FROM legal_requests "  # noqa: S608
                       "WHERE ref = ? COLLATE NOCASE", (ref.strip(),)).fetchone()
    if row is None:
        raise NotFound("That legal request is not in the register.")
    return _from_row(conn, row)


def all_requests(conn: Connection, statuses: Iterable[LegalStatus] | None = None,
                 case_id: int | None = None) -> list[LegalRequest]:
    """Requests, oldest received first; optionally only some statuses or one case."""
    clauses: list[str] = []
    params: list[Any] = []
    if statuses is not None:
        wanted = [s.code for s in statuses]
        if not wanted:
            return []
        clauses.append(f"status IN ({','.join('?' * len(wanted))})")
        params.extend(wanted)
    if case_id is not None:
        clauses.append("case_id = ?")
        params.append(case_id)
    where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
    rows = conn.execute(f"SELECT {_COLUMNS} FROM legal_requests{where} "  # noqa: S608
                        "ORDER BY received_on, id", params).fetchall()
    return [_from_row(conn, r) for r in rows]


def update(conn: Connection, request: LegalRequest) -> LegalRequest:
    """Save status, consent and the disclosures (the request's text does not change)."""
    cur = conn.execute(
        "UPDATE legal_requests SET status = ?, consent_recorded = ?, disclosure_id = ?, "
        "family_copy_id = ?, version = version + 1 WHERE id = ? AND version = ?",
        (request.status.code, int(request.consent_recorded), request.disclosure_id,
         request.family_copy_id, request.id, request.version),
    )
    if cur.rowcount != 1:
        raise ConflictError("Someone else changed this legal request first. Reload it and "
                            "try again.")
    assert request.id is not None
    return replace(request, version=request.version + 1,
                   approvals=approvals_for(conn, request.id))


def save_approval(conn: Connection, request_id: int, approval: Approval) -> None:
    """Insert or replace this manager's decision (one row per manager)."""
    conn.execute(
        "INSERT INTO legal_request_approvals (request_id, manager, decision, reason, "
        "decided_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (request_id, manager) DO UPDATE SET "
        "decision = excluded.decision, reason = excluded.reason, "
        "decided_at = excluded.decided_at",
        (request_id, approval.manager, approval.decision.code, approval.reason,
         approval.decided_at.isoformat(timespec="seconds")),
    )
