"""Device binding against a real Secret Service (gnome-keyring on a private D-Bus)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from tests.conftest import PYTHON, REPO
from tests.support.memory_keyring import FILE_ENV

CHILD = REPO / "tests" / "support" / "secret_service_child.py"
# gnome-keyring-daemon --unlock reads the login keyring's password on stdin and
# creates that keyring if it does not exist. With an empty password it creates
# nothing (keyring then asks a graphical prompter for a collection, which fails
# without a display), so the throwaway keyring gets a throwaway password.
KEYRING_PASSWORD = "sendiass-test-login-keyring"
SCRIPT = (
    'printf %s "$SENDIASS_TEST_KEYRING_PASSWORD" '
    "| gnome-keyring-daemon --unlock --components=secrets >/dev/null "
    '&& exec "$SENDIASS_TEST_PYTHON" "$SENDIASS_TEST_CHILD" "$SENDIASS_TEST_WORKDIR"'
)


def test_device_secret_lives_in_the_real_secret_service(tmp_path: Path) -> None:
    missing = [tool for tool in ("dbus-run-session", "gnome-keyring-daemon")
               if shutil.which(tool) is None]
    if missing:
        pytest.skip(f"no real Secret Service to test against ({', '.join(missing)} not found): "
                    "install the 'dbus' and 'gnome-keyring' packages "
                    "(apt-get install dbus gnome-keyring)")
    pytest.importorskip("secretstorage", reason="the keyring Secret Service backend needs "
                        "'secretstorage' (and 'jeepney'): pip install secretstorage")

    home = tmp_path / "home"
    home.mkdir()
    # A short private runtime dir: gnome-keyring puts its control socket there.
    runtime = Path(tempfile.mkdtemp(prefix="sendiass-rt-"))
    env = {k: v for k, v in os.environ.items()
           if k not in {"PYTHON_KEYRING_BACKEND", FILE_ENV, "DBUS_SESSION_BUS_ADDRESS",
                        "DISPLAY", "WAYLAND_DISPLAY", "GNOME_KEYRING_CONTROL"}}
    env.update({
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "XDG_RUNTIME_DIR": str(runtime),
        "PYTHONPATH": str(REPO),
        "SENDIASS_KDF_CALIBRATION": "minimum",
        "SENDIASS_TEST_KEYRING_PASSWORD": KEYRING_PASSWORD,
        "SENDIASS_TEST_PYTHON": PYTHON,
        "SENDIASS_TEST_CHILD": str(CHILD),
        "SENDIASS_TEST_WORKDIR": str(tmp_path),
    })
    try:
        run = subprocess.run(["dbus-run-session", "--", "sh", "-c", SCRIPT],
                             env=env, cwd=REPO, capture_output=True, text=True, timeout=180)
    finally:
        shutil.rmtree(runtime, ignore_errors=True)

    stderr = "\n".join(line for line in run.stderr.splitlines() if "ERROR CORE" not in line)
    assert run.returncode == 0, f"child failed (exit {run.returncode})\n{run.stdout}\n{stderr}"
    results = dict(line.split(": ", 1) for line in run.stdout.splitlines() if ": " in line)
    assert "SecretService" in results.get("backend", ""), run.stdout
    assert results["unlocked"] == "alice"
    assert results["device-secret-bytes"] == "32"
    assert results["secret-service-items"] == "1"
    assert results["without-secret"] == "MachineNotEnrolled"
    assert results["re-enrolled"] == "True"
    assert results["result"] == "OK"
    # The secret went to gnome-keyring's own (encrypted) keyring file, not anywhere else.
    assert list((home / "data" / "keyrings").glob("*.keyring"))
