"""KDF calibration: the cost chosen depends on the machine, not on how busy it is.

No test here times anything: the derivation and the clocks are injected, so
the tests are exact and do not depend on the machine running them.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from sendiass_desktop.store import kdf

LOW, HIGH = kdf.TARGET_SECONDS


@pytest.fixture(autouse=True)
def _really_calibrate(monkeypatch: pytest.MonkeyPatch) -> None:
    # The test suite normally pins calibration to the floor (tests/conftest.py).
    monkeypatch.delenv(kdf.CALIBRATION_ENV, raising=False)


def cpu_seconds(params: kdf.KdfParams, per_mib_pass: float = 0.0012) -> float:
    """A model machine: total CPU work grows with memory x passes (all lanes together)."""
    return params.memory_kib / 1024 * params.time_cost * per_mib_pass


class FakeMachine:
    """Clocks and a derivation for :func:`kdf.measure_derivation`.

    ``cpus`` processors; ``busy`` is how many times longer the wall clock runs
    than on an idle machine because other programs hold the processors;
    ``other_thread_cpu`` is CPU used meanwhile by another thread of this process.
    """

    def __init__(self, cpus: int, busy: float = 1.0, other_thread_cpu: float = 0.0) -> None:
        self.cpus = cpus
        self.busy = busy
        self.other_thread_cpu = other_thread_cpu
        self.wall = 0.0
        self.cpu = 0.0
        self.derived: list[kdf.KdfParams] = []

    def derive(self, params: kdf.KdfParams) -> None:
        self.derived.append(params)
        work = cpu_seconds(params)
        idle_wall = work / min(params.parallelism, self.cpus)
        self.cpu += work + self.other_thread_cpu
        self.wall += idle_wall * self.busy

    def measure(self, params: kdf.KdfParams) -> float:
        return kdf.measure_derivation(params, run=self.derive, wall_clock=lambda: self.wall,
                                      cpu_clock=lambda: self.cpu, cpus=self.cpus)


def idle_seconds(params: kdf.KdfParams, cpus: int) -> float:
    return cpu_seconds(params) / min(params.parallelism, cpus)


# --- measuring one derivation --------------------------------------------------------


def test_measure_divides_cpu_time_by_the_lanes_that_run_at_once() -> None:
    params = kdf.KdfParams(time_cost=3, memory_kib=256 * 1024)  # 4 lanes
    for cpus in (1, 2, 4, 16):
        machine = FakeMachine(cpus)
        assert machine.measure(params) == pytest.approx(idle_seconds(params, cpus))


def test_measure_ignores_other_programs_holding_the_processors() -> None:
    params = kdf.KdfParams(time_cost=3, memory_kib=256 * 1024)
    idle = FakeMachine(cpus=2).measure(params)
    busy = FakeMachine(cpus=2, busy=6.0).measure(params)
    assert busy == pytest.approx(idle)


def test_measure_is_capped_by_the_wall_clock_when_another_thread_was_busy() -> None:
    params = kdf.KdfParams(time_cost=3, memory_kib=256 * 1024)
    machine = FakeMachine(cpus=2, other_thread_cpu=5.0)
    assert machine.measure(params) == pytest.approx(idle_seconds(params, 2))


def test_measure_uses_the_real_derivation_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[bytes, bytes, kdf.KdfParams]] = []

    def fake_derive(secret: bytes, salt: bytes, params: kdf.KdfParams) -> bytes:
        seen.append((secret, salt, params))
        return b"\0" * kdf.KEY_LENGTH

    monkeypatch.setattr(kdf, "derive", fake_derive)
    ticks = iter([10.0, 10.4])  # wall: start, end
    cpu = iter([1.0, 2.6])  # CPU: start, end (4 lanes on 4 processors: 0.4 s each)
    result = kdf.measure_derivation(kdf.MINIMUM, wall_clock=lambda: next(ticks),
                                    cpu_clock=lambda: next(cpu), cpus=4)
    assert result == pytest.approx(0.4)
    assert [p for _, _, p in seen] == [kdf.MINIMUM]


def test_usable_cpus_is_at_least_one() -> None:
    assert kdf.usable_cpus() >= 1


# --- calibrating ---------------------------------------------------------------------------


def test_calibration_lands_in_the_target_window_memory_first() -> None:
    machine = FakeMachine(cpus=4)
    params = kdf.calibrate(measure=machine.measure)
    assert LOW <= idle_seconds(params, 4) <= HIGH
    assert params.time_cost == kdf.MIN_TIME_COST  # memory was raised, not passes
    assert params.memory_kib > kdf.MIN_MEMORY_KIB
    assert params.parallelism == kdf.PARALLELISM


def test_a_busy_machine_chooses_the_same_cost_as_an_idle_one() -> None:
    idle = kdf.calibrate(measure=FakeMachine(cpus=2).measure)
    for busy in (2.0, 5.0, 10.0):
        assert kdf.calibrate(measure=FakeMachine(cpus=2, busy=busy).measure) == idle


def test_one_slow_reading_does_not_settle_on_a_weaker_cost() -> None:
    clean = kdf.calibrate(measure=FakeMachine(cpus=2).measure)
    readings: list[kdf.KdfParams] = []

    def measure(params: kdf.KdfParams) -> float:
        readings.append(params)
        true = idle_seconds(params, 2)
        # The first look at each setting is disturbed (say an antivirus scan).
        return true * 4 if readings.count(params) == 1 else true

    params = kdf.calibrate(measure=measure)
    assert idle_seconds(params, 2) >= LOW
    assert params == clean


def test_memory_is_capped_then_passes_are_raised() -> None:
    slow_to_fill = kdf.calibrate(measure=lambda p: cpu_seconds(p, per_mib_pass=0.00002))
    assert slow_to_fill.memory_kib == kdf.MAX_MEMORY_KIB
    assert slow_to_fill.time_cost > kdf.MIN_TIME_COST


@pytest.mark.parametrize("reading", [0.0, 0.5, 3.0, 60.0])
def test_never_below_the_floor(reading: float) -> None:
    params = kdf.calibrate(measure=lambda p: reading)
    assert params.memory_kib >= kdf.MIN_MEMORY_KIB
    assert params.time_cost >= kdf.MIN_TIME_COST
    params.validate()


def test_a_slow_machine_keeps_the_floor() -> None:
    assert kdf.calibrate(measure=lambda p: 2.0) == kdf.MINIMUM


def test_progress_runs_to_one() -> None:
    seen: list[float] = []
    kdf.calibrate(progress=seen.append, measure=FakeMachine(cpus=2).measure)
    assert seen[-1] == 1.0
    assert seen == sorted(seen)


def test_the_test_override_only_ever_chooses_the_floor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(kdf.CALIBRATION_ENV, "minimum")
    never: Callable[[kdf.KdfParams], float] = lambda p: pytest.fail("measured")  # noqa: E731
    assert kdf.calibrate(measure=never) == kdf.MINIMUM


def test_an_unbelievably_fast_reading_stops_at_the_caps() -> None:
    params = kdf.calibrate(measure=lambda p: 0.0)
    assert params == kdf.KdfParams(time_cost=kdf.MAX_TIME_COST, memory_kib=kdf.MAX_MEMORY_KIB)
    params.validate()
