"""One of the soak test's processes: notes, audit entries, reads and searches for N seconds.

Usage (PYTHONPATH at the repository root; the password is the first line of stdin):

    python -m tests.support.fault_soak_worker STORE USER TAG SECONDS OWN_CASE_ID SHARED_CASE_ID

Prints ``ready``, waits for a line on stdin (so both workers start
together), then until SECONDS have passed does, at random:

* add a note to its own case or to the shared case -> ``note ID``
* edit one of its own notes -> ``edit ID VERSION``
* an audit entry of its own (``{"n": i}``, target ``soak``/TAG) -> ``audit I``
* read the shared case's notes (audited) -> ``read COUNT``
* search for its tag (audited, unless the store was busy) -> ``search AUDITED``

Every line is printed only after the change it reports has committed.
Ends with ``done``. Note bodies are ``TAG-N ...`` so the parent can check
each one.
"""

from __future__ import annotations

import random
import sys
import time
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.notes import Confidentiality, Note, NoteType
from sendiass_desktop.services import notes
from sendiass_desktop.services.search import search_cases
from sendiass_desktop.services.session import Session, StoreLocation, unlock_with_password


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def searches_logged(session: Session) -> int:
    row = session.conn.execute(
        "SELECT count(*) FROM audit_log WHERE actor = ? AND action = ?",
        (session.actor, AuditAction.SEARCHED.value)).fetchone()
    return int(row[0])


def main() -> int:
    store, user, tag, seconds, own_case, shared_case = sys.argv[1:7]
    password = sys.stdin.readline().rstrip("\n")
    session = unlock_with_password(StoreLocation.of(Path(store)), user, password)
    rng = random.Random(f"{tag}-{time.time_ns()}")
    say("ready")
    sys.stdin.readline()
    deadline = time.monotonic() + float(seconds)
    mine: list[Note] = []
    counter = 0
    while time.monotonic() < deadline:
        roll = rng.random()
        counter += 1
        if roll < 0.35:
            case_id = int(own_case if rng.random() < 0.6 else shared_case)
            body = f"{tag}-{counter} soak note about {tag} " + "text " * rng.randint(1, 400)
            saved = notes.add_note(session, Note(
                case_id, datetime(2026, 10, 1, 9, 0), NoteType.CALL, "", body,
                Confidentiality.NORMAL, False, ()))
            mine.append(saved)
            say(f"note {saved.id}")
        elif roll < 0.45 and mine:
            index = rng.randrange(len(mine))
            note = mine[index]
            edited = notes.update_note(session, replace(note, body=note.body + " edited"))
            mine[index] = edited
            say(f"edit {edited.id} {edited.version}")
        elif roll < 0.70:
            session.audit(AuditAction.RECORD_READ, "soak", tag, {"n": counter})
            say(f"audit {counter}")
        elif roll < 0.85:
            shown = notes.notes_for_case(session, int(shared_case))
            say(f"read {len(shown)}")
        else:
            before = searches_logged(session)
            search_cases(session, tag)
            say(f"search {searches_logged(session) - before}")
        if rng.random() < 0.3:
            time.sleep(rng.uniform(0, 0.01))  # a person pausing, now and then
    session.close()
    say("done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
