"""A second connection for the same signed-in user, for work done in the background.

The window keeps using the session's own connection. Searching as someone
types, backups and store checks run on a worker thread; if they shared that
connection, a transaction the window starts (opening a case, say) could
collide with one the worker has open. A second connection to the same store
avoids that: SQLite's own locking (WAL, busy timeout) keeps the two apart,
exactly as it does for two people on a network share.

The second session is the same person with the same rights: nothing here
adds or widens access. It writes no login or logout entries (the person has
not signed in again); everything it does is audited by the services as usual. Account changes
(which rewrite the key file and the session's copy of it) belong on the
session itself, not on a background one.
"""

from __future__ import annotations

import contextlib
from dataclasses import replace

from sendiass_desktop.domain.errors import PermissionDenied
from sendiass_desktop.services.session import Session
from sendiass_desktop.store.connection import open_connection


def open_background_session(session: Session) -> Session:
    """Another connection to ``session``'s store, as the same user."""
    if session.closed:
        raise PermissionDenied("You are signed out. Sign in again to continue.")
    conn = open_connection(session.location.path, session.data_key,
                           read_only=session.read_only)
    return replace(session, conn=conn, closed=False)


def close_background_session(background: Session) -> None:
    """Close the extra connection without a logout entry (the person is still signed in)."""
    if background.closed:
        return
    background.closed = True
    with contextlib.suppress(Exception):
        background.conn.close()
