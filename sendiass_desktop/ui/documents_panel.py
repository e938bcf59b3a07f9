"""The Documents tab: letters, reports and pictures kept encrypted in the store.

Add by dropping files onto the tab or with "Add a document…"; the file is
read on a worker thread and then stored (the store is used from the UI
thread only). What is refused (too big, a kind that cannot be attached, an
empty file) is said in plain words, naming the file. Documents open in
``DocumentViewer`` from memory; "Save a copy…" is the only way a decrypted
copy reaches the disk, and it is audited.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QMimeData,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop.domain.documents import MAX_DOCUMENT_BYTES, DocumentInfo
from sendiass_desktop.domain.errors import SendiassError
from sendiass_desktop.services import case_audit
from sendiass_desktop.services import documents as documents_service
from sendiass_desktop.services.session import Session
from sendiass_desktop.ui.document_viewer import DocumentViewer
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.icons import button, icon, uk_datetime, user_message
from sendiass_desktop.ui.notices import Banner, InlineMessage
from sendiass_desktop.ui.table_model import HeaderedTableModel, panel_table
from sendiass_desktop.ui.theme import Tone, heading_font
from sendiass_desktop.ui.views import BackgroundLane

DocumentRole = Qt.ItemDataRole.UserRole + 1
UNDO_SECONDS = 10
MAX_FILES_AT_ONCE = 20


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / 1048576:.1f} MB"


class DocumentsModel(HeaderedTableModel):
    HEADERS = ("Name", "Kind", "Size", "Added", "Added by", "Description")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.documents: list[DocumentInfo] = []
        self._names: dict[str, str] = {}

    def load(self, documents: Sequence[DocumentInfo], names: dict[str, str]) -> None:
        self.beginResetModel()
        self.documents = sorted(documents, key=lambda d: (d.added_at, d.id or 0), reverse=True)
        self._names = names
        self.endResetModel()

    def _row_count(self) -> int:
        return len(self.documents)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        d = self.documents[index.row()]
        if role == DocumentRole:
            return d
        if role == Qt.ItemDataRole.DecorationRole and index.column() == 0:
            return icon("document")
        values = (d.filename, d.media_type.label, human_size(d.size), uk_datetime(d.added_at),
                  self._names.get(d.added_by, d.added_by), d.description)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                    Qt.ItemDataRole.AccessibleTextRole):
            return values[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == 2:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def _local_files(mime: QMimeData) -> list[Path]:
    if not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]


def _store_files(session: Session, case_id: int,
                 paths: Sequence[Path]) -> list[tuple[str, str]]:
    """Background connection: read and store each file; (name, problem or "") for each."""
    out: list[tuple[str, str]] = []
    for path in paths:
        try:
            if path.is_dir():
                out.append((path.name, "it is a folder; drop the files inside it instead."))
                continue
            size = os.path.getsize(path)
            if size > MAX_DOCUMENT_BYTES:
                out.append((path.name, f"it is too large ({size / 1048576:.1f} MB); the limit "
                                       f"is {MAX_DOCUMENT_BYTES // 1048576} MB."))
                continue
            data = path.read_bytes()
        except OSError:
            out.append((path.name, "it could not be read (is it still there, and open to "
                                   "you?)."))
            continue
        try:
            documents_service.add_document(session, case_id, path.name, data)
        except SendiassError as exc:
            out.append((path.name, str(exc)))
            continue
        out.append((path.name, ""))
    return out


class DropArea(QFrame):
    """The table and a dashed outline that lights up while files are dragged over."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("dropArea")
        self.set_highlight(False)

    def set_highlight(self, on: bool) -> None:
        self.setStyleSheet(
            "QFrame#dropArea { border: 2px dashed palette(highlight); border-radius: 6px; }"
            if on else
            "QFrame#dropArea { border: 2px dashed palette(mid); border-radius: 6px; }")


class DocumentsPanel(QWidget):
    changed = Signal()
    addingFinished = Signal()
    viewerOpened = Signal(object)  # DocumentViewer

    def __init__(self, session: Session, case_id: int, case_ref: str, lane: BackgroundLane,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Documents")
        self.setAcceptDrops(True)
        self._session = session
        self._case_id = case_id
        self._case_ref = case_ref
        self._lane = lane
        self._names: dict[str, str] = {}
        self._locked = False
        self._adding = 0
        self._opening = False
        self._deleted: DocumentInfo | None = None
        self.viewers: list[DocumentViewer] = []

        heading = QLabel("Documents", self)
        heading.setFont(heading_font(self, 1.15))
        self.hint = HintLabel(
            "Drop files anywhere on this tab, or use Add a document. Accepted: PDF, Word, "
            "OpenDocument, rich text, plain text, email messages, PNG and JPEG pictures, up "
            f"to {MAX_DOCUMENT_BYTES // 1048576} MB each. Documents are kept encrypted in the "
            "store.", self)
        self.model = DocumentsModel(self)
        self.table = panel_table(self.model, "Documents on this case, newest first", 0, self)
        self.table.setAlternatingRowColors(True)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self.table.selectionModel().currentChanged.connect(self._selected)
        self.empty = HintLabel("No documents yet.", self)
        self.drop_area = DropArea(self)
        drop_layout = QVBoxLayout(self.drop_area)
        drop_layout.setContentsMargins(6, 6, 6, 6)
        drop_layout.addWidget(self.table, 1)
        drop_layout.addWidget(self.empty)

        self.add_button = button("&Add a document…", "Add a document", self, icon_name="add")
        self.open_button = button("&Open", "Open document", self)
        self.save_button = button("&Save a copy…", "Save a copy", self)
        self.delete_button = button("&Delete", "Delete document", self)
        self.add_button.clicked.connect(self.choose_files)
        self.open_button.clicked.connect(self.open_selected)
        self.save_button.clicked.connect(lambda: self.save_copy(self.current()))
        self.delete_button.clicked.connect(self.delete_selected)
        actions = QHBoxLayout()
        actions.addWidget(self.add_button)
        actions.addStretch(1)
        actions.addWidget(self.delete_button)
        actions.addWidget(self.save_button)
        actions.addWidget(self.open_button)
        open_key = QShortcut(QKeySequence(Qt.Key.Key_Return), self.table)
        open_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        open_key.activated.connect(self.open_selected)
        delete_key = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table)
        delete_key.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete_key.activated.connect(self.delete_selected)

        self.message = InlineMessage(self, "Documents message")
        self.undo_bar = Banner(Tone.INFO, "Document deleted.", self, name="Document deleted")
        self.undo_button = button("&Undo", "Undo delete", self.undo_bar)
        self.undo_button.clicked.connect(self.undo_delete)
        self.undo_bar.add_button(self.undo_button)
        self.undo_bar.hide()
        self.undo_timer = QTimer(self)
        self.undo_timer.setSingleShot(True)
        self.undo_timer.setInterval(UNDO_SECONDS * 1000)
        self.undo_timer.timeout.connect(self._undo_expired)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(heading)
        layout.addWidget(self.hint)
        layout.addWidget(self.undo_bar)
        layout.addWidget(self.message)
        layout.addWidget(self.drop_area, 1)
        layout.addLayout(actions)
        self._selected()

    # --- data --------------------------------------------------------------------------------

    def set_session(self, session: Session) -> None:
        self._session = session
        self._locked = False

    def set_case_ref(self, ref: str) -> None:
        self._case_ref = ref

    def load(self, documents: Sequence[DocumentInfo], names: dict[str, str]) -> None:
        self._names = names
        self.model.load(documents, names)
        self.empty.setVisible(not documents)
        if documents:
            self.table.selectRow(0)
        self._selected()

    def refresh(self) -> None:
        try:
            documents = documents_service.documents_for_case(self._session, self._case_id)
        except Exception as exc:
            self.message.show_message(user_message(exc))
            return
        self.load(documents, self._names)

    def clear(self) -> None:
        """On lock: close viewers (dropping their contents) and forget the list."""
        self._locked = True
        self._adding = 0  # work in flight is dropped by the lane; the list is read again later
        self._opening = False
        self.add_button.setEnabled(True)
        self.close_viewers()
        self.model.load([], {})
        self.undo_timer.stop()
        self.undo_bar.hide()
        self._deleted = None

    def close_viewers(self) -> None:
        for viewer in list(self.viewers):
            viewer.close()
        self.viewers.clear()

    def current(self) -> DocumentInfo | None:
        doc = self.table.currentIndex().data(DocumentRole)
        return doc if isinstance(doc, DocumentInfo) else None

    def _selected(self, *_args: object) -> None:
        has = self.current() is not None
        for b in (self.open_button, self.save_button, self.delete_button):
            b.setEnabled(has)

    @property
    def busy(self) -> bool:
        return self._adding > 0 or self._opening or self._lane.busy

    # --- adding ------------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _local_files(event.mimeData()):
            event.acceptProposedAction()
            self.drop_area.set_highlight(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if _local_files(event.mimeData()):
            event.acceptProposedAction()

    def dragLeaveEvent(self, event: object) -> None:
        self.drop_area.set_highlight(False)

    def dropEvent(self, event: QDropEvent) -> None:
        self.drop_area.set_highlight(False)
        if self.handle_drop(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def handle_drop(self, mime: QMimeData) -> bool:
        """Add the local files in ``mime`` (what a drop carries). False if there were none."""
        paths = _local_files(mime)
        if not paths:
            return False
        self.add_files(paths)
        return True

    def choose_files(self) -> None:
        names, _ = QFileDialog.getOpenFileNames(
            self, "Add documents to the case", "",
            "Documents (*.pdf *.docx *.doc *.odt *.rtf *.txt *.eml *.png *.jpg *.jpeg);;"
            "All files (*)")
        if names:
            self.add_files([Path(n) for n in names])

    def add_files(self, paths: Sequence[Path]) -> None:
        """Read and store the files on the background connection; report in plain words."""
        self.message.clear()
        paths = list(paths)
        if len(paths) > MAX_FILES_AT_ONCE:
            self.message.show_message(f"Add at most {MAX_FILES_AT_ONCE} files at a time.")
            return
        self._adding += 1
        self.add_button.setEnabled(False)
        case_id = self._case_id
        self._lane.submit(lambda s: _store_files(s, case_id, paths), self._files_added,
                          self._add_failed)

    def _add_failed(self, exc: BaseException) -> None:
        self._adding -= 1
        self.add_button.setEnabled(True)
        self.message.show_message(user_message(exc, "The files could not be added. Nothing "
                                                    "was changed."))
        self.addingFinished.emit()

    def _files_added(self, results: list[tuple[str, str]]) -> None:
        self._adding -= 1
        self.add_button.setEnabled(True)
        added = [f"“{name}”" for name, problem in results if not problem]
        refused = [f"“{name}” was not added: {problem}" for name, problem in results if problem]
        if added:
            self.refresh()
            self.changed.emit()
        if refused:
            lead = f"Added {', '.join(added)}. " if added else ""
            self.message.show_message(lead + " ".join(refused))
        elif added:
            self.message.show_message(f"Added {', '.join(added)}.", Tone.SUCCESS)
        self.addingFinished.emit()

    # --- opening, saving, deleting -----------------------------------------------------------

    def open_selected(self) -> None:
        """Decrypt the selected document into memory (background) and show it."""
        info = self.current()
        if info is None or info.id is None or self._opening:
            return
        self.message.clear()
        self._opening = True
        document_id = info.id
        self._lane.submit(lambda s: documents_service.read_document(s, document_id),
                          self._show_viewer, self._open_failed)

    def _open_failed(self, exc: BaseException) -> None:
        self._opening = False
        self.message.show_message(user_message(exc))
        self.addingFinished.emit()

    def _show_viewer(self, result: tuple[DocumentInfo, bytes]) -> None:
        self._opening = False
        info, data = result
        if self._locked:
            return
        viewer = DocumentViewer(info, data, self._case_ref,
                                self._names.get(info.added_by, info.added_by), self.window())
        viewer.saveCopyRequested.connect(self.save_copy)
        viewer.destroyed.connect(lambda _=None, v=viewer: self._forget_viewer(v))
        self.viewers.append(viewer)
        viewer.show()
        self.viewerOpened.emit(viewer)

    def _forget_viewer(self, viewer: DocumentViewer) -> None:
        if viewer in self.viewers:
            self.viewers.remove(viewer)

    def save_copy(self, info: DocumentInfo | None, target: Path | None = None) -> bool:
        """Export a decrypted copy where the user chooses (audited). True if written."""
        if info is None or info.id is None:
            return False
        if target is None:
            answer = QMessageBox.question(
                self, "Save an unencrypted copy?",
                "The copy will not be encrypted. Keep it only as long as you need it, in a "
                "place only the team can reach, and delete it afterwards. Saving it is "
                "recorded in the audit trail.",
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Save:
                return False
            name, _ = QFileDialog.getSaveFileName(self, "Save a copy of the document",
                                                  info.filename)
            if not name:
                return False
            target = Path(name)
        try:
            case_audit.record_saved_copy(self._session, info.id)
            _info, data = documents_service.read_document(self._session, info.id)
        except Exception as exc:
            self.message.show_message(user_message(exc))
            return False
        try:
            target.write_bytes(data)
        except OSError:
            self.message.show_message(f"The copy could not be written to {target.parent}. "
                                      "Choose another folder.")
            return False
        self.message.show_message(f"Saved a copy as {target}.", Tone.SUCCESS)
        return True

    def delete_selected(self) -> None:
        info = self.current()
        if info is None or info.id is None:
            return
        try:
            documents_service.delete_document(self._session, info.id, True)
        except Exception as exc:
            self.message.show_message(user_message(exc))
            return
        self._deleted = info
        self.refresh()
        text = f"“{info.filename}” deleted."
        self.undo_bar.label.setText(text)
        self.undo_bar.setAccessibleDescription(text)
        self.undo_bar.show()
        self.undo_timer.start()
        self.undo_button.setFocus()
        self.changed.emit()

    def undo_delete(self) -> None:
        info = self._deleted
        if info is None or info.id is None:
            return
        try:
            documents_service.delete_document(self._session, info.id, False)
        except Exception as exc:
            self.message.show_message(user_message(exc))
            return
        self._undo_expired()
        self.refresh()
        self.changed.emit()

    def _undo_expired(self) -> None:
        self._deleted = None
        self.undo_timer.stop()
        self.undo_bar.hide()
