"""Locking the app when the desktop locks the screen, over a real (private) D-Bus."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from sendiass_desktop.ui.screen_lock import login1_session_path
from tests.conftest import PYTHON, REPO

CHILD = REPO / "tests" / "support" / "screen_lock_child.py"


def test_logind_session_paths_are_escaped_as_systemd_does() -> None:
    assert login1_session_path("2") == "/org/freedesktop/login1/session/_32"
    assert login1_session_path("c1") == "/org/freedesktop/login1/session/c1"
    assert login1_session_path("c-1") == "/org/freedesktop/login1/session/c_2d1"


def test_the_window_locks_when_the_desktop_screen_saver_starts(tmp_path: Path) -> None:
    missing = [tool for tool in ("dbus-run-session", "dbus-send") if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"no D-Bus session to test against ({', '.join(missing)} not found): "
                    "apt-get install dbus")
    env = {k: v for k, v in os.environ.items()
           if k not in {"DBUS_SESSION_BUS_ADDRESS", "DISPLAY", "WAYLAND_DISPLAY"}}
    env.update({
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "PYTHONPATH": str(REPO),
        "QT_QPA_PLATFORM": "offscreen",
        "SENDIASS_KDF_CALIBRATION": "minimum",
    })
    run = subprocess.run(["dbus-run-session", "--", PYTHON, str(CHILD), str(tmp_path)],
                         env=env, cwd=REPO, capture_output=True, text=True, timeout=180)
    assert run.returncode == 0, f"child failed (exit {run.returncode})\n{run.stdout}\n{run.stderr}"
    results = dict(line.split(": ", 1) for line in run.stdout.splitlines() if ": " in line)
    assert "org.freedesktop.ScreenSaver" in results["sources"]
    assert "org.gnome.ScreenSaver" in results["sources"]
    for interface in ("org.freedesktop.ScreenSaver", "org.gnome.ScreenSaver"):
        assert results[f"{interface} inactive locked"] == "False"
        assert results[f"{interface} active locked"] == "True"
    assert results["result"] == "OK"
