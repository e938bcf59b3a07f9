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
MAX_TIME_COST = 12  # with 2 GiB, far beyond a second on any office PC
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


def usable_cpus() -> int:
    """Processors this process may run on (affinity and cpusets honoured where the
    platform says so)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # sched_getaffinity is Linux only
        return max(1, os.cpu_count() or 1)


def measure_derivation(
    params: KdfParams,
    *,
    run: Callable[[KdfParams], object] | None = None,
    wall_clock: Callable[[], float] = time.perf_counter,
    cpu_clock: Callable[[], float] = time.process_time,
    cpus: int | None = None,
) -> float:
    """Seconds one derivation at ``params`` would take here on an idle machine.

    Argon2 runs its lanes on threads, and ``process_time`` sums every thread's
    CPU time, so the work is divided by the lanes that can run at once. CPU
    time does not grow while other programs hold the processors, which is why
    it is used rather than the wall clock; the wall clock still caps the
    estimate in case another thread of this process was busy meanwhile. See
    docs/decisions/0011-kdf-calibration.md.
    """
    run = run or (lambda p: derive(b"calibration", b"calibration-salt", p))
    wall_start, cpu_start = wall_clock(), cpu_clock()
    run(params)
    wall, cpu = wall_clock() - wall_start, cpu_clock() - cpu_start
    lanes_at_once = max(1, min(params.parallelism, cpus or usable_cpus()))
    return max(0.0, min(wall, cpu / lanes_at_once))


def calibrate(
    progress: Callable[[float], None] | None = None,
    measure: Callable[[KdfParams], float] = measure_derivation,
) -> KdfParams:
    """Find parameters taking about 0.5–1 s here, never below the floor.

    Memory is raised first (it is what makes GPU guessing expensive), then
    passes. ``progress`` gets a fraction 0..1 for a progress bar. ``measure``
    says how long one derivation takes on this machine when it is idle (see
    :func:`measure_derivation`; tests pass their own).
    """
    if os.environ.get(CALIBRATION_ENV) == "minimum":
        if progress:
            progress(1.0)
        return MINIMUM
    params = MINIMUM
    low, high = TARGET_SECONDS
    for step in range(12):
        elapsed = measure(params)
        if elapsed >= low:
            # Interference only makes a reading slower, and a slow reading here
            # would settle on a weaker cost: look once more, keep the faster.
            elapsed = min(elapsed, measure(params))
        if progress:
            progress(min(1.0, (step + 1) / 6))
        if elapsed >= low:
            break
        # Scale towards the middle of the window, at most 4x per step.
        factor = min(4.0, ((low + high) / 2) / max(elapsed, 1e-3))
        if params.memory_kib < MAX_MEMORY_KIB:
            memory = min(MAX_MEMORY_KIB, int(params.memory_kib * factor) // 1024 * 1024)
            params = KdfParams(params.time_cost, max(memory, params.memory_kib + 1024))
        elif params.time_cost < MAX_TIME_COST:
            passes = max(params.time_cost + 1, int(params.time_cost * factor))
            params = KdfParams(min(passes, MAX_TIME_COST), params.memory_kib)
        else:
            break  # a reading this fast is not believable; the caps are plenty
    if progress:
        progress(1.0)
    # Never below the floor, whatever a measurement said.
    return KdfParams(max(params.time_cost, MIN_TIME_COST),
                     max(params.memory_kib, MIN_MEMORY_KIB), params.parallelism)
