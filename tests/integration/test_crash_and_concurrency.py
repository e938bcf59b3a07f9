"""Real processes against one store: kill -9 mid-write, two writers, a reader beside a writer.

The store is created without device binding so every process can open it
without sharing a credential store; everything else is the real thing.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import queue
import re
import signal
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.roles import Role
from sendiass_desktop.services import store_admin, users
from sendiass_desktop.services.session import Session, StoreLocation, unlock_with_password
from sendiass_desktop.services.setup import create_store
from sendiass_desktop.store import audit_log
from tests.conftest import (
    ADMIN,
    ADMIN_PASSWORD,
    OFFICER,
    OFFICER_PASSWORD,
    PYTHON,
    REPO,
    cli_env,
)
from tests.support.memory_keyring import MemoryKeyring

WRITER = REPO / "tests" / "support" / "writer_process.py"
LINE_TIMEOUT = 60.0
StartWriter = Callable[..., "Writer"]
COMMITTED = re.compile(r"committed (\d+)\n")


class Writer:
    """A writer_process.py child, with its stdout read line by line on a thread."""

    def __init__(self, tmp_path: Path, location: StoreLocation, user: str, password: str,
                 *args: str) -> None:
        env = cli_env(tmp_path)
        env["SENDIASS_KDF_CALIBRATION"] = "minimum"
        self._stderr_path = tmp_path / f"writer-{os.urandom(4).hex()}.err"
        self._stderr = self._stderr_path.open("w")
        self.proc = subprocess.Popen(
            [PYTHON, str(WRITER), str(location.path), user, *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
            text=True, env=env, cwd=REPO,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()
        self.send(password)

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def next_line(self) -> str:
        try:
            line = self.lines.get(timeout=LINE_TIMEOUT)
        except queue.Empty:
            raise AssertionError(f"the writer said nothing for {LINE_TIMEOUT} s"
                                 f"{self.stderr()}") from None
        if line is None:
            self.proc.wait(timeout=30)
            raise AssertionError(f"the writer ended (exit {self.proc.returncode}){self.stderr()}")
        return line

    def expect(self, text: str) -> None:
        line = self.next_line()
        assert line == text + "\n", f"expected {text!r}, got {line!r}{self.stderr()}"

    def rest(self) -> list[str]:
        """Every line still to come, once the process has ended."""
        self._thread.join(timeout=30)
        out = []
        while True:
            line = self.lines.get_nowait()
            if line is None:
                return out
            out.append(line)

    def finish(self, timeout: float = 120) -> list[str]:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=timeout)
        lines = self.rest()
        assert self.proc.returncode == 0, f"exit {self.proc.returncode}{self.stderr()}"
        return lines

    def stderr(self) -> str:
        self._stderr.flush()
        text = self._stderr_path.read_text()
        errors = "\n".join(x for x in text.splitlines() if "ERROR CORE" not in x)
        return f"\nstderr:\n{errors}" if errors.strip() else ""

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self._stderr.close()


@pytest.fixture
def writers() -> Iterator[StartWriter]:
    started: list[Writer] = []

    def start(*args: Any, **kwargs: Any) -> Writer:
        writer = Writer(*args, **kwargs)
        started.append(writer)
        return writer

    yield start
    for writer in started:
        writer.close()


@pytest.fixture
def shared_store(tmp_path: Path, memory_keyring: MemoryKeyring) -> StoreLocation:
    location = StoreLocation.of(tmp_path / "share" / "service.sendiass")
    create_store(location, admin_username=ADMIN, admin_password=ADMIN_PASSWORD,
                 device_binding=False)
    session = unlock_with_password(location, ADMIN, ADMIN_PASSWORD)
    users.add_user(session, OFFICER, Role.OFFICER, password=OFFICER_PASSWORD)
    session.close()
    return location


def _tagged(session: Session, tag: str) -> list[int]:
    return [json.loads(e.detail)["n"] for e in audit_log.iter_entries(session.conn)
            if e.target_type == "test" and e.target_id == tag]


def _committed(lines: list[str]) -> set[int]:
    # Only whole lines: a line cut short by the kill does not count as reported.
    return {int(m[1]) for line in lines if (m := COMMITTED.fullmatch(line))}


# --- 9. kill -9 in the middle of writing -----------------------------------------------


def test_kill_9_loses_no_committed_write(shared_store: StoreLocation, tmp_path: Path,
                                         writers: StartWriter) -> None:
    for run, kill_after in enumerate((200, 37, 333)):
        tag = f"run-{run}"
        writer = writers(tmp_path, shared_store, OFFICER, OFFICER_PASSWORD, "write",
                         "--tag", tag)
        writer.expect("ready")
        seen: list[str] = []
        while len(_committed(seen)) < kill_after:
            seen.append(writer.next_line())
        os.kill(writer.proc.pid, signal.SIGKILL)
        writer.proc.wait(timeout=30)
        assert writer.proc.returncode == -signal.SIGKILL
        # Lines already in the pipe were printed after their commit: they count too.
        reported = _committed(seen + writer.rest())
        assert len(reported) >= kill_after

        session = unlock_with_password(shared_store, ADMIN, ADMIN_PASSWORD)
        try:
            report = store_admin.check_store(session)
            assert report.ok, report.problems
            stored = _tagged(session, tag)
        finally:
            session.close()
        missing = reported - set(stored)
        assert not missing, f"run {run}: committed writes lost after kill -9: {sorted(missing)}"
        # Each write is all or nothing: no gaps, no duplicates, and at most the one
        # write that committed but was not yet reported when the process died.
        assert stored == list(range(len(stored)))
        assert max(reported) <= stored[-1] <= max(reported) + 1

    session = unlock_with_password(shared_store, ADMIN, ADMIN_PASSWORD)
    brk, count = store_admin.verify_audit(session)
    session.close()
    assert brk is None and count > 570


# --- 10. two writers at once -----------------------------------------------------------


def test_two_processes_writing_at_once(shared_store: StoreLocation, tmp_path: Path,
                                       writers: StartWriter) -> None:
    per_writer = 300
    pair = [
        writers(tmp_path, shared_store, ADMIN, ADMIN_PASSWORD, "write", "--tag", "A",
                "--count", str(per_writer), "--wait-go", "--pause-ms", "3"),
        writers(tmp_path, shared_store, OFFICER, OFFICER_PASSWORD, "write", "--tag", "B",
                "--count", str(per_writer), "--wait-go", "--pause-ms", "3"),
    ]
    for writer in pair:
        writer.expect("ready")  # both unlocked and waiting: they start together
    for writer in pair:
        writer.send("go")
    for writer in pair:
        lines = writer.finish()
        assert lines[-1] == "done\n"
        assert _committed(lines) == set(range(per_writer))

    session = unlock_with_password(shared_store, ADMIN, ADMIN_PASSWORD)
    try:
        assert _tagged(session, "A") == list(range(per_writer))
        assert _tagged(session, "B") == list(range(per_writer))
        brk, count = store_admin.verify_audit(session)
        assert brk is None, brk.describe()
        assert count >= 2 * per_writer
        # They really did write at the same time: the entries interleave.
        order = [e.target_id for e in audit_log.iter_entries(session.conn)
                 if e.target_type == "test"]
        switches = sum(a != b for a, b in itertools.pairwise(order))
        assert switches >= 20, f"the writers took turns only {switches} times"
        assert store_admin.check_store(session).ok
    finally:
        session.close()


# --- 11. reading while another process has the store open ------------------------------


def test_read_while_another_process_has_the_store_open(shared_store: StoreLocation,
                                                       tmp_path: Path,
                                                       writers: StartWriter) -> None:
    holder = writers(tmp_path, shared_store, OFFICER, OFFICER_PASSWORD, "hold")
    holder.expect("holding")

    session = unlock_with_password(shared_store, ADMIN, ADMIN_PASSWORD)
    try:
        assert session.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        names = [u.username for u in users.list_users(session)]
        assert names == [ADMIN, OFFICER]
        entries = list(audit_log.iter_entries(session.conn))
        assert entries[-2].actor == OFFICER and entries[-2].action == AuditAction.LOGIN.value
        session.audit(AuditAction.RECORD_READ, "test", "beside-holder")
    finally:
        session.close()

    lines = holder.finish()
    assert lines == ["done\n"]
    session = unlock_with_password(shared_store, ADMIN, ADMIN_PASSWORD)
    assert store_admin.verify_audit(session)[0] is None
    session.close()


def test_read_while_another_process_is_mid_write(shared_store: StoreLocation, tmp_path: Path,
                                                 writers: StartWriter) -> None:
    holder = writers(tmp_path, shared_store, OFFICER, OFFICER_PASSWORD, "hold",
                     "--in-transaction")
    holder.expect("holding")  # it holds the write lock with an uncommitted entry

    reader = unlock_with_password(shared_store, ADMIN, ADMIN_PASSWORD, read_only=True)
    try:
        assert [u.username for u in users.list_users(reader)] == [ADMIN, OFFICER]
        before = list(audit_log.iter_entries(reader.conn))
        assert not [e for e in before if e.target_id == "held"], "read uncommitted data"
        holder.send("commit")
        holder.expect("released")
        after = list(audit_log.iter_entries(reader.conn))
        assert after[: len(before)] == before
        new = after[len(before):]
        assert new[0].target_id == "held"
        # The holder signs out straight after "released"; its logout may already be in.
        assert all(e.actor == OFFICER and e.action == AuditAction.LOGOUT.value
                   for e in new[1:]), [(e.actor, e.action) for e in new]
    finally:
        reader.close()
    assert holder.finish() == ["done\n"]

    session = unlock_with_password(shared_store, ADMIN, ADMIN_PASSWORD)
    try:
        assert store_admin.verify_audit(session)[0] is None
    finally:
        session.close()
