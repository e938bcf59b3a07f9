"""The inspector access report and "End access now", from Users and roles (rule 6)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox
from pytestqt.qtbot import QtBot

from sendiass_desktop.domain.roles import Role
from sendiass_desktop.domain.users import UserStatus
from sendiass_desktop.services import cases, inspection, search
from sendiass_desktop.services.session import Session, unlock_with_password
from sendiass_desktop.store.errors import WrongCredentials
from sendiass_desktop.ui.admin_users import UsersAdminView
from sendiass_desktop.ui.inspection_report import AccessReportModel, InspectionReportDialog
from sendiass_desktop.ui.main_window import MainWindow
from tests.conftest import ADMIN, ADMIN_PASSWORD, OFFICER, StoreFixture
from tests.gui.fixtures_casework import settle, show_window
from tests.gui.helpers import click
from tests.support.casework import Family, make_family

pytestmark = pytest.mark.gui

INSPECTOR, INSPECTOR_PASSWORD = "ivy", "ofsted inspection week"


@pytest.fixture
def admin(store: StoreFixture) -> Iterator[Session]:
    session = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    yield session
    session.close()


@pytest.fixture
def inspected(admin: Session, store: StoreFixture) -> Family:
    """An inspector who signed in, opened a case and searched, then signed out."""
    family = make_family(admin, officer=OFFICER)
    inspection.create_inspector(admin, INSPECTOR, datetime.now(UTC) + timedelta(days=7),
                                display_name="Ivy Inspector", password=INSPECTOR_PASSWORD)
    ivy = unlock_with_password(store.location, INSPECTOR, INSPECTOR_PASSWORD)
    try:
        assert family.case.id is not None
        cases.open_case_file(ivy, family.case.id)
        search.search_cases(ivy, "assessment")
    finally:
        ivy.close()
    return family


def _users_view(qtbot: QtBot, session: Session) -> tuple[MainWindow, UsersAdminView]:
    window = show_window(qtbot, session)
    qtbot.keyClick(window, Qt.Key.Key_3, Qt.KeyboardModifier.ControlModifier)
    view = window.view("users")
    assert isinstance(view, UsersAdminView)
    return window, view


def _report(qtbot: QtBot, view: UsersAdminView) -> InspectionReportDialog:
    view.select(INSPECTOR)
    click(qtbot, view.report_button)
    dialog = view.dialog
    assert isinstance(dialog, InspectionReportDialog)
    qtbot.waitExposed(dialog)
    settle(qtbot)
    return dialog


def _rows(dialog: InspectionReportDialog) -> list[list[str]]:
    model = dialog.model
    return [[model.index(r, c).data() for c in range(model.columnCount())]
            for r in range(model.rowCount())]


def test_the_report_lists_what_the_inspector_opened(qtbot: QtBot, admin: Session,
                                                    inspected: Family) -> None:
    window, view = _users_view(qtbot, admin)
    # Only for inspector accounts.
    view.select(OFFICER)
    assert not view.report_button.isEnabled() and not view.end_access_button.isEnabled()
    view.select(INSPECTOR)
    assert view.report_button.isEnabled() and view.end_access_button.isEnabled()
    dialog = _report(qtbot, view)
    rows = _rows(dialog)
    assert [h for h in AccessReportModel.HEADERS] == ["When", "Action", "What was opened",
                                                      "Detail"]
    assert rows[0][AccessReportModel.ACTION] == "Signed in"
    assert ["Viewed", f"Case file {inspected.case.ref}"] in [
        r[AccessReportModel.ACTION:AccessReportModel.DETAIL] for r in rows]
    assert any(r[AccessReportModel.ACTION] == "Searched" for r in rows)
    assert rows[-1][AccessReportModel.ACTION] == "Signed out"
    # UK dates and times; references only, never names.
    datetime.strptime(rows[0][AccessReportModel.WHEN], "%d/%m/%Y %H:%M:%S")
    assert not any("Jones" in cell for row in rows for cell in row)
    assert f"{len(rows)} entries" in dialog.summary.text()
    assert "1 record viewed" in dialog.summary.text() or "records viewed" in (
        dialog.summary.text())
    click(qtbot, dialog.close_button)
    window.discard()


def test_export_csv_writes_the_rows(qtbot: QtBot, admin: Session, inspected: Family,
                                    tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    window, view = _users_view(qtbot, admin)
    dialog = _report(qtbot, view)
    shown = _rows(dialog)
    out = tmp_path / "ivy-report"  # ".csv" is added
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *_a, **_k: (str(out), "CSV files (*.csv)"))
    click(qtbot, dialog.export_button)
    settle(qtbot)
    saved = out.with_suffix(".csv")
    assert dialog.saved_to == saved and saved.exists(), dialog.message.text()
    assert "Saved ivy-report.csv" in dialog.message.text()
    text = saved.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["When", "Who", "Action", "Record type", "Reference", "Detail"]
    # Reading and exporting the report are the administrator's doing, not the
    # inspector's: the rows match the table one for one.
    assert len(rows) - 1 == len(shown)
    assert [r[2] for r in rows[1:]] == [r[AccessReportModel.ACTION] for r in shown]
    assert ["ivy", "Viewed", "Case file", inspected.case.ref] in [r[1:5] for r in rows]
    # An existing file is not overwritten: the service says so, plainly.
    click(qtbot, dialog.export_button)
    settle(qtbot)
    assert "already exists" in dialog.message.text()
    dialog.reject()
    window.discard()


def test_end_access_now_after_confirming(qtbot: QtBot, admin: Session, inspected: Family,
                                         store: StoreFixture) -> None:
    window, view = _users_view(qtbot, admin)
    view.select(INSPECTOR)
    click(qtbot, view.end_access_button)
    qtbot.waitUntil(lambda: view.question is not None and view.question.isVisible(),
                    timeout=5_000)
    box = view.question
    assert isinstance(box, QMessageBox)
    assert "will not be able to sign in again" in box.text()
    go = next(b for b in box.buttons() if b.text() == "End access")
    click(qtbot, go)
    qtbot.waitUntil(lambda: not view.busy, timeout=10_000)
    row = view.model.row_of(INSPECTOR)
    assert row is not None and view.model.user(row).status is UserStatus.DISABLED
    assert "has ended" in view.message.text()
    assert not view.end_access_button.isEnabled() and view.report_button.isEnabled()
    with pytest.raises(WrongCredentials):
        unlock_with_password(store.location, INSPECTOR, INSPECTOR_PASSWORD)
    # What they looked at is still reported.
    dialog = _report(qtbot, view)
    assert any(r[AccessReportModel.ACTION] == "Viewed" for r in _rows(dialog))
    dialog.reject()
    window.discard()


def test_every_control_has_an_accessible_name(qtbot: QtBot, admin: Session,
                                              inspected: Family) -> None:
    from tests.gui.test_accessibility import _unnamed

    user = next(u for u in inspection.inspectors(admin) if u.username == INSPECTOR)
    assert user.role is Role.INSPECTOR
    dialog = InspectionReportDialog(admin, user)
    qtbot.addWidget(dialog)
    settle(qtbot)
    assert _unnamed(dialog) == []
    dialog.reject()
