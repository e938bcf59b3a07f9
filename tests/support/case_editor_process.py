"""A real process that edits one case's summary N times, retrying on conflicts.

Each edit appends a unique token; a lost update would drop a token. Prints
"done <conflicts>" at the end.
"""

from __future__ import annotations

import sys
import time
from dataclasses import replace
from pathlib import Path

from sendiass_desktop.domain.errors import EditConflict
from sendiass_desktop.services import cases, notes
from sendiass_desktop.services.session import StoreLocation, unlock_with_password
from tests.support.casework import add_note


def main() -> int:
    store, user, password, case_ref, tag, count, go_file = sys.argv[1:8]
    session = unlock_with_password(StoreLocation.of(Path(store)), user, password)
    # Start together, so the two writers really overlap.
    print("ready", flush=True)
    deadline = time.monotonic() + 120
    while not Path(go_file).exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    conflicts = 0
    try:
        for i in range(int(count)):
            while True:
                case = cases.get_case(session, case_ref)
                time.sleep(0.003)  # a user takes a moment between reading and saving
                try:
                    cases.update_case(session, replace(case, summary=f"{case.summary} {tag}{i}"))
                    break
                except EditConflict:
                    conflicts += 1
            add_note(session, case, f"note {tag}{i}")
        assert case.id is not None
        notes.notes_for_case(session, case.id)
    finally:
        session.close()
    print(f"done {conflicts}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
