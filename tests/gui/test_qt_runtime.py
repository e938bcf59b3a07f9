"""The Qt bindings themselves: faults in them that would crash a long session."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QObject, Signal

pytestmark = pytest.mark.gui


class _Emitter(QObject):
    changed = Signal(int)


def test_emitting_signals_does_not_leak_references_to_true() -> None:
    """PySide6 6.12.0 lost one reference to True per emit (decision 0012)."""
    emitter = _Emitter()
    received: list[int] = []
    emitter.changed.connect(received.append)
    before = sys.getrefcount(True)
    for n in range(2_000):
        emitter.changed.emit(n)
    lost = before - sys.getrefcount(True)
    assert len(received) == 2_000
    # Other code may take or drop a handful of references meanwhile; a leak per
    # emit would show as about 2,000.
    assert lost < 100, f"{lost} references to True lost over 2,000 emits"
