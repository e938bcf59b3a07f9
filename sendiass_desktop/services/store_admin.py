"""Looking after the store: check, audit verification, backup, restore, rekey, enrol."""

from __future__ import annotations

import contextlib
import platform
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

from sendiass_desktop.domain.audit import AuditAction, ChainBreak
from sendiass_desktop.domain.recovery_key import format_recovery_key, generate_recovery_key
from sendiass_desktop.domain.roles import Permission
from sendiass_desktop.reports.recovery_sheet import RecoverySheet, render_recovery_sheet
from sendiass_desktop.services.session import Session, StoreLocation
from sendiass_desktop.store import audit_log, case_counts, keyslots, meta, search_index
from sendiass_desktop.store.backup import copy_store, remove_with_sidecars, write_header_copy
from sendiass_desktop.store.cancel import StopCheck, stoppable
from sendiass_desktop.store.connection import open_connection, transaction
from sendiass_desktop.store.device import CredentialStore, KeyringCredentialStore
from sendiass_desktop.store.errors import MachineNotEnrolled, StoreDamaged, StoreError
from sendiass_desktop.store.integrity import CheckReport, check
from sendiass_desktop.store.keywrap import random_key


def check_store(session: Session, should_stop: StopCheck | None = None) -> CheckReport:
    """Full check. Audited only when it passes, so a damaged store is never written to.

    ``should_stop`` (for a Cancel button) ends it early with OperationCancelled.
    """
    session.require(Permission.MANAGE_STORE, "check the store")
    report = check(session.conn, should_stop)
    if report.ok:
        session.make_writable()
        if report.totals_out_of_step:
            with transaction(session.conn) as conn:
                case_counts.recount(conn)
            report.notes.append(TOTALS_RECOUNTED)
        session.audit(AuditAction.STORE_CHECKED, "store", session.store_id,
                      {"totals_recounted": True} if report.totals_out_of_step else None)
    return report


TOTALS_RECOUNTED = ("The case totals shown above the case list were out of step with the cases; "
                    "they have been counted again.")


def verify_audit(session: Session, should_stop: StopCheck | None = None
                 ) -> tuple[ChainBreak | None, int]:
    session.require(Permission.VIEW_AUDIT, "verify the audit log")
    with stoppable(session.conn, should_stop):
        brk, count = audit_log.verify(session.conn, should_stop)
    if brk is None:
        session.make_writable()
        session.audit(AuditAction.AUDIT_VERIFIED, "store", session.store_id, {"entries": count})
    return brk, count


@dataclass(frozen=True)
class BackupResult:
    path: Path
    header_path: Path
    audit_entries: int


def backup(session: Session, target: Path, *, should_stop: StopCheck | None = None,
           progress: Callable[[float], None] | None = None) -> BackupResult:
    """Write a verified, encrypted copy of the store plus its own key file.

    Cancelling (``should_stop``) or any failure leaves no copy behind and puts
    "last backup" back as it was.
    """
    session.require(Permission.MANAGE_STORE, "make backups")
    target = Path(target).expanduser().absolute()
    if target.resolve() == session.location.path.resolve():
        raise StoreError("A backup cannot overwrite the store itself. Choose another file.")
    if target.exists() or keyslots.header_path(target).exists():
        raise StoreError("That backup file already exists. Choose a new file name.")
    target.parent.mkdir(parents=True, exist_ok=True)
    previous = meta.get(session.conn, meta.LAST_BACKUP_AT)
    # Words of deleted or edited notes linger in the search index until it is
    # merged; merge it so they do not travel into the copy.
    with transaction(session.conn):
        search_index.purge_deleted(session.conn)
    # Record the backup first, so the copy carries its own audit entry.
    with transaction(session.conn):
        meta.put(session.conn, meta.LAST_BACKUP_AT, datetime.now(UTC).isoformat(timespec="seconds"))
        audit_log.append(session.conn, session.actor, AuditAction.BACKUP_WRITTEN, "store",
                         session.store_id, {"file": target.name})
    copied = False
    try:
        report = copy_store(session.conn, target, session.data_key,
                            should_stop=should_stop, progress=progress)
        if not report.ok:
            raise StoreDamaged("the copy failed its check: " + "; ".join(report.problems))
        copied = True
        write_header_copy(target, session.header)
    except BaseException:
        if copied:
            # A copy without its key file cannot be opened by anyone: leave nothing
            # behind (the target did not exist before, so it is ours to remove).
            remove_with_sidecars(target)
        _undo_backup_record(session, previous, target.name)
        raise
    return BackupResult(target, keyslots.header_path(target), report.audit_entries)


def _undo_backup_record(session: Session, previous: str | None, file_name: str) -> None:
    """After a failed backup: "last backup" goes back, and the log says it failed.

    Best effort: when the store's own disk is full this cannot be written
    either, and the error the user sees is the one that stopped the backup.
    """
    with contextlib.suppress(StoreError), transaction(session.conn):
        if previous is None:
            session.conn.execute("DELETE FROM meta WHERE key = ?", (meta.LAST_BACKUP_AT,))
        else:
            meta.put(session.conn, meta.LAST_BACKUP_AT, previous)
        audit_log.append(session.conn, session.actor, AuditAction.BACKUP_WRITTEN, "store",
                         session.store_id, {"file": file_name, "failed": True})


def last_backup_at(session: Session) -> datetime | None:
    value = meta.get(session.conn, meta.LAST_BACKUP_AT)
    return datetime.fromisoformat(value) if value else None


def restore(backup_session: Session, store: StoreLocation) -> Path | None:
    """Put a verified backup in place of the store.

    ``backup_session`` is a session opened on the backup file itself (with a
    password valid in the backup, or the recovery key). The store being
    replaced is moved aside, never deleted. Returns where it was moved.
    """
    backup_session.require(Permission.MANAGE_STORE, "restore backups")
    report = check(backup_session.conn)
    if not report.ok:
        raise StoreDamaged("the backup failed its check: " + "; ".join(report.problems))
    moved: Path | None = None
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    if store.path.exists() or store.header.exists():
        moved = store.path.with_name(f"{store.path.name}.before-restore-{stamp}")
        for src, dst in ((store.path, moved), (store.header, keyslots.header_path(moved))):
            if src.exists():
                src.replace(dst)
        for side in ("-wal", "-shm"):
            with contextlib.suppress(OSError):
                store.path.with_name(store.path.name + side).unlink(missing_ok=True)
    store.path.parent.mkdir(parents=True, exist_ok=True)
    copied = copy_store(backup_session.conn, store.path, backup_session.data_key)
    if not copied.ok:
        raise StoreDamaged("the restored copy failed its check")
    keyslots.write(store.path, backup_session.header)
    conn = open_connection(store.path, backup_session.data_key)
    try:
        with transaction(conn):
            audit_log.append(conn, backup_session.actor, AuditAction.BACKUP_RESTORED, "store",
                             backup_session.store_id, {"from": backup_session.location.path.name})
    finally:
        conn.close()
    return moved


@dataclass(frozen=True)
class RekeyResult:
    new_recovery_key: str | None  # formatted, when a new one was issued

    def recovery_sheet_pdf(self, session: Session) -> bytes:
        if self.new_recovery_key is None:
            raise ValueError("no new recovery key was issued")
        return render_recovery_sheet(
            RecoverySheet(
                formatted_key=self.new_recovery_key,
                service_name=meta.get(session.conn, meta.SERVICE_NAME) or "SENDIASS",
                store_file_name=session.location.path.name,
                store_id=session.store_id,
                created_on=date.today(),
                created_by=session.actor,
                device_binding=session.header.device_binding,
            )
        )


def _current_device_secret(session: Session, creds: CredentialStore,
                           known: bytes | None) -> bytes | None:
    if not session.header.device_binding:
        return None
    if known is not None:
        return known
    creds.check_available()
    secret = creds.get_device_secret(session.store_id)
    if secret is None:
        raise MachineNotEnrolled()
    return secret


def rekey(
    session: Session,
    *,
    new_recovery_key: bool = False,
    creds: CredentialStore | None = None,
    device_secret: bytes | None = None,
) -> RekeyResult:
    """Rotate the data key (``PRAGMA rekey``) and reseal it for every slot.

    Safe against a crash at any point: the new key is sealed into every slot
    before the store is rekeyed, and unlocking finishes whichever step was
    interrupted. Run it while nobody else has the store open.
    """
    session.require(Permission.MANAGE_STORE, "rotate the store's key")
    new_key = random_key()
    staged = keyslots.stage_next_data_key(session.header, new_key, session.data_key)
    session.replace_header(staged)
    # PRAGMA takes no parameters; the value is hex of our own random bytes.
    session.conn.execute(f"PRAGMA rekey = \"x'{new_key.hex()}'\"")
    header = keyslots.promote_next_data_key(staged, new_key)
    formatted: str | None = None
    if new_recovery_key:
        secret = _current_device_secret(session, creds or KeyringCredentialStore(), device_secret)
        key = generate_recovery_key()
        recovery = keyslots.new_recovery_slot(store_id=session.store_id, recovery_key=key,
                                              data_key=new_key, device_secret=secret)
        header = keyslots.sign(replace(header, recovery=recovery), new_key)
        formatted = format_recovery_key(key)
    session.replace_header(header)
    session.data_key = new_key
    session.audit(AuditAction.STORE_REKEYED, "store", session.store_id,
                  {"new_recovery_key": new_recovery_key})
    return RekeyResult(formatted)


def enrol_this_machine(
    session: Session, device_secret: bytes | None, creds: CredentialStore | None = None
) -> bool:
    """Store the device secret in this machine's credential store.

    Returns False when the store does not use device binding (nothing to do).
    """
    session.require(Permission.MANAGE_STORE, "enrol computers")
    if not session.header.device_binding:
        return False
    if device_secret is None:
        raise MachineNotEnrolled()
    creds = creds or KeyringCredentialStore()
    creds.check_available()
    creds.set_device_secret(session.store_id, device_secret)
    session.audit(AuditAction.MACHINE_ENROLLED, "store", session.store_id,
                  {"machine": platform.node()[:64]})
    return True


__all__ = [
    "BackupResult",
    "RekeyResult",
    "backup",
    "check_store",
    "enrol_this_machine",
    "last_backup_at",
    "rekey",
    "remove_with_sidecars",
    "restore",
    "verify_audit",
]
