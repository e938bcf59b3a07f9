"""Screenshots in a real X server: every screen renders, with real content.

Runs ``tests/screens/capture.py`` under ``xvfb-run`` with the xcb platform (not
the offscreen one the other GUI tests use), in the light and the dark palette.
Look at the pictures themselves with ``python tests/screens/capture.py DIR``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.screens.capture import EXPECTED

pytestmark = pytest.mark.gui

REPO = Path(__file__).resolve().parents[2]
MIN_BYTES = 5 * 1024


def _distinct_colours(image: QImage, samples: int = 24) -> int:
    colours = set()
    for i in range(samples):
        for j in range(samples):
            x = (image.width() - 1) * i // (samples - 1)
            y = (image.height() - 1) * j // (samples - 1)
            colours.add(image.pixel(x, y))
    return len(colours)


@pytest.mark.skipif(shutil.which("xvfb-run") is None,
                    reason="xvfb-run is not installed (apt-get install xvfb xauth)")
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_every_screen_renders_under_a_real_x_server(tmp_path: Path, theme: str) -> None:
    out = tmp_path / theme
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = "xcb"
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    result = subprocess.run(
        ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24",
         sys.executable, str(REPO / "tests" / "screens" / "capture.py"), str(out),
         "--theme", theme],
        env=env, capture_output=True, text=True, timeout=240, check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for name in EXPECTED:
        path = out / name
        assert path.is_file(), f"{name} was not saved"
        assert path.stat().st_size > MIN_BYTES, f"{name} is suspiciously small"
        image = QImage(str(path))
        assert not image.isNull(), f"{name} is not a readable PNG"
        assert image.width() >= 300 and image.height() >= 200, f"{name} is tiny"
        assert _distinct_colours(image) > 4, f"{name} is (nearly) a single colour"
