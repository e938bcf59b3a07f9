"""PyInstaller entry script for ``sendiass-desktop`` (the GUI)."""

from sendiass_desktop.app import main

raise SystemExit(main())
