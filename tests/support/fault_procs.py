"""Child processes for fault and soak tests, their output read line by line on a thread."""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import subprocess
import threading
from collections.abc import Iterable
from pathlib import Path

from tests.conftest import PYTHON, REPO, cli_env

WRITER = REPO / "tests" / "support" / "writer_process.py"
COMMITTED = re.compile(r"committed (\d+)\n")
LINE_TIMEOUT = 60.0


def child_env(tmp_path: Path) -> dict[str, str]:
    env = cli_env(tmp_path)
    env["SENDIASS_KDF_CALIBRATION"] = "minimum"
    return env


class LineProcess:
    """A child whose stdout lines arrive on a queue; stderr goes to a file."""

    def __init__(self, argv: list[str], tmp_path: Path, *, first_line: str | None = None) -> None:
        self._stderr_path = tmp_path / f"child-{os.urandom(4).hex()}.err"
        self._stderr = self._stderr_path.open("w")
        self.proc = subprocess.Popen(
            argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._stderr,
            text=True, env=child_env(tmp_path), cwd=REPO,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()
        if first_line is not None:
            self.send(first_line)

    @classmethod
    def writer(cls, tmp_path: Path, store: Path, user: str, password: str,
               *args: str) -> LineProcess:
        """tests/support/writer_process.py (see its docstring for the modes)."""
        return cls([PYTHON, str(WRITER), str(store), user, *args], tmp_path, first_line=password)

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def send(self, line: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def next_line(self, timeout: float = LINE_TIMEOUT) -> str:
        try:
            line = self.lines.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"the child said nothing for {timeout} s{self.stderr()}") from None
        if line is None:
            self.proc.wait(timeout=30)
            raise AssertionError(f"the child ended (exit {self.proc.returncode}){self.stderr()}")
        self.seen.append(line)
        return line

    def expect(self, text: str) -> None:
        line = self.next_line()
        assert line == text + "\n", f"expected {text!r}, got {line!r}{self.stderr()}"

    def drain(self, quiet: float = 0.15) -> list[str]:
        """Every line available until none arrives for ``quiet`` seconds (or the pipe ends)."""
        while True:
            try:
                line = self.lines.get(timeout=quiet)
            except queue.Empty:
                return self.seen
            if line is None:
                self.lines.put(None)
                return self.seen
            self.seen.append(line)

    def wait_for_commits(self, count: int) -> None:
        while len(committed(self.seen)) < count:
            self.next_line()

    def pause(self) -> None:
        os.kill(self.proc.pid, signal.SIGSTOP)

    def resume(self) -> None:
        os.kill(self.proc.pid, signal.SIGCONT)

    def kill(self) -> None:
        """SIGKILL and reap; lines already printed stay readable with ``drain``."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGCONT)
            self.proc.kill()
        self.proc.wait(timeout=30)
        self._thread.join(timeout=30)

    def finish(self, timeout: float = 300) -> list[str]:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=timeout)
        self._thread.join(timeout=30)
        self.drain(quiet=0.01)
        assert self.proc.returncode == 0, f"exit {self.proc.returncode}{self.stderr()}"
        return self.seen

    def stderr(self) -> str:
        self._stderr.flush()
        text = self._stderr_path.read_text()
        errors = "\n".join(x for x in text.splitlines() if "ERROR CORE" not in x)
        return f"\nstderr:\n{errors}" if errors.strip() else ""

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGCONT)
            self.proc.kill()
            self.proc.wait(timeout=30)
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        self._stderr.close()


def committed(lines: Iterable[str]) -> set[int]:
    """Numbers of the writes a writer reported committed (whole lines only)."""
    return {int(m[1]) for line in lines if (m := COMMITTED.fullmatch(line))}

