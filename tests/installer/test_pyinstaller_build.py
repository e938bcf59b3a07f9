"""The PyInstaller bundle: built from scratch, then used the way an office would.

The build takes a couple of minutes, so it runs only when asked for:

    SENDIASS_BUILD_INSTALLER=1 .venv/bin/python -m pytest -m installer tests/installer

The cheap checks at the end (icons, hook, spec, Windows script) always run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from sendiass_desktop import __version__
from tests.conftest import REPO

BUILD_ENV = "SENDIASS_BUILD_INSTALLER"
BUNDLE = REPO / "dist" / "sendiass-desktop"
PASSWORD = "correct horse battery"

# The same gnome-keyring set-up as tests/integration/test_secret_service.py.
KEYRING_PASSWORD = "sendiass-test-login-keyring"
UNLOCK_KEYRING = (
    'printf %s "$SENDIASS_TEST_KEYRING_PASSWORD" '
    "| gnome-keyring-daemon --unlock --components=secrets >/dev/null && "
)


def _clean_env(home: Path) -> dict[str, str]:
    """The environment of a user who has never run the app: no source tree, no test keyring."""
    drop = {"PYTHONPATH", "PYTHONHOME", "PYTHON_KEYRING_BACKEND", "SENDIASS_TEST_KEYRING_FILE",
            "SENDIASS_STATE_DIR", "SENDIASS_STORE", "VIRTUAL_ENV", "DBUS_SESSION_BUS_ADDRESS",
            "DISPLAY", "WAYLAND_DISPLAY", "GNOME_KEYRING_CONTROL"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update({
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "data"),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_STATE_HOME": str(home / "state"),
        "XDG_CACHE_HOME": str(home / "cache"),
        "QT_QPA_PLATFORM": "offscreen",
        "SENDIASS_KDF_CALIBRATION": "minimum",
    })
    return env


@pytest.fixture(scope="module")
def bundle() -> Path:
    if os.environ.get(BUILD_ENV) != "1":
        pytest.skip(f"building the bundle takes minutes: set {BUILD_ENV}=1 to run it")
    if not sys.platform.startswith("linux"):
        pytest.skip("the Linux build script; on Windows use installer/windows/build.ps1")
    build = subprocess.run(["bash", str(REPO / "scripts" / "build-linux.sh"), "--no-tar"],
                           cwd=REPO, capture_output=True, text=True, timeout=1800,
                           check=False)
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-4000:]
    assert "self-test passed" in build.stdout
    assert f"sendiass-admin {__version__}" in build.stdout
    return BUNDLE


# The first test builds the bundle (module fixture), which pytest-timeout counts as its own.
BUILD_TIMEOUT = pytest.mark.timeout(1800)


@BUILD_TIMEOUT
@pytest.mark.installer
def test_bundle_self_test_passes_every_step(bundle: Path, tmp_path: Path) -> None:
    run = subprocess.run([str(bundle / "sendiass-desktop"), "--self-test"],
                         env=_clean_env(tmp_path), capture_output=True, text=True,
                         timeout=300, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == f"SENDIASS Desktop {__version__} self-test (installed build)"
    assert not [line for line in lines if line.startswith("FAILED")]
    for expected in ("ok: sqlcipher 4.", "ok: store check passed", "ok: PDF drawn",
                     "ok: bank holidays", "ok: demo-data generator",
                     "ok: keyring back-ends present", "ok: qt "):
        assert any(line.startswith(expected) for line in lines), expected
    if _installed("pypdfium2"):  # the build used this same environment
        assert any(line.startswith("ok: PDF preview (PDFium)") for line in lines)
    assert lines[-1] == "self-test passed"
    assert "Traceback" not in run.stderr


@BUILD_TIMEOUT
@pytest.mark.installer
def test_bundle_has_both_programs_and_only_the_needed_qt_platforms(bundle: Path) -> None:
    assert os.access(bundle / "sendiass-desktop", os.X_OK)
    assert os.access(bundle / "sendiass-admin", os.X_OK)
    internal = bundle / "_internal"
    platforms = {p.name for p in (internal / "PySide6" / "Qt" / "plugins" / "platforms").iterdir()}
    assert {"libqxcb.so", "libqoffscreen.so"} <= platforms
    assert "libqvnc.so" not in platforms and "libqeglfs.so" not in platforms
    assert not list(internal.glob("libgtk-3.so*"))
    assert not list(internal.rglob("tkinter")) and not list(internal.rglob("numpy"))
    assert (internal / "sendiass_desktop" / "resources" / "fonts" / "DejaVuSans.ttf").is_file()
    assert (internal / "sendiass_desktop" / "resources" / "icons" / "app-256.png").is_file()
    assert list(internal.glob("keyring-*.dist-info/entry_points.txt"))
    # Only the English Faker locales (see installer/hooks/hook-faker.py).
    person = internal / "faker" / "providers" / "person"
    assert {p.name for p in person.iterdir() if p.is_dir()} <= {"en", "en_GB", "en_US"}


@BUILD_TIMEOUT
@pytest.mark.installer
def test_bundled_admin_sets_up_a_store_with_demo_data(bundle: Path, tmp_path: Path) -> None:
    env = _clean_env(tmp_path)
    store = tmp_path / "share" / "service.sendiass"
    admin = [str(bundle / "sendiass-admin"), "--store", str(store)]

    def run(*argv: str, stdin: str = PASSWORD + "\n") -> str:
        proc = subprocess.run([*admin, *argv], input=stdin, env=env, capture_output=True,
                              text=True, timeout=300, check=False)
        assert proc.returncode == 0, (argv, proc.stdout, proc.stderr)
        return proc.stdout

    run("init", "--admin-user", "jo", "--password-stdin", "--no-device-binding",
        "--recovery-key-out", str(tmp_path / "recovery.txt"),
        "--recovery-sheet", str(tmp_path / "sheet.pdf"))
    assert (tmp_path / "sheet.pdf").read_bytes().startswith(b"%PDF")
    out = run("--user", "jo", "--password-stdin", "demo-data", "--cases", "15", "--seed", "3")
    assert "15 synthetic cases" in out
    assert run("--user", "jo", "--password-stdin", "check").startswith("OK")
    backup = tmp_path / "backup.sendiass"
    run("--user", "jo", "--password-stdin", "backup", "--out", str(backup))
    assert backup.is_file()


@BUILD_TIMEOUT
@pytest.mark.installer
def test_bundled_keyring_uses_the_real_secret_service(bundle: Path, tmp_path: Path) -> None:
    """Device binding from the bundle: keyring's entry points and Secret Service back-end."""
    missing = [t for t in ("dbus-run-session", "gnome-keyring-daemon") if not shutil.which(t)]
    if missing:
        pytest.skip(f"no Secret Service to test against ({', '.join(missing)} not found)")
    home = tmp_path / "home"
    home.mkdir()
    runtime = Path(tempfile.mkdtemp(prefix="sendiass-rt-"))
    env = _clean_env(home)
    store = tmp_path / "service.sendiass"
    admin = f'"{bundle / "sendiass-admin"}" --store "{store}"'
    env.update({"XDG_RUNTIME_DIR": str(runtime),
                "SENDIASS_TEST_KEYRING_PASSWORD": KEYRING_PASSWORD})
    script = (
        UNLOCK_KEYRING
        + f'printf "%s\\n" "{PASSWORD}" | {admin} init --admin-user jo --password-stdin '
        + f'--recovery-key-out "{tmp_path / "recovery.txt"}" && '
        + f'printf "%s\\n" "{PASSWORD}" | {admin} --user jo --password-stdin check'
    )
    try:
        run = subprocess.run(["dbus-run-session", "--", "sh", "-c", script], env=env,
                             capture_output=True, text=True, timeout=300, check=False)
    finally:
        shutil.rmtree(runtime, ignore_errors=True)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "device binding is OFF" not in run.stdout
    assert "OK:" in run.stdout
    # The device secret went into gnome-keyring's own keyring file.
    assert list((home / "data" / "keyrings").glob("*.keyring"))


@BUILD_TIMEOUT
@pytest.mark.installer
def test_linux_install_script_installs_and_removes_for_one_user(
    bundle: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = _clean_env(home)
    env["PATH"] = f"{home / '.local' / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    installed = subprocess.run(["sh", str(bundle / "install.sh"), "--user"], env=env,
                               capture_output=True, text=True, timeout=300, check=False)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    app = home / ".local" / "opt" / "sendiass-desktop"
    desktop = home / "data" / "applications" / "sendiass-desktop.desktop"
    assert (home / ".local" / "bin" / "sendiass-admin").resolve() == app / "sendiass-admin"
    entry = desktop.read_text(encoding="utf-8")
    assert f"Exec={app}/sendiass-desktop" in entry and "@APPDIR@" not in entry
    assert (home / "data" / "icons" / "hicolor" / "48x48" / "apps" / "sendiass-desktop.png"
            ).is_file()
    version = subprocess.run(["sendiass-admin", "--version"], env=env, capture_output=True,
                             text=True, timeout=60, check=False)
    assert version.stdout.strip() == f"sendiass-admin {__version__}"

    store = home / "data" / "sendiass-desktop" / "service.sendiass"
    store.parent.mkdir(parents=True)
    store.write_bytes(b"not really a store")
    removed = subprocess.run(["sh", str(app / "install.sh"), "--uninstall", "--user"], env=env,
                             capture_output=True, text=True, timeout=300, check=False)
    assert removed.returncode == 0, removed.stdout + removed.stderr
    assert not app.exists() and not desktop.exists()
    assert not (home / ".local" / "bin" / "sendiass-admin").exists()
    assert store.read_bytes() == b"not really a store"  # stores are never touched


def _installed(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


# --- cheap checks of the build inputs (always run) ------------------------------------


def test_generated_icons_match_the_packaged_copies() -> None:
    from PIL import Image

    source = REPO / "resources" / "icons"
    packaged = REPO / "sendiass_desktop" / "resources" / "icons"
    pngs = sorted(p.name for p in source.glob("app-*.png"))
    assert pngs == sorted(p.name for p in packaged.glob("app-*.png"))
    for name in pngs:
        assert (source / name).read_bytes() == (packaged / name).read_bytes(), name
        size = int(re.findall(r"\d+", name)[0])
        with Image.open(source / name) as image:
            assert image.size == (size, size)
    with Image.open(source / "app.ico") as ico:
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= set(ico.info["sizes"])


def test_faker_hook_keeps_only_english_locales() -> None:
    pytest.importorskip("PyInstaller", reason="pip install -e '.[build]'")
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "hook_faker", REPO / "installer" / "hooks" / "hook-faker.py")
    assert spec is not None and spec.loader is not None
    hook = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(hook)
    assert "faker.providers.person.en_GB" in hook.hiddenimports
    assert "faker.providers.address.en_GB" in hook.hiddenimports
    assert "faker.providers.lorem.la" in hook.hiddenimports  # lorem's own default
    assert "faker.providers.person.fr_FR" not in hook.hiddenimports
    assert not [m for m in hook.hiddenimports if ".de_DE" in m or ".ja_JP" in m]
    destinations = {Path(dest).as_posix() for _src, dest in hook.datas}
    assert "faker/providers/person/en_GB" in destinations
    assert "faker/providers/person/fr_FR" not in destinations


def test_windows_installer_script_takes_the_version_from_the_build() -> None:
    iss = (REPO / "installer" / "windows" / "sendiass-desktop.iss").read_text(encoding="utf-8")
    assert "#ifndef AppVersion" in iss and "{#AppVersion}" in iss
    assert "sendiass-admin.exe" in iss and "sendiass-desktop.exe" in iss
    assert "PrivilegesRequiredOverridesAllowed" in iss
    ps1 = (REPO / "installer" / "windows" / "build.ps1").read_text(encoding="utf-8")
    assert "sendiass_desktop.__version__" in ps1 or "__version__" in ps1
    assert "/DAppVersion=" in ps1 and "--self-test" in ps1


# --- the installation's store setting (sendiass_desktop/install_config.py) -----------


def test_install_config_names_the_shared_store(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from sendiass_desktop import install_config

    config = tmp_path / "Program" / install_config.FILE_NAME
    monkeypatch.setenv(install_config.CONFIG_ENV, str(config))
    assert install_config.configured_store_path() is None  # no file: the default applies

    install_config.write_store_path(config, Path("/srv/share/sendiass/service.sendiass"))
    assert install_config.configured_store_path() == Path("/srv/share/sendiass/service.sendiass")

    monkeypatch.setenv("SENDIASS_SHARE", str(tmp_path / "mapped"))
    config.write_text("[store]\npath = $SENDIASS_SHARE/service.sendiass\n", encoding="utf-8")
    assert install_config.configured_store_path() == tmp_path / "mapped" / "service.sendiass"

    config.write_text("[store]\npath = team/service.sendiass\n", encoding="utf-8")
    assert install_config.configured_store_path() == config.parent / "team" / "service.sendiass"

    # The installer's own format: a BOM, quotes, Windows line ends.
    config.write_bytes(b'\xef\xbb\xbf[store]\r\npath="/mnt/s/service.sendiass"\r\n')
    assert install_config.configured_store_path() == Path("/mnt/s/service.sendiass")

    for broken in ("not an ini file", "[store]\npath =\n", "[other]\npath = /x\n"):
        config.write_text(broken, encoding="utf-8")
        assert install_config.configured_store_path() is None, broken


def test_install_config_is_looked_for_beside_the_program_then_machine_wide(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sendiass_desktop import install_config

    monkeypatch.delenv(install_config.CONFIG_ENV, raising=False)
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "etc-xdg"))
    program = tmp_path / "Program"
    machine = tmp_path / "etc-xdg" / "sendiass-desktop" / install_config.FILE_NAME
    assert install_config.candidate_files() == [machine]  # not frozen: no program folder
    install_config.write_store_path(machine, Path("/machine/service.sendiass"))
    assert install_config.configured_store_path() == Path("/machine/service.sendiass")

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(program / "sendiass-desktop"))
    assert install_config.candidate_files()[0] == program / install_config.FILE_NAME
    install_config.write_store_path(program / install_config.FILE_NAME,
                                    Path("/beside/service.sendiass"))
    assert install_config.configured_store_path() == Path("/beside/service.sendiass")
