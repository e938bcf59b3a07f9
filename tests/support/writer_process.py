"""A separate process that writes to (or holds open) a store, for crash and concurrency tests.

Run with the venv's python and PYTHONPATH at the repository root. The first
line on stdin is the password. Then, by mode:

``write --tag T [--count N] [--wait-go] [--pause-ms MS]``
    Unlock, print ``ready``; with ``--wait-go`` wait for a line on stdin.
    Then append audit entries ``{"n": i, "tag": T}`` (target_id T), each in
    its own committed transaction, printing ``committed i`` after each commit.
    ``--count 0`` (the default) writes until killed. ``--pause-ms`` sleeps
    between writes (as a person would), which gives another writer waiting
    on the lock a chance to take it. Prints ``done`` at the end.

``hold [--in-transaction]``
    Unlock and keep the store open. With ``--in-transaction``, take the write
    lock and append one entry (``{"held": true}``) without committing. Print
    ``holding``, wait for a line on stdin, then commit, print ``released``,
    close and print ``done``.
"""

from __future__ import annotations

import argparse
import sys
import time

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.services.session import StoreLocation, unlock_with_password
from sendiass_desktop.store import audit_log


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("store")
    parser.add_argument("user")
    parser.add_argument("mode", choices=["write", "hold"])
    parser.add_argument("--tag", default="w")
    parser.add_argument("--count", type=int, default=0)
    parser.add_argument("--wait-go", action="store_true")
    parser.add_argument("--pause-ms", type=float, default=0.0)
    parser.add_argument("--in-transaction", action="store_true")
    args = parser.parse_args()

    password = sys.stdin.readline().rstrip("\n")
    session = unlock_with_password(StoreLocation.of(args.store), args.user, password)

    if args.mode == "write":
        say("ready")
        if args.wait_go:
            sys.stdin.readline()
        i = 0
        while args.count == 0 or i < args.count:
            session.audit(AuditAction.RECORD_CREATED, "test", args.tag,
                          {"n": i, "tag": args.tag})
            say(f"committed {i}")
            i += 1
            if args.pause_ms:
                time.sleep(args.pause_ms / 1000)
        session.close()
        say("done")
        return 0

    conn = session.conn
    if args.in_transaction:
        conn.execute("BEGIN IMMEDIATE")
        audit_log.append(conn, session.actor, AuditAction.RECORD_UPDATED, "test", "held",
                         {"held": True})
    say("holding")
    sys.stdin.readline()
    if args.in_transaction:
        conn.execute("COMMIT")
        say("released")
    session.close()
    say("done")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
