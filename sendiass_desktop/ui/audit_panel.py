"""The Audit trail tab (managers only): who opened or changed this case, and when.

The tab exists only for roles with ``Permission.VIEW_AUDIT`` (the service
checks again). The trail is read when the tab is first shown and on Refresh,
on a background connection, and reading it is itself recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop.services.case_audit import CaseAuditEntry, case_audit_trail
from sendiass_desktop.services.session import Session
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.icons import button, user_message
from sendiass_desktop.ui.notices import InlineMessage
from sendiass_desktop.ui.table_model import HeaderedTableModel
from sendiass_desktop.ui.theme import heading_font
from sendiass_desktop.ui.views import BackgroundLane


class AuditModel(HeaderedTableModel):
    HEADERS = ("When", "Who", "What", "Record")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.entries: list[CaseAuditEntry] = []

    def load(self, entries: Sequence[CaseAuditEntry]) -> None:
        self.beginResetModel()
        self.entries = list(entries)
        self.endResetModel()

    def _row_count(self) -> int:
        return len(self.entries)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        e = self.entries[index.row()]
        if role == Qt.ItemDataRole.UserRole:
            return e.seq
        record = (f"{e.record_type.replace('_', ' ').capitalize()} {e.record_id}"
                  if e.record_type not in ("case", "deadlines", "case_audit") else "This case")
        values = (e.at.strftime("%d/%m/%Y %H:%M:%S"), f"{e.actor_name} ({e.actor})",
                  e.description, record)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                    Qt.ItemDataRole.AccessibleTextRole):
            return values[index.column()]
        return None


class AuditPanel(QWidget):
    def __init__(self, session: Session, case_id: int, lane: BackgroundLane,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Audit trail")
        self._session = session
        self._case_id = case_id
        self._lane = lane
        self.loaded = False
        self.loading = False

        heading = QLabel("Audit trail", self)
        heading.setFont(heading_font(self, 1.15))
        intro = HintLabel(
            "Every time someone opened or changed this case, its notes, documents, consent, "
            "safeguarding concerns or deadlines. Newest first. Looking at this trail is "
            "recorded too.", self)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Filter by person or action…")
        self.filter.setAccessibleName("Filter the audit trail")
        self.filter.setClearButtonEnabled(True)
        self.refresh_button = button("&Refresh", "Refresh the audit trail", self)
        self.refresh_button.clicked.connect(self.refresh)
        tools = QHBoxLayout()
        tools.addWidget(self.filter, 1)
        tools.addWidget(self.refresh_button)
        self.model = AuditModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.proxy.setFilterKeyColumn(-1)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("Audit trail entries, newest first")
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.status = HintLabel("", self)
        self.message = InlineMessage(self, "Audit trail message")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addLayout(tools)
        layout.addWidget(self.message)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)

    def set_session(self, session: Session) -> None:
        self._session = session

    def refresh(self) -> None:
        if self.loading:
            return
        self.loading = True
        self.message.clear()
        self.status.setText("Reading the audit trail…")
        self.refresh_button.setEnabled(False)
        case_id = self._case_id
        self._lane.submit(lambda s: case_audit_trail(s, case_id), self._loaded, self._failed,
                          key="case-audit")

    def _loaded(self, entries: list[CaseAuditEntry]) -> None:
        self.loading = False
        self.loaded = True
        self.refresh_button.setEnabled(True)
        self.model.load(entries)
        self.status.setText(f"{len(entries)} entr{'ies' if len(entries) != 1 else 'y'}.")

    def _failed(self, exc: BaseException) -> None:
        self.loading = False
        self.refresh_button.setEnabled(True)
        self.status.setText("")
        self.message.show_message(user_message(exc))

    def clear(self) -> None:
        self.model.load([])
        self.loaded = False
        self.loading = False
        self.refresh_button.setEnabled(True)
        self.status.setText("")
