"""Argon2id parameters for password slots, and calibration on this machine."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass

from argon2.low_level import Type, hash_secret_raw

# RFC 9106's second recommended option is the floor: 64 MiB, 3 passes, 4 lanes.
MIN_MEMORY_KIB = 64 * 1024
MIN_TIME_COST = 3
PARALLELISM = 4
MAX_MEMORY_KIB = 2 * 1024 * 1024
TARGET_SECONDS = (0.5, 1.0)
KEY_LENGTH = 32
SALT_LENGTH = 16

# Tests set this to skip calibration; it can only choose the floor, never less.
CALIBRATION_ENV = "SENDIASS_KDF_CALIBRATION"


@dataclass(frozen=True)
class KdfParams:
    time_cost: int
    memory_kib: int
    parallelism: int = PARALLELISM

    def validate(self) -> None:
        from sendiass_desktop.store.errors import HeaderDamaged

        if self.memory_kib < MIN_MEMORY_KIB or self.time_cost < MIN_TIME_COST:
            raise HeaderDamaged("a key slot asks for weaker key derivation than allowed")
        if self.memory_kib > 4 * MAX_MEMORY_KIB or self.time_cost > 100 or not (
            1 <= self.parallelism <= 64
        ):
            raise HeaderDamaged("a key slot has impossible key derivation settings")


MINIMUM = KdfParams(time_cost=MIN_TIME_COST, memory_kib=MIN_MEMORY_KIB)


def derive(secret: bytes, salt: bytes, params: KdfParams) -> bytes:
    return hash_secret_raw(
        secret=secret,
        salt=salt,
        time_cost=params.time_cost,
        memory_cost=params.memory_kib,
        parallelism=params.parallelism,
        hash_len=KEY_LENGTH,
        type=Type.ID,
    )


def calibrate(
    progress: Callable[[float], None] | None = None,
    timer: Callable[[], float] = time.perf_counter,
) -> KdfParams:
    """Find parameters taking about 0.5–1 s here, never below the floor.

    Memory is raised first (it is what makes GPU guessing expensive), then
    passes. ``progress`` gets a fraction 0..1 for a progress bar.
    """
    if os.environ.get(CALIBRATION_ENV) == "minimum":
        if progress:
            progress(1.0)
        return MINIMUM
    params = MINIMUM
    low, high = TARGET_SECONDS
    salt = b"calibration-salt"
    for step in range(12):
        start = timer()
        derive(b"calibration", salt, params)
        elapsed = timer() - start
        if progress:
            progress(min(1.0, (step + 1) / 6))
        if elapsed >= low:
            break
        # Scale towards the middle of the window, at most 4x per step.
        factor = min(4.0, ((low + high) / 2) / max(elapsed, 1e-3))
        if params.memory_kib < MAX_MEMORY_KIB:
            memory = min(MAX_MEMORY_KIB, int(params.memory_kib * factor) // 1024 * 1024)
            params = KdfParams(params.time_cost, max(memory, params.memory_kib + 1024))
        else:
            params = KdfParams(max(params.time_cost + 1, int(params.time_cost * factor)),
                               params.memory_kib)
    if progress:
        progress(1.0)
    return params
