"""Two real processes writing the same case at once lose nothing."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sendiass_desktop.services import cases, notes
from sendiass_desktop.services.session import StoreLocation, unlock_with_password
from sendiass_desktop.services.setup import create_store
from sendiass_desktop.services.store_admin import check_store
from tests.conftest import PYTHON, cli_env
from tests.support.casework import make_family

PW = "correct horse battery"
EDITS = 40


def test_two_processes_no_lost_updates(tmp_path: Path) -> None:
    location = StoreLocation.of(tmp_path / "shared.sendiass")
    create_store(location, admin_username="alice", admin_password=PW, device_binding=False)
    session = unlock_with_password(location, "alice", PW)
    family = make_family(session, officer="alice")
    session.close()

    env = cli_env(tmp_path)
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [PYTHON, "-m", "tests.support.case_editor_process", str(location.path), "alice", PW,
             family.case.ref, tag, str(EDITS), str(go)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
            cwd=Path(__file__).resolve().parents[2],
        )
        for tag in ("a", "b")
    ]
    for p in procs:
        assert p.stdout is not None
        assert p.stdout.readline().strip() == "ready"
    go.touch()
    outputs = [p.communicate(timeout=600) for p in procs]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert out.startswith("done")
    conflicts = sum(int(out.split()[1]) for out, _ in outputs)
    # The writers overlapped: some saves lost the race and were retried, not lost.
    assert conflicts > 0

    session = unlock_with_password(location, "alice", PW)
    case = cases.get_case(session, family.case.ref)
    tokens = case.summary.split()
    expected = {f"{tag}{i}" for tag in "ab" for i in range(EDITS)}
    assert set(tokens) == expected and len(tokens) == len(expected)
    assert case.id is not None
    note_bodies = {n.body for n in notes.notes_for_case(session, case.id)}
    assert {f"note {t}" for t in expected} <= note_bodies
    assert case.version == 1 + 2 * EDITS
    assert check_store(session).ok
    session.close()
