from __future__ import annotations

import contextlib
import errno
import json
import os
import uuid
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sendiass_desktop.store import kdf, keyslots, keywrap
from sendiass_desktop.store.errors import (
    DiskFull,
    HeaderDamaged,
    HeaderTampered,
    KeyFileUnreadable,
    StoreError,
    StoreReadOnly,
    StoreUnavailable,
    WrongRecoveryKey,
)
from sendiass_desktop.store.keywrap import UnwrapFailed


def make_header(device_binding: bool = True) -> tuple[keyslots.Header, bytes, bytes, bytes]:
    store_id = str(uuid.uuid4())
    data_key = keywrap.random_key()
    secret = keyslots.new_device_secret() if device_binding else b""
    recovery_key = os.urandom(32)
    recovery = keyslots.new_recovery_slot(store_id=store_id, recovery_key=recovery_key,
                                          data_key=data_key,
                                          device_secret=secret if device_binding else None)
    header = keyslots.new_header(store_id, device_binding, recovery)
    slot = keyslots.new_password_slot(
        store_id=store_id, user_uuid=str(uuid.uuid4()), username="alice",
        password="correct horse battery", data_key=data_key, device_secret=secret,
        params=kdf.MINIMUM,
    )
    header = keyslots.sign(replace(header, password_slots=(slot,)), data_key)
    return header, data_key, secret, recovery_key


def test_password_slot_round_trip_and_wrong_inputs() -> None:
    header, data_key, secret, _ = make_header()
    slot = header.slot_for("alice")
    assert slot is not None
    assert keyslots.open_password_slot(header, slot, "correct horse battery", secret).current \
        == data_key
    with pytest.raises(UnwrapFailed):
        keyslots.open_password_slot(header, slot, "wrong password!!", secret)
    with pytest.raises(UnwrapFailed):  # right password, no device secret
        keyslots.open_password_slot(header, slot, "correct horse battery", b"")


def test_recovery_slot_gives_data_key_and_device_secret() -> None:
    header, data_key, secret, recovery_key = make_header()
    keys, device_secret = keyslots.open_recovery_slot(header, recovery_key)
    assert keys.current == data_key and device_secret == secret
    with pytest.raises(WrongRecoveryKey):
        keyslots.open_recovery_slot(header, os.urandom(32))


def test_serialisation_round_trip_keeps_mac_valid() -> None:
    header, data_key, _, _ = make_header()
    again = keyslots.loads(keyslots.dumps(header))
    assert again == header
    keyslots.verify(again, data_key)


def test_editing_the_key_file_is_detected_by_the_mac() -> None:
    header, data_key, _, _ = make_header()
    doc = json.loads(keyslots.dumps(header))
    doc["device_binding"] = False
    edited = keyslots.loads(json.dumps(doc).encode())
    with pytest.raises(HeaderTampered):
        keyslots.verify(edited, data_key)


def test_edited_kdf_parameters_fail_to_open_the_slot() -> None:
    header, _, secret, _ = make_header()
    slot = header.slot_for("alice")
    assert slot is not None
    weaker = replace(slot, kdf=kdf.KdfParams(time_cost=4, memory_kib=kdf.MIN_MEMORY_KIB))
    with pytest.raises(UnwrapFailed):
        keyslots.open_password_slot(header, weaker, "correct horse battery", secret)
    too_weak = replace(slot, kdf=kdf.KdfParams(time_cost=1, memory_kib=1024))
    with pytest.raises(HeaderDamaged):
        keyslots.open_password_slot(header, too_weak, "correct horse battery", secret)


def test_no_secrets_in_the_key_file(tmp_path: Path) -> None:
    header, data_key, secret, recovery_key = make_header()
    raw = keyslots.dumps(header)
    for secret_bytes in (data_key, secret, recovery_key):
        assert secret_bytes not in raw
        assert secret_bytes.hex().encode() not in raw
    assert b"correct horse" not in raw


def test_atomic_write_keeps_a_current_spare_and_leaves_no_temp(tmp_path: Path) -> None:
    store = tmp_path / "s.sendiass"
    first, data_key, _, _ = make_header()
    keyslots.write(store, first)
    second = keyslots.sign(replace(first, created_at="2000-01-01T00:00:00+00:00"), data_key)
    keyslots.write(store, second)
    assert keyslots.read_file(keyslots.header_path(store)) == second
    # The spare never keeps superseded slots (an old password must stop working).
    assert keyslots.read_file(keyslots.header_backup_path(store)) == second
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.sendiass.keys", "s.sendiass.keys.bak"]


def test_damaged_main_key_file_falls_back_to_backup(tmp_path: Path) -> None:
    store = tmp_path / "s.sendiass"
    header, _data_key, _, _ = make_header()
    keyslots.write(store, header)
    keyslots.write(store, header)
    keyslots.header_path(store).write_bytes(b"{ not json")
    assert keyslots.read(store) == header
    keyslots.header_backup_path(store).unlink()
    with pytest.raises(HeaderDamaged):
        keyslots.read(store)


@pytest.mark.parametrize(
    "raw",
    [b"", b"null", b"[]", b"{}", b'{"format": "sendiass-desktop-keys"}', b"\xff\xfe\x00",
     b"[" * 100_000, b'{"format": "sendiass-desktop-keys", "version": 99}'],
)
def test_malformed_key_files_are_header_damaged(raw: bytes) -> None:
    with pytest.raises(HeaderDamaged):
        keyslots.loads(raw)


_VALID = keyslots.dumps(make_header()[0])


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_fuzzed_key_files_never_crash(data: st.DataObject) -> None:
    raw = bytearray(_VALID)
    for _ in range(data.draw(st.integers(1, 8))):
        pos = data.draw(st.integers(0, len(raw) - 1))
        raw[pos] = data.draw(st.integers(0, 255))
    with contextlib.suppress(HeaderDamaged):
        keyslots.loads(bytes(raw))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_are_header_damaged(raw: bytes) -> None:
    with pytest.raises(HeaderDamaged):
        keyslots.loads(raw)


# --- the key file on a disk that fails -------------------------------------------------


def _failing_read(monkeypatch: pytest.MonkeyPatch, failing: set[str], exc: OSError) -> None:
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.name in failing:
            raise exc
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)


@pytest.mark.parametrize(
    ("exc", "detail"),
    [
        (OSError(errno.EIO, "Input/output error"), KeyFileUnreadable.DEVICE),
        (OSError(errno.ESTALE, "Stale file handle"), KeyFileUnreadable.DEVICE),
        (PermissionError(errno.EACCES, "Permission denied"), KeyFileUnreadable.PERMISSION),
    ],
)
def test_an_unreadable_key_file_is_not_called_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exc: OSError, detail: str
) -> None:
    store = tmp_path / "s.sendiass"
    header, _data_key, _, _ = make_header()
    keyslots.write(store, header)
    _failing_read(monkeypatch, {"s.sendiass.keys", "s.sendiass.keys.bak"}, exc)
    with pytest.raises(KeyFileUnreadable) as info:
        keyslots.read(store)
    message = str(info.value)
    assert detail in message
    assert "damaged" in message and "not known to be damaged" in message
    assert "restore" not in message.lower() and "backup" not in message.lower()
    assert str(tmp_path) not in message  # no paths (they can hold names) in messages


def test_an_unreadable_key_file_falls_back_to_the_spare(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "s.sendiass"
    header, _data_key, _, _ = make_header()
    keyslots.write(store, header)
    _failing_read(monkeypatch, {"s.sendiass.keys"}, OSError(errno.EIO, "Input/output error"))
    assert keyslots.read(store) == header


def test_a_missing_key_file_is_still_header_damaged(tmp_path: Path) -> None:
    with pytest.raises(HeaderDamaged, match="missing"):
        keyslots.read(tmp_path / "nothing-here.sendiass")


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (errno.ENOSPC, DiskFull),
        (errno.EROFS, StoreReadOnly),
        (errno.EACCES, StoreReadOnly),
        (errno.EIO, StoreUnavailable),
        (errno.EDQUOT, StoreUnavailable),
    ],
)
@pytest.mark.parametrize("failing_write", [1, 2])  # the spare's new contents, or the main's
def test_a_key_file_write_that_fails_leaves_both_files_as_they_were(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, error: int,
    expected: type[StoreError], failing_write: int,
) -> None:
    store = tmp_path / "s.sendiass"
    first, data_key, _, _ = make_header()
    keyslots.write(store, first)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    second = keyslots.sign(replace(first, created_at="2000-01-01T00:00:00+00:00"), data_key)

    real_fsync, calls = os.fsync, []

    def fsync(fd: int) -> None:
        calls.append(fd)
        if len(calls) == failing_write:
            raise OSError(error, os.strerror(error))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(expected) as info:
        keyslots.write(store, second)
    assert "\n" not in str(info.value) and "restore" not in str(info.value).lower()
    monkeypatch.setattr(os, "fsync", real_fsync)
    # Nothing changed, nothing left over: the old slots still open the store.
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    assert keyslots.read(store) == first


def test_a_backups_key_file_that_cannot_be_written_is_a_plain_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    header, _data_key, _, _ = make_header()

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    with pytest.raises(DiskFull):
        keyslots.write_copy(tmp_path / "backup.sendiass", header)
    assert list(tmp_path.iterdir()) == []
