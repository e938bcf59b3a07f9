"""The audit trail's entries and the hash chain that makes tampering evident.

Each entry's hash is SHA-256 over the previous entry's hash and a canonical
encoding of the entry, so editing, inserting or deleting an entry in the
middle breaks every link after it. Verification is pure and lives here;
``store/audit_log.py`` only reads and writes rows.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

GENESIS_HASH = "0" * 64


class AuditAction(Enum):
    STORE_CREATED = "store.created"
    STORE_CHECKED = "store.checked"
    STORE_REKEYED = "store.rekeyed"
    STORE_MIGRATED = "store.migrated"
    BACKUP_WRITTEN = "backup.written"
    BACKUP_RESTORED = "backup.restored"
    MACHINE_ENROLLED = "machine.enrolled"
    LOGIN = "session.login"
    LOGIN_RECOVERY = "session.login_recovery"
    LOGIN_FAILURES = "session.failed_attempts"
    LOGOUT = "session.logout"
    LOCKED = "session.locked"
    UNLOCKED = "session.unlocked"
    USER_CREATED = "user.created"
    USER_DISABLED = "user.disabled"
    USER_ENABLED = "user.enabled"
    PASSWORD_CHANGED = "user.password_changed"  # noqa: S105 (an action name)
    PASSWORD_RESET = "user.password_reset"  # noqa: S105
    AUDIT_VERIFIED = "audit.verified"
    RECORD_READ = "record.read"
    RECORD_CREATED = "record.created"
    RECORD_UPDATED = "record.updated"
    RECORD_DELETED = "record.deleted"
    RECORD_RESTORED = "record.restored"
    SEARCHED = "record.searched"
    EXPORTED = "data.exported"
    IMPORTED = "data.imported"
    OVERRIDE = "consent.override"
    PERMISSION_REFUSED = "permission.refused"


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str  # ISO 8601 UTC with microseconds; a string so the hash input is exact
    actor: str
    action: str
    target_type: str
    target_id: str
    detail: str  # canonical JSON
    prev_hash: str
    hash: str


def canonical_detail(detail: Mapping[str, Any] | None) -> str:
    return json.dumps(dict(detail or {}), sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def entry_hash(
    prev_hash: str,
    seq: int,
    at: str,
    actor: str,
    action: str,
    target_type: str,
    target_id: str,
    detail: str,
) -> str:
    payload = json.dumps(
        [seq, at, actor, action, target_type, target_id, detail],
        separators=(",", ":"),
        ensure_ascii=True,
    )
    return hashlib.sha256(f"{prev_hash}\n{payload}".encode("ascii")).hexdigest()


@dataclass(frozen=True)
class ChainBreak:
    """The first place the chain does not hold, described without personal data."""

    seq: int
    reason: str

    def describe(self) -> str:
        return f"Audit entry {self.seq}: {self.reason}"


def verify_chain(entries: Iterable[AuditEntry], expected_last_seq: int | None = None) -> (
    ChainBreak | None
):
    """Return the first broken link, or ``None`` when every entry holds.

    ``entries`` must be in ``seq`` order. ``expected_last_seq`` is the highest
    sequence number the store ever handed out; a smaller last entry means
    entries were cut off the end.
    """
    prev_hash = GENESIS_HASH
    expected_seq = 1
    for entry in entries:
        if entry.seq != expected_seq:
            missing = expected_seq if entry.seq > expected_seq else entry.seq
            return ChainBreak(missing, "is missing or out of order (entries were deleted).")
        if entry.prev_hash != prev_hash:
            return ChainBreak(entry.seq, "does not link to the entry before it.")
        recomputed = entry_hash(
            entry.prev_hash,
            entry.seq,
            entry.at,
            entry.actor,
            entry.action,
            entry.target_type,
            entry.target_id,
            entry.detail,
        )
        if recomputed != entry.hash:
            return ChainBreak(entry.seq, "has been changed after it was written.")
        prev_hash = entry.hash
        expected_seq += 1
    last = expected_seq - 1
    if expected_last_seq is not None and expected_last_seq > last:
        return ChainBreak(last + 1, "is missing (entries were removed from the end).")
    return None
