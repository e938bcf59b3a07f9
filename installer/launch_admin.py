"""PyInstaller entry script for ``sendiass-admin`` (the command line)."""

from sendiass_desktop.cli import main

raise SystemExit(main())
