"""Every version number the app reports, in one place.

Used by the About dialog, ``sendiass-desktop --self-test`` and support
requests ("Copy details"). Nothing here is personal: versions of the app and
of the libraries it runs on, and the operating system.

The app's own version is defined only in ``sendiass_desktop.__version__``;
this module reads it from there. Qt is imported only when asked for
(``qt=True``), so the command-line tools can use this module without Qt.
"""

from __future__ import annotations

import contextlib
import platform
import sys
from dataclasses import dataclass
from functools import cache

from sendiass_desktop import APP_NAME, __version__

__all__ = ["UNKNOWN", "Versions", "collect", "sqlcipher_versions"]

UNKNOWN = "not available"


@dataclass(frozen=True)
class Versions:
    app: str
    python: str
    platform: str
    sqlcipher: str
    sqlite: str
    qt: str = UNKNOWN
    pyside: str = UNKNOWN
    frozen: bool = False

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) pairs, in the order they are shown."""
        return [
            ("Version", self.app),
            ("SQLCipher", self.sqlcipher),
            ("SQLite", self.sqlite),
            ("Qt", self.qt),
            ("PySide6", self.pyside),
            ("Python", self.python),
            ("Operating system", self.platform),
        ]

    def as_text(self) -> str:
        """Plain text for a support request: no names, no paths, no store details."""
        build = "installed build" if self.frozen else "run from Python"
        lines = [f"{APP_NAME} {self.app} ({build})"]
        lines += [f"{label}: {value}" for label, value in self.rows()[1:]]
        return "\n".join(lines)


@cache
def sqlcipher_versions() -> tuple[str, str]:
    """(SQLCipher version, SQLite version) from an in-memory connection.

    ``PRAGMA cipher_version`` answers only when SQLCipher is really linked in; a
    plain SQLite build answers nothing, which is reported as not available.
    """
    try:
        import sqlcipher3
    except ImportError:
        return UNKNOWN, UNKNOWN
    conn = sqlcipher3.connect(":memory:")
    try:
        row = conn.execute("PRAGMA cipher_version").fetchone()
        sqlite_row = conn.execute("SELECT sqlite_version()").fetchone()
    finally:
        conn.close()
    cipher = str(row[0]) if row and row[0] else UNKNOWN
    sqlite = str(sqlite_row[0]) if sqlite_row and sqlite_row[0] else UNKNOWN
    return cipher, sqlite


def _qt_versions() -> tuple[str, str]:
    try:
        import PySide6
        from PySide6.QtCore import qVersion
    except ImportError:
        return UNKNOWN, UNKNOWN
    return str(qVersion()), str(PySide6.__version__)


def _platform() -> str:
    if sys.platform == "win32":
        release, version, _csd, _ptype = platform.win32_ver()
        return f"Windows {release} ({version}, {platform.machine()})"
    if sys.platform == "darwin":
        return f"macOS {platform.mac_ver()[0]} ({platform.machine()})"
    name = ""
    with contextlib.suppress(OSError):
        name = platform.freedesktop_os_release().get("PRETTY_NAME", "")
    kernel = f"Linux {platform.release()}, {platform.machine()}"
    return f"{name} ({kernel})" if name else kernel


def collect(*, qt: bool = True) -> Versions:
    cipher, sqlite = sqlcipher_versions()
    qt_version, pyside = _qt_versions() if qt else (UNKNOWN, UNKNOWN)
    return Versions(
        app=__version__,
        python=f"{platform.python_version()} ({platform.python_implementation()})",
        platform=_platform(),
        sqlcipher=cipher,
        sqlite=sqlite,
        qt=qt_version,
        pyside=pyside,
        frozen=bool(getattr(sys, "frozen", False)),
    )
