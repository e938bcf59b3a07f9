"""What the app remembers between runs: only which store was used last.

Kept in an INI file in the user's configuration folder. It never holds
usernames, passwords or anything about service users.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

_LAST_STORE = "store/last_path"


def _settings() -> QSettings:
    import platformdirs

    folder = Path(platformdirs.user_config_dir("sendiass-desktop", appauthor=False))
    return QSettings(str(folder / "sendiass-desktop.ini"), QSettings.Format.IniFormat)


def remembered_store_path() -> Path | None:
    value = _settings().value(_LAST_STORE, "")
    return Path(str(value)) if value else None


def remember_store_path(path: Path) -> None:
    settings = _settings()
    settings.setValue(_LAST_STORE, str(path))
    settings.sync()
