"""Soak: two processes write and read one store for minutes; everything adds up at the end.

Two real processes (an administrator and an officer) add and edit notes,
write audit entries, read the shared case and search, as fast as they can
with short pauses, for ``SENDIASS_SOAK_SECONDS`` (default 180). While they
run, this process opens the store read-only every few seconds and verifies
the audit chain. At the end: the chain verifies, ``check`` passes, and every
count matches what the processes reported committing: notes (ids, authors,
bodies, versions), edits, audit entries, reads and searches.
"""

from __future__ import annotations

import collections
import os
import time
from pathlib import Path

import pytest

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.roles import Role
from sendiass_desktop.services import store_admin, users
from sendiass_desktop.services.session import unlock_with_password
from sendiass_desktop.store import audit_log
from sendiass_desktop.store import notes as notes_repo
from tests.conftest import ADMIN, ADMIN_PASSWORD, OFFICER, OFFICER_PASSWORD, PYTHON
from tests.hardening.conftest import new_store
from tests.support.casework import make_family
from tests.support.fault_procs import LineProcess

pytestmark = pytest.mark.slow

SECONDS = float(os.environ.get("SENDIASS_SOAK_SECONDS", "180"))


def _tally(lines: list[str]) -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = collections.defaultdict(list)
    for line in lines:
        kind, *rest = line.split()
        out[kind].append(rest)
    return out


@pytest.mark.timeout(int(SECONDS) + 600)
def test_two_processes_for_minutes(tmp_path: Path) -> None:
    location = new_store(tmp_path / "share" / "service.sendiass")
    session = unlock_with_password(location, ADMIN, ADMIN_PASSWORD)
    users.add_user(session, OFFICER, Role.OFFICER, password=OFFICER_PASSWORD)
    shared = make_family(session, officer=OFFICER, surname="Shared").case
    own = {ADMIN: make_family(session, officer=ADMIN, surname="Adminside").case,
           OFFICER: make_family(session, officer=OFFICER, surname="Officerside").case}
    session.close()

    workers = {
        user: LineProcess([PYTHON, "-m", "tests.support.fault_soak_worker", str(location.path),
                           user, tag, str(SECONDS), str(own[user].id), str(shared.id)],
                          tmp_path, first_line=password)
        for user, password, tag in ((ADMIN, ADMIN_PASSWORD, "alpha"),
                                    (OFFICER, OFFICER_PASSWORD, "bravo"))
    }
    tags = {ADMIN: "alpha", OFFICER: "bravo"}
    checks_during = 0
    try:
        for worker in workers.values():
            worker.expect("ready")
        for worker in workers.values():
            worker.send("go")
        # Meanwhile: a third reader verifies the chain while both write.
        end = time.monotonic() + SECONDS
        while time.monotonic() < end - 5:
            time.sleep(min(10.0, max(0.0, end - 5 - time.monotonic())))
            reader = unlock_with_password(location, ADMIN, ADMIN_PASSWORD, read_only=True)
            try:
                brk, _ = audit_log.verify(reader.conn)
                assert brk is None, f"chain broken during the run: {brk.describe()}"
            finally:
                reader.close()
            checks_during += 1
        reported = {user: _tally(w.finish(timeout=SECONDS + 300)) for user, w in workers.items()}
    finally:
        for worker in workers.values():
            worker.close()
    assert checks_during >= 1

    session = unlock_with_password(location, ADMIN, ADMIN_PASSWORD)
    try:
        brk, entries = store_admin.verify_audit(session)
        assert brk is None, brk.describe()
        assert store_admin.check_store(session).ok
        log = list(audit_log.iter_entries(session.conn))
        by_actor = collections.Counter((e.actor, e.action, e.target_type) for e in log)
        summary = {}
        for user, tally in reported.items():
            assert tally["done"] == [[]]
            note_ids = [int(r[0]) for r in tally["note"]]
            edits = [(int(r[0]), int(r[1])) for r in tally["edit"]]
            stored = notes_repo.many(session.conn, note_ids)
            assert sorted(stored) == sorted(note_ids), "a reported note is missing"
            versions = dict.fromkeys(note_ids, 1) | dict(edits)
            for note_id, note in stored.items():
                assert note.author == user
                assert note.body.startswith(f"{tags[user]}-")
                assert note.version == versions[note_id]
                assert note.body.count(" edited") == note.version - 1
            # No note of this author that nobody reported.
            (authored,) = session.conn.execute(
                "SELECT count(*) FROM notes WHERE author = ?", (user,)).fetchone()
            assert authored == len(note_ids)
            soak = [e for e in log if e.target_type == "soak" and e.target_id == tags[user]]
            assert [e.actor for e in soak] == [user] * len(soak)
            assert len(soak) == len(tally["audit"])
            created = AuditAction.RECORD_CREATED.value
            assert by_actor[(user, created, "note")] == len(note_ids)
            assert by_actor[(user, AuditAction.RECORD_UPDATED.value, "note")] == len(edits)
            assert by_actor[(user, AuditAction.RECORD_READ.value, "case")] == len(tally["read"])
            searched = sum(int(r[0]) for r in tally["search"])
            assert by_actor[(user, AuditAction.SEARCHED.value, "search")] == searched
            summary[user] = {k: len(v) for k, v in tally.items()}
        print(f"\nsoak {SECONDS:.0f} s: {entries} audit entries, {checks_during} checks during "
              f"the run, per process: {summary}")
        # Both really worked at the same time.
        assert all(s["note"] > 10 and s["audit"] > 10 for s in summary.values()), summary
    finally:
        session.close()
