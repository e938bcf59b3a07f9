"""``sendiass-desktop --self-test``, run as a real subprocess as IT would run it."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from sendiass_desktop.self_test import SelfTest
from tests.conftest import PYTHON, cli_env

STEPS = (
    "ok: sqlcipher 4.",
    "ok: encrypted store created and unlocked",
    "ok: person, case ",
    "ok: store check passed",
    "ok: PDF drawn",
    "ok: PDF preview",
    "ok: bank holidays",
    "ok: demo-data generator",
    "ok: keyring back-ends present",
    "ok: qt ",
    "ok: temporary store and folder removed",
)


def _run(tmp_path: Path, **overrides: str | None) -> tuple[subprocess.CompletedProcess[str],
                                                           Path, Path]:
    env = cli_env(tmp_path)
    temp = tmp_path / "tmp"
    temp.mkdir()
    env["TMPDIR"] = str(temp)
    env["QT_QPA_PLATFORM"] = "offscreen"
    for name, value in overrides.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    proc = subprocess.run(
        [PYTHON, "-m", "sendiass_desktop.app", "--self-test"],
        capture_output=True, text=True, env=env, timeout=180, check=False,
    )
    return proc, temp, Path(env["SENDIASS_TEST_KEYRING_FILE"])


def test_self_test_passes_and_prints_one_line_per_step(tmp_path: Path) -> None:
    proc, temp, keyring_file = _run(tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[0].startswith("SENDIASS Desktop ") and "self-test" in lines[0]
    assert lines[-1] == "self-test passed"
    body = lines[1:-1]
    assert len(body) == len(STEPS)
    for line, expected in zip(body, STEPS, strict=True):
        assert line.startswith(expected), (line, expected)
    assert "Traceback" not in proc.stderr
    # Nothing left behind, and the user's keyring, data and state folders untouched.
    assert list(temp.iterdir()) == []
    assert not keyring_file.exists()
    for variable in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_STATE_HOME",
                     "SENDIASS_STATE_DIR"):
        folder = Path(os.environ[variable])
        assert not folder.exists() or not any(folder.rglob("*")), variable


def test_a_failing_step_says_which_and_exits_non_zero(tmp_path: Path) -> None:
    # No display and no QT_QPA_PLATFORM: the Qt step fails with a plain line, and the
    # other steps still run and the temporary folder is still removed.
    proc, temp, _ = _run(tmp_path, QT_QPA_PLATFORM=None, DISPLAY=None, WAYLAND_DISPLAY=None)
    assert proc.returncode == 1
    lines = proc.stdout.strip().splitlines()
    assert [line for line in lines if line.startswith("FAILED: ")] == [
        "FAILED: qt: no display to test the window on: run it in a desktop session, "
        "or set QT_QPA_PLATFORM=offscreen"]
    assert "ok: store check passed" in proc.stdout
    assert lines[-1] == "self-test FAILED (1 step(s): qt)"
    assert list(temp.iterdir()) == []
    assert "Traceback" not in proc.stderr


def test_a_step_that_raises_is_reported_and_dependants_are_not_tried(tmp_path: Path) -> None:
    import io

    out = io.StringIO()
    test = SelfTest(out)

    def broken() -> str:
        raise OSError("disk full")

    assert not test.step("store", broken)
    assert not test.step("records", lambda: "never", needs="store")
    assert test.step("pdf", lambda: "fine")
    assert out.getvalue().splitlines() == [
        "FAILED: store: OSError: disk full",
        "FAILED: records: not tried, because the store step failed",
        "ok: fine",
    ]
    assert test.failures == ["store", "records"]
