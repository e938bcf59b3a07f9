"""Helpers for tests that look at the files a store leaves on disk."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterable, Iterator
from pathlib import Path

PAGE_SIZE = 4096  # SQLCipher 4's default page size
SALT_BYTES = 16  # SQLCipher keeps a plaintext salt at the start of page 1


def fingerprint(folder: Path) -> dict[str, str]:
    """SHA-256 of every file in ``folder`` (recursively) that can hold data.

    A ``-shm`` file (SQLite's shared-memory WAL index, rebuilt on open) and an
    empty ``-wal`` are what a read-only SQLite connection leaves behind; they
    hold no data, so they are not part of the fingerprint. Everything else —
    the store, a non-empty WAL, the key file and its ``.bak`` — is.
    """
    result: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file():
            continue
        name = path.name
        if name.endswith("-shm") or (name.endswith("-wal") and path.stat().st_size == 0):
            continue
        result[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return result


def files_under(roots: Iterable[Path]) -> Iterator[Path]:
    for root in roots:
        if root.is_file():
            yield root
        elif root.is_dir():
            for dirpath, _dirs, names in os.walk(root):
                for name in names:
                    yield Path(dirpath) / name


def encodings_of(marker: str) -> list[bytes]:
    """The forms a string could take on disk: UTF-8 and both UTF-16s."""
    return [marker.encode("utf-8"), marker.encode("utf-16-le"), marker.encode("utf-16-be")]


def files_containing(marker: str, roots: Iterable[Path]) -> list[str]:
    needles = encodings_of(marker)
    hits = []
    for path in files_under(roots):
        try:
            data = path.read_bytes()
        except OSError:
            continue
        for needle in needles:
            if needle in data:
                hits.append(f"{path} ({needle!r})")
    return hits


def copy_store_files(store_path: Path, target_dir: Path, *, with_backup: bool = True) -> Path:
    """Copy the store file and its key file(s) to ``target_dir`` (another "machine")."""
    target_dir.mkdir(parents=True, exist_ok=True)
    suffixes = ["", ".keys"] + ([".keys.bak"] if with_backup else [])
    for suffix in suffixes:
        src = store_path.with_name(store_path.name + suffix)
        if src.exists():
            shutil.copy2(src, target_dir / src.name)
    return target_dir / store_path.name


def flip_bit(path: Path, offset: int, bit: int = 0) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 1 << bit
    path.write_bytes(bytes(data))


def remove_sidecars(store_path: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        store_path.with_name(store_path.name + suffix).unlink(missing_ok=True)
