"""Where the store lives when nobody says otherwise.

The same rule as ``sendiass-admin``: ``$SENDIASS_STORE`` if set, otherwise
``service.sendiass`` in the user's data folder.
"""

from __future__ import annotations

import os
from pathlib import Path

STORE_ENV = "SENDIASS_STORE"
DEFAULT_FILE_NAME = "service.sendiass"


def default_store_path() -> Path:
    env = os.environ.get(STORE_ENV)
    if env:
        return Path(env)
    # The installer may have chosen a shared network folder for this machine.
    from sendiass_desktop.install_config import configured_store_path

    configured = configured_store_path()
    if configured is not None:
        return configured
    import platformdirs

    return Path(platformdirs.user_data_dir("sendiass-desktop", appauthor=False)) / (
        DEFAULT_FILE_NAME
    )
