"""Per-machine record of wrong password attempts, for exponential back-off.

Kept outside the store (which cannot be opened without the password). It
holds only counts and times keyed by a hash of store id and username, so
it reveals nothing about who uses the service.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
from pathlib import Path

from sendiass_desktop.domain.backoff import seconds_remaining
from sendiass_desktop.store.keyslots import write_atomic

STATE_DIR_ENV = "SENDIASS_STATE_DIR"
_FILE = "login-attempts.json"


def state_dir() -> Path:
    override = os.environ.get(STATE_DIR_ENV)
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_state_dir("sendiass-desktop", appauthor=False))


def _key(store_id: str, username: str) -> str:
    return hashlib.sha256(f"{store_id}\n{username}".encode()).hexdigest()


class LoginAttempts:
    def __init__(self, directory: Path | None = None) -> None:
        self.path = (directory or state_dir()) / _FILE

    def _load(self) -> dict[str, dict[str, float]]:
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _save(self, data: dict[str, dict[str, float]]) -> None:
        # A machine where the state folder cannot be written still works;
        # back-off then only lasts for this process.
        with contextlib.suppress(OSError):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(self.path, json.dumps(data).encode())

    def wait_seconds(self, store_id: str, username: str, now: float | None = None) -> float:
        entry = self._load().get(_key(store_id, username))
        if not entry:
            return 0.0
        return seconds_remaining(
            int(entry.get("failures", 0)), float(entry.get("last", 0.0)),
            time.time() if now is None else now,
        )

    def record_failure(self, store_id: str, username: str, now: float | None = None) -> int:
        data = self._load()
        key = _key(store_id, username)
        entry = data.get(key, {})
        failures = int(entry.get("failures", 0)) + 1
        data[key] = {"failures": failures, "last": time.time() if now is None else now}
        self._save(data)
        return failures

    def clear(self, store_id: str, username: str) -> int:
        """Forget failures after a successful login; returns how many there were."""
        data = self._load()
        entry = data.pop(_key(store_id, username), None)
        if entry is not None:
            self._save(data)
        return int(entry.get("failures", 0)) if entry else 0
