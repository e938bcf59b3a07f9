"""Pieces shared by the screens that write a file for someone outside the service
(disclosure extracts, letters to the Local Authority).

* ``PassphraseBox``: the "shown once" part of ``sar_pack_dialog.BuildPackDialog``
  as a widget of its own, so a screen that writes two files (an extract and the
  family's copy) shows one box per file: a heading, what to do with the
  passphrase, the passphrase in a large read-only field and a Copy button (the
  clipboard guard clears the clipboard after a minute, or when the app locks).
  ``forget()`` clears it; call it when the screen closes.
* ``SaveAsRow``: "Save as: [path] [Choose…]" with a file dialog.
* ``free_path``: a file name in a folder that does not exist yet.
* ``compact_table``: a small read-only table of text rows (a ``table_model.RowsModel``).
* ``register_table``: a register or report table that picks one whole row at a time.
* ``scrolling``: a page that scrolls rather than squeezing its fields together.
* ``ShownOnceDialog``: the rules every dialog that writes such files keeps, so
  that no file is written and logged whose passphrase nobody sees: while a
  build runs, Esc and closing act as Cancel and the dialog stays open until the
  build ends; the lock hides it (passphrases out of their fields) and
  unlocking shows it again, with anything that arrived meanwhile.
* ``FileBuildDialog``: the frame of a dialog that writes its files in the
  background (the SAR pack, a legal request's extract): heading, where to
  save, Build with a progress bar and Cancel, then each passphrase shown once
  and Done. A subclass adds its fields and passphrase boxes, starts its work
  with ``start`` and says what was made in ``show_result``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QAbstractItemModel, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop.services.session import Session
from sendiass_desktop.ui.clipboard import CLEAR_AFTER_SECONDS, shared_guard
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.icons import button
from sendiass_desktop.ui.notices import InlineMessage
from sendiass_desktop.ui.progress import (
    StopFlag,
    ask_to_stop,
    say_stopped_or_failed,
    too_late_text,
)
from sendiass_desktop.ui.sizing import expand_horizontally, fit_height, refit_window_of
from sendiass_desktop.ui.table_model import RowsModel, read_only_table
from sendiass_desktop.ui.theme import Tone, heading_font, monospace_font
from sendiass_desktop.ui.views import BackgroundLane
from sendiass_desktop.ui.workers import ProgressCallback

__all__ = ["FileBuildDialog", "PassphraseBox", "SaveAsRow", "ShownOnceDialog", "compact_table",
           "free_path", "register_table", "scrolling", "size_for_screen"]

# (background session, progress) -> what was made; run off the UI thread.
BuildWork = Callable[[Session, ProgressCallback], Any]
_T = TypeVar("_T")

GIVE_BY_ANOTHER_CHANNEL = (
    "Give this passphrase to {whom} by another channel — by phone, never in the same "
    "email or envelope as the {what}. It is shown only this once and is not kept anywhere.")


class PassphraseBox(QWidget):
    """A file's passphrase, shown once, with a Copy button. Hidden until ``show_for``.

    ``conceal`` takes the passphrase out of the field while the app is locked and
    ``reveal`` puts it back; ``forget`` drops it for good.
    """

    def __init__(self, name: str, copy_text: str = "&Copy",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.title = QLabel(self)
        self.title.setWordWrap(True)
        self.title.setFont(heading_font(self, 1.1))
        expand_horizontally(self.title)
        self.intro = HintLabel("", self)
        self.field = QLineEdit(self)
        self.field.setReadOnly(True)
        self.field.setFont(monospace_font(self, 1.6))
        self.field.setAccessibleName(name)
        self.copy_button = button(copy_text, f"Copy the {name[0].lower()}{name[1:]}", self)
        self.copy_button.clicked.connect(self.copy)
        self.copied = HintLabel("", self)
        self.copied.setAccessibleName("Clipboard")
        self.copied.hide()
        self._kept = ""  # the passphrase, while the app is locked
        row = QHBoxLayout()
        row.addWidget(self.field, 1)
        row.addWidget(self.copy_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.intro)
        layout.addLayout(row)
        layout.addWidget(self.copied)
        self.hide()

    def show_for(self, title: str, passphrase: str, whom: str, what: str = "file") -> None:
        self.title.setText(title)
        self.intro.setText(GIVE_BY_ANOTHER_CHANNEL.format(whom=whom, what=what))
        self.field.setText(passphrase)
        self.field.setMinimumWidth(self.field.fontMetrics().horizontalAdvance(passphrase) + 40)
        self.copied.hide()
        self.show()

    def passphrase(self) -> str:
        return self.field.text()

    def copy(self) -> None:
        if not self.field.text():
            return
        shared_guard().copy_secret(self.field.text())
        self.copied.setText(f"Copied. It will be cleared from the clipboard after "
                            f"{CLEAR_AFTER_SECONDS} seconds, or when the app locks.")
        self.copied.show()
        refit_window_of(self)

    def conceal(self) -> None:
        """The app is locking: no passphrase on any screen, even a hidden one."""
        if self.field.text():
            self._kept = self.field.text()
            self.field.clear()
        self.copied.hide()  # the clipboard is cleared as the app locks

    def reveal(self) -> None:
        """Unlocked again by the same user: the passphrase is back where it was."""
        if self._kept:
            self.field.setText(self._kept)
            self._kept = ""

    def forget(self) -> None:
        self._kept = ""
        self.field.clear()
        self.hide()


def free_path(folder: Path, stem: str, suffix: str = ".pdf") -> Path:
    """``folder/stem.pdf``, or ``stem-2.pdf``, ``stem-3.pdf``… if that is taken."""
    candidate = folder / f"{stem}{suffix}"
    number = 2
    while candidate.exists():
        candidate = folder / f"{stem}-{number}{suffix}"
        number += 1
    return candidate


class SaveAsRow(QWidget):
    """A label, the path and a Choose… button that opens the save-file dialog."""

    chosen = Signal(str)

    def __init__(self, label: str, name: str, choose_text: str, file_filter: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._filter = file_filter
        self._name = name
        self.path = QLineEdit(self)
        self.path.setAccessibleName(name)
        self.label = QLabel(label, self)
        self.label.setBuddy(self.path)
        self.choose_button: QPushButton = button(choose_text, f"Choose where to {name.lower()}",
                                                 self)
        self.choose_button.clicked.connect(self.choose)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.label)
        layout.addWidget(self.path, 1)
        layout.addWidget(self.choose_button)

    def text(self) -> str:
        return self.path.text().strip()

    def set_filter(self, file_filter: str) -> None:
        self._filter = file_filter

    def set_path(self, path: Path | str) -> None:
        self.path.setText(str(path))

    def choose(self) -> None:
        chosen, selected = QFileDialog.getSaveFileName(self, self._name, self.path.text(),
                                                       self._filter)
        if not chosen:
            return
        if Path(chosen).suffix.lower() not in (".pdf", ".txt"):
            chosen += ".txt" if "txt" in selected.lower() and "pdf" not in selected.lower() \
                else ".pdf"
        self.path.setText(chosen)
        self.chosen.emit(chosen)


def _row_table(model: QAbstractItemModel, name: str, rows_name: str, columns_name: str,
               parent: QWidget) -> QTableView:
    """``read_only_table`` with alternating row colours and named headers."""
    table = read_only_table(model, name, parent)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setAccessibleName(rows_name)
    table.horizontalHeader().setAccessibleName(columns_name)
    return table


def compact_table(model: RowsModel, name: str, rows: int, parent: QWidget) -> QTableView:
    """A read-only table a few rows high, its last column stretched."""
    table = _row_table(model, name, f"{name}, rows", f"{name}, columns", parent)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    line = table.fontMetrics().lineSpacing() + 8
    table.setMinimumHeight(header.sizeHint().height() + line * 2 + 4)
    table.setMaximumHeight(header.sizeHint().height() + line * rows + 4)
    return table


def register_table(model: QAbstractItemModel, name: str, rows_name: str, columns_name: str,
                   stretch: int, parent: QWidget, *, fit_columns: bool = True) -> QTableView:
    """A read-only table of ``model`` that selects one whole row at a time: no row
    numbers, headers on the left, column ``stretch`` taking the spare width (and, with
    ``fit_columns``, the others fitted to their contents)."""
    table = _row_table(model, name, rows_name, columns_name, parent)
    table.setTabKeyNavigation(False)
    header = table.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    if fit_columns:
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    header.setSectionResizeMode(stretch, QHeaderView.ResizeMode.Stretch)
    for corner in table.findChildren(QAbstractButton):
        corner.setAccessibleName("Select all")
    return table


def scrolling(page: QWidget, name: str) -> QScrollArea:
    """``page`` in a frameless scroll area: on a small screen it scrolls, never overlaps."""
    area = QScrollArea(page.parentWidget())
    area.setWidget(page)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setAccessibleName(name)
    return area


def size_for_screen(window: QWidget, width_chars: int, height_lines: int) -> None:
    """Resize ``window`` to about this many characters and lines, within the screen."""
    metrics = window.fontMetrics()
    width = metrics.averageCharWidth() * width_chars
    height = metrics.lineSpacing() * height_lines
    screen = window.screen()
    if screen is not None:
        room = screen.availableGeometry()
        width = min(width, room.width() - 40)
        height = min(height, room.height() - 80)
    window.resize(width, height)


class ShownOnceDialog(QDialog):
    """A dialog that writes files in the background and shows each one's passphrase
    once (``FileBuildDialog``; the disclosure extract's ``DisclosureDialog``; the
    letter to the Local Authority's ``EscalationDialog``).

    Its rules make sure no file is written and logged whose passphrase nobody sees:

    * Once a build has gone past its last check for Cancel, its files are written
      and logged whatever happens. So while a build runs (``building``), Esc, the
      window's close button and ``reject`` act as Cancel: the build is asked to
      stop and the dialog stays open until it ends. Then it says it stopped and
      nothing was written, or, if it was too late, shows the passphrases and says
      the files were kept and logged.
    * ``on_lock`` hides the dialog and takes every passphrase out of its field; an
      outcome that arrives while locked is held back. ``set_session`` (after
      unlocking) puts the passphrases back and shows the outcome, for the same
      user only: for anyone else the dialog closes and forgets them. Whoever
      tracks the dialog (the main window's ``track_window``, or the case window)
      calls both and shows it again.
    * ``close_now`` closes it whatever it is doing (signing out, its window
      closing): a build is asked to stop, and an outcome that still comes is dropped.

    A subclass sets ``close_button`` and ``message``, starts a build with
    ``begin_build``, passes its callbacks through ``delivered`` and calls
    ``build_ended`` first in each.
    """

    close_button: QPushButton
    message: InlineMessage

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.lane = BackgroundLane(session, self)
        self.lane.busyChanged.connect(self._lane_busy)
        self._actor = session.actor
        self._stop: StopFlag | None = None
        self._pending: Session | None = None  # the session from unlocking, once work ends
        self._locked = False
        self._held: Callable[[], None] | None = None  # an outcome that came while locked

    @property
    def building(self) -> bool:
        """A build was started and what became of it has not been shown yet."""
        return self._stop is not None

    @property
    def locked(self) -> bool:
        return self._locked

    def keeps_over_lock(self) -> bool:
        """Building, or showing a passphrase: locking hides the dialog, never closes it."""
        return self.building or self._held is not None or any(
            box.passphrase() for box in self.findChildren(PassphraseBox))

    # --- the build ------------------------------------------------------------------------

    def begin_build(self) -> StopFlag:
        self._stop = StopFlag()
        return self._stop

    def delivered(self, handle: Callable[[_T], None]) -> Callable[[_T], None]:
        """``handle`` as a build's callback: run now, or on unlocking if the app is locked."""

        def deliver(value: _T) -> None:
            if self._locked:
                self._held = lambda: handle(value)
            else:
                handle(value)

        return deliver

    def build_ended(self) -> bool:
        """First thing when a build's outcome is shown; True if it was asked to stop."""
        asked = self._stop is not None and self._stop.stopped
        self._stop = None
        self._use_pending()
        self.close_button.setEnabled(True)
        return asked

    def ask_to_stop(self) -> None:
        """Cancel while building: the build stops at its next check, or, past the last
        one, finishes (and its passphrases are shown). The dialog stays open either way."""
        ask_to_stop(True, self._stop, self.close_button, self.message)

    def reject(self) -> None:
        if self.building:
            self.ask_to_stop()  # Esc or closing while building is Cancel
            return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.building:
            self.ask_to_stop()
            event.ignore()
            return
        self.forget_passphrases()
        super().closeEvent(event)

    def close_now(self) -> None:
        """Close at once, whatever is running (the session is ending, or the window that
        owns this dialog is closing): a build is asked to stop and its outcome dropped."""
        if not (self.isVisible() or self._locked or self.building):
            return  # closed already
        if self._stop is not None:
            self._stop.stop()
            self._stop = None
        self._held = None
        self._pending = None
        self.lane.shutdown()
        self.forget_passphrases()
        self.done(QDialog.DialogCode.Rejected)

    def forget_passphrases(self) -> None:
        for box in self.findChildren(PassphraseBox):
            box.forget()

    # --- locking --------------------------------------------------------------------------

    def on_lock(self) -> None:
        """Hide, with no passphrase in any field; a build carries on and its outcome waits."""
        self._locked = True
        for box in self.findChildren(PassphraseBox):
            box.conceal()
        self.hide()

    def set_session(self, session: Session) -> None:
        """After unlocking: the same user gets the passphrases back (and the outcome of a
        build that ended meanwhile); anyone else closes the dialog. A build still running
        finishes on its own connection, or its passphrases would be lost; the new session
        is used once it has ended."""
        if session.actor != self._actor:
            self.close_now()
            return
        if self.lane.busy:
            self._pending = session
        else:
            self.lane.set_session(session)
        if self._locked:
            self._locked = False
            for box in self.findChildren(PassphraseBox):
                box.reveal()
            if self._held is not None:
                # Once the rest of the app has its new session too.
                QTimer.singleShot(0, self, self._deliver_held)

    def _deliver_held(self) -> None:
        if self._locked:
            return
        held, self._held = self._held, None
        if held is not None:
            held()

    def _use_pending(self) -> None:
        if self._pending is not None:
            session, self._pending = self._pending, None
            self.lane.set_session(session)

    def _lane_busy(self, busy: bool) -> None:
        if not busy and not self.lane.busy:
            self._use_pending()


class FileBuildDialog(ShownOnceDialog):
    """Where to save, Build (progress bar, Cancel), then each passphrase shown once.

    A subclass puts its fields in with ``add_inputs`` (hidden once the files
    are made) and its passphrase boxes with ``add_results``, calls ``start``
    from ``build`` and fills the boxes in ``show_result``. Cancel (or Esc, or
    closing) stops a build before any file is written (``what`` names it in
    "Stopped. No pack was written."); past that point the build finishes and
    its passphrases are shown, with ``too_late_text``. Done and closing forget
    every passphrase. Locking and unlocking: see ``ShownOnceDialog``.
    """

    def __init__(self, session: Session, title: str, heading: str, intro: str, *,
                 build_text: str, what: str, progress_name: str, message_name: str,
                 width_chars: int, parent: QWidget | None = None) -> None:
        super().__init__(session, parent)
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setModal(True)
        self._what = what
        self._inputs: list[QWidget] = []

        head = QLabel(heading, self)
        head.setFont(heading_font(self, 1.25))
        head.setWordWrap(True)
        self.intro = HintLabel(intro, self)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.progress.setAccessibleName(progress_name)
        self.progress.hide()
        self.message = InlineMessage(self, message_name)
        self.build_button = button(build_text, parent=self)
        self.build_button.setDefault(True)
        self.build_button.clicked.connect(self.build)
        self.close_button = button("Cancel", parent=self)
        self.close_button.clicked.connect(self._cancel_or_close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.build_button)

        self._input_rows = QVBoxLayout()
        self._result_rows = QVBoxLayout()
        for rows in (self._input_rows, self._result_rows):
            rows.setSpacing(10)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 16)
        layout.setSpacing(10)
        layout.addWidget(head)
        layout.addWidget(self.intro)
        layout.addLayout(self._input_rows)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addLayout(self._result_rows)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * width_chars)
        self.finished.connect(lambda _r: self._forget())

    def add_inputs(self, *widgets: QWidget) -> None:
        for w in widgets:
            self._input_rows.addWidget(w)
            self._inputs.append(w)

    def add_results(self, *widgets: QWidget) -> None:
        for w in widgets:
            self._result_rows.addWidget(w)

    @property
    def busy(self) -> bool:
        return self.lane.busy

    def fit_to_content(self) -> None:
        fit_height(self)

    # --- the build -------------------------------------------------------------------------

    def build(self) -> None:  # pragma: no cover - each dialog builds its own files
        raise NotImplementedError

    def show_result(self, result: Any) -> None:  # pragma: no cover - as build
        raise NotImplementedError

    def too_late_text(self, result: Any) -> str:
        """What to say when Cancel came after the files were written (``result``)."""
        return too_late_text(self._what)

    def start(self, work: BuildWork) -> None:
        """Run ``work`` off the UI thread; Cancel stops it at its next progress report."""
        stop = self.begin_build()
        self.message.clear()
        self.progress.setValue(0)
        self.progress.show()
        self._set_inputs(False)
        self.lane.submit(lambda session, progress: work(session, stop.checking(progress)),
                         self.delivered(self._succeeded), self.delivered(self._failed),
                         on_progress=self._on_progress)

    def _set_inputs(self, enabled: bool) -> None:
        # Cancel stays: it stops the build before anything is written.
        for w in (*self._inputs, self.build_button):
            w.setEnabled(enabled)

    def _on_progress(self, fraction: float) -> None:
        self.progress.setValue(round(max(0.0, min(1.0, fraction)) * 100))

    def _cancel_or_close(self) -> None:
        """Cancel stops a build in progress (the dialog stays open to say so), else closes."""
        self.reject()

    def _failed(self, exc: BaseException) -> None:
        self.build_ended()
        self.progress.hide()
        self._set_inputs(True)
        say_stopped_or_failed(self.message, exc, self._what)
        fit_height(self)

    def _succeeded(self, result: Any) -> None:
        too_late = self.build_ended()
        self.progress.hide()
        self.build_button.hide()
        for w in self._inputs:
            w.hide()
        self.close_button.setText("Done")
        self.close_button.setAccessibleName("Done")
        self.close_button.setDefault(True)
        self.show_result(result)
        if too_late:
            self.message.show_message(self.too_late_text(result), Tone.WARNING)
        self.resize(max(self.width(), self.sizeHint().width()), self.height())
        fit_height(self)

    def _forget(self) -> None:
        # The dialog closes only when no build is running (or when the session ends).
        self.forget_passphrases()
        self.lane.shutdown()
