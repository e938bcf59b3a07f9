"""A child process whose file-size limit makes the store's writes really fail (EFBIG).

``RLIMIT_FSIZE`` needs no privileges, so this works where mounting a small
filesystem is refused. SIGXFSZ is ignored, so a write past the limit fails
with EFBIG instead of killing the process.

Usage (PYTHONPATH at the repository root; the password is the first line of stdin):

    python -m tests.support.fault_fsize_child STORE USER CASE_ID

Unlocks, saves one small note, then lowers the limit to 32 KiB and tries
to save a large note. (Not "just above the largest file": SQLite rewrites
its WAL from the start after a checkpoint, so a write-ahead log that is
already long would never need to grow.) Prints one JSON line:
``{"saved_before": id, "error": class name, "sendiass": bool, "message": text,
"saved_after": id}`` where ``saved_after`` is a note saved once the limit
is lifted again.
"""

from __future__ import annotations

import json
import resource
import signal
import sys
from datetime import datetime
from pathlib import Path

from sendiass_desktop.domain.errors import SendiassError
from sendiass_desktop.domain.notes import Confidentiality, Note, NoteType
from sendiass_desktop.services import notes
from sendiass_desktop.services.session import StoreLocation, unlock_with_password

LIMIT = 32 * 1024


def _note(case_id: int, body: str) -> Note:
    return Note(case_id, datetime(2026, 10, 1, 14, 30), NoteType.CALL, "", body,
                Confidentiality.NORMAL, False, ())


def main() -> int:
    store, user, case_id = sys.argv[1], sys.argv[2], int(sys.argv[3])
    password = sys.stdin.readline().rstrip("\n")
    location = StoreLocation.of(Path(store))
    session = unlock_with_password(location, user, password)
    before = notes.add_note(session, _note(case_id, "saved before the limit"))

    limit = LIMIT
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    outcome: dict[str, object] = {"saved_before": before.id, "limit": limit}
    try:
        notes.add_note(session, _note(case_id, "too big to fit " + "x" * 95_000))
        outcome.update(error=None, sendiass=False, message="")
    except SendiassError as exc:
        outcome.update(error=type(exc).__name__, sendiass=True, message=str(exc))
    except Exception as exc:  # what the test is looking for: must not happen
        outcome.update(error=type(exc).__name__, sendiass=False, message=str(exc))
    resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
    after = notes.add_note(session, _note(case_id, "saved after the limit was lifted"))
    outcome["saved_after"] = after.id
    session.close()
    print(json.dumps(outcome), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
