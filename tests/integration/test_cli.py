"""sendiass-admin: the scriptable forms from the issue, exactly as written."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader

from sendiass_desktop.cli import EXIT_AUTH, EXIT_DAMAGED, EXIT_FAILED, EXIT_OK, EXIT_USAGE, main
from sendiass_desktop.domain.recovery_key import parse_recovery_key
from tests.conftest import PYTHON, cli_env

PW = "correct horse battery"


def run(args: list[str], stdin: str = "") -> tuple[int, str]:
    out = io.StringIO()
    code = main(args, stdin=io.StringIO(stdin), stdout=out)
    return code, out.getvalue()


@pytest.fixture
def initialised(tmp_path: Path, memory_keyring: object) -> Path:
    store = tmp_path / "service.sendiass"
    code, out = run(
        ["--store", str(store), "init", "--admin-user", "alice", "--password-stdin",
         "--recovery-key-out", str(tmp_path / "recovery.txt"),
         "--recovery-sheet", str(tmp_path / "sheet.pdf")],
        PW + "\n",
    )
    assert code == EXIT_OK, out
    return store


def as_alice(store: Path, *args: str, stdin: str = "") -> tuple[int, str]:
    return run(["--store", str(store), "--user", "alice", "--password-stdin", *args],
               PW + "\n" + stdin)


def test_init_writes_recovery_key_and_sheet(initialised: Path, tmp_path: Path) -> None:
    key_text = (tmp_path / "recovery.txt").read_text().strip()
    parse_recovery_key(key_text)  # well-formed with a valid checksum
    reader = PdfReader(tmp_path / "sheet.pdf")
    text = "".join(page.extract_text() for page in reader.pages)
    for group in key_text.split("-"):
        assert group in text
    assert (tmp_path / "recovery.txt").stat().st_mode & 0o077 == 0


def test_init_refuses_existing_store(initialised: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run(["--store", str(initialised), "init", "--admin-user", "x1", "--password-stdin",
                   "--recovery-key-out", str(tmp_path / "r2.txt")], PW + "\n")
    assert code != EXIT_OK
    assert "already exists" in capsys.readouterr().err


def test_user_add_list_disable_and_passwd(initialised: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, out = as_alice(initialised, "user", "add", "bob", "--role", "officer",
                         "--new-password-stdin", stdin="staple orange lantern\n")
    assert code == EXIT_OK and "Added bob" in out
    code, out = as_alice(initialised, "user", "list")
    assert "bob\tofficer\tactive" in out and "alice\tadmin\tactive" in out
    # bob changes his own password: current on line 1, new on line 2
    code, out = run(["--store", str(initialised), "--user", "bob", "--password-stdin", "user",
                     "passwd", "--new-password-stdin"],
                    "staple orange lantern\nmy new pass phrase\n")
    assert code == EXIT_OK, capsys.readouterr().err
    code, _ = run(["--store", str(initialised), "--user", "bob", "--password-stdin", "check"],
                  "staple orange lantern\n")
    assert code == EXIT_AUTH
    code, out = as_alice(initialised, "user", "disable", "bob")
    assert code == EXIT_OK
    code, _ = run(["--store", str(initialised), "--user", "bob", "--password-stdin", "check"],
                  "my new pass phrase\n")
    assert code == EXIT_AUTH


def test_officer_cannot_add_users(initialised: Path, capsys: pytest.CaptureFixture[str]) -> None:
    as_alice(initialised, "user", "add", "bob", "--role", "officer", "--new-password-stdin",
             stdin="staple orange lantern\n")
    capsys.readouterr()
    code, _ = run(["--store", str(initialised), "--user", "bob", "--password-stdin", "user",
                   "add", "eve", "--role", "admin"], "staple orange lantern\n")
    assert code == EXIT_AUTH
    assert "does not allow" in capsys.readouterr().err


def test_check_verify_backup_restore_rekey(initialised: Path, tmp_path: Path) -> None:
    assert as_alice(initialised, "check")[0] == EXIT_OK
    code, out = as_alice(initialised, "verify-audit")
    assert code == EXIT_OK and "intact" in out
    backup = tmp_path / "backups" / "monday.sendiass"
    code, out = as_alice(initialised, "backup", "--out", str(backup))
    assert code == EXIT_OK and backup.exists() and Path(str(backup) + ".keys").exists()
    assert as_alice(initialised, "rekey")[0] == EXIT_OK
    assert as_alice(initialised, "check")[0] == EXIT_OK
    code, out = as_alice(initialised, "restore", str(backup))
    assert code == EXIT_OK and "kept as" in out
    assert as_alice(initialised, "check")[0] == EXIT_OK
    assert run(["--store", str(initialised), "--recovery-key-file", str(tmp_path / "recovery.txt"),
                "check"])[0] == EXIT_OK


def test_rekey_with_new_recovery_key(initialised: Path, tmp_path: Path) -> None:
    code, _ = as_alice(initialised, "rekey", "--new-recovery-key-out", str(tmp_path / "new.txt"))
    assert code == EXIT_OK
    old = ["--store", str(initialised), "--recovery-key-file", str(tmp_path / "recovery.txt")]
    new = ["--store", str(initialised), "--recovery-key-file", str(tmp_path / "new.txt")]
    assert run([*old, "verify-audit"])[0] == EXIT_AUTH
    assert run([*new, "verify-audit"])[0] == EXIT_OK


def test_enrol_a_new_machine(initialised: Path, tmp_path: Path, memory_keyring) -> None:  # type: ignore[no-untyped-def]
    memory_keyring.secrets.clear()  # a different computer: no device secret
    assert as_alice(initialised, "check")[0] == EXIT_AUTH
    code, out = run(["--store", str(initialised), "--recovery-key-file",
                     str(tmp_path / "recovery.txt"), "enrol"])
    assert code == EXIT_OK and "enrolled" in out
    assert as_alice(initialised, "check")[0] == EXIT_OK


def test_check_fails_on_tampered_audit(initialised: Path) -> None:
    import sqlcipher3  # noqa: F401  (the store is tampered with through SQLCipher itself)

    from sendiass_desktop.services.session import StoreLocation, unlock_with_password

    s = unlock_with_password(StoreLocation.of(initialised), "alice", PW)
    conn = s.conn
    conn.execute("DROP TRIGGER audit_log_no_update")
    conn.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
    s.conn.close()
    s.closed = True
    assert as_alice(initialised, "verify-audit")[0] == EXIT_FAILED
    assert as_alice(initialised, "check")[0] == EXIT_FAILED


def test_usage_errors_are_one_line(tmp_path: Path, memory_keyring: object,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run(["--store", str(tmp_path / "none.sendiass"), "check"])
    assert code == EXIT_USAGE
    err = capsys.readouterr().err.strip()
    assert err.startswith("sendiass-admin:") and "\n" not in err
    code, _ = run(["--store", str(tmp_path / "none.sendiass"), "--user", "a1", "--password-stdin",
                   "check"], "whatever password\n")
    err = capsys.readouterr().err.strip()
    assert code != EXIT_OK and "no store" in err.lower() and "\n" not in err


def test_real_process_errors_have_no_traceback(tmp_path: Path) -> None:
    env = cli_env(tmp_path)
    store = tmp_path / "s.sendiass"
    base = [PYTHON, "-m", "sendiass_desktop.cli", "--store", str(store)]
    created = subprocess.run(
        [*base, "init", "--admin-user", "alice", "--password-stdin", "--recovery-key-out",
         str(tmp_path / "r.txt")], input=PW + "\n", capture_output=True, text=True, env=env,
        timeout=120,
    )
    assert created.returncode == 0, created.stderr
    def check(argv: list[str], stdin: str | None, expected: int) -> None:
        proc = subprocess.run(argv, input=stdin, capture_output=True, text=True, env=env,
                              timeout=120)
        assert proc.returncode == expected, (argv, proc.stderr)
        assert "Traceback" not in proc.stderr
        if expected != EXIT_OK:
            lines = proc.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("sendiass-admin: ")

    check([*base, "--user", "alice", "--password-stdin", "check"], "wrong password here\n",
          EXIT_AUTH)
    check([*base, "--recovery-key-file", str(tmp_path / "r.txt"), "check"], None, EXIT_OK)
    (tmp_path / "bad.txt").write_text("0000-0000")
    check([*base, "--recovery-key-file", str(tmp_path / "bad.txt"), "check"], None, EXIT_USAGE)
    store.with_name("s.sendiass.keys").write_text("{garbage")
    # The spare copy still holds the current slots: the store opens.
    check([*base, "--user", "alice", "--password-stdin", "check"], PW + "\n", EXIT_OK)
    store.with_name("s.sendiass.keys.bak").write_text("{garbage")
    check([*base, "--user", "alice", "--password-stdin", "check"], PW + "\n", EXIT_DAMAGED)
