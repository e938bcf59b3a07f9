"""SENDIASS Desktop: offline, encrypted case management for SENDIASS teams."""

__version__ = "0.1.0"
APP_NAME = "SENDIASS Desktop"
