"""Key wrapping primitives: AES-256-GCM, HKDF and sealing to a public key.

Slots seal the data key to an X25519 public key; the matching private key is
itself wrapped under the user's password-derived key. Sealing to a public key
is what lets an administrator rotate the data key (``rekey``) for every user
without knowing their passwords. See docs/decisions/0002-key-slots.md.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

KEY_BYTES = 32
NONCE_BYTES = 12


class UnwrapFailed(Exception):
    """Authentication failed: wrong key, or the wrapped bytes were altered."""


def hkdf(ikm: bytes, *, salt: bytes, info: bytes, length: int = KEY_BYTES) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=salt, info=info).derive(ikm)


def random_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


@dataclass(frozen=True)
class Wrapped:
    nonce: bytes
    ciphertext: bytes


def wrap(key: bytes, plaintext: bytes, aad: bytes) -> Wrapped:
    nonce = secrets.token_bytes(NONCE_BYTES)
    return Wrapped(nonce, AESGCM(key).encrypt(nonce, plaintext, aad))


def unwrap(key: bytes, wrapped: Wrapped, aad: bytes) -> bytes:
    try:
        return AESGCM(key).decrypt(wrapped.nonce, wrapped.ciphertext, aad)
    except InvalidTag:
        raise UnwrapFailed() from None


@dataclass(frozen=True)
class Sealed:
    ephemeral_public: bytes
    wrapped: Wrapped


def public_bytes(private: X25519PrivateKey) -> bytes:
    return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def private_bytes(private: X25519PrivateKey) -> bytes:
    return private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())


def private_from_bytes(raw: bytes) -> X25519PrivateKey:
    return X25519PrivateKey.from_private_bytes(raw)


def new_private_key() -> X25519PrivateKey:
    return X25519PrivateKey.generate()


def _seal_key(shared: bytes, ephemeral_public: bytes, recipient_public: bytes) -> bytes:
    return hkdf(shared, salt=ephemeral_public + recipient_public, info=b"sendiass seal v1")


def seal(recipient_public: bytes, plaintext: bytes, aad: bytes) -> Sealed:
    ephemeral = X25519PrivateKey.generate()
    eph_public = public_bytes(ephemeral)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(recipient_public))
    key = _seal_key(shared, eph_public, recipient_public)
    return Sealed(eph_public, wrap(key, plaintext, aad))


def open_sealed(private: X25519PrivateKey, sealed: Sealed, aad: bytes) -> bytes:
    try:
        shared = private.exchange(X25519PublicKey.from_public_bytes(sealed.ephemeral_public))
    except ValueError:
        raise UnwrapFailed() from None
    key = _seal_key(shared, sealed.ephemeral_public, public_bytes(private))
    return unwrap(key, sealed.wrapped, aad)


def mac(key: bytes, message: bytes) -> bytes:
    h = hmac.HMAC(key, hashes.SHA256())
    h.update(message)
    return h.finalize()


def mac_matches(key: bytes, message: bytes, tag: bytes) -> bool:
    h = hmac.HMAC(key, hashes.SHA256())
    h.update(message)
    try:
        h.verify(tag)
    except Exception:
        return False
    return True
