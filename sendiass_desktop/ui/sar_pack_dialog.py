"""Building the reply to a subject access request: an encrypted PDF.

Choose where to save it, press Build; the pack is made in the background
(with a progress bar and a Cancel button; closing the dialog cancels too, so
no pack is ever written whose passphrase nobody saw) from the saved review
decisions. Its passphrase is then
shown once, in a large field with a Copy button (the clipboard is cleared
after a minute), to be given to the requester by another channel, such as
the phone. The GUI never offers an unencrypted pack.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop.domain.errors import InvalidInput
from sendiass_desktop.services import sar as sar_service
from sendiass_desktop.services.sar_pack import PackResult
from sendiass_desktop.services.session import Session
from sendiass_desktop.store.cancel import OperationCancelled
from sendiass_desktop.ui.export_pieces import PassphraseBox, SaveAsRow
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.icons import button, user_message
from sendiass_desktop.ui.notices import InlineMessage
from sendiass_desktop.ui.progress import StopFlag, ask_to_stop
from sendiass_desktop.ui.sizing import fit_height
from sendiass_desktop.ui.theme import Tone, heading_font
from sendiass_desktop.ui.views import BackgroundLane
from sendiass_desktop.ui.workers import ProgressCallback


class BuildPackDialog(QDialog):
    """Output file, progress, then the passphrase, shown once."""

    def __init__(self, session: Session, sar_id: int, ref: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sar_id = sar_id
        self.pack_result: PackResult | None = None
        self.setWindowTitle(f"Build the pack for {ref}")
        self.setAccessibleName(f"Build the pack for {ref}")
        self.setModal(True)
        self.lane = BackgroundLane(session, self)
        self._stop: StopFlag | None = None

        heading = QLabel(f"Build the reply to {ref}", self)
        heading.setFont(heading_font(self, 1.25))
        heading.setWordWrap(True)
        intro = HintLabel("The pack is one PDF, encrypted with a passphrase that is shown "
                          "once, when it is ready. Withheld items are left out and redacted "
                          "text never reaches the file.", self)
        self.save_as = SaveAsRow("&Save as:", "Save the pack as", "&Choose…",
                                 "PDF files (*.pdf)", self)
        self.save_as.set_path(Path.home() / f"{ref}-reply.pdf")
        self.path = self.save_as.path
        self.accept_remaining = QCheckBox(
            "Accept the app's suggestion for items not yet reviewed", self)
        self.accept_remaining.setAccessibleName(
            "Accept the app's suggestion for items not yet reviewed")
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 100)
        self.progress.setAccessibleName("Building the pack")
        self.progress.hide()
        self.message = InlineMessage(self, "Pack message")

        # Shown once the pack is written.
        self.secret = PassphraseBox("Passphrase for the pack", parent=self)
        self.passphrase = self.secret.field
        self.copy_button = self.secret.copy_button
        self.copied = self.secret.copied
        self._build_widgets: list[QWidget] = [self.save_as, self.accept_remaining]

        self.build_button = button("&Build pack", parent=self)
        self.build_button.setDefault(True)
        self.build_button.clicked.connect(self.build)
        self.close_button = button("Cancel", "Close", self)
        self.close_button.clicked.connect(self._cancel_or_close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.close_button)
        buttons.addWidget(self.build_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(22, 18, 22, 16)
        layout.setSpacing(10)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addWidget(self.save_as)
        layout.addWidget(self.accept_remaining)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addWidget(self.secret)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 90)
        self.finished.connect(lambda _r: self._forget())

    @property
    def busy(self) -> bool:
        return self.lane.busy

    def fit_to_content(self) -> None:
        fit_height(self)

    def build(self) -> None:
        text = self.save_as.text()
        if not text:
            self.message.show_message(user_message(InvalidInput(
                "Choose where to save the pack.")))
            return
        out = Path(text).expanduser()
        accept = self.accept_remaining.isChecked()
        sar_id = self.sar_id
        stop = self._stop = StopFlag()
        self.message.clear()
        self.progress.setValue(0)
        self.progress.show()
        self.build_button.setEnabled(False)
        for w in self._build_widgets:
            w.setEnabled(False)

        def work(session: Session, progress: ProgressCallback) -> PackResult:
            # encrypt is always on: the GUI does not offer an unencrypted pack.
            return sar_service.build_pack(session, sar_id, out, encrypt=True,
                                          accept_suggested=accept,
                                          progress=stop.checking(progress))

        self.lane.submit(work, self._built, self._failed, on_progress=self._on_progress)

    def _on_progress(self, fraction: float) -> None:
        self.progress.setValue(round(max(0.0, min(1.0, fraction)) * 100))

    def _cancel_or_close(self) -> None:
        """Cancel stops a build in progress (the dialog stays open to say so), else closes."""
        if not ask_to_stop(self.busy, self._stop, self.close_button, self.message):
            self.reject()

    def reject(self) -> None:
        if self._stop is not None:
            self._stop.stop()  # never write a pack whose passphrase nobody will see
        super().reject()

    def _failed(self, exc: BaseException) -> None:
        self._stop = None
        self.progress.hide()
        self.build_button.setEnabled(True)
        self.close_button.setEnabled(True)
        for w in self._build_widgets:
            w.setEnabled(True)
        if isinstance(exc, OperationCancelled):
            self.message.show_message("Stopped. No pack was written.", Tone.INFO)
        else:
            self.message.show_message(user_message(exc))
        fit_height(self)

    def _built(self, result: PackResult) -> None:
        self._stop = None
        self.pack_result = result
        self.close_button.setEnabled(True)
        self.progress.setValue(100)
        self.progress.hide()
        self.build_button.hide()
        self.close_button.setText("Done")
        self.close_button.setDefault(True)
        for w in self._build_widgets:
            w.hide()
        self.secret.show_for(
            f"Pack saved: {result.path.name} ({result.page_count} pages; {result.disclosed} "
            f"disclosed, {result.redacted} redacted, {result.withheld} withheld).",
            result.passphrase or "", "the requester", "pack")
        self.message.show_message("The pack is written and logged as a disclosure.",
                                  Tone.SUCCESS)
        self.resize(max(self.width(), self.sizeHint().width()), self.height())
        fit_height(self)
        self.passphrase.setFocus()
        self.passphrase.selectAll()

    def _forget(self) -> None:
        self.secret.forget()
        self.lane.shutdown()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.secret.forget()
        super().closeEvent(event)

