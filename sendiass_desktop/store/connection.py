"""Opening the SQLCipher store with the right PRAGMAs, and transactions.

The store is keyed with the raw 256-bit data key (``x'…'``) so SQLCipher's
own PBKDF2 is not our password KDF: passwords are stretched by Argon2id in
the key slots. Every PRAGMA that matters for confidentiality or durability
is set here and nowhere else.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sys
from collections.abc import Iterator
from enum import Enum
from pathlib import Path
from typing import Any

import sqlcipher3

from sendiass_desktop.store.errors import (
    DiskFull,
    SqlcipherMissing,
    StoreBusy,
    StoreDamaged,
    StoreError,
    StoreMissing,
    StoreReadOnly,
)

Connection = Any  # sqlcipher3.dbapi2.Connection has no type stubs
DatabaseError = sqlcipher3.DatabaseError
BUSY_TIMEOUT_MS = 15_000

# Filesystems where SQLite's shared-memory WAL index is unsafe.
_NETWORK_FS = {
    "nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "9p", "afs", "ncpfs",
    "davfs", "fuse.davfs2", "glusterfs", "ceph", "lustre", "webdav", "afpfs",
}


class JournalMode(Enum):
    WAL = "wal"
    ROLLBACK = "delete"


def _linux_fs_type(path: Path) -> str | None:
    try:
        mounts = Path("/proc/mounts").read_text().splitlines()
    except OSError:
        return None
    best, best_type = "", None
    target = str(path.resolve())
    for line in mounts:
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point = parts[1].replace("\\040", " ")
        prefix = mount_point.rstrip("/") + "/"
        if (target == mount_point or target.startswith(prefix)) and len(mount_point) > len(best):
            best, best_type = mount_point, parts[2]
    return best_type


def _windows_is_remote(path: Path) -> bool:
    text = str(path.resolve())
    if text.startswith("\\\\"):
        return True
    import ctypes

    drive = os.path.splitdrive(text)[0] + "\\"
    drive_remote = 4
    return bool(ctypes.windll.kernel32.GetDriveTypeW(drive) == drive_remote)  # type: ignore[attr-defined]


def is_network_path(path: Path) -> bool:
    """True when the store's folder is on a network share."""
    folder = path.parent if path.suffix else path
    override = os.environ.get("SENDIASS_FORCE_NETWORK_STORE")
    if override:
        return override == "1"
    if sys.platform == "win32":
        return _windows_is_remote(folder)
    fs = _linux_fs_type(folder)
    return fs is not None and fs.lower() in _NETWORK_FS


def journal_mode_for(path: Path) -> JournalMode:
    # WAL needs shared memory between processes, which network filesystems do
    # not provide reliably; a rollback journal is safe there.
    return JournalMode.ROLLBACK if is_network_path(path) else JournalMode.WAL


def _key_pragma(data_key: bytes) -> str:
    if len(data_key) != 32:
        raise ValueError("the data key must be 32 bytes")
    # PRAGMA takes no bound parameters; the value is hex we produced ourselves.
    return f"PRAGMA key = \"x'{data_key.hex()}'\""


def translate(exc: BaseException) -> StoreError:
    """Map a SQLite/OS failure to a message a user can act on."""
    text = str(exc).lower()
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return DiskFull()
    if "database or disk is full" in text or "disk is full" in text:
        return DiskFull()
    if "readonly" in text or "read-only" in text or "attempt to write a readonly" in text:
        return StoreReadOnly()
    if "locked" in text or "busy" in text:
        return StoreBusy()
    if "not a database" in text or "malformed" in text or "disk i/o" in text:
        return StoreDamaged()
    if "unable to open" in text:
        return StoreMissing()
    return StoreDamaged("unexpected database error")


def open_connection(
    path: Path,
    data_key: bytes,
    *,
    create: bool = False,
    read_only: bool = False,
    journal: JournalMode | None = None,
) -> Connection:
    """Open and key the store; verify the key before anything is written."""
    path = Path(path)
    if not create and not path.is_file():
        raise StoreMissing()
    if not create and path.stat().st_size == 0:
        # SQLite would happily turn an empty file into a new database.
        raise StoreDamaged("the store file is empty")
    uri = path.resolve().as_uri() + ("?mode=ro" if read_only else "")
    try:
        conn = sqlcipher3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
    except sqlcipher3.Error as exc:
        raise translate(exc) from None
    try:
        conn.execute(_key_pragma(data_key))
        row = conn.execute("PRAGMA cipher_version").fetchone()
        if not row or not row[0]:
            raise SqlcipherMissing()
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # Reading the schema proves the key (SQLCipher checks each page's HMAC).
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
        if not read_only:
            mode = journal or journal_mode_for(path)
            current = conn.execute("PRAGMA journal_mode").fetchone()[0]
            if current != mode.value:
                conn.execute(f"PRAGMA journal_mode = {mode.value}")
            # FULL: a committed transaction survives power loss, not just a crash.
            conn.execute("PRAGMA synchronous = FULL")
    except StoreError:
        conn.close()
        raise
    except sqlcipher3.Error as exc:
        conn.close()
        raise translate(exc) from None
    return conn


@contextlib.contextmanager
def transaction(conn: Connection) -> Iterator[Connection]:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any error.

    IMMEDIATE takes the write lock up front, so read-then-write sequences
    (audit chain, version checks) cannot interleave with another process.
    """
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlcipher3.Error as exc:
        raise translate(exc) from None
    try:
        yield conn
    except BaseException as exc:
        with contextlib.suppress(sqlcipher3.Error):
            conn.execute("ROLLBACK")
        # Constraint violations are the caller's to explain; I/O-level
        # failures (disk full, read-only, damaged) get a plain message here.
        if isinstance(exc, sqlcipher3.DatabaseError) and not isinstance(
            exc, sqlcipher3.IntegrityError
        ):
            raise translate(exc) from None
        raise
    try:
        conn.execute("COMMIT")
    except sqlcipher3.Error as exc:
        with contextlib.suppress(sqlcipher3.Error):
            conn.execute("ROLLBACK")
        raise translate(exc) from None
