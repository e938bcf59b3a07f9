"""Rows of the SAR register, its clock pauses, review decisions and the disclosure log.

Maps ``sar_requests`` <-> ``domain.sar.SarRequest`` (with its pauses),
``sar_decisions`` <-> ``domain.redaction.ItemDecision`` and ``disclosures``
<-> ``Disclosure``. Also the few deadline queries a SAR needs: its deadlines
have no case (``case_id IS NULL``), which ``store.deadlines.delete_by_source``
cannot match.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from sendiass_desktop.domain.audit import AuditEntry
from sendiass_desktop.domain.deadlines import ClockPause
from sendiass_desktop.domain.errors import ConflictError, NotFound
from sendiass_desktop.domain.exemptions import Exemption
from sendiass_desktop.domain.redaction import Decision, ItemDecision, Span
from sendiass_desktop.domain.sar import (
    IdentityCheck,
    IdentityMethod,
    Relationship,
    SarRequest,
    SarStatus,
    format_sar_ref,
)
from sendiass_desktop.store import counters
from sendiass_desktop.store import deadlines as deadlines_repo
from sendiass_desktop.store.connection import Connection
from sendiass_desktop.store.deadlines import StoredDeadline
from sendiass_desktop.store.rows import date_in, date_out, now_iso, required_date, required_dt

# --- the register ------------------------------------------------------------------

_COLUMNS = (
    "id, ref, requester_person_id, relationship, for_person_id, requester_name_override, "
    "received_on, identity_method, identity_verified_on, identity_verified_by, identity_notes, "
    "extension_months, extension_reason, extension_told_on, status, refusal_reason, sent_on, "
    "notes, created_by, version"
)


@dataclass(frozen=True)
class SarPause:
    """A stored clock pause, with the reason it was recorded for (kept inside the service)."""

    id: int
    sar_id: int
    start: date
    end: date | None
    reason: str
    recorded_by: str

    @property
    def clock_pause(self) -> ClockPause:
        return ClockPause(self.start, self.end)


def _from_row(conn: Connection, row: tuple[Any, ...]) -> SarRequest:
    identity = None
    if row[7] is not None:
        identity = IdentityCheck(IdentityMethod(row[7]), required_date(row[8]), row[9], row[10])
    pauses = tuple(p.clock_pause for p in pauses_for(conn, row[0]))
    return SarRequest(
        id=row[0], ref=row[1], requester_person_id=row[2], relationship=Relationship(row[3]),
        for_person_id=row[4], requester_name_override=row[5], received_on=required_date(row[6]),
        identity=identity, extension_months=row[11], extension_reason=row[12],
        extension_told_on=date_in(row[13]), status=SarStatus(row[14]), refusal_reason=row[15],
        sent_on=date_in(row[16]), notes=row[17], created_by=row[18], version=row[19],
        pauses=pauses,
    )


def _values(s: SarRequest) -> tuple[Any, ...]:
    ident = s.identity
    return (
        s.requester_person_id, s.relationship.code, s.for_person_id, s.requester_name_override,
        s.received_on.isoformat(),
        ident.method.code if ident else None, date_out(ident.verified_on) if ident else None,
        ident.verified_by if ident else "", ident.notes if ident else "",
        s.extension_months, s.extension_reason, date_out(s.extension_told_on), s.status.code,
        s.refusal_reason, date_out(s.sent_on), s.notes,
    )


def new_ref(conn: Connection, year: int) -> str:
    """The next SAR-YYYY-NNNN; call inside the write transaction that inserts it."""
    return format_sar_ref(year, counters.next_value(conn, f"sar:{year}"))


def insert(conn: Connection, sar: SarRequest) -> SarRequest:
    ref = sar.ref or new_ref(conn, sar.received_on.year)
    now = now_iso()
    cur = conn.execute(
        "INSERT INTO sar_requests (ref, requester_person_id, relationship, for_person_id, "
        "requester_name_override, received_on, identity_method, identity_verified_on, "
        "identity_verified_by, identity_notes, extension_months, extension_reason, "
        "extension_told_on, status, refusal_reason, sent_on, notes, created_by, created_at, "
        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (ref, *_values(sar), sar.created_by, now, now),
    )
    return replace(sar, id=cur.lastrowid, ref=ref, version=1, pauses=())


def update(conn: Connection, sar: SarRequest) -> SarRequest:
    """Save the register entry (not its pauses: those have their own rows)."""
    cur = conn.execute(
        "UPDATE sar_requests SET requester_person_id = ?, relationship = ?, for_person_id = ?, "
        "requester_name_override = ?, received_on = ?, identity_method = ?, "
        "identity_verified_on = ?, identity_verified_by = ?, identity_notes = ?, "
        "extension_months = ?, extension_reason = ?, extension_told_on = ?, status = ?, "
        "refusal_reason = ?, sent_on = ?, notes = ?, updated_at = ?, version = version + 1 "
        "WHERE id = ? AND version = ?",
        (*_values(sar), now_iso(), sar.id, sar.version),
    )
    if cur.rowcount != 1:
        raise ConflictError("Someone else changed this subject access request first. "
                            "Reload it and try again.")
    return replace(sar, version=sar.version + 1)


def get(conn: Connection, sar_id: int) -> SarRequest:
    row = conn.execute(f"SELECT {_COLUMNS} FROM sar_requests WHERE id = ?",  # noqa: S608
                       (sar_id,)).fetchone()
    if row is None:
        raise NotFound("That subject access request is not in the register.")
    return _from_row(conn, row)


def by_ref(conn: Connection, ref: str) -> SarRequest:
    row = conn.execute(f"SELECT {_COLUMNS} FROM sar_requests "  # noqa: S608
                       "WHERE ref = ? COLLATE NOCASE", (ref.strip(),)).fetchone()
    if row is None:
        raise NotFound(f"There is no subject access request {ref.strip()[:20]} in the register.")
    return _from_row(conn, row)


def all_requests(conn: Connection, statuses: Iterable[SarStatus] | None = None
                 ) -> list[SarRequest]:
    """Register entries, oldest received first (optionally only some statuses)."""
    wanted = None if statuses is None else [s.code for s in statuses]
    if wanted is None:
        rows = conn.execute(f"SELECT {_COLUMNS} FROM sar_requests "  # noqa: S608
                            "ORDER BY received_on, id").fetchall()
    elif not wanted:
        return []
    else:
        marks = ",".join("?" * len(wanted))
        rows = conn.execute(f"SELECT {_COLUMNS} FROM sar_requests "  # noqa: S608
                            f"WHERE status IN ({marks}) ORDER BY received_on, id",
                            wanted).fetchall()
    return [_from_row(conn, r) for r in rows]


def for_person(conn: Connection, person_id: int) -> list[SarRequest]:
    """Requests made by or for a person."""
    rows = conn.execute(f"SELECT {_COLUMNS} FROM sar_requests "  # noqa: S608
                        "WHERE requester_person_id = ? OR for_person_id = ? "
                        "ORDER BY received_on, id", (person_id, person_id)).fetchall()
    return [_from_row(conn, r) for r in rows]


# --- clock pauses ------------------------------------------------------------------

_PAUSE_COLUMNS = "id, sar_id, start_on, end_on, reason, recorded_by"


def _pause(row: tuple[Any, ...]) -> SarPause:
    return SarPause(id=row[0], sar_id=row[1], start=required_date(row[2]), end=date_in(row[3]),
                    reason=row[4], recorded_by=row[5])


def pauses_for(conn: Connection, sar_id: int) -> list[SarPause]:
    rows = conn.execute(f"SELECT {_PAUSE_COLUMNS} FROM sar_pauses WHERE sar_id = ? "  # noqa: S608
                        "ORDER BY start_on, id", (sar_id,)).fetchall()
    return [_pause(r) for r in rows]


def open_pause(conn: Connection, sar_id: int) -> SarPause | None:
    row = conn.execute(f"SELECT {_PAUSE_COLUMNS} FROM sar_pauses "  # noqa: S608
                       "WHERE sar_id = ? AND end_on IS NULL", (sar_id,)).fetchone()
    return None if row is None else _pause(row)


def insert_pause(conn: Connection, sar_id: int, start: date, reason: str,
                 recorded_by: str) -> SarPause:
    cur = conn.execute(
        "INSERT INTO sar_pauses (sar_id, start_on, reason, recorded_by, recorded_at) "
        "VALUES (?, ?, ?, ?, ?)",
        (sar_id, start.isoformat(), reason, recorded_by, now_iso()),
    )
    return SarPause(cur.lastrowid, sar_id, start, None, reason, recorded_by)


def end_pause(conn: Connection, pause: SarPause, end: date) -> SarPause:
    cur = conn.execute("UPDATE sar_pauses SET end_on = ? WHERE id = ? AND end_on IS NULL",
                       (end.isoformat(), pause.id))
    if cur.rowcount != 1:
        raise ConflictError("Someone else restarted the clock first. Reload the request.")
    return replace(pause, end=end)


# --- review decisions ----------------------------------------------------------------


@dataclass(frozen=True)
class StoredDecision:
    """A saved decision and the SHA-256 of the item text it was made on.

    If the item has changed since (a note edited), the spans may no longer
    fit, so the decision no longer counts and the item is reviewed again.
    """

    decision: ItemDecision
    text_sha256: str


def _spans_out(spans: tuple[Span, ...]) -> str:
    return json.dumps([[s.start, s.end, s.exemption.code] for s in spans],
                      separators=(",", ":"))


def _spans_in(text: str) -> tuple[Span, ...]:
    return tuple(Span(int(a), int(b), Exemption(c)) for a, b, c in json.loads(text))


def save_decision(conn: Connection, sar_id: int, d: ItemDecision, text_sha256: str) -> None:
    """Insert or replace the decision for one item (one row per item)."""
    decided_at = (d.decided_at or datetime.now()).isoformat(timespec="seconds")
    conn.execute(
        "INSERT INTO sar_decisions (sar_id, item_key, decision, exemption, spans, decided_by, "
        "decided_at, suggested, note, text_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (sar_id, item_key) DO UPDATE SET decision = excluded.decision, "
        "exemption = excluded.exemption, spans = excluded.spans, "
        "decided_by = excluded.decided_by, decided_at = excluded.decided_at, "
        "suggested = excluded.suggested, note = excluded.note, "
        "text_sha256 = excluded.text_sha256",
        (sar_id, d.item_key, d.decision.code, d.exemption.code if d.exemption else None,
         _spans_out(d.spans), d.decided_by, decided_at, int(d.suggested), d.note, text_sha256),
    )


def decisions_for(conn: Connection, sar_id: int) -> dict[str, StoredDecision]:
    rows = conn.execute(
        "SELECT item_key, decision, exemption, spans, decided_by, decided_at, suggested, note, "
        "text_sha256 FROM sar_decisions WHERE sar_id = ? ORDER BY id", (sar_id,)).fetchall()
    out: dict[str, StoredDecision] = {}
    for r in rows:
        out[r[0]] = StoredDecision(
            ItemDecision(
                item_key=r[0], decision=Decision(r[1]),
                exemption=Exemption(r[2]) if r[2] else None, spans=_spans_in(r[3]),
                decided_by=r[4], decided_at=required_dt(r[5]), suggested=bool(r[6]), note=r[7],
            ),
            r[8],
        )
    return out


def delete_decision(conn: Connection, sar_id: int, item_key: str) -> bool:
    cur = conn.execute("DELETE FROM sar_decisions WHERE sar_id = ? AND item_key = ?",
                       (sar_id, item_key))
    return bool(cur.rowcount)


# --- the disclosure log ----------------------------------------------------------------


class DisclosureKind:
    SAR = "sar"
    EXTRACT = "extract"


@dataclass(frozen=True)
class Disclosure:
    """What was sent, to whom, when and by whom; the passphrase is never kept."""

    kind: str  # DisclosureKind.SAR or DisclosureKind.EXTRACT
    recipient: str
    sent_at: datetime
    made_by: str
    sha256: str
    page_count: int
    encrypted: bool
    sar_id: int | None = None
    other_ref: str = ""
    file_name: str = ""
    subject_ids: tuple[int, ...] = ()
    id: int | None = None


_DISCLOSURE_COLUMNS = (
    "d.id, d.kind, d.sar_id, d.other_ref, d.recipient, d.sent_at, d.made_by, d.sha256, "
    "d.page_count, d.encrypted, d.file_name"
)


def _disclosure(conn: Connection, row: tuple[Any, ...]) -> Disclosure:
    subjects = tuple(r[0] for r in conn.execute(
        "SELECT person_id FROM disclosure_subjects WHERE disclosure_id = ? ORDER BY person_id",
        (row[0],)))
    return Disclosure(
        id=row[0], kind=row[1], sar_id=row[2], other_ref=row[3], recipient=row[4],
        sent_at=required_dt(row[5]), made_by=row[6], sha256=row[7], page_count=row[8],
        encrypted=bool(row[9]), file_name=row[10], subject_ids=subjects,
    )


def insert_disclosure(conn: Connection, d: Disclosure) -> Disclosure:
    cur = conn.execute(
        "INSERT INTO disclosures (kind, sar_id, other_ref, recipient, sent_at, made_by, sha256, "
        "page_count, encrypted, file_name) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (d.kind, d.sar_id, d.other_ref, d.recipient, d.sent_at.isoformat(timespec="seconds"),
         d.made_by, d.sha256, d.page_count, int(d.encrypted), d.file_name),
    )
    disclosure_id = cur.lastrowid
    conn.executemany(
        "INSERT OR IGNORE INTO disclosure_subjects (disclosure_id, person_id) VALUES (?, ?)",
        [(disclosure_id, p) for p in d.subject_ids],
    )
    return replace(d, id=disclosure_id)


def get_disclosure(conn: Connection, disclosure_id: int) -> Disclosure:
    row = conn.execute(f"SELECT {_DISCLOSURE_COLUMNS} FROM disclosures d "  # noqa: S608
                       "WHERE d.id = ?", (disclosure_id,)).fetchone()
    if row is None:
        raise NotFound("That disclosure is not in the log.")
    return _disclosure(conn, row)


def disclosures_for_sar(conn: Connection, sar_id: int) -> list[Disclosure]:
    rows = conn.execute(f"SELECT {_DISCLOSURE_COLUMNS} FROM disclosures d "  # noqa: S608
                        "WHERE d.sar_id = ? ORDER BY d.sent_at, d.id", (sar_id,)).fetchall()
    return [_disclosure(conn, r) for r in rows]


def disclosures_about(conn: Connection, person_ids: Iterable[int]) -> list[Disclosure]:
    """Disclosures that carried any of these people's personal data."""
    ids = sorted(set(person_ids))
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    rows = conn.execute(
        f"SELECT {_DISCLOSURE_COLUMNS} FROM disclosures d WHERE d.id IN "  # noqa: S608
        f"(SELECT disclosure_id FROM disclosure_subjects WHERE person_id IN ({marks})) "
        "ORDER BY d.sent_at, d.id", ids).fetchall()
    return [_disclosure(conn, r) for r in rows]


# --- the SAR's deadlines on "My work" --------------------------------------------------


def delete_open_deadlines(conn: Connection, source: str) -> int:
    """Remove a SAR's not-yet-done deadlines (they have no case) before regenerating."""
    cur = conn.execute("DELETE FROM deadlines WHERE case_id IS NULL AND source = ? "
                       "AND done_on IS NULL", (source,))
    return int(cur.rowcount)


def done_deadline_dues(conn: Connection, source: str) -> set[tuple[str, date]]:
    """(kind, due) of a SAR's deadlines already ticked off, so they are not re-added."""
    rows = conn.execute("SELECT kind, due_on FROM deadlines WHERE case_id IS NULL "
                        "AND source = ? AND done_on IS NOT NULL", (source,)).fetchall()
    return {(r[0], required_date(r[1])) for r in rows}


def finish_deadlines(conn: Connection, source: str, on: date) -> int:
    """Mark a SAR's open deadlines done (the request was answered or refused)."""
    cur = conn.execute("UPDATE deadlines SET done_on = ?, version = version + 1 "
                       "WHERE case_id IS NULL AND source = ? AND done_on IS NULL",
                       (on.isoformat(), source))
    return int(cur.rowcount)


# --- who accessed a file ------------------------------------------------------------------

_AUDIT_COLUMNS = "seq, at, actor, action, target_type, target_id, detail, prev_hash, hash"


def audit_entries_for_targets(conn: Connection, targets: Mapping[str, Iterable[int]]
                              ) -> list[AuditEntry]:
    """Audit entries about any of the given records (``{"case": [ids], ...}``), oldest first."""
    found: dict[int, AuditEntry] = {}
    for target_type, ids in targets.items():
        id_texts = sorted({str(i) for i in ids})
        for start in range(0, len(id_texts), 500):
            chunk = id_texts[start:start + 500]
            marks = ",".join("?" * len(chunk))
            rows = conn.execute(
                f"SELECT {_AUDIT_COLUMNS} FROM audit_log WHERE target_type = ? "  # noqa: S608
                f"AND target_id IN ({marks})", (target_type, *chunk)).fetchall()
            for r in rows:
                found[r[0]] = AuditEntry(*r)
    return [found[k] for k in sorted(found)]


def deadlines_for_source(conn: Connection, source: str) -> list[StoredDeadline]:
    """A SAR's deadlines, open and done, soonest first."""
    rows = conn.execute("SELECT id FROM deadlines WHERE case_id IS NULL AND source = ? "
                        "ORDER BY due_on, id", (source,)).fetchall()
    return [deadlines_repo.get(conn, r[0]) for r in rows]
