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
import shutil
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

# Defined in store/errors.py with the other store errors; still importable from
# here, where they used to live.
from sendiass_desktop.store.errors import StoreMoved as StoreMoved
from sendiass_desktop.store.errors import StoreUnavailable as StoreUnavailable

Connection = Any  # sqlcipher3.dbapi2.Connection has no type stubs
DatabaseError = sqlcipher3.DatabaseError
BUSY_TIMEOUT_MS = 15_000
# SQLite's page cache per connection, in KiB (PRAGMA cache_size takes KiB when
# negative). SQLCipher decrypts and checks a page on every cache miss, so a
# cache that holds the search index's busy pages cut search as you type by a
# quarter on the large store (decision 0014); SQLite's default is 8 MiB here.
PAGE_CACHE_KIB = 32 * 1024
# Below this much free space, a failed write is reported as a full disk.
_NEARLY_FULL_BYTES = 1024 * 1024


class StoreConnection(sqlcipher3.Connection):  # type: ignore[misc]
    """A connection that remembers which file it opened.

    On POSIX an open file keeps working after it is renamed or deleted, so
    without this a save could "succeed" into a file nobody will ever open
    again. ``transaction`` checks, just before each COMMIT, that the path
    still names the file the connection has open.
    """

    store_path: Path | None = None
    # (st_dev, st_ino) of the file opened, when the platform gives one.
    store_identity: tuple[int, int] | None = None
    # Compare the identity before every COMMIT? Not where inode numbers may change
    # under an open file (network filesystems) or files cannot move (Windows):
    # there only the path's presence is checked, and the identity only after a
    # write has already failed.
    identity_is_stable: bool = False

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


def _file_identity(path: Path) -> tuple[int, int] | None:
    st = os.stat(path)
    return (st.st_dev, st.st_ino) if st.st_ino else None


def _identity_is_stable(path: Path) -> bool:
    # Windows refuses to move or delete a file SQLite has open, and inode numbers
    # on network filesystems may change under a client.
    return sys.platform != "win32" and not is_network_path(path)


def ensure_store_in_place(conn: Connection, *, compare_identity: bool | None = None) -> None:
    """Raise ``StoreMoved`` if the connection's file is no longer at the store's path.

    One ``stat`` call; ``transaction`` runs it before every COMMIT. The
    file's identity (device, inode) is compared where it is stable, or when
    ``compare_identity`` says so.
    """
    path = getattr(conn, "store_path", None)
    if path is None:
        return
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        raise StoreMoved() from None
    except OSError:
        raise StoreUnavailable() from None
    if compare_identity is None:
        compare_identity = getattr(conn, "identity_is_stable", False)
    identity = getattr(conn, "store_identity", None)
    if compare_identity and identity is not None and (st.st_dev, st.st_ino) != identity:
        raise StoreMoved()


def _writable(path: Path) -> bool:
    wal = path.with_name(path.name + "-wal")
    return (os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
            and (not wal.exists() or os.access(wal, os.W_OK)))


def explain_write_failure(conn: Connection, exc: BaseException) -> StoreError:
    """Like ``translate``, for a failure while writing to a store that opened fine.

    SQLite reports every failed ``write()``/``fsync()`` other than ENOSPC as
    "disk I/O error" (EIO from a dropped share or failing disk, EDQUOT,
    EFBIG, EPERM). That is not damage to the store, and telling the user to
    restore a backup would throw away good work, so the file is looked at
    first: gone, unreadable, read-only or on a full disk each get their own
    message. In rollback-journal mode SQLite notices a moved store itself
    and calls it read-only (SQLITE_READONLY_DBMOVED); that too is "moved".
    """
    error = translate(exc)
    text = str(exc).lower()
    path = getattr(conn, "store_path", None)
    if path is None or isinstance(error, StoreBusy):
        return error
    try:
        # The write already failed, so a changed identity is trusted everywhere.
        ensure_store_in_place(conn, compare_identity=True)
    except StoreError as moved:
        return moved
    if "disk i/o" not in text:
        return error
    try:
        with open(path, "rb") as fh:
            fh.read(16)
        if shutil.disk_usage(path.parent).free < _NEARLY_FULL_BYTES:
            return DiskFull()
        if not _writable(path):
            return StoreReadOnly()
    except OSError:
        return StoreUnavailable()
    return StoreUnavailable()


def _open_failure(path: Path, exc: BaseException, create: bool) -> StoreError:
    # "unable to open database file" for a file that exists: usually a read-only
    # folder (SQLite cannot create the WAL's -shm/-wal files beside it).
    if (not create and "unable to open" in str(exc).lower() and path.is_file()
            and not _writable(path)):
        return StoreReadOnly()
    return translate(exc)


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
        conn = sqlcipher3.connect(uri, uri=True, isolation_level=None, check_same_thread=False,
                                  factory=StoreConnection)
    except sqlcipher3.Error as exc:
        raise _open_failure(path, exc, create) from None
    try:
        conn.execute(_key_pragma(data_key))
        row = conn.execute("PRAGMA cipher_version").fetchone()
        if not row or not row[0]:
            raise SqlcipherMissing()
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # Reading the schema proves the key (SQLCipher checks each page's HMAC).
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("PRAGMA foreign_keys = ON")
        # A REPLACE that deletes rows fires their delete triggers only with this on:
        # the case totals (decision 0013) and the audit log's append-only guard.
        conn.execute("PRAGMA recursive_triggers = ON")
        conn.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
        conn.execute("PRAGMA secure_delete = ON")
        conn.execute("PRAGMA temp_store = MEMORY")
        if not read_only:
            mode = journal or journal_mode_for(path)
            current = conn.execute("PRAGMA journal_mode").fetchone()[0]
            if current != mode.value:
                conn.execute(f"PRAGMA journal_mode = {mode.value}")
            # FULL: a committed transaction survives power loss, not just a crash.
            conn.execute("PRAGMA synchronous = FULL")
        resolved = path.resolve()
        identity = _file_identity(resolved)
        stable = _identity_is_stable(resolved)
    except StoreError:
        conn.close()
        raise
    except sqlcipher3.Error as exc:
        conn.close()
        raise _open_failure(path, exc, create) from None
    except OSError as exc:
        conn.close()
        raise translate(exc) from None
    conn.store_path = resolved
    conn.store_identity = identity
    conn.identity_is_stable = stable
    return conn


@contextlib.contextmanager
def transaction(conn: Connection) -> Iterator[Connection]:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any error.

    IMMEDIATE takes the write lock up front, so read-then-write sequences
    (audit chain, version checks) cannot interleave with another process.
    Just before COMMIT the store's path must still name the file being
    written (``ensure_store_in_place``); otherwise nothing is committed.
    """
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlcipher3.Error as exc:
        raise explain_write_failure(conn, exc) from None
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
            raise explain_write_failure(conn, exc) from None
        raise
    try:
        ensure_store_in_place(conn)
        conn.execute("COMMIT")
    except StoreError:
        with contextlib.suppress(sqlcipher3.Error):
            conn.execute("ROLLBACK")
        raise
    except sqlcipher3.Error as exc:
        with contextlib.suppress(sqlcipher3.Error):
            conn.execute("ROLLBACK")
        raise explain_write_failure(conn, exc) from None
