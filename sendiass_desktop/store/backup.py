"""Copying the encrypted store page by page to another encrypted file."""

from __future__ import annotations

import contextlib
import secrets
from pathlib import Path

from sendiass_desktop.store import keyslots
from sendiass_desktop.store.connection import Connection, open_connection, translate
from sendiass_desktop.store.errors import StoreError
from sendiass_desktop.store.integrity import CheckReport, check


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal")]


def remove_with_sidecars(path: Path) -> None:
    for p in [path, *_sidecars(path)]:
        with contextlib.suppress(OSError):
            p.unlink(missing_ok=True)


def copy_store(conn: Connection, target: Path, data_key: bytes) -> CheckReport:
    """Write a verified copy of the open store to ``target`` (same data key).

    The SQLite backup API copies encrypted pages under the same key, so the
    copy is never decrypted to disk. The copy is checked before it is
    renamed into place; a failed copy leaves nothing behind.
    """
    tmp = target.with_name(f".{target.name}.{secrets.token_hex(4)}.partial")
    try:
        dest = open_connection(tmp, data_key, create=True)
        try:
            conn.backup(dest)
        finally:
            dest.close()
        verify_conn = open_connection(tmp, data_key, read_only=False)
        try:
            # A backup is a single file: fold any WAL back in before it moves.
            verify_conn.execute("PRAGMA journal_mode = DELETE")
            report = check(verify_conn)
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
    keyslots.write_atomic(keyslots.header_path(target), keyslots.dumps(header))
