"""The store's security properties, against a real SQLCipher store on disk.

No mocks: real Argon2id (at its floor), real SQLCipher files, real key files.
The only stand-in is the in-memory keyring (the OS credential store).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import keyring
import keyring.backends.fail
import pytest
import sqlcipher3

from sendiass_desktop.domain.audit import AuditAction, entry_hash
from sendiass_desktop.domain.errors import InvalidInput, SendiassError
from sendiass_desktop.domain.recovery_key import (
    ALPHABET,
    format_recovery_key,
    generate_recovery_key,
)
from sendiass_desktop.domain.roles import Role
from sendiass_desktop.services import store_admin, users
from sendiass_desktop.services.session import (
    Session,
    StoreLocation,
    unlock_with_password,
    unlock_with_recovery_key,
)
from sendiass_desktop.services.setup import create_store
from sendiass_desktop.store import audit_log, kdf, keyslots
from sendiass_desktop.store.connection import open_connection
from sendiass_desktop.store.device import SERVICE
from sendiass_desktop.store.errors import (
    HeaderDamaged,
    HeaderTampered,
    LockedOut,
    MachineNotEnrolled,
    NoCredentialStore,
    StoreDamaged,
    WrongCredentials,
    WrongRecoveryKey,
)
from sendiass_desktop.store.keywrap import random_key
from sendiass_desktop.store.lockout import LoginAttempts
from tests.conftest import ADMIN, ADMIN_PASSWORD, OFFICER, OFFICER_PASSWORD, StoreFixture
from tests.support.memory_keyring import MemoryKeyring
from tests.support.store_files import (
    PAGE_SIZE,
    SALT_BYTES,
    copy_store_files,
    files_containing,
    fingerprint,
    flip_bit,
    remove_sidecars,
)

MARKER = "MARKER-7f3a9c"
Statement = tuple[str, tuple[Any, ...]]


# --- helpers ---------------------------------------------------------------------


def _alice(location: StoreLocation, **kwargs) -> Session:
    return unlock_with_password(location, ADMIN, ADMIN_PASSWORD, **kwargs)


def _refused(folder: Path, expected: type[SendiassError] | tuple[type[SendiassError], ...],
             action: Callable[[], object]) -> SendiassError:
    """``action`` must fail with a clear, user-facing error and change no file in ``folder``."""
    before = fingerprint(folder)
    assert before, "nothing to protect: the folder is empty"
    with pytest.raises(SendiassError) as info:
        action()
    exc = info.value
    assert isinstance(exc, expected), f"got {type(exc).__name__}: {exc}"
    message = str(exc)
    assert message.strip(), "the error has no message"
    assert "Traceback" not in message
    assert ADMIN_PASSWORD not in message and OFFICER_PASSWORD not in message
    assert fingerprint(folder) == before, "a failed unlock changed a file"
    return exc


def _audit_rows(session: Session) -> list[audit_log.AuditEntry]:
    return list(audit_log.iter_entries(session.conn))


def _header_doc(fx: StoreFixture) -> dict[str, Any]:
    return json.loads(keyslots.header_path(fx.path).read_bytes())


def _write_header_doc(fx: StoreFixture, doc: dict[str, Any]) -> None:
    keyslots.header_path(fx.path).write_text(json.dumps(doc, indent=2))


def _flip_b64(text: str, index: int = 5) -> str:
    raw = bytearray(base64.b64decode(text))
    raw[index] ^= 0x01
    return base64.b64encode(bytes(raw)).decode("ascii")


def _slot(doc: dict[str, Any], username: str) -> dict[str, Any]:
    return next(s for s in doc["password_slots"] if s["username"] == username)


@pytest.fixture
def other_store(tmp_path: Path, memory_keyring: MemoryKeyring) -> StoreFixture:
    """A second, unrelated store on the same machine, with the same admin and password."""
    location = StoreLocation.of(tmp_path / "other" / "other.sendiass")
    result = create_store(location, admin_username=ADMIN, admin_password=ADMIN_PASSWORD)
    return StoreFixture(location.path, result.recovery_key, result.store_id)


# --- 1. nothing readable on disk ------------------------------------------------------


def test_no_plaintext_on_disk(store: StoreFixture, tmp_path: Path,
                              monkeypatch: pytest.MonkeyPatch) -> None:
    # Any temporary file SQLite (or we) might write goes here, so we can look at it.
    scratch = tmp_path / "tmpdir"
    scratch.mkdir()
    monkeypatch.setenv("SQLITE_TMPDIR", str(scratch))
    monkeypatch.setenv("TMPDIR", str(scratch))
    roots = [store.path.parent, scratch] + [
        Path(os.environ[name])
        for name in ("SENDIASS_STATE_DIR", "XDG_DATA_HOME", "XDG_STATE_HOME",
                     "XDG_CONFIG_HOME", "XDG_CACHE_HOME")
    ]

    # The scanner works: it finds the marker in each form it looks for.
    control = tmp_path / "control"
    control.mkdir()
    (control / "utf16").write_bytes(b"xx" + MARKER.encode("utf-16-le") + b"yy")
    (control / "utf8").write_bytes(b"xx" + MARKER.encode() + b"yy")
    assert len(files_containing(MARKER, [control])) == 2
    shutil.rmtree(control)

    # A wrong password first, so the login-attempts file exists and is scanned too.
    with pytest.raises(WrongCredentials):
        unlock_with_password(store.location, OFFICER, "not the password " + MARKER)

    session = _alice(store.location)
    users.add_user(session, "carol", Role.OFFICER, display_name=f"Carol {MARKER}",
                   password="lantern orange staple 9")
    for i in range(40):
        session.audit(AuditAction.RECORD_CREATED, "test", str(i), {"text": f"{MARKER} #{i}"})
    # A query that sorts, which SQLite may spill to temporary storage.
    rows = session.conn.execute(
        "SELECT detail FROM audit_log WHERE detail LIKE ? ORDER BY detail DESC", (f"%{MARKER}%",)
    ).fetchall()
    assert len(rows) == 40  # the marker really is in the store
    assert any(MARKER in u.display_name for u in users.list_users(session))

    wal = store.path.with_name(store.path.name + "-wal")
    assert wal.is_file() and wal.stat().st_size > 0, "the test needs a WAL with content"
    assert files_containing(MARKER, roots) == [], "marker readable while the store is open"

    session.close()
    for path in [store.path, keyslots.header_path(store.path),
                 keyslots.header_backup_path(store.path)]:
        assert path.is_file()
    assert files_containing(MARKER, roots) == [], "marker readable after the store is closed"
    assert not store.path.read_bytes().startswith(b"SQLite format 3")


# --- 2. failures are clear and change nothing ------------------------------------------


def test_wrong_password(store: StoreFixture) -> None:
    _refused(store.path.parent, WrongCredentials,
             lambda: unlock_with_password(store.location, ADMIN, "not the right password"))


def test_unknown_user(store: StoreFixture) -> None:
    _refused(store.path.parent, WrongCredentials,
             lambda: unlock_with_password(store.location, "mallory", ADMIN_PASSWORD))


def test_wrong_recovery_key(store: StoreFixture) -> None:
    other_key = format_recovery_key(generate_recovery_key())
    _refused(store.path.parent, WrongRecoveryKey,
             lambda: unlock_with_recovery_key(store.location, other_key))


def test_mistyped_recovery_key_is_caught_by_its_checksum(store: StoreFixture,
                                                         tmp_path: Path) -> None:
    key = store.recovery_key
    i = 7  # a character in the second group
    replacement = next(c for c in ALPHABET if c != key[i].upper())
    typo = key[:i] + replacement + key[i + 1:]
    exc = _refused(store.path.parent, InvalidInput,
                   lambda: unlock_with_recovery_key(store.location, typo))
    assert key not in str(exc)
    # "Before any crypto": the checksum is checked before the store is even looked
    # for, so a location with no store at all gives the same answer.
    nowhere = StoreLocation.of(tmp_path / "no-such-folder" / "x.sendiass")
    with pytest.raises(InvalidInput):
        unlock_with_recovery_key(nowhere, typo)


def test_copied_store_on_a_machine_without_the_device_secret(store: StoreFixture,
                                                             tmp_path: Path) -> None:
    copy = copy_store_files(store.path, tmp_path / "stolen")
    keyring.set_keyring(MemoryKeyring())  # another machine: an empty credential store
    _refused(copy.parent, MachineNotEnrolled,
             lambda: _alice(StoreLocation.of(copy)))


def test_machine_with_no_credential_store(store: StoreFixture) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    exc = _refused(store.path.parent, NoCredentialStore, lambda: _alice(store.location))
    assert "gnome-keyring" in str(exc)


@pytest.mark.parametrize(
    "size",
    [
        pytest.param(lambda n: n // 2, id="half"),
        pytest.param(lambda n: 100, id="100-bytes"),
        pytest.param(lambda n: 0, id="empty"),
    ],
)
def test_truncated_store(store: StoreFixture, size: Callable[[int], int]) -> None:
    data = store.path.read_bytes()
    store.path.write_bytes(data[: size(len(data))])
    _refused(store.path.parent, StoreDamaged, lambda: _alice(store.location))
    _refused(store.path.parent, StoreDamaged,
             lambda: unlock_with_recovery_key(store.location, store.recovery_key))


def test_bit_flip_in_page_one(store: StoreFixture) -> None:
    flip_bit(store.path, SALT_BYTES + 200, bit=3)
    _refused(store.path.parent, StoreDamaged, lambda: _alice(store.location))


def _grow(fx: StoreFixture, entries: int = 150) -> None:
    session = _alice(fx.location)
    for i in range(entries):
        session.audit(AuditAction.RECORD_CREATED, "test", str(i), {"text": "x" * 200})
    session.close()


def _flipped_page_outcome(fx: StoreFixture, page: int) -> str:
    """Flip a bit in ``page`` (1-based); the store must refuse or its check must object.

    Returns how it was caught. Raises AssertionError for a raw (non-user) error.
    """
    flip_bit(fx.path, (page - 1) * PAGE_SIZE + SALT_BYTES + 300, bit=5)
    before = fingerprint(fx.path.parent)
    try:
        session = _alice(fx.location, read_only=True)
    except SendiassError as exc:
        assert str(exc).strip()
        outcome = "refused at unlock"
    except Exception as exc:
        raise AssertionError(f"page {page}: raw {type(exc).__name__}: {exc}") from None
    else:
        try:
            report = store_admin.check_store(session)
        finally:
            session.close()
        assert not report.ok, f"page {page}: check_store did not notice the flipped bit"
        assert any("integrity" in p or "damaged" in p for p in report.problems)
        outcome = "found by check"
    assert fingerprint(fx.path.parent) == before, f"page {page}: the damaged store was written"
    return outcome


def test_bit_flip_in_a_middle_page(store: StoreFixture) -> None:
    _grow(store)
    pages = store.path.stat().st_size // PAGE_SIZE
    assert pages >= 10
    original = store.path.read_bytes()
    outcome = _flipped_page_outcome(store, pages // 2 + 1)
    assert outcome in {"refused at unlock", "found by check"}
    # Nothing was "repaired" behind our back: only our flipped bit differs.
    damaged = store.path.read_bytes()
    assert len(damaged) == len(original)
    assert sum(a != b for a, b in zip(damaged, original, strict=True)) == 1


def test_bit_flip_in_any_page_gives_a_clear_error(store: StoreFixture) -> None:
    _grow(store, 60)
    remove_sidecars(store.path)
    original = store.path.read_bytes()
    raw: list[str] = []
    for page in range(2, len(original) // PAGE_SIZE + 1):
        try:
            _flipped_page_outcome(store, page)
        except AssertionError as exc:
            raw.append(str(exc))
        store.path.write_bytes(original)
        remove_sidecars(store.path)
    assert not raw, "\n".join(raw)


# Header damage. Each mutation edits the key file in place.


def _invalid_json(fx: StoreFixture, other: StoreFixture) -> None:
    path = keyslots.header_path(fx.path)
    path.write_bytes(path.read_bytes()[:-40])


def _empty_header(fx: StoreFixture, other: StoreFixture) -> None:
    keyslots.header_path(fx.path).write_bytes(b"")


def _flip_wrapped_private(fx: StoreFixture, other: StoreFixture) -> None:
    doc = _header_doc(fx)
    slot = _slot(doc, ADMIN)["wrapped_private_key"]
    slot["ciphertext"] = _flip_b64(slot["ciphertext"])
    _write_header_doc(fx, doc)


def _flip_sealed_data_key(fx: StoreFixture, other: StoreFixture) -> None:
    doc = _header_doc(fx)
    sealed = _slot(doc, ADMIN)["sealed_data_key"]
    sealed["ciphertext"] = _flip_b64(sealed["ciphertext"])
    _write_header_doc(fx, doc)


def _swap_store_id(fx: StoreFixture, other: StoreFixture) -> None:
    doc = _header_doc(fx)
    doc["store_id"] = other.store_id
    _write_header_doc(fx, doc)


def _edit_created_at(fx: StoreFixture, other: StoreFixture) -> None:
    doc = _header_doc(fx)
    doc["created_at"] = "2001-01-01T00:00:00+00:00"
    _write_header_doc(fx, doc)


def _weaken_kdf(fx: StoreFixture, other: StoreFixture) -> None:
    doc = _header_doc(fx)
    _slot(doc, ADMIN)["kdf"]["memory_kib"] = 8 * 1024
    _write_header_doc(fx, doc)


def _foreign_header(fx: StoreFixture, other: StoreFixture) -> None:
    shutil.copyfile(keyslots.header_path(other.path), keyslots.header_path(fx.path))


_UNREADABLE = {"invalid-json": _invalid_json, "empty": _empty_header}
_READABLE: dict[str, tuple[Callable[[StoreFixture, StoreFixture], None],
                           tuple[type[SendiassError], ...]]] = {
    # A damaged slot cannot be told apart from a wrong password.
    "flipped-private-key-ciphertext": (_flip_wrapped_private, (WrongCredentials,)),
    "flipped-data-key-ciphertext": (_flip_sealed_data_key, (WrongCredentials,)),
    # The store id salts every slot's key derivation (and names the device secret).
    "store-id-of-another-store": (_swap_store_id, (WrongCredentials, MachineNotEnrolled)),
    "edited-outside-the-app": (_edit_created_at, (HeaderTampered,)),
    "weakened-kdf": (_weaken_kdf, (HeaderDamaged,)),
    "header-of-another-store": (_foreign_header, (HeaderTampered, StoreDamaged)),
}


@pytest.mark.parametrize("with_bak", [True, False], ids=["with-bak", "without-bak"])
@pytest.mark.parametrize("mutation", sorted(_READABLE))
def test_damaged_or_swapped_key_file(store: StoreFixture, other_store: StoreFixture,
                                     mutation: str, with_bak: bool) -> None:
    mutate, expected = _READABLE[mutation]
    if not with_bak:
        keyslots.header_backup_path(store.path).unlink()
    assert keyslots.header_backup_path(store.path).exists() == with_bak
    mutate(store, other_store)
    _refused(store.path.parent, expected, lambda: _alice(store.location))


@pytest.mark.parametrize("mutation", sorted(_UNREADABLE))
def test_unreadable_key_file_without_bak(store: StoreFixture, mutation: str) -> None:
    keyslots.header_backup_path(store.path).unlink()
    _UNREADABLE[mutation](store, store)
    _refused(store.path.parent, HeaderDamaged, lambda: _alice(store.location))
    _refused(store.path.parent, HeaderDamaged,
             lambda: unlock_with_recovery_key(store.location, store.recovery_key))


@pytest.mark.parametrize("mutation", sorted(_UNREADABLE))
def test_unreadable_key_file_and_bak(store: StoreFixture, mutation: str) -> None:
    _UNREADABLE[mutation](store, store)
    keyslots.header_backup_path(store.path).write_bytes(b"{")
    _refused(store.path.parent, HeaderDamaged, lambda: _alice(store.location))


@pytest.mark.parametrize("mutation", sorted(_UNREADABLE))
def test_unreadable_key_file_falls_back_to_bak(store: StoreFixture, mutation: str) -> None:
    # The spare copy always holds the current slots (never older ones), so
    # everyone still signs in when the main key file is damaged.
    bak = keyslots.read_file(keyslots.header_backup_path(store.path))
    assert bak == keyslots.read_file(keyslots.header_path(store.path))
    assert bak.slot_for(OFFICER) is not None and bak.slot_for(ADMIN) is not None
    _UNREADABLE[mutation](store, store)
    for user, password in ((OFFICER, OFFICER_PASSWORD), (ADMIN, ADMIN_PASSWORD)):
        session = unlock_with_password(store.location, user, password)
        try:
            assert session.header == bak
        finally:
            session.close()


# --- 3. device binding off -----------------------------------------------------------


def test_store_without_device_binding_opens_anywhere(store: StoreFixture, tmp_path: Path,
                                                     memory_keyring: MemoryKeyring) -> None:
    secrets_before = dict(memory_keyring.secrets)
    unbound = StoreLocation.of(tmp_path / "unbound" / "unbound.sendiass")
    create_store(unbound, admin_username=ADMIN, admin_password=ADMIN_PASSWORD,
                 device_binding=False)
    assert memory_keyring.secrets == secrets_before, "an unbound store stored a device secret"
    header = keyslots.read(unbound.path)
    assert not header.device_binding and header.recovery.sealed_device_secret is None

    for machine in (MemoryKeyring(), keyring.backends.fail.Keyring()):
        keyring.set_keyring(machine)
        copy = copy_store_files(unbound.path, tmp_path / f"copy-{type(machine).__name__}")
        session = _alice(StoreLocation.of(copy))
        assert session.user.username == ADMIN
        session.close()

    # The device-bound store on the same empty machine does not open.
    keyring.set_keyring(MemoryKeyring())
    with pytest.raises(MachineNotEnrolled):
        _alice(store.location)


# --- 4. enrolling a new machine --------------------------------------------------------


def test_enrol_a_new_machine_with_the_recovery_key(store: StoreFixture,
                                                   tmp_path: Path) -> None:
    copy = StoreLocation.of(copy_store_files(store.path, tmp_path / "new-laptop"))
    new_machine = MemoryKeyring()
    keyring.set_keyring(new_machine)
    _refused(copy.path.parent, MachineNotEnrolled, lambda: _alice(copy))

    session, device_secret = unlock_with_recovery_key(copy, store.recovery_key)
    assert device_secret is not None and len(device_secret) == 32
    assert store_admin.enrol_this_machine(session, device_secret) is True
    session.close()
    assert new_machine.get_password(SERVICE, f"device-secret:{store.store_id}")

    session = _alice(copy)
    assert [e.action for e in _audit_rows(session)].count(
        AuditAction.MACHINE_ENROLLED.value) == 1
    session.close()
    unlock_with_password(copy, OFFICER, OFFICER_PASSWORD).close()


# --- 5. back-off after wrong passwords -------------------------------------------------


def test_back_off_after_wrong_passwords(store: StoreFixture, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    attempts = LoginAttempts(tmp_path / "attempts")
    clock = [1_800_000_000.0]
    monkeypatch.setattr(time, "time", lambda: clock[0])
    derivations = [0]
    real_derive = kdf.derive

    def counting_derive(*args, **kwargs):
        derivations[0] += 1
        return real_derive(*args, **kwargs)

    monkeypatch.setattr(kdf, "derive", counting_derive)

    def alice(password: str) -> Session:
        return unlock_with_password(store.location, ADMIN, password, attempts=attempts)

    for _ in range(3):
        with pytest.raises(WrongCredentials):
            alice("not the right password")
    assert derivations[0] == 3

    # Locked out, even with the right password, and without deriving any key.
    with pytest.raises(LockedOut) as info:
        alice(ADMIN_PASSWORD)
    assert info.value.seconds > 0
    assert "Wait" in str(info.value)
    with pytest.raises(LockedOut):
        alice("another guess")
    assert derivations[0] == 3

    # The lock-out is per account: bob is not affected.
    unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD, attempts=attempts).close()

    # Time passes: the right password gets in, and the failures are audited.
    clock[0] += info.value.seconds + 1
    session = alice(ADMIN_PASSWORD)
    rows = _audit_rows(session)
    failures = [r for r in rows if r.action == AuditAction.LOGIN_FAILURES.value]
    assert len(failures) == 1
    assert json.loads(failures[0].detail) == {"failed_attempts": 3}
    assert failures[0].target_id == ADMIN
    assert rows[-1].action == AuditAction.LOGIN.value and rows[-1].seq == failures[0].seq + 1
    session.close()
    assert attempts.wait_seconds(store.store_id, ADMIN) == 0

    # The wait grows: four more wrong passwords lock for longer than three did.
    for _ in range(3):
        with pytest.raises(WrongCredentials):
            alice("wrong again, sorry")
    first_wait = attempts.wait_seconds(store.store_id, ADMIN)
    clock[0] += first_wait + 1
    with pytest.raises(WrongCredentials):
        alice("and once more")
    assert attempts.wait_seconds(store.store_id, ADMIN) > first_wait


# --- 6. rotating the data key ----------------------------------------------------------


@pytest.mark.parametrize("new_recovery_key", [False, True], ids=["same-rk", "new-rk"])
def test_rekey(store: StoreFixture, new_recovery_key: bool) -> None:
    old_header = keyslots.header_path(store.path).read_bytes()
    session = _alice(store.location)
    old_key = session.data_key
    result = store_admin.rekey(session, new_recovery_key=new_recovery_key)
    new_key = session.data_key
    session.close()
    assert new_key != old_key
    assert not keyslots.has_staged_rekey(keyslots.read(store.path))

    # The store itself was re-encrypted: the old key opens nothing, the new one does.
    with pytest.raises(StoreDamaged):
        open_connection(store.path, old_key, read_only=True).close()
    open_connection(store.path, new_key, read_only=True).close()

    for name, password in ((ADMIN, ADMIN_PASSWORD), (OFFICER, OFFICER_PASSWORD)):
        session = unlock_with_password(store.location, name, password)
        assert session.data_key == new_key
        session.close()
    recovery = result.new_recovery_key if new_recovery_key else store.recovery_key
    assert recovery is not None
    session, _ = unlock_with_recovery_key(store.location, recovery)
    brk, _count = store_admin.verify_audit(session)
    assert brk is None
    session.close()
    if new_recovery_key:
        _refused(store.path.parent, WrongRecoveryKey,
                 lambda: unlock_with_recovery_key(store.location, store.recovery_key))

    # A copy of the key file from before the rekey no longer opens the store.
    keyslots.header_path(store.path).write_bytes(old_header)
    _refused(store.path.parent, StoreDamaged, lambda: _alice(store.location))
    if not new_recovery_key:
        _refused(store.path.parent, StoreDamaged,
                 lambda: unlock_with_recovery_key(store.location, store.recovery_key))


def _stage_rekey(fx: StoreFixture) -> tuple[bytes, bytes]:
    """Rekey step 1 only: the next data key is sealed into the key file on disk."""
    session = _alice(fx.location)
    current = session.data_key
    session.close()
    header = keyslots.read(fx.path)
    next_key = random_key()
    keyslots.write(fx.path, keyslots.stage_next_data_key(header, next_key, current))
    assert keyslots.has_staged_rekey(keyslots.read(fx.path))
    return current, next_key


def test_crash_before_pragma_rekey(store: StoreFixture) -> None:
    current, next_key = _stage_rekey(store)
    session = _alice(store.location)
    assert session.data_key == current
    session.close()
    header = keyslots.read(store.path)
    assert not keyslots.has_staged_rekey(header), "the staged key was not cleared"
    with pytest.raises(StoreDamaged):
        open_connection(store.path, next_key, read_only=True).close()
    for name, password in ((ADMIN, ADMIN_PASSWORD), (OFFICER, OFFICER_PASSWORD)):
        unlock_with_password(store.location, name, password).close()
    session, _ = unlock_with_recovery_key(store.location, store.recovery_key)
    assert session.data_key == current
    session.close()


def test_crash_after_pragma_rekey_before_key_file_promoted(store: StoreFixture,
                                                           tmp_path: Path) -> None:
    current, next_key = _stage_rekey(store)
    conn = open_connection(store.path, current)
    conn.execute(f"PRAGMA rekey = \"x'{next_key.hex()}'\"")
    conn.close()
    with pytest.raises(StoreDamaged):
        open_connection(store.path, current, read_only=True).close()
    # The same crashed state, twice: one recovered by password, one by recovery key.
    twin = StoreLocation.of(copy_store_files(store.path, tmp_path / "twin"))

    session = _alice(store.location)
    assert session.data_key == next_key
    session.close()
    assert not keyslots.has_staged_rekey(keyslots.read(store.path))
    unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD).close()

    session, _ = unlock_with_recovery_key(twin, store.recovery_key)
    assert session.data_key == next_key
    session.close()
    assert not keyslots.has_staged_rekey(keyslots.read(twin.path))
    for name, password in ((ADMIN, ADMIN_PASSWORD), (OFFICER, OFFICER_PASSWORD)):
        unlock_with_password(twin, name, password).close()


# --- 7. the audit log is tamper-evident ------------------------------------------------


def _attacker(path: Path, data_key: bytes, *statements: Statement) -> None:
    """What someone holding the data key can do: drop the guards, edit, put them back."""
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    try:
        conn.execute(f"PRAGMA key = \"x'{data_key.hex()}'\"")
        triggers = conn.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_log'"
        ).fetchall()
        assert len(triggers) == 2
        conn.execute("BEGIN")
        for name, _sql in triggers:
            conn.execute(f"DROP TRIGGER {name}")
        for sql, params in statements:
            conn.execute(sql, params)
        for _name, sql in triggers:
            conn.execute(sql)
        conn.execute("COMMIT")
    finally:
        conn.close()


@pytest.fixture
def audited(store: StoreFixture) -> tuple[StoreFixture, bytes, list[audit_log.AuditEntry]]:
    session = _alice(store.location)
    for i in range(12):
        session.audit(AuditAction.RECORD_READ, "case", str(i), {"n": i})
    key = session.data_key
    session.close()
    session = _alice(store.location, read_only=True)
    rows = _audit_rows(session)
    session.close()
    return store, key, rows


def _forge(rows: list[audit_log.AuditEntry], after: int) -> list[Statement]:
    """Slip a well-formed entry in after ``after``, renumbering everything later."""
    prev = rows[after - 1]
    seq = after + 1
    at = prev.at
    detail = json.dumps({"n": 999})
    digest = entry_hash(prev.hash, seq, at, ADMIN, "record.read", "case", "999", detail)
    return [
        ("UPDATE audit_log SET seq = seq + 1000000 WHERE seq > ?", (after,)),
        ("UPDATE audit_log SET seq = seq - 1000000 + 1 WHERE seq > 1000000", ()),
        ("INSERT INTO audit_log (seq, at, actor, action, target_type, target_id, detail, "
         "prev_hash, hash) VALUES (?, ?, ?, 'record.read', 'case', '999', ?, ?, ?)",
         (seq, at, ADMIN, detail, prev.hash, digest)),
        ("UPDATE sqlite_sequence SET seq = seq + 1 WHERE name = 'audit_log'", ()),
    ]


_TAMPERS: dict[str, Callable[[list[audit_log.AuditEntry]], tuple[list[Statement], int]]] = {
    # name -> rows -> (statements, first broken seq)
    "edit-middle-detail": lambda rows: (
        [("UPDATE audit_log SET detail = ? WHERE seq = ?", ('{"n":-1}', len(rows) // 2))],
        len(rows) // 2),
    "delete-middle-row": lambda rows: (
        [("DELETE FROM audit_log WHERE seq = ?", (len(rows) // 2,))], len(rows) // 2),
    "delete-last-rows": lambda rows: (
        [("DELETE FROM audit_log WHERE seq > ?", (len(rows) - 2,))], len(rows) - 1),
    "append-forged-row": lambda rows: (
        [("INSERT INTO audit_log (seq, at, actor, action, detail, prev_hash, hash) "
          "VALUES (?, ?, 'alice', 'record.read', '{}', ?, ?)",
          (len(rows) + 1, rows[-1].at, rows[-1].hash, "ab" * 32))],
        len(rows) + 1),
    "insert-forged-row-in-the-middle": lambda rows: (_forge(rows, len(rows) // 2),
                                                     len(rows) // 2 + 2),
}


def test_untampered_audit_log_verifies(audited) -> None:
    fx, _key, rows = audited
    session = _alice(fx.location, read_only=True)
    brk, count = store_admin.verify_audit(session)
    assert brk is None and count == len(rows)
    session.close()
    session = _alice(fx.location, read_only=True)
    report = store_admin.check_store(session)
    session.close()
    assert report.ok, report.problems


@pytest.mark.parametrize("tamper", sorted(_TAMPERS))
def test_tampered_audit_log_names_the_first_broken_entry(audited, tamper: str) -> None:
    fx, key, rows = audited
    statements, first_broken = _TAMPERS[tamper](rows)
    _attacker(fx.path, key, *statements)

    session = _alice(fx.location, read_only=True)
    before = fingerprint(fx.path.parent)
    try:
        brk, _count = store_admin.verify_audit(session)
        assert brk is not None, "tampering went unnoticed"
        assert brk.seq == first_broken, brk.describe()
        report = store_admin.check_store(session)
        assert not report.ok
        assert any(f"Audit entry {first_broken}:" in p for p in report.problems), report.problems
        # The structure is fine: only the hash chain shows what happened.
        assert report.problems == [f"The audit log is broken: {brk.describe()}"]
    finally:
        session.close()
    assert fingerprint(fx.path.parent) == before, "checking a tampered log wrote to the store"


def test_triggers_stop_updates_and_deletes(audited) -> None:
    fx, _key, rows = audited
    session = _alice(fx.location)
    try:
        for sql in ("UPDATE audit_log SET detail = '{}' WHERE seq = 2",
                    "DELETE FROM audit_log WHERE seq = 2",
                    "DELETE FROM audit_log"):
            with pytest.raises(sqlcipher3.IntegrityError, match="append-only"):
                session.conn.execute(sql)
        assert _audit_rows(session)[: len(rows)] == rows
        brk, _ = store_admin.verify_audit(session)
        assert brk is None
    finally:
        session.close()


# --- 8. an independent SQLCipher implementation reads the store ------------------------


def test_independent_implementation_reads_the_store(store: StoreFixture) -> None:
    try:
        import apsw
    except ImportError:
        pytest.skip("apsw (from the 'apsw-sqlite3mc' package) is not installed; "
                    "pip install apsw-sqlite3mc to cross-check the SQLCipher format")
    if not hasattr(apsw, "mc_version"):
        pytest.skip("the installed apsw is not built with SQLite3 Multiple Ciphers "
                    "(install 'apsw-sqlite3mc', not plain 'apsw')")

    session = _alice(store.location)
    session.audit(AuditAction.RECORD_CREATED, "test", "1", {"text": "read me elsewhere"})
    key = session.data_key
    expected_users = [(u.username, u.display_name, u.role.value)
                      for u in users.list_users(session)]
    session.close()
    session = _alice(store.location, read_only=True)
    expected_audit = _audit_rows(session)
    session.close()

    def connect(key_hex: str | None):
        conn = apsw.Connection(str(store.path), flags=apsw.SQLITE_OPEN_READONLY)
        conn.execute("PRAGMA cipher = 'sqlcipher'")
        conn.execute("PRAGMA legacy = 4")
        if key_hex is not None:
            conn.execute(f"PRAGMA key = \"x'{key_hex}'\"")
        return conn

    conn = connect(key.hex())
    try:
        got_users = conn.execute(
            "SELECT username, display_name, role FROM users ORDER BY username").fetchall()
        got_audit = conn.execute(
            "SELECT seq, at, actor, action, target_type, target_id, detail, prev_hash, hash "
            "FROM audit_log ORDER BY seq").fetchall()
    finally:
        conn.close()
    assert [tuple(r) for r in got_users] == expected_users
    assert [audit_log.AuditEntry(*r) for r in got_audit] == expected_audit
    assert any("read me elsewhere" in r[6] for r in got_audit)

    # Without the key, or with another key, the same library reads nothing.
    for key_hex in (None, random_key().hex()):
        conn = connect(key_hex)
        with pytest.raises(apsw.Error):
            conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
        conn.close()


# --- old key slots must not linger beside the store ----------------------------------


def test_old_password_stops_working_after_a_password_change(store: StoreFixture) -> None:
    session = unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD)
    users.change_own_password(session, OFFICER_PASSWORD, "a brand new passphrase 7")
    session.close()
    # Someone with the old password and a copy of the folder (or write access to it).
    keyslots.header_path(store.path).write_bytes(b"{")
    try:
        session = unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD)
    except SendiassError:
        return
    session.close()
    pytest.fail("the old password still opens the store (through .keys.bak)")
