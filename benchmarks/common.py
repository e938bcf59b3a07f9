"""Shared helpers for the benchmarks: environment, store paths, timing, load average."""

from __future__ import annotations

import os
import resource
import statistics
import time
from collections.abc import Callable
from pathlib import Path

# Benchmarks never touch the real keyring or the user's state directory.
CACHE = Path(__file__).resolve().parent / ".cache"
os.environ.setdefault("SENDIASS_KDF_CALIBRATION", "minimum")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("SENDIASS_STATE_DIR", str(CACHE / "state"))
for _var, _sub in (("XDG_DATA_HOME", "data"), ("XDG_STATE_HOME", "xdg-state"),
                   ("XDG_CONFIG_HOME", "config"), ("XDG_CACHE_HOME", "xdg-cache")):
    os.environ.setdefault(_var, str(CACHE / "state" / _sub))

ADMIN = "alice"
ADMIN_PASSWORD = "correct horse battery"  # noqa: S105  (synthetic benchmark store)
SIZES = {
    # name: (cases, target documents)
    "typical": (5_000, 500),
    "large": (50_000, 5_000),
    "tiny": (300, 30),  # smoke test of the scripts only
}
SEED = 20240901
TODAY_ISO = "2026-11-01"


def store_path(size: str) -> Path:
    return CACHE / size / "service.sendiass"


def plain_path(size: str) -> Path:
    return CACHE / size / "plain.sqlite"


def loadavg() -> str:
    return "{:.2f} {:.2f} {:.2f}".format(*os.getloadavg())


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def timed(fn: Callable[[], object]) -> tuple[float, float, object]:
    """(wall seconds, CPU seconds, result)."""
    c0 = cpu()
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, cpu() - c0, result


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def p95(xs: list[float]) -> float:
    s = sorted(xs)
    if not s:
        return float("nan")
    k = max(0, min(len(s) - 1, round(0.95 * (len(s) - 1))))
    return s[k]
