"""Copying the encrypted store page by page to another encrypted file."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable, Iterator
from pathlib import Path

from sendiass_desktop.store import keyslots
from sendiass_desktop.store.cancel import StopCheck, raise_if_stopped
from sendiass_desktop.store.connection import Connection, open_connection, translate
from sendiass_desktop.store.errors import StoreError
from sendiass_desktop.store.integrity import CheckReport, check


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal")]


def remove_with_sidecars(path: Path) -> None:
    for p in [path, *_sidecars(path)]:
        with contextlib.suppress(OSError):
            p.unlink(missing_ok=True)


# Pages copied per step of the backup API: between steps we report progress
# and look at the Cancel flag. ~1 MiB at SQLCipher's 4 KiB pages.
_PAGES_PER_STEP = 256


@contextlib.contextmanager
def _snapshot(conn: Connection) -> Iterator[None]:
    """Hold a read transaction, so the copy is one moment of the store.

    Copied in steps without it, a save from any other connection between two
    steps restarts the copy from the first page, so on a busy store a backup
    might never finish.
    """
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN")
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # starts the read
        yield
    finally:
        conn.execute("ROLLBACK")


def copy_store(conn: Connection, target: Path, data_key: bytes, *,
               should_stop: StopCheck | None = None,
               progress: Callable[[float], None] | None = None) -> CheckReport:
    """Write a verified copy of the open store to ``target`` (same data key).

    The SQLite backup API copies encrypted pages under the same key, so the
    copy is never decrypted to disk. The copy is checked before it is
    renamed into place; a failed or cancelled copy leaves nothing behind.
    ``progress`` gets the fraction done: copying is the first half, checking
    the copy the second.
    """
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")

    def copied(_status: int, remaining: int, total: int) -> None:
        raise_if_stopped(should_stop)
        if progress is not None and total:
            progress(0.5 * (total - remaining) / total)

    try:
        dest = open_connection(tmp, data_key, create=True)
        try:
            with _snapshot(conn):
                conn.backup(dest, pages=_PAGES_PER_STEP, progress=copied)
        finally:
            dest.close()
        raise_if_stopped(should_stop)
        verify_conn = open_connection(tmp, data_key, read_only=False)
        try:
            # A backup is a single file: fold any WAL back in before it moves.
            verify_conn.execute("PRAGMA journal_mode = DELETE")
            report = check(verify_conn, should_stop)
        finally:
            verify_conn.close()
        if not report.ok:
            return report
        tmp.replace(target)
    except StoreError:
        raise
    except OSError as exc:
        raise translate(exc) from None
    except Exception as exc:  # sqlcipher errors during the page copy
        raise translate(exc) from None
    finally:
        remove_with_sidecars(tmp)
    return report


def write_header_copy(target: Path, header: keyslots.Header) -> None:
    """The backup's own key file beside ``target``; failures are plain-words store
    errors (``DiskFull``, ``StoreReadOnly``, ``StoreUnavailable``)."""
    keyslots.write_copy(target, header)
