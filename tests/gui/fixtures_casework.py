"""A store full of generated casework, shared by the tests of one module.

Generating 1,500 cases takes a few seconds, so it is done once per test run
and each module that asks gets its own copy of the files (tests change
them). The store is not tied to enrolled computers, so no keyring is needed.

Besides the generated cases it holds one family made here, the Quillfeathers,
whose case has a young-person-confidential note (written by the
administrator) containing the word ``YP_WORD``: the officer, Bob, is on the
parent's side of that case and must never find it by that word.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from sendiass_desktop.domain.notes import Confidentiality
from sendiass_desktop.domain.roles import Role
from sendiass_desktop.services import demo_data, users
from sendiass_desktop.services.session import Session, StoreLocation, unlock_with_password
from sendiass_desktop.services.setup import create_store
from sendiass_desktop.ui.main_window import MainWindow
from sendiass_desktop.ui.workers import tasks_running
from tests.conftest import ADMIN, ADMIN_PASSWORD, OFFICER, OFFICER_PASSWORD
from tests.support.casework import add_note, make_family

CASES = 1500
SEED = 7
YP_WORD = "zephyrine"
FAMILY_SURNAME = "Quillfeather"

_built: dict[tuple[int, int], Path] = {}


@dataclass(frozen=True)
class CaseworkStore:
    location: StoreLocation
    cases: int  # generated, plus the one family made here

    def admin(self) -> Session:
        return unlock_with_password(self.location, ADMIN, ADMIN_PASSWORD)

    def officer(self) -> Session:
        return unlock_with_password(self.location, OFFICER, OFFICER_PASSWORD)


def _build(folder: Path, cases: int, seed: int) -> Path:
    location = StoreLocation.of(folder / "casework.sendiass")
    create_store(location, admin_username=ADMIN, admin_password=ADMIN_PASSWORD,
                 admin_display_name="Alice Admin", device_binding=False)
    session = unlock_with_password(location, ADMIN, ADMIN_PASSWORD)
    try:
        users.add_user(session, OFFICER, Role.OFFICER, display_name="Bob Officer",
                       password=OFFICER_PASSWORD)
        demo_data.generate(session, cases=cases, seed=seed)
        family = make_family(session, officer=OFFICER, surname=FAMILY_SURNAME)
        add_note(session, family.case,
                 f"Tom told me in confidence about the {YP_WORD} club he goes to.",
                 Confidentiality.YOUNG_PERSON)
    finally:
        session.close()
    return location.path


def _copy(source: Path, folder: Path) -> StoreLocation:
    from sendiass_desktop.store.keyslots import header_path

    folder.mkdir(parents=True, exist_ok=True)
    target = folder / source.name
    shutil.copy2(source, target)
    shutil.copy2(header_path(source), header_path(target))
    return StoreLocation.of(target)


def casework_store_in(factory: pytest.TempPathFactory, name: str, cases: int = CASES,
                      seed: int = SEED) -> CaseworkStore:
    key = (cases, seed)
    if key not in _built:
        _built[key] = _build(factory.mktemp("casework-original"), cases, seed)
    return CaseworkStore(_copy(_built[key], factory.mktemp(name)), cases + 1)


@pytest.fixture(scope="module")
def casework(tmp_path_factory: pytest.TempPathFactory,
             request: pytest.FixtureRequest) -> CaseworkStore:
    """A copy of the generated store for this test module."""
    return casework_store_in(tmp_path_factory, request.module.__name__.rsplit(".", 1)[-1])


def show_window(qtbot: QtBot, session: Session, **kwargs: object) -> MainWindow:
    window = MainWindow(session, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5_000)
    return window


def settle(qtbot: QtBot) -> None:
    """Wait until no background work is left (every result has been delivered)."""
    qtbot.waitUntil(lambda: tasks_running() == 0, timeout=30_000)
    QThreadPool.globalInstance().waitForDone(30_000)
    QApplication.processEvents()


@pytest.fixture
def admin_session(casework: CaseworkStore) -> Iterator[Session]:
    session = casework.admin()
    yield session
    session.close()


@pytest.fixture
def officer_session(casework: CaseworkStore) -> Iterator[Session]:
    session = casework.officer()
    yield session
    session.close()
