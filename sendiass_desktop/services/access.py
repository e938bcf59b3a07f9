"""Shared checks for casework services: who is asking, may they, and the audit entry."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.errors import NotFound, PermissionDenied
from sendiass_desktop.domain.roles import Permission, Role
from sendiass_desktop.domain.users import UserStatus
from sendiass_desktop.domain.visibility import Viewer
from sendiass_desktop.services.session import Session
from sendiass_desktop.store import audit_log
from sendiass_desktop.store import users as users_repo
from sendiass_desktop.store.connection import Connection


def viewer(session: Session) -> Viewer:
    return Viewer(session.user.username, session.user.role)


def require_read(session: Session) -> None:
    _check_session(session)
    session.require(Permission.READ_CASES, "read case records")


def require_write(session: Session) -> None:
    _check_session(session)
    session.require(Permission.WRITE_CASES, "change case records")


def require_manager(session: Session, what: str) -> None:
    _check_session(session)
    session.require(Permission.APPROVE_DISCLOSURES, what)


def _check_session(session: Session) -> None:
    if session.closed:
        raise PermissionDenied("You are signed out. Sign in again to continue.")
    expires = session.user.expires_at
    if expires is not None and datetime.now(expires.tzinfo) >= expires:
        raise PermissionDenied("Your access period has ended. Ask an administrator.")
    if session.user.role is Role.INSPECTOR and not session.via_recovery_key:
        # An administrator may end an inspection early ("End access now") while
        # the inspector is signed in: look at the account itself, not the copy
        # taken at sign-in. One small read, and only for inspectors.
        try:
            current, _ = users_repo.by_username(session.conn, session.user.username)
        except NotFound:
            current = None
        if current is None or current.status is not UserStatus.ACTIVE or (
                current.expires_at is not None
                and datetime.now(current.expires_at.tzinfo) >= current.expires_at):
            raise PermissionDenied("Your access period has ended. Ask an administrator.")


def audit(
    conn: Connection,
    session: Session,
    action: AuditAction,
    target_type: str,
    target_id: int | str | None,
    detail: Mapping[str, Any] | None = None,
) -> None:
    """Append an entry inside the caller's transaction (no personal data in ``detail``)."""
    audit_log.append(conn, session.actor, action, target_type,
                     "" if target_id is None else str(target_id), detail)


def audit_inspector_read(session: Session, target_type: str, target_id: int | str | None,
                         detail: Mapping[str, Any] | None = None) -> None:
    """Rule 6: every page an inspector opens is audited, lists included.

    Staff list views (case list pages, panels already covered by the audited
    case-file read) are not logged entry by entry: that would bury the log.
    """
    if session.user.role is Role.INSPECTOR:
        session.audit(AuditAction.RECORD_READ, target_type,
                      "" if target_id is None else str(target_id), detail)


def today() -> date:
    return date.today()


def now() -> datetime:
    return datetime.now().replace(microsecond=0)
