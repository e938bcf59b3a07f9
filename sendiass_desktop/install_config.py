"""Where an installation says the store is: ``sendiass-desktop.ini``.

The Windows installer asks whether the store is on this computer or in a
shared network folder and, for a shared folder, writes the choice here. IT can
also deploy the file themselves (Group Policy, a software-deployment tool).
The file never holds passwords, user names or anything about service users::

    [store]
    path = \\\\fileserver\\sendiass\\service.sendiass

Looked for, first found wins:

1. beside the program: ``sendiass-desktop.ini`` in the folder of the installed
   executable (what the installer writes);
2. the machine-wide configuration folder: ``%PROGRAMDATA%\\SENDIASS Desktop\\``
   on Windows, ``/etc/xdg/sendiass-desktop/`` (``$XDG_CONFIG_DIRS``) on Linux;
3. ``$SENDIASS_INSTALL_CONFIG``, a path to such a file (tests, odd set-ups),
   which when set is the only place looked at.

``%VARIABLES%``, ``$VARIABLES`` and ``~`` in the path are expanded, so
``H:\\SENDIASS\\service.sendiass`` and ``%USERPROFILE%\\...`` both work. A
relative path is taken relative to the file it is written in.

The order of precedence for the store (in ``services.store_paths``) is:
``--store``, then ``$SENDIASS_STORE``, then the store used last on this
computer, then this file, then ``service.sendiass`` in the user's data folder.
A missing, unreadable or malformed file is the same as no file: the default
applies (the app never refuses to start because of it).
"""

from __future__ import annotations

import configparser
import os
import sys
from pathlib import Path

__all__ = [
    "CONFIG_ENV",
    "FILE_NAME",
    "SECTION",
    "candidate_files",
    "configured_store_path",
    "write_store_path",
]

FILE_NAME = "sendiass-desktop.ini"
SECTION = "store"
KEY = "path"
CONFIG_ENV = "SENDIASS_INSTALL_CONFIG"
_WINDOWS_FOLDER = "SENDIASS Desktop"
_UNIX_FOLDER = "sendiass-desktop"


def _program_folder() -> Path | None:
    """The installed program's folder (only for an installed, frozen build)."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return None


def _machine_folders() -> list[Path]:
    if sys.platform == "win32":
        base = os.environ.get("PROGRAMDATA") or r"C:\ProgramData"
        return [Path(base) / _WINDOWS_FOLDER]
    import platformdirs

    dirs = platformdirs.site_config_dir(_UNIX_FOLDER, appauthor=False, multipath=True)
    return [Path(d) for d in str(dirs).split(os.pathsep) if d]


def candidate_files() -> list[Path]:
    """Where ``sendiass-desktop.ini`` is looked for, in order."""
    override = os.environ.get(CONFIG_ENV)
    if override:
        return [Path(override)]
    folders = [f for f in (_program_folder(),) if f is not None] + _machine_folders()
    return [folder / FILE_NAME for folder in folders]


def _read(path: Path) -> Path | None:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        with path.open(encoding="utf-8-sig") as stream:
            parser.read_file(stream)
    except (OSError, UnicodeDecodeError, configparser.Error):
        return None
    value = parser.get(SECTION, KEY, fallback="").strip().strip('"').strip()
    if not value:
        return None
    expanded = Path(os.path.expanduser(os.path.expandvars(value)))
    if not expanded.is_absolute() and not str(expanded).startswith("\\\\"):
        expanded = path.parent / expanded
    return expanded


def configured_store_path() -> Path | None:
    """The store named by the installation's ``sendiass-desktop.ini``, if any."""
    for candidate in candidate_files():
        if candidate.is_file():
            found = _read(candidate)
            if found is not None:
                return found
    return None


def write_store_path(config_file: Path, store: Path) -> None:
    """Write ``[store] path = …`` (for tools and tests; the installer writes it itself)."""
    parser = configparser.ConfigParser(interpolation=None)
    parser[SECTION] = {KEY: str(store)}
    config_file.parent.mkdir(parents=True, exist_ok=True)
    with config_file.open("w", encoding="utf-8") as stream:
        stream.write("; Where SENDIASS Desktop finds the store. See docs/installing.md.\n")
        parser.write(stream)
