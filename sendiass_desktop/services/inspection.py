"""Inspector access (rule 6): read-only, time-limited, every access logged and reportable.

An administrator creates an inspector account with an end date and time
(``create_inspector``). The inspector's role allows reading cases and nothing
else (``domain.roles``); what they see is what ``domain.visibility`` lets an
inspector see (no young-person confidential or restricted notes, nor the
documents attached to them). The account stops working by itself: signing in
after the end is refused (``AccountExpired``), and a session opened before the
end is refused on its next call (``services.access._check_session``).

Managers and administrators can see everything an inspector did
(``inspection_report``: when, what and which record, from the audit log)
and save it as CSV (``export_inspection_report``). The CSV holds usernames,
times, record types and references (case and person references, never names);
it is written unencrypted like the service's other reports about itself.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sendiass_desktop.domain.audit import AuditAction, AuditEntry
from sendiass_desktop.domain.errors import InvalidInput, NotFound
from sendiass_desktop.domain.roles import Permission, Role
from sendiass_desktop.domain.users import User, normalise_username
from sendiass_desktop.services import users as users_service
from sendiass_desktop.services.access import audit, require_read
from sendiass_desktop.services.sar_pack import write_new_file
from sendiass_desktop.services.session import Session
from sendiass_desktop.store import audit_log
from sendiass_desktop.store import cases as cases_repo
from sendiass_desktop.store import documents as documents_repo
from sendiass_desktop.store import notes as notes_repo
from sendiass_desktop.store import people as people_repo
from sendiass_desktop.store import safeguarding as safeguarding_repo
from sendiass_desktop.store import sar as sar_repo
from sendiass_desktop.store import users as users_repo
from sendiass_desktop.store.connection import Connection, transaction
from sendiass_desktop.store.device import CredentialStore

__all__ = [
    "MAX_INSPECTION_DAYS",
    "AccessEntry",
    "create_inspector",
    "end_inspection",
    "export_inspection_report",
    "inspection_report",
    "inspectors",
    "report_csv",
]

MAX_INSPECTION_DAYS = 31

_ACTIONS = {
    AuditAction.LOGIN.value: "Signed in",
    AuditAction.LOGIN_FAILURES.value: "Wrong passwords before signing in",
    AuditAction.LOGOUT.value: "Signed out",
    AuditAction.LOCKED.value: "Locked the screen",
    AuditAction.UNLOCKED.value: "Unlocked the screen",
    AuditAction.PASSWORD_CHANGED.value: "Changed their password",
    AuditAction.RECORD_READ.value: "Viewed",
    AuditAction.SEARCHED.value: "Searched",
    AuditAction.EXPORTED.value: "Exported",
    AuditAction.PERMISSION_REFUSED.value: "Was refused",
    AuditAction.RECORD_CREATED.value: "Created",
    AuditAction.RECORD_UPDATED.value: "Changed",
    AuditAction.RECORD_DELETED.value: "Deleted",
}

_RECORDS = {
    "case": "Case file",
    "note": "Case note",
    "document": "Document",
    "person": "Personal details",
    "consent": "Consent record",
    "safeguarding": "Safeguarding concern",
    "deadline": "Deadline",
    "deadlines": "Deadlines",
    "search": "Case search",
    "people": "People search",
    "sar": "Subject access request",
    "legal_request": "Legal request",
    "escalation": "Issue raised with the Local Authority",
    "permission": "Permission",
    "user": "Account",
    "case_audit": "Case audit trail",
}


# --- the account ---------------------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    """Times without a zone are this computer's local time."""
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.astimezone(UTC).replace(microsecond=0)


def create_inspector(session: Session, username: str, expires_at: datetime, *,
                     display_name: str = "", password: str | None = None,
                     creds: CredentialStore | None = None) -> tuple[User, str]:
    """A read-only account that stops working at ``expires_at`` (at most
    ``MAX_INSPECTION_DAYS`` ahead). Returns the user and the initial password, which
    must be changed at first sign-in. Administrators only."""
    session.require(Permission.MANAGE_USERS, "add inspector accounts")
    until = _utc(expires_at)
    moment = datetime.now(UTC)
    if until <= moment:
        raise InvalidInput("The inspector's access must end in the future.")
    if until > moment + timedelta(days=MAX_INSPECTION_DAYS):
        raise InvalidInput(f"An inspector's access can last at most {MAX_INSPECTION_DAYS} "
                           "days. Create a new account if more time is needed.")
    user, initial = users_service.add_user(session, username, Role.INSPECTOR,
                                           display_name=display_name, password=password,
                                           expires_at=until, creds=creds)
    with transaction(session.conn) as conn:
        audit(conn, session, AuditAction.RECORD_CREATED, "inspection", user.username,
              {"expires_at": until.isoformat()})
    return user, initial


def end_inspection(session: Session, username: str) -> User:
    """End an inspector's access now (the account is disabled; its key slot removed)."""
    user = _inspector(session.conn, username)
    return users_service.disable_user(session, user.username)


def inspectors(session: Session) -> list[User]:
    """Inspector accounts, current and past (administrators only)."""
    return [u for u in users_service.list_users(session) if u.role is Role.INSPECTOR]


def _inspector(conn: Connection, username: str) -> User:
    try:
        user, _ = users_repo.by_username(conn, normalise_username(username))
    except InvalidInput:
        raise NotFound("There is no inspector with that username.") from None
    if user.role is not Role.INSPECTOR:
        raise NotFound("There is no inspector with that username.")
    return user


# --- the report ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccessEntry:
    """One thing an inspector did: who, when, what record type and which one."""

    seq: int  # the audit entry's number
    at: datetime  # local time
    who: str  # username
    action: str  # "Viewed", "Searched", "Signed in", "Was refused"...
    record_type: str  # "Case file", "Case note"... ("" for signing in and out)
    reference: str  # "SEN-2026-0142", "P-000123", "note 12 on SEN-2026-0142"...
    detail: str = ""  # e.g. "3 notes shown", "4 results"


class _Refs:
    """Record references for audit targets, each looked up once."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.cases: dict[int, str] = {}

    def case(self, case_id: Any) -> str:
        try:
            key = int(case_id)
        except (TypeError, ValueError):
            return ""
        if key not in self.cases:
            try:
                self.cases[key] = cases_repo.get(self.conn, key).ref
            except NotFound:
                self.cases[key] = "(no longer held)"
        return self.cases[key]

    def describe(self, entry: AuditEntry) -> str:
        kind, ident = entry.target_type, entry.target_id
        try:
            if kind in ("case", "deadlines", "case_audit"):
                return self.case(ident) if ident else ""
            if kind == "person":
                return people_repo.get(self.conn, int(ident)).ref
            if kind == "note":
                note = notes_repo.get(self.conn, int(ident))
                return f"note {ident} on {self.case(note.case_id)}"
            if kind == "document":
                doc = documents_repo.get(self.conn, int(ident))
                return f"document {ident} on {self.case(doc.case_id)}"
            if kind == "safeguarding":
                concern = safeguarding_repo.get(self.conn, int(ident))
                return f"concern {ident} on {self.case(concern.case_id)}"
            if kind == "sar" and ident:
                return sar_repo.get(self.conn, int(ident)).ref
        except (NotFound, ValueError):
            return f"{kind} {ident} (no longer held)"
        return ident


def _detail(entry: AuditEntry) -> str:
    try:
        detail: dict[str, Any] = json.loads(entry.detail or "{}")
    except ValueError:
        return ""
    shown = detail.get("notes_shown")
    if isinstance(shown, int):
        return f"{shown} note{'' if shown == 1 else 's'} shown"
    results = detail.get("results")
    if isinstance(results, int):
        return f"{results} result{'' if results == 1 else 's'}"
    if entry.action == AuditAction.PERMISSION_REFUSED.value:
        return str(detail.get("reason", "")) or (entry.target_id
                                                 if entry.target_type == "permission" else "")
    return ""


def _local(at: str) -> datetime:
    moment = datetime.fromisoformat(at)
    return moment.astimezone().replace(tzinfo=None) if moment.tzinfo else moment


def _entries(conn: Connection, username: str) -> list[AccessEntry]:
    refs = _Refs(conn)
    out: list[AccessEntry] = []
    for e in audit_log.iter_entries(conn):
        if e.actor != username:
            continue
        record = "" if e.target_type == "user" else _RECORDS.get(e.target_type, e.target_type)
        reference = "" if e.target_type == "user" else refs.describe(e)
        out.append(AccessEntry(seq=e.seq, at=_local(e.at), who=e.actor,
                               action=_ACTIONS.get(e.action, e.action), record_type=record,
                               reference=reference, detail=_detail(e)))
    return out


def inspection_report(session: Session, inspector_username: str) -> list[AccessEntry]:
    """Everything the inspector did, oldest first (managers and administrators)."""
    require_read(session)
    session.require(Permission.VIEW_AUDIT, "see what an inspector looked at")
    user = _inspector(session.conn, inspector_username)
    with transaction(session.conn) as conn:
        entries = _entries(conn, user.username)
        audit(conn, session, AuditAction.RECORD_READ, "inspection", user.username,
              {"entries": len(entries)})
    return entries


_HEADER = ("When", "Who", "Action", "Record type", "Reference", "Detail")


def _cell(value: str) -> str:
    # A spreadsheet treats a cell starting with these as a formula.
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def report_csv(entries: list[AccessEntry]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(_HEADER)
    for e in entries:
        writer.writerow([f"{e.at:%d/%m/%Y %H:%M:%S}", *(_cell(v) for v in (
            e.who, e.action, e.record_type, e.reference, e.detail))])
    return buffer.getvalue()


def export_inspection_report(session: Session, inspector_username: str, out: Path | str
                             ) -> Path:
    """Save the report as CSV (UTF-8 with a byte-order mark, for spreadsheets)."""
    require_read(session)
    session.require(Permission.VIEW_AUDIT, "export what an inspector looked at")
    target = Path(out).expanduser().absolute()
    if target.suffix.lower() != ".csv":
        raise InvalidInput("Name the file with .csv at the end.")
    user = _inspector(session.conn, inspector_username)
    entries = _entries(session.conn, user.username)
    write_new_file(target, ("\ufeff" + report_csv(entries)).encode("utf-8"))
    try:
        with transaction(session.conn) as conn:
            audit(conn, session, AuditAction.EXPORTED, "inspection", user.username,
                  {"entries": len(entries), "format": "csv"})
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return target
