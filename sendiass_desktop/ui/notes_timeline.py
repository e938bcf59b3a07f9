"""The Notes tab: a chronological timeline of case notes, the note being read,
and the note editor.

The timeline is model/view: ``NotesModel`` holds the notes the service let
this user see (the others are simply absent), ``NoteFilterProxy`` orders and
filters them, and ``NoteDelegate`` paints each row: type icon, date, author,
the first lines of the note, and marks for safeguarding, young-person
confidential and restricted notes (icon + words + colour, never colour alone).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRectF,
    QSize,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont, QFontMetrics, QKeySequence, QPainter, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop.domain.errors import NotFound
from sendiass_desktop.domain.notes import Confidentiality, Note, NoteType
from sendiass_desktop.services import notes as notes_service
from sendiass_desktop.services.session import Session
from sendiass_desktop.store.drafts import Draft
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.icons import (
    Chip,
    GuardedTextEdit,
    button,
    chip_colours,
    chip_width,
    paint_chip,
    paint_icon,
    paint_item_background,
    safeguarding_colours,
    uk_datetime,
    user_message,
)
from sendiass_desktop.ui.note_editor import NoteEditor
from sendiass_desktop.ui.notices import Banner, InlineMessage
from sendiass_desktop.ui.theme import Tone, heading_font, scaled_font, secondary_text_colour

NoteRole = Qt.ItemDataRole.UserRole + 1
SortRole = Qt.ItemDataRole.UserRole + 2

UNDO_SECONDS = 10

TYPE_ICONS = {
    NoteType.CALL: "call",
    NoteType.EMAIL: "email",
    NoteType.MEETING: "meeting",
    NoteType.LETTER: "letter",
    NoteType.VISIT: "visit",
    NoteType.TEXT: "text",
    NoteType.OTHER: "other",
}

YP_MARK = "Young person confidential — not shared with parents"
RESTRICTED_MARK = "Restricted — author and managers only"
SAFEGUARDING_MARK = "Safeguarding"


def note_marks(note: Note) -> list[tuple[str, str, str]]:
    """(words, icon, kind) for each mark a note carries, most important first."""
    marks: list[tuple[str, str, str]] = []
    if note.safeguarding:
        marks.append((SAFEGUARDING_MARK, "safeguarding", "safeguarding"))
    if note.confidentiality is Confidentiality.YOUNG_PERSON:
        marks.append((YP_MARK, "young_person", "yp"))
    elif note.confidentiality is Confidentiality.RESTRICTED:
        marks.append((RESTRICTED_MARK, "restricted", "restricted"))
    return marks


def mark_chip(text: str, icon_name: str, kind: str, parent: QWidget | None = None) -> Chip:
    if kind == "safeguarding":
        c = safeguarding_colours()
        from PySide6.QtGui import QColor

        return Chip(text, None, icon_name, parent,
                    colours=(QColor(c.background), QColor(c.foreground), QColor(c.border)))
    return Chip(text, Tone.INFO if kind == "yp" else Tone.WARNING, icon_name, parent)


def _mark_colours(kind: str) -> tuple[Any, Any, Any]:
    if kind == "safeguarding":
        from PySide6.QtGui import QColor

        c = safeguarding_colours()
        return QColor(c.background), QColor(c.foreground), QColor(c.border)
    return chip_colours(Tone.INFO if kind == "yp" else Tone.WARNING)


def first_lines(text: str, count: int = 2) -> list[str]:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[:count]


class NotesModel(QAbstractListModel):
    """The notes this user may see, in no particular order (the proxy sorts)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._notes: list[Note] = []
        self._names: dict[str, str] = {}

    def set_notes(self, notes: Sequence[Note], names: dict[str, str] | None = None) -> None:
        self.beginResetModel()
        self._notes = [n for n in notes if not n.deleted]
        if names is not None:
            self._names = dict(names)
        self.endResetModel()

    def clear(self) -> None:
        self.set_notes([], {})

    def author_name(self, username: str) -> str:
        return self._names.get(username, username)

    def notes(self) -> list[Note]:
        return list(self._notes)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._notes)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._notes):
            return None
        note = self._notes[index.row()]
        if role == NoteRole:
            return note
        if role == SortRole:
            return (note.occurred_at.isoformat(), note.id or 0)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole,
                    Qt.ItemDataRole.ToolTipRole):
            return self.describe(note)
        return None

    def describe(self, note: Note) -> str:
        parts = [f"{note.type.label}, {uk_datetime(note.occurred_at)}, "
                 f"by {self.author_name(note.author)}."]
        parts += [f"{words}." for words, _icon, _kind in note_marks(note)]
        lines = first_lines(note.body, 1)
        if lines:
            parts.append(lines[0][:200])
        return " ".join(parts)

    def row_of(self, note_id: int) -> int:
        for row, note in enumerate(self._notes):
            if note.id == note_id:
                return row
        return -1

    def put(self, note: Note) -> None:
        """Add or replace one note (after a save), or drop it if deleted."""
        row = self.row_of(note.id) if note.id is not None else -1
        if note.deleted:
            if row >= 0:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._notes[row]
                self.endRemoveRows()
            return
        if row >= 0:
            self._notes[row] = note
            index = self.index(row)
            self.dataChanged.emit(index, index)
        else:
            self.beginInsertRows(QModelIndex(), len(self._notes), len(self._notes))
            self._notes.append(note)
            self.endInsertRows()


class NoteFilterProxy(QSortFilterProxyModel):
    """Newest or oldest first, and a plain-text filter over what is shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSortRole(SortRole)
        self._words: list[str] = []
        self.setDynamicSortFilter(True)

    def set_filter_text(self, text: str) -> None:
        self.beginFilterChange()
        self._words = [w for w in text.lower().split() if w]
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int,
                         source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        if not self._words:
            return True
        model = self.sourceModel()
        assert isinstance(model, NotesModel)
        note = model.data(model.index(source_row, 0, source_parent), NoteRole)
        if not isinstance(note, Note):
            return False
        haystack = " ".join([
            note.body, note.type.label, model.author_name(note.author), note.author,
            uk_datetime(note.occurred_at), *note.third_parties,
            *(words for words, _i, _k in note_marks(note)),
        ]).lower()
        return all(word in haystack for word in self._words)

    def lessThan(self, left: QModelIndex | QPersistentModelIndex,
                 right: QModelIndex | QPersistentModelIndex) -> bool:
        a = left.data(SortRole)
        b = right.data(SortRole)
        return bool(a < b)


class NoteDelegate(QStyledItemDelegate):
    """One note per row: icon, type, date, author; marks; the first lines of text."""

    PAD = 8
    ICON = 22
    STRIPE = 5

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont, QFont]:
        base = QFont(option.font)
        return scaled_font(base, 1.0, bold=True), base, scaled_font(base, 0.92)

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        note = index.data(NoteRole)
        bold, body, small = self._fonts(option)
        line = QFontMetrics(body).lineSpacing()
        chip_line = QFontMetrics(small).height() + 8
        height = self.PAD * 2 + QFontMetrics(bold).lineSpacing() + 4 + line * 2
        if isinstance(note, Note) and note_marks(note):
            height += chip_line + 4
        view = option.widget
        width = view.viewport().width() if isinstance(view, QListView) else 400
        return QSize(max(200, width), height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        note = index.data(NoteRole)
        if not isinstance(note, Note):
            super().paint(painter, option, index)
            return
        opt = paint_item_background(self, painter, option, index)
        rect = QRectF(opt.rect)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        palette: QPalette = opt.palette
        text_colour = palette.color(QPalette.ColorRole.HighlightedText if selected
                                    else QPalette.ColorRole.Text)
        muted = text_colour if selected else secondary_text_colour(palette)
        bold, body, small = self._fonts(opt)
        painter.save()
        marks = note_marks(note)
        if note.safeguarding:
            stripe = safeguarding_colours()
            from PySide6.QtGui import QColor

            painter.fillRect(QRectF(rect.x(), rect.y() + 2, self.STRIPE, rect.height() - 4),
                             QColor(stripe.background))
        x = rect.x() + self.PAD + self.STRIPE
        y = rect.y() + self.PAD
        bold_fm = QFontMetrics(bold)
        paint_icon(painter, QRectF(x, y, self.ICON, self.ICON), TYPE_ICONS[note.type],
                   text_colour)
        tx = x + self.ICON + 10
        right = rect.right() - self.PAD
        painter.setFont(bold)
        painter.setPen(text_colour)
        heading = f"{note.type.label}  ·  {uk_datetime(note.occurred_at)}"
        painter.drawText(QRectF(tx, y, right - tx, bold_fm.lineSpacing()),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), heading)
        author_x = tx + bold_fm.horizontalAdvance(heading) + 14
        painter.setFont(body)
        painter.setPen(muted)
        author = f"by {note.author}"
        proxy = index.model()
        source = proxy.sourceModel() if isinstance(proxy, QSortFilterProxyModel) else proxy
        if isinstance(source, NotesModel):
            author = f"by {source.author_name(note.author)}"
        painter.drawText(QRectF(author_x, y, max(0.0, right - author_x), bold_fm.lineSpacing()),
                         int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                         QFontMetrics(body).elidedText(author, Qt.TextElideMode.ElideRight,
                                                       int(max(0.0, right - author_x))))
        y += bold_fm.lineSpacing() + 4
        if marks:
            small_fm = QFontMetrics(small)
            chip_h = small_fm.height() + 8
            cx = tx
            for words, icon_name, kind in marks:
                width = chip_width(small, words)
                if cx + width > right and cx > tx:
                    break
                paint_chip(painter, QRectF(cx, y, min(width, right - cx), chip_h), words, None,
                           icon_name, small, _mark_colours(kind))
                cx += width + 6
            y += chip_h + 4
        body_fm = QFontMetrics(body)
        painter.setFont(body)
        painter.setPen(text_colour)
        for line in first_lines(note.body, 2):
            painter.drawText(
                QRectF(tx, y, right - tx, body_fm.lineSpacing()),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                body_fm.elidedText(line, Qt.TextElideMode.ElideRight, int(right - tx)))
            y += body_fm.lineSpacing()
        painter.setPen(palette.color(QPalette.ColorRole.Mid))
        painter.drawLine(rect.bottomLeft(), rect.bottomRight())
        painter.restore()


class TimelineView(QListView):
    """The list of notes; Enter opens the selected note for editing."""

    activatedNote = Signal(object)  # Note

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Case notes, in date order")
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setUniformItemSizes(False)
        self.setWordWrap(False)
        self.setItemDelegate(NoteDelegate(self))
        self.setSpacing(0)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.activated.connect(self._activated)

    def _activated(self, index: QModelIndex) -> None:
        note = index.data(NoteRole)
        if isinstance(note, Note):
            self.activatedNote.emit(note)

    def current_note(self) -> Note | None:
        note = self.currentIndex().data(NoteRole) if self.currentIndex().isValid() else None
        return note if isinstance(note, Note) else None


class NoteDetail(QWidget):
    """The selected note in full, read-only, with Copy, Edit and Delete."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Selected note")
        self.note: Note | None = None
        self.heading = QLabel(self)
        self.heading.setFont(heading_font(self, 1.15))
        self.heading.setWordWrap(True)
        self.byline = HintLabel("", self)
        self.marks = QHBoxLayout()
        self.marks.setSpacing(6)
        self.third_parties = HintLabel("", self)
        self.body = GuardedTextEdit("Note text", self, read_only=True)
        self.copy_button = button("&Copy text", "Copy note text", self,
                                  tip="Copies the text; the clipboard is cleared after a minute "
                                      "and when SENDIASS Desktop locks")
        self.edit_button = button("&Edit…", "Edit note", self)
        self.delete_button = button("&Delete", "Delete note", self,
                                    tip="You can undo this for a few seconds")
        self.copy_button.clicked.connect(self.copy_all)
        actions = QHBoxLayout()
        actions.addWidget(self.copy_button)
        actions.addStretch(1)
        actions.addWidget(self.delete_button)
        actions.addWidget(self.edit_button)
        self.empty = HintLabel("Choose a note on the left to read it here, or press Ctrl+N "
                               "to write a new one.", self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 0, 0, 0)
        layout.addWidget(self.empty)
        layout.addWidget(self.heading)
        layout.addWidget(self.byline)
        layout.addLayout(self.marks)
        layout.addWidget(self.third_parties)
        layout.addWidget(self.body, 1)
        layout.addLayout(actions)
        self.show_note(None)

    def show_note(self, note: Note | None, author: str = "", may_edit: bool = False) -> None:
        self.note = note
        while self.marks.count():
            item = self.marks.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.setParent(None)
                widget.deleteLater()
        has = note is not None
        for widget in (self.heading, self.byline, self.body, self.copy_button):
            widget.setVisible(has)
        self.edit_button.setVisible(has and may_edit)
        self.delete_button.setVisible(has and may_edit)
        self.empty.setVisible(not has)
        if note is None:
            self.body.clear()
            self.third_parties.hide()
            return
        self.heading.setText(f"{note.type.label} on {uk_datetime(note.occurred_at)}")
        edited = (f" · changed {uk_datetime(note.updated_at)}"
                  if note.updated_at and note.created_at and note.updated_at != note.created_at
                  else "")
        self.byline.setText(f"Written by {author or note.author}{edited}")
        for words, icon_name, kind in note_marks(note):
            self.marks.addWidget(mark_chip(words, icon_name, kind, self))
        self.marks.addStretch(1)
        self.third_parties.setText("Third parties mentioned: " + ", ".join(note.third_parties))
        self.third_parties.setVisible(bool(note.third_parties))
        self.body.setPlainText(note.body)

    def copy_all(self) -> None:
        if self.note is not None:
            from sendiass_desktop.ui.clipboard import shared_guard

            shared_guard().copy_secret(self.note.body)


class NotesPanel(QWidget):
    """Timeline on the left; the selected note or the editor on the right."""

    notesChanged = Signal()  # a note was added, changed or deleted
    status = Signal(str)  # short messages for the window's status bar
    showMe = Signal()  # the editor opened (the window brings this tab forward)

    def __init__(self, session: Session, case_id: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Notes")
        self._session = session
        self._case_id = case_id
        self._drafts: list[Draft] = []
        self._deleted: Note | None = None

        self.model = NotesModel(self)
        self.proxy = NoteFilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.sort(0, Qt.SortOrder.DescendingOrder)

        self.new_button = button("&New note", "New note", self, icon_name="add",
                                 tip="Ctrl+N")
        self.new_button.clicked.connect(self.new_note)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Filter notes…")
        self.filter.setAccessibleName("Filter notes")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter_changed)
        self.order = QComboBox(self)
        self.order.addItems(["Newest first", "Oldest first"])
        self.order.setAccessibleName("Order of notes")
        self.order.currentIndexChanged.connect(self._order_changed)
        tools = QHBoxLayout()
        tools.addWidget(self.new_button)
        tools.addWidget(self.filter, 1)
        tools.addWidget(self.order)

        self.draft_bar = Banner(Tone.WARNING, "", self, name="Unsaved draft")
        self.restore_button = button("&Restore it", "Restore draft", self.draft_bar)
        self.discard_button = button("Discard it", "Discard draft", self.draft_bar)
        self.draft_bar.add_button(self.restore_button)
        self.draft_bar.add_button(self.discard_button)
        self.restore_button.clicked.connect(self.restore_first_draft)
        self.discard_button.clicked.connect(self._discard_first_draft)
        self.draft_bar.hide()

        self.undo_bar = Banner(Tone.INFO, "Note deleted.", self, name="Note deleted")
        self.undo_button = button("&Undo", "Undo delete", self.undo_bar)
        self.undo_button.clicked.connect(self.undo_delete)
        self.undo_bar.add_button(self.undo_button)
        self.undo_bar.hide()
        self.undo_timer = QTimer(self)
        self.undo_timer.setSingleShot(True)
        self.undo_timer.setInterval(UNDO_SECONDS * 1000)
        self.undo_timer.timeout.connect(self._undo_expired)

        self.message = InlineMessage(self, "Notes message")
        self.count_label = HintLabel("", self)

        self.view = TimelineView(self)
        self.view.setModel(self.proxy)
        self.view.selectionModel().currentChanged.connect(self._current_changed)
        self.view.activatedNote.connect(self.edit_note)
        self.detail = NoteDetail(self)
        self.detail.edit_button.clicked.connect(
            lambda: self.edit_note(self.detail.note) if self.detail.note else None)
        self.detail.delete_button.clicked.connect(self.delete_current)
        self.editor = NoteEditor(session, case_id, self)
        self.editor.saved.connect(self._saved)
        self.editor.closed.connect(self._editor_closed)
        self.editor.status.connect(self.status)

        self.right = QStackedWidget(self)
        self.right.addWidget(self.detail)
        self.right.addWidget(self.editor)
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(tools)
        left_layout.addWidget(self.view, 1)
        left_layout.addWidget(self.count_label)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(self.right)
        self.splitter.setStretchFactor(0, 1)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.draft_bar)
        layout.addWidget(self.undo_bar)
        layout.addWidget(self.message)
        layout.addWidget(self.splitter, 1)

        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.view)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.delete_current)
        QWidget.setTabOrder(self.new_button, self.filter)
        QWidget.setTabOrder(self.filter, self.order)
        QWidget.setTabOrder(self.order, self.view)

    # --- data --------------------------------------------------------------------------------

    def set_session(self, session: Session) -> None:
        self._session = session
        self.editor.set_session(session)

    def load(self, notes: Sequence[Note], names: dict[str, str]) -> None:
        current = self.view.current_note()
        self.model.set_notes(notes, names)
        self._update_count()
        if current is not None and current.id is not None:
            self.select_note(current.id)
        else:
            self._show_selected()
        self.check_drafts()

    def clear(self) -> None:
        """Drop everything shown (on lock). The editor keeps only unsaved text."""
        self.model.clear()
        self.detail.show_note(None)
        self.undo_timer.stop()
        self.undo_bar.hide()
        self.draft_bar.hide()
        self._deleted = None
        self.message.clear()

    def _update_count(self) -> None:
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        if total == 0:
            text = "No notes yet."
        elif shown == total:
            text = f"{total} note{'s' if total != 1 else ''}."
        else:
            text = f"Showing {shown} of {total} notes."
        self.count_label.setText(text)

    def _filter_changed(self, text: str) -> None:
        self.proxy.set_filter_text(text)
        self._update_count()

    def _order_changed(self, index: int) -> None:
        self.proxy.sort(0, Qt.SortOrder.DescendingOrder if index == 0
                        else Qt.SortOrder.AscendingOrder)

    def select_note(self, note_id: int) -> bool:
        row = self.model.row_of(note_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row))
        if not index.isValid():
            return False
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        self._show_selected()
        return True

    def _current_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_selected()

    def _may_edit(self, note: Note) -> bool:
        # Hiding only: the service checks again (author or a manager).
        return note.author == self._session.user.username or self._session.can_manage_others()

    def _show_selected(self) -> None:
        note = self.view.current_note()
        if note is None:
            self.detail.show_note(None)
        else:
            self.detail.show_note(note, self.model.author_name(note.author), self._may_edit(note))

    # --- writing -----------------------------------------------------------------------------

    def editor_open(self) -> bool:
        return self.right.currentWidget() is self.editor

    def new_note(self) -> None:
        if self.editor_open():
            self.editor.body.setFocus()
            return
        draft = next((d for d in self._drafts if d.note_id is None), None)
        if draft is not None:
            self._open_draft(draft)
            return
        self.editor.start_new()
        self.right.setCurrentWidget(self.editor)
        self.editor.focus_body()

    def edit_note(self, note: Note | None) -> None:
        if note is None or not self._may_edit(note):
            return
        if self.editor_open():
            if self.editor.note_id == note.id:
                self.editor.focus_body()
                return
            self.editor.close_editor()  # keeps a draft of what was there
        draft = next((d for d in self._drafts if d.note_id == note.id), None)
        if draft is not None:
            self._open_draft(draft)
            return
        self.editor.start_edit(note)
        self.right.setCurrentWidget(self.editor)
        self.editor.focus_body()

    def _saved(self, note: Note) -> None:
        self.model.put(note)
        self._update_count()
        self.right.setCurrentWidget(self.detail)
        if note.id is not None:
            self.select_note(note.id)
        self.status.emit("Note saved.")
        self._forget_draft(note.id if self.editor.was_edit else None)
        self.notesChanged.emit()
        self.view.setFocus()

    def _editor_closed(self) -> None:
        self.right.setCurrentWidget(self.detail)
        self.check_drafts()
        self.view.setFocus()

    # --- drafts ------------------------------------------------------------------------------

    def check_drafts(self) -> None:
        """Offer any drafts of this user's on this case (kept by autosave, lock or a crash)."""
        try:
            drafts = [d for d in notes_service.my_drafts(self._session)
                      if d.case_id == self._case_id]
        except Exception as exc:  # the case still opens; say so
            self.message.show_message(user_message(exc, "Unsaved drafts could not be read."))
            return
        if self.editor_open():  # the note being written is not "unsaved elsewhere"
            drafts = [d for d in drafts if d.note_id != self.editor.note_id]
        self._drafts = drafts
        self._show_draft_bar()

    def _show_draft_bar(self) -> None:
        if not self._drafts:
            self.draft_bar.hide()
            return
        draft = self._drafts[0]
        what = "a new note" if draft.note_id is None else "a change to a note"
        more = (f" (and {len(self._drafts) - 1} more)" if len(self._drafts) > 1 else "")
        text = (f"You have unsaved text for {what}, kept at {uk_datetime(draft.updated_at)}"
                f"{more}. Restore it to carry on writing.")
        self.draft_bar.label.setText(text)
        self.draft_bar.setAccessibleDescription(text)
        self.draft_bar.show()

    def restore_first_draft(self) -> None:
        if self._drafts:
            self._open_draft(self._drafts[0])

    def _open_draft(self, draft: Draft) -> None:
        if self.editor_open():
            self.editor.close_editor()
        note: Note | None = None
        if draft.note_id is not None:
            row = self.model.row_of(draft.note_id)
            note = self.model.notes()[row] if row >= 0 else None
            if note is None:
                try:
                    note = notes_service.get_note(self._session, draft.note_id)
                except NotFound:
                    note = None
        self.editor.restore_draft(draft, note)
        self._forget_draft(draft.note_id)
        self.right.setCurrentWidget(self.editor)
        self.showMe.emit()
        self.editor.focus_body()

    def _forget_draft(self, note_id: int | None) -> None:
        self._drafts = [d for d in self._drafts if d.note_id != note_id]
        self._show_draft_bar()

    def _discard_first_draft(self) -> None:
        if not self._drafts:
            return
        draft = self._drafts[0]
        answer = QMessageBox.question(
            self, "Discard the unsaved text?",
            "The unsaved text will be deleted for good. Discard it?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        if answer != QMessageBox.StandardButton.Discard:
            return
        self.discard_draft(draft)

    def discard_draft(self, draft: Draft) -> None:
        try:
            notes_service.discard_draft(self._session, draft.case_id, draft.note_id)
        except Exception as exc:
            self.message.show_message(user_message(exc))
            return
        self._forget_draft(draft.note_id)

    # --- deleting ----------------------------------------------------------------------------

    def delete_current(self) -> None:
        note = self.view.current_note()
        if note is None or not self._may_edit(note):
            return
        self._run(lambda: notes_service.delete_note(self._session, note), self._deleted_ok)

    def _deleted_ok(self, deleted: Note) -> None:
        self._deleted = deleted
        self.model.put(deleted)  # removes it
        self._update_count()
        self._show_selected()
        text = f"Note of {uk_datetime(deleted.occurred_at)} deleted."
        self.undo_bar.label.setText(text)
        self.undo_bar.setAccessibleDescription(text)
        self.undo_bar.show()
        self.undo_timer.start()
        self.notesChanged.emit()
        self.undo_button.setFocus()

    def undo_delete(self) -> None:
        deleted = self._deleted
        if deleted is None:
            return
        self._run(lambda: notes_service.undo_delete_note(self._session, deleted),
                  self._restored)

    def _restored(self, note: Note) -> None:
        self._deleted = None
        self.undo_timer.stop()
        self.undo_bar.hide()
        self.model.put(replace(note, deleted_at=None))
        self._update_count()
        if note.id is not None:
            self.select_note(note.id)
        self.status.emit("Note restored.")
        self.notesChanged.emit()

    def _undo_expired(self) -> None:
        self._deleted = None
        self.undo_bar.hide()

    def _run(self, fn: Callable[[], Any], ok: Callable[[Any], None]) -> None:
        self.message.clear()
        try:
            result = fn()
        except Exception as exc:
            self.message.show_message(user_message(exc))
            return
        ok(result)
