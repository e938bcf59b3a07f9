"""The key file beside the store: its slots, their crypto and atomic writes.

Layout (JSON, so an administrator can see what it is; it holds nothing
secret in the clear):

* ``store_id`` ties the key file to one store (also kept inside the store).
* one *password slot* per user: Argon2id parameters and salt, an X25519
  public key, the matching private key wrapped with AES-256-GCM under a key
  derived from the password (and the device secret), and the data key
  sealed to the public key;
* one *recovery slot*: the data key and the device secret sealed to a public
  key whose private key is derived from the recovery key;
* an HMAC under a key derived from the data key, so edits to the file are
  caught once it is unlocked.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import errno
import json
import os
import secrets
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey

from sendiass_desktop.store import kdf, keywrap
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
from sendiass_desktop.store.kdf import KdfParams
from sendiass_desktop.store.keywrap import Sealed, UnwrapFailed, Wrapped

FORMAT = "sendiass-desktop-keys"
VERSION = 1
HEADER_SUFFIX = ".keys"
BACKUP_SUFFIX = ".keys.bak"
PENDING_SUFFIX = ".keys.pending"
MAX_HEADER_BYTES = 4 * 1024 * 1024
DEVICE_SECRET_BYTES = 32


def header_path(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + HEADER_SUFFIX)


def header_backup_path(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + BACKUP_SUFFIX)


def header_pending_path(store_path: Path) -> Path:
    return store_path.with_name(store_path.name + PENDING_SUFFIX)


@dataclass(frozen=True)
class PasswordSlot:
    slot_id: str
    user_uuid: str
    username: str
    kdf: KdfParams
    salt: bytes
    public_key: bytes
    wrapped_private: Wrapped
    sealed_data_key: Sealed
    # Set only while a rekey is in flight: the data key the store is moving to.
    sealed_next_data_key: Sealed | None = None


@dataclass(frozen=True)
class RecoverySlot:
    public_key: bytes
    sealed_data_key: Sealed
    sealed_device_secret: Sealed | None
    sealed_next_data_key: Sealed | None = None


@dataclass(frozen=True)
class SlotKeys:
    """What a slot yields: the data key, and the next one during a rekey."""

    current: bytes
    next: bytes | None = None


@dataclass(frozen=True)
class Header:
    store_id: str
    created_at: str
    device_binding: bool
    password_slots: tuple[PasswordSlot, ...]
    recovery: RecoverySlot
    mac: bytes = field(default=b"", compare=False)

    def slot_for(self, username: str) -> PasswordSlot | None:
        for slot in self.password_slots:
            if slot.username == username:
                return slot
        return None


# --- key derivation for each kind of slot ------------------------------------


def _password_kek(
    password: str, slot_salt: bytes, params: KdfParams, device_secret: bytes, store_id: str
) -> bytes:
    stretched = kdf.derive(password.encode("utf-8"), slot_salt, params)
    # HKDF mixes in the device secret: without it the stretched password alone
    # opens nothing, so a copied store needs an enrolled machine too.
    return keywrap.hkdf(
        stretched + device_secret,
        salt=store_id.encode("ascii"),
        info=b"sendiass password slot v1",
    )


def _recovery_private(recovery_key: bytes, store_id: str) -> X25519PrivateKey:
    raw = keywrap.hkdf(recovery_key, salt=store_id.encode("ascii"), info=b"sendiass recovery v1")
    return keywrap.private_from_bytes(raw)


def _slot_aad(
    store_id: str, slot_id: str, user_uuid: str, params: KdfParams, salt: bytes, public_key: bytes
) -> bytes:
    # Binding the parameters and public key means an edited slot fails to open.
    return "|".join(
        [
            "sendiass-slot-v1",
            store_id,
            slot_id,
            user_uuid,
            f"{params.time_cost}:{params.memory_kib}:{params.parallelism}",
            salt.hex(),
            public_key.hex(),
        ]
    ).encode("ascii")


def _data_key_aad(store_id: str, slot_id: str) -> bytes:
    return f"sendiass-data-key-v1|{store_id}|{slot_id}".encode("ascii")


def _device_secret_aad(store_id: str) -> bytes:
    return f"sendiass-device-secret-v1|{store_id}".encode("ascii")


def new_password_slot(
    *,
    store_id: str,
    user_uuid: str,
    username: str,
    password: str,
    data_key: bytes,
    device_secret: bytes,
    params: KdfParams,
) -> PasswordSlot:
    slot_id = str(uuid.uuid4())
    salt = secrets.token_bytes(kdf.SALT_LENGTH)
    private = keywrap.new_private_key()
    public = keywrap.public_bytes(private)
    kek = _password_kek(password, salt, params, device_secret, store_id)
    raw_private = keywrap.private_bytes(private)
    aad = _slot_aad(store_id, slot_id, user_uuid, params, salt, public)
    return PasswordSlot(
        slot_id=slot_id,
        user_uuid=user_uuid,
        username=username,
        kdf=params,
        salt=salt,
        public_key=public,
        wrapped_private=keywrap.wrap(kek, raw_private, aad),
        sealed_data_key=keywrap.seal(public, data_key, _data_key_aad(store_id, slot_id)),
    )


def _open_keys(private: X25519PrivateKey, store_id: str, slot_id: str, current: Sealed,
               nxt: Sealed | None) -> SlotKeys:
    aad = _data_key_aad(store_id, slot_id)
    return SlotKeys(
        keywrap.open_sealed(private, current, aad),
        keywrap.open_sealed(private, nxt, aad) if nxt is not None else None,
    )


def open_password_slot(
    header: Header, slot: PasswordSlot, password: str, device_secret: bytes
) -> SlotKeys:
    """Return the data key(s), or raise ``UnwrapFailed`` for a wrong password/secret."""
    slot.kdf.validate()
    kek = _password_kek(password, slot.salt, slot.kdf, device_secret, header.store_id)
    aad = _slot_aad(
        header.store_id, slot.slot_id, slot.user_uuid, slot.kdf, slot.salt, slot.public_key
    )
    raw_private = keywrap.unwrap(kek, slot.wrapped_private, aad)
    private = keywrap.private_from_bytes(raw_private)
    return _open_keys(
        private, header.store_id, slot.slot_id, slot.sealed_data_key, slot.sealed_next_data_key
    )


def new_recovery_slot(
    *, store_id: str, recovery_key: bytes, data_key: bytes, device_secret: bytes | None
) -> RecoverySlot:
    public = keywrap.public_bytes(_recovery_private(recovery_key, store_id))
    sealed_secret = (
        keywrap.seal(public, device_secret, _device_secret_aad(store_id))
        if device_secret is not None
        else None
    )
    return RecoverySlot(
        public_key=public,
        sealed_data_key=keywrap.seal(public, data_key, _data_key_aad(store_id, "recovery")),
        sealed_device_secret=sealed_secret,
    )


def open_recovery_slot(header: Header, recovery_key: bytes) -> tuple[SlotKeys, bytes | None]:
    """Return (data keys, device secret or None); ``WrongRecoveryKey`` if it does not fit."""
    private = _recovery_private(recovery_key, header.store_id)
    if keywrap.public_bytes(private) != header.recovery.public_key:
        raise WrongRecoveryKey()
    rec = header.recovery
    try:
        keys = _open_keys(
            private, header.store_id, "recovery", rec.sealed_data_key, rec.sealed_next_data_key
        )
        secret = None
        if header.recovery.sealed_device_secret is not None:
            secret = keywrap.open_sealed(
                private, header.recovery.sealed_device_secret, _device_secret_aad(header.store_id)
            )
    except UnwrapFailed:
        raise HeaderDamaged("the recovery slot does not decrypt") from None
    return keys, secret


def stage_next_data_key(header: Header, next_key: bytes, current_key: bytes) -> Header:
    """Rekey step 1: seal the new data key to every slot beside the current one.

    Written before ``PRAGMA rekey``, so whichever key the store ends up with
    after a crash, every slot can still open it.
    """
    sid = header.store_id
    slots = tuple(
        replace(s, sealed_next_data_key=keywrap.seal(s.public_key, next_key,
                                                      _data_key_aad(sid, s.slot_id)))
        for s in header.password_slots
    )
    recovery = replace(
        header.recovery,
        sealed_next_data_key=keywrap.seal(header.recovery.public_key, next_key,
                                          _data_key_aad(sid, "recovery")),
    )
    return sign(replace(header, password_slots=slots, recovery=recovery), current_key)


def promote_next_data_key(header: Header, next_key: bytes) -> Header:
    """Rekey step 3: the store uses the new key; make it every slot's only key."""
    slots = tuple(
        replace(s, sealed_data_key=s.sealed_next_data_key, sealed_next_data_key=None)
        if s.sealed_next_data_key is not None
        else s
        for s in header.password_slots
    )
    rec = header.recovery
    recovery = (
        replace(rec, sealed_data_key=rec.sealed_next_data_key, sealed_next_data_key=None)
        if rec.sealed_next_data_key is not None
        else rec
    )
    return sign(replace(header, password_slots=slots, recovery=recovery), next_key)


def drop_next_data_key(header: Header, current_key: bytes) -> Header:
    """Undo a staged rekey that never reached the store."""
    slots = tuple(replace(s, sealed_next_data_key=None) for s in header.password_slots)
    recovery = replace(header.recovery, sealed_next_data_key=None)
    return sign(replace(header, password_slots=slots, recovery=recovery), current_key)


def has_staged_rekey(header: Header) -> bool:
    return header.recovery.sealed_next_data_key is not None or any(
        s.sealed_next_data_key is not None for s in header.password_slots
    )


# --- integrity ----------------------------------------------------------------


def _mac_key(data_key: bytes, store_id: str) -> bytes:
    return keywrap.hkdf(data_key, salt=store_id.encode("ascii"), info=b"sendiass header mac v1")


def _signed_bytes(header: Header) -> bytes:
    body = _to_json_dict(header)
    body.pop("mac", None)
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("ascii")


def sign(header: Header, data_key: bytes) -> Header:
    tag = keywrap.mac(_mac_key(data_key, header.store_id), _signed_bytes(header))
    return replace(header, mac=tag)


def verify(header: Header, data_key: bytes) -> None:
    if not keywrap.mac_matches(_mac_key(data_key, header.store_id), _signed_bytes(header),
                               header.mac):
        raise HeaderTampered()


# --- (de)serialisation --------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _wrapped_dict(w: Wrapped) -> dict[str, str]:
    return {"nonce": _b64(w.nonce), "ciphertext": _b64(w.ciphertext)}


def _sealed_dict(s: Sealed) -> dict[str, Any]:
    return {"ephemeral_public": _b64(s.ephemeral_public), **_wrapped_dict(s.wrapped)}


def _opt_sealed_dict(s: Sealed | None) -> dict[str, Any] | None:
    return _sealed_dict(s) if s is not None else None


def _to_json_dict(header: Header) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "store_id": header.store_id,
        "created_at": header.created_at,
        "device_binding": header.device_binding,
        "password_slots": [
            {
                "slot_id": s.slot_id,
                "user_uuid": s.user_uuid,
                "username": s.username,
                "kdf": {
                    "algorithm": "argon2id",
                    "time_cost": s.kdf.time_cost,
                    "memory_kib": s.kdf.memory_kib,
                    "parallelism": s.kdf.parallelism,
                    "salt": _b64(s.salt),
                },
                "public_key": _b64(s.public_key),
                "wrapped_private_key": _wrapped_dict(s.wrapped_private),
                "sealed_data_key": _sealed_dict(s.sealed_data_key),
                "sealed_next_data_key": _opt_sealed_dict(s.sealed_next_data_key),
            }
            for s in header.password_slots
        ],
        "recovery": {
            "public_key": _b64(header.recovery.public_key),
            "sealed_data_key": _sealed_dict(header.recovery.sealed_data_key),
            "sealed_device_secret": _opt_sealed_dict(header.recovery.sealed_device_secret),
            "sealed_next_data_key": _opt_sealed_dict(header.recovery.sealed_next_data_key),
        },
        "mac": _b64(header.mac),
    }


def dumps(header: Header) -> bytes:
    return (json.dumps(_to_json_dict(header), indent=2, sort_keys=True) + "\n").encode("ascii")


class _Bad(Exception):
    pass


def _get(obj: Any, key: str, kind: type) -> Any:
    if not isinstance(obj, dict) or key not in obj or not isinstance(obj[key], kind):
        raise _Bad(key)
    # bool is an int in Python; refuse it where a number is expected.
    if kind is int and isinstance(obj[key], bool):
        raise _Bad(key)
    return obj[key]


def _bytes(obj: Any, key: str, length: int | None = None) -> bytes:
    text = _get(obj, key, str)
    try:
        raw = base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise _Bad(key) from None
    if length is not None and len(raw) != length:
        raise _Bad(key)
    return raw


def _wrapped(obj: Any) -> Wrapped:
    return Wrapped(_bytes(obj, "nonce", keywrap.NONCE_BYTES), _bytes(obj, "ciphertext"))


def _sealed(obj: Any) -> Sealed:
    return Sealed(_bytes(obj, "ephemeral_public", 32), _wrapped(obj))


def _opt_sealed(obj: Any, key: str) -> Sealed | None:
    value = obj.get(key) if isinstance(obj, dict) else None
    return _sealed(value) if value is not None else None


def _uuid(text: str) -> str:
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise _Bad("uuid") from None


def loads(raw: bytes) -> Header:
    """Parse a key file strictly; anything unexpected is ``HeaderDamaged``."""
    if len(raw) > MAX_HEADER_BYTES:
        raise HeaderDamaged("the file is far too large")
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise HeaderDamaged("it is not readable") from None
    try:
        if _get(doc, "format", str) != FORMAT:
            raise HeaderDamaged("it is not a SENDIASS Desktop key file")
        version = _get(doc, "version", int)
        if version > VERSION:
            raise HeaderDamaged("it was written by a newer version of SENDIASS Desktop")
        slots = []
        for item in _get(doc, "password_slots", list):
            k = _get(item, "kdf", dict)
            if _get(k, "algorithm", str) != "argon2id":
                raise _Bad("algorithm")
            params = KdfParams(
                _get(k, "time_cost", int), _get(k, "memory_kib", int), _get(k, "parallelism", int)
            )
            slots.append(
                PasswordSlot(
                    slot_id=_uuid(_get(item, "slot_id", str)),
                    user_uuid=_uuid(_get(item, "user_uuid", str)),
                    username=_get(item, "username", str),
                    kdf=params,
                    salt=_bytes(k, "salt", kdf.SALT_LENGTH),
                    public_key=_bytes(item, "public_key", 32),
                    wrapped_private=_wrapped(_get(item, "wrapped_private_key", dict)),
                    sealed_data_key=_sealed(_get(item, "sealed_data_key", dict)),
                    sealed_next_data_key=_opt_sealed(item, "sealed_next_data_key"),
                )
            )
        rec = _get(doc, "recovery", dict)
        recovery = RecoverySlot(
            public_key=_bytes(rec, "public_key", 32),
            sealed_data_key=_sealed(_get(rec, "sealed_data_key", dict)),
            sealed_device_secret=_opt_sealed(rec, "sealed_device_secret"),
            sealed_next_data_key=_opt_sealed(rec, "sealed_next_data_key"),
        )
        header = Header(
            store_id=_uuid(_get(doc, "store_id", str)),
            created_at=_get(doc, "created_at", str),
            device_binding=_get(doc, "device_binding", bool),
            password_slots=tuple(slots),
            recovery=recovery,
            mac=_bytes(doc, "mac", 32),
        )
    except _Bad as bad:
        raise HeaderDamaged(f"the '{bad}' entry is missing or wrong") from None
    if header.device_binding and header.recovery.sealed_device_secret is None:
        raise HeaderDamaged("the recovery slot lacks the device secret")
    return header


def new_header(store_id: str, device_binding: bool, recovery: RecoverySlot) -> Header:
    created = datetime.now(UTC).isoformat(timespec="seconds")
    return Header(store_id, created, device_binding, (), recovery)


# --- files --------------------------------------------------------------------


def _fsync_dir(directory: Path) -> None:
    # Directory fsync makes the rename durable on POSIX; Windows has no equivalent.
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _stage(path: Path, data: bytes) -> Path:
    """Write ``data`` to a new temporary file beside ``path`` and fsync it.

    Returns the temporary file; on failure it is removed and the OSError raised.
    Only this step needs free space: renaming it over ``path`` afterwards does not.
    """
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        with open(tmp, "xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    except BaseException:
        _remove(tmp)
        raise
    return tmp


def _remove(tmp: Path) -> None:
    # Best effort: on a failing drive removing may fail too, and the error that
    # matters is the one that stopped the write.
    with contextlib.suppress(OSError):
        tmp.unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes) -> None:
    """Write-temp, fsync, rename: a crash leaves the old file or the new, never half.

    Raises ``OSError`` as it comes (for callers that carry on without the file,
    such as the sign-in back-off); key files go through :func:`write` and
    :func:`write_copy`, which say what went wrong in plain words.
    """
    tmp = _stage(path, data)
    try:
        os.replace(tmp, path)
    finally:
        _remove(tmp)
    _fsync_dir(path.parent)


def _write_failure(exc: OSError) -> StoreError:
    """A plain-words error for a key file that could not be written."""
    if exc.errno == errno.ENOSPC:
        return DiskFull()
    if isinstance(exc, PermissionError) or exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StoreReadOnly()
    # EIO from a failing disk, a dropped share (ENOTCONN, ESTALE), a quota (EDQUOT),
    # the folder gone: not damage, so never "restore a backup".
    return StoreUnavailable()


def _write_files(targets: list[Path], data: bytes) -> None:
    """Replace each of ``targets`` with ``data``: all of them, or none.

    Every file's new contents are written and fsynced to temporary files
    first (the step that needs space, and fails on a full or read-only disk),
    and only then renamed over the targets, in order. So a full disk, a
    read-only folder or a failing drive leaves the existing files exactly as
    they were; a crash part-way through the renames leaves each file whole,
    old or new.
    """
    staged: list[tuple[Path, Path]] = []
    try:
        for target in targets:
            staged.append((_stage(target, data), target))
        for tmp, target in staged:
            os.replace(tmp, target)
        _fsync_dir(targets[0].parent)
    except OSError as exc:
        raise _write_failure(exc) from None
    finally:
        for tmp, _ in staged:
            _remove(tmp)


def read_file(path: Path) -> Header:
    try:
        raw = path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        raise HeaderDamaged("the key file is missing") from None
    except IsADirectoryError:
        raise HeaderDamaged("a folder is where the key file should be") from None
    except PermissionError:
        raise KeyFileUnreadable(KeyFileUnreadable.PERMISSION) from None
    except OSError:
        # EIO, ESTALE, ENOTCONN...: the drive, not the file, so not "damaged".
        raise KeyFileUnreadable(KeyFileUnreadable.DEVICE) from None
    return loads(raw)


def read(store_path: Path) -> Header:
    """Read the key file, falling back to the spare copy if it is damaged or
    cannot be read; if both fail, the error about the key file itself is raised."""
    try:
        return read_file(header_path(store_path))
    except (HeaderDamaged, KeyFileUnreadable):
        with contextlib.suppress(HeaderDamaged, KeyFileUnreadable):
            return read_file(header_backup_path(store_path))
        raise


def write(store_path: Path, header: Header) -> None:
    """Replace the key file and its spare copy, both with the new contents.

    The spare (``.keys.bak``) guards against a damaged key file. It always
    holds the current slots, never earlier ones: a copy of old slots would let
    an old password, or a disabled user's slot, open the store. The spare is
    renamed into place first, so after a crash at least one of the two files is
    whole. If the new contents cannot be written (a full or read-only disk, a
    failing drive), neither file is touched and the error says so in plain
    words (``DiskFull``, ``StoreReadOnly``, ``StoreUnavailable``).
    """
    if not header.mac:
        raise ValueError("a key file must be signed before it is written")
    _write_files([header_backup_path(store_path), header_path(store_path)], dumps(header))


def write_copy(store_path: Path, header: Header) -> None:
    """Write ``header`` as the key file of ``store_path`` alone (a backup's own key
    file, which has no spare). Failures as for :func:`write`; a key file already
    there is left as it was."""
    if not header.mac:
        raise ValueError("a key file must be signed before it is written")
    _write_files([header_path(store_path)], dumps(header))


def new_device_secret() -> bytes:
    return secrets.token_bytes(DEVICE_SECRET_BYTES)
