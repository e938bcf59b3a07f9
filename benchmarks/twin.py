"""Sessions on the encrypted store and on its unencrypted twin.

The twin is opened by the product's own ``open_connection`` with the key pragma swapped for
a no-op, so both connections get the same pragmas (WAL, synchronous=FULL, secure_delete,
foreign_keys, temp_store=MEMORY); only the encryption differs. Both sessions run the same
service functions.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Iterator

from benchmarks import common
from benchmarks.common import ADMIN, ADMIN_PASSWORD


def encrypted_session(size: str):
    from sendiass_desktop.services.session import StoreLocation, unlock_with_password

    return unlock_with_password(StoreLocation.of(common.store_path(size)), ADMIN, ADMIN_PASSWORD)


@contextlib.contextmanager
def no_key() -> Iterator[None]:
    from sendiass_desktop.store import connection

    original = connection._key_pragma
    connection._key_pragma = lambda _key: "SELECT 1"
    try:
        yield
    finally:
        connection._key_pragma = original


def open_plain(size: str):
    from sendiass_desktop.store.connection import open_connection

    with no_key():
        return open_connection(common.plain_path(size), b"\0" * 32)


def plain_session(size: str, encrypted):
    """A Session like ``encrypted`` (same user, header) whose connection is the twin's."""
    from sendiass_desktop.services.session import StoreLocation

    return dataclasses.replace(encrypted, conn=open_plain(size),
                               location=StoreLocation.of(common.plain_path(size)))
