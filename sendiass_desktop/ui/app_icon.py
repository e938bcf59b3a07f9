"""The application icon (a case folder with a shield, on deep teal).

Drawn in ``resources/icons/app.svg`` and rendered to PNGs by
``installer/make_icons.py``; the PNGs ship inside the package, so the icon
needs no SVG plugin and looks the same from source and from the installed
build. Every size is added, so the window manager and the taskbar pick a
sharp one rather than scaling.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PySide6.QtGui import QIcon

ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def icon_files() -> list[Path]:
    """The PNG files the icon is made from (those that exist)."""
    return [p for p in (ICON_DIR / f"app-{size}.png" for size in SIZES) if p.is_file()]


@cache
def app_icon() -> QIcon:
    """The app's icon; an empty ``QIcon`` if the files are missing (never an error)."""
    icon = QIcon()
    for path in icon_files():
        icon.addFile(str(path))
    return icon
