"""The first-run set-up wizard, driven through its real widgets."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import keyring
import pytest
from keyring.backends import fail
from pypdf import PdfReader
from PySide6.QtWidgets import QApplication, QFileDialog
from pytestqt.qtbot import QtBot

from sendiass_desktop.domain.recovery_key import parse_recovery_key
from sendiass_desktop.domain.roles import Role
from sendiass_desktop.services.session import StoreLocation, unlock_with_password
from sendiass_desktop.services.setup import SetupResult
from sendiass_desktop.ui.clipboard import shared_guard
from sendiass_desktop.ui.setup_wizard import SetupOutcome, SetupWizard
from tests.conftest import StoreFixture
from tests.gui.helpers import click, press_space, type_into
from tests.support.memory_keyring import MemoryKeyring

pytestmark = pytest.mark.gui

PASSWORD = "kettle on the windowsill"


def _wizard(qtbot: QtBot, default: Path) -> SetupWizard:
    wizard = SetupWizard(default)
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    return wizard


def _fill_first_pages(qtbot: QtBot, wizard: SetupWizard, store_path: Path) -> None:
    type_into(qtbot, wizard.welcome.service_name, "Northshire SENDIASS")
    click(qtbot, wizard.next_button)
    assert wizard.current_page() is wizard.location_page
    type_into(qtbot, wizard.location_page.path, str(store_path))
    click(qtbot, wizard.next_button)
    assert wizard.current_page() is wizard.admin
    type_into(qtbot, wizard.admin.username, "JSmith")
    type_into(qtbot, wizard.admin.display_name, "Jo Smith")
    type_into(qtbot, wizard.admin.password, PASSWORD)
    type_into(qtbot, wizard.admin.confirm, PASSWORD)
    click(qtbot, wizard.next_button)
    assert wizard.current_page() is wizard.device


def test_wizard_end_to_end_creates_a_store_that_unlocks(
    qtbot: QtBot, tmp_path: Path, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_path = tmp_path / "office" / "northshire.sendiass"
    wizard = _wizard(qtbot, tmp_path / "default" / "service.sendiass")
    assert wizard.location_page.path.text() == str(tmp_path / "default" / "service.sendiass")
    _fill_first_pages(qtbot, wizard, store_path)

    # Device binding: the (test) credential store is found and binding is on.
    qtbot.waitUntil(lambda: wizard.device.probe is not None, timeout=10_000)
    assert wizard.device.probe is not None and wizard.device.probe.available
    assert "Found this computer's credential store" in wizard.device.status.text()
    assert not wizard.device.without_binding.isVisible()
    assert wizard.next_button.text().replace("&", "") == "Create store"

    click(qtbot, wizard.next_button)
    qtbot.waitUntil(lambda: wizard.current_page() is wizard.recovery, timeout=60_000)
    assert StoreLocation.of(store_path).exists()
    assert not wizard.back_button.isVisible()
    assert not wizard.cancel_button.isVisible()

    # The key is shown in its 14 groups and is a valid recovery key.
    grid = wizard.recovery.key_grid
    assert grid is not None
    groups = grid.groups()
    assert len(groups) == 14 and all(len(g) == 4 for g in groups)
    key_text = "-".join(groups)
    parse_recovery_key(key_text)
    # ...and never put on the clipboard unasked.
    assert QApplication.clipboard().text() != key_text

    # Finish is refused until the user confirms the key is kept safe.
    assert not wizard.next_button.isEnabled()

    sheet = tmp_path / "papers" / "recovery sheet"
    sheet.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(sheet), "PDF documents (*.pdf)")))
    click(qtbot, wizard.recovery.save_button)
    qtbot.waitUntil(lambda: wizard.recovery.saved_to is not None, timeout=20_000)
    saved = sheet.with_name("recovery sheet.pdf")
    assert wizard.recovery.saved_to == saved
    data = saved.read_bytes()
    assert data.startswith(b"%PDF-")
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    text = "".join(page.extract_text() for page in PdfReader(saved).pages)
    assert groups[0] in text and groups[-1] in text
    assert "saved to" in wizard.recovery.message.text()

    # Copy only on request, and the clipboard is cleared again.
    click(qtbot, wizard.recovery.copy_button)
    assert QApplication.clipboard().text() == key_text
    assert "cleared from the clipboard in 60 seconds" in wizard.recovery.message.text()
    shared_guard().clear_now()
    assert QApplication.clipboard().text() == ""

    press_space(qtbot, wizard.recovery.confirmed)
    assert wizard.next_button.isEnabled()
    assert wizard.next_button.text().replace("&", "") == "Finish"
    with qtbot.waitSignal(wizard.created, timeout=5_000) as blocker:
        click(qtbot, wizard.next_button)
    outcome = blocker.args[0]
    assert isinstance(outcome, SetupOutcome)
    assert outcome.admin_username == "jsmith"
    assert outcome.location.path == store_path
    # The password fields were emptied once the store existed.
    assert wizard.admin.password.text() == "" and wizard.admin.confirm.text() == ""

    session = unlock_with_password(StoreLocation.of(store_path), "jsmith", PASSWORD)
    try:
        assert session.user.role is Role.ADMIN
        assert session.user.display_name == "Jo Smith"
        assert session.header.device_binding
    finally:
        session.close()


def test_wizard_explains_mistakes_inline(
    qtbot: QtBot, tmp_path: Path, memory_keyring: MemoryKeyring, store
) -> None:
    wizard = _wizard(qtbot, tmp_path / "new.sendiass")
    click(qtbot, wizard.next_button)
    assert wizard.current_page() is wizard.welcome
    assert "Type your service's name" in wizard.welcome.message.text()

    type_into(qtbot, wizard.welcome.service_name, "Northshire SENDIASS")
    click(qtbot, wizard.next_button)
    # A store already there is never overwritten.
    type_into(qtbot, wizard.location_page.path, str(store.path))
    click(qtbot, wizard.next_button)
    assert wizard.current_page() is wizard.location_page
    assert "already exists" in wizard.location_page.message.text()
    type_into(qtbot, wizard.location_page.path, str(tmp_path / "fresh"))
    click(qtbot, wizard.next_button)
    assert wizard.state.location.path == tmp_path / "fresh.sendiass"

    admin = wizard.admin
    type_into(qtbot, admin.username, "1st-admin")
    click(qtbot, wizard.next_button)
    assert "username must be 2 to 32 characters" in admin.message.text()
    assert wizard.focusWidget() is admin.username

    type_into(qtbot, admin.username, "jsmith")
    type_into(qtbot, admin.password, "short")
    type_into(qtbot, admin.confirm, "short")
    click(qtbot, wizard.next_button)
    assert "at least 10 characters" in admin.message.text()

    type_into(qtbot, admin.password, "jsmith is the boss")
    type_into(qtbot, admin.confirm, "jsmith is the boss")
    click(qtbot, wizard.next_button)
    assert "must not contain the username" in admin.message.text()

    type_into(qtbot, admin.password, PASSWORD)
    type_into(qtbot, admin.confirm, PASSWORD + "!")
    click(qtbot, wizard.next_button)
    assert "do not match" in admin.message.text()
    assert admin.confirm.text() == ""
    assert wizard.current_page() is admin

    # Back keeps what was typed.
    click(qtbot, wizard.back_button)
    assert wizard.current_page() is wizard.location_page
    assert wizard.location_page.path.text() == str(tmp_path / "fresh.sendiass")


def test_without_credential_store_binding_needs_the_warning_ticked(
    qtbot: QtBot, tmp_path: Path
) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        store_path = tmp_path / "unbound.sendiass"
        wizard = _wizard(qtbot, store_path)
        _fill_first_pages(qtbot, wizard, store_path)
        qtbot.waitUntil(lambda: wizard.device.probe is not None, timeout=10_000)
        assert wizard.device.probe is not None and not wizard.device.probe.available
        assert "No working credential store" in wizard.device.status.text()
        assert wizard.device.without_binding.isVisible()
        assert not wizard.next_button.isEnabled()

        press_space(qtbot, wizard.device.without_binding)
        assert wizard.next_button.isEnabled()
        click(qtbot, wizard.next_button)
        qtbot.waitUntil(lambda: wizard.current_page() is wizard.recovery, timeout=60_000)
        press_space(qtbot, wizard.recovery.confirmed)
        with qtbot.waitSignal(wizard.created, timeout=5_000):
            click(qtbot, wizard.next_button)
        session = unlock_with_password(StoreLocation.of(store_path), "jsmith", PASSWORD)
        try:
            assert not session.header.device_binding
        finally:
            session.close()
    finally:
        keyring.set_keyring(previous)


def test_creation_failure_is_explained_and_can_be_retried(
    qtbot: QtBot, tmp_path: Path, memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch
) -> None:
    store_path = tmp_path / "retry.sendiass"
    wizard = _wizard(qtbot, store_path)
    _fill_first_pages(qtbot, wizard, store_path)
    qtbot.waitUntil(lambda: wizard.device.is_complete(), timeout=10_000)

    import sendiass_desktop.ui.setup_pages as pages

    real = pages.create_store
    calls = {"n": 0}

    def flaky(*args: Any, **kwargs: Any) -> SetupResult:
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError(28, "No space left on device")
        return real(*args, **kwargs)

    monkeypatch.setattr(pages, "create_store", flaky)
    click(qtbot, wizard.next_button)
    qtbot.waitUntil(lambda: wizard.creating.message.text() != "", timeout=30_000)
    assert "could not be created" in wizard.creating.message.text()
    assert not StoreLocation.of(store_path).exists()
    assert wizard.back_button.isVisible() and wizard.back_button.isEnabled()
    assert wizard.next_button.text().replace("&", "") == "Try again"
    click(qtbot, wizard.next_button)
    qtbot.waitUntil(lambda: wizard.current_page() is wizard.recovery, timeout=60_000)
    assert StoreLocation.of(store_path).exists()


def test_open_an_existing_store_instead(
    qtbot: QtBot, tmp_path: Path, store: StoreFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sendiass_desktop.ui.startup import StartupController
    from sendiass_desktop.ui.unlock_dialog import UnlockDialog

    controller = StartupController(StoreLocation.of(tmp_path / "nothing-here.sendiass"))
    controller.start()
    qtbot.waitUntil(lambda: isinstance(controller.current, SetupWizard), timeout=5_000)
    wizard = controller.current
    assert isinstance(wizard, SetupWizard)
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        staticmethod(lambda *a, **k: (str(store.path), "")))
    click(qtbot, wizard.welcome.open_button)
    qtbot.waitUntil(lambda: isinstance(controller.current, UnlockDialog), timeout=5_000)
    assert controller.location.path == store.path
    assert not StoreLocation.of(tmp_path / "nothing-here.sendiass").exists()
