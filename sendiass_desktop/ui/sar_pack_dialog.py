"""Building the reply to a subject access request: an encrypted PDF.

Choose where to save it, press Build; the pack is made in the background
from the saved review decisions, with a progress bar and a Cancel button. Its
passphrase is then shown once, in a large field with a Copy button (the
clipboard is cleared after a minute), to be given to the requester by another
channel, such as the phone. The GUI never offers an unencrypted pack.

No pack is ever written whose passphrase nobody saw: while the pack is being
built, Esc and closing the dialog act as Cancel, and the dialog stays open
until the build ends. Either nothing was written, or (Cancel came after the
last moment it could stop) the pack was written and logged, and its
passphrase is shown with a note saying so. Locking the app hides the dialog
with the passphrase out of its field; unlocking shows it again. The dialog's
frame is ``ui.export_pieces.FileBuildDialog``, as for a legal request's extract.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QCheckBox, QWidget

from sendiass_desktop.domain.errors import InvalidInput
from sendiass_desktop.services import sar as sar_service
from sendiass_desktop.services.sar_pack import PackResult
from sendiass_desktop.services.session import Session
from sendiass_desktop.ui.export_pieces import FileBuildDialog, PassphraseBox, SaveAsRow
from sendiass_desktop.ui.icons import user_message
from sendiass_desktop.ui.theme import Tone
from sendiass_desktop.ui.workers import ProgressCallback


class BuildPackDialog(FileBuildDialog):
    """Output file, progress, then the passphrase, shown once."""

    def __init__(self, session: Session, sar_id: int, ref: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(
            session, f"Build the pack for {ref}", f"Build the reply to {ref}",
            "The pack is one PDF, encrypted with a passphrase that is shown once, when it is "
            "ready. Withheld items are left out and redacted text never reaches the file.",
            build_text="&Build pack", what="pack", progress_name="Building the pack",
            message_name="Pack message", width_chars=90, parent=parent)
        self.sar_id = sar_id
        self.pack_result: PackResult | None = None
        self.save_as = SaveAsRow("&Save as:", "Save the pack as", "&Choose…",
                                 "PDF files (*.pdf)", self)
        self.save_as.set_path(Path.home() / f"{ref}-reply.pdf")
        self.path = self.save_as.path
        self.accept_remaining = QCheckBox(
            "Accept the app's suggestion for items not yet reviewed", self)
        self.accept_remaining.setAccessibleName(
            "Accept the app's suggestion for items not yet reviewed")
        self.add_inputs(self.save_as, self.accept_remaining)

        # Shown once the pack is written.
        self.secret = PassphraseBox("Passphrase for the pack", parent=self)
        self.passphrase = self.secret.field
        self.copy_button = self.secret.copy_button
        self.copied = self.secret.copied
        self.add_results(self.secret)

    def build(self) -> None:
        text = self.save_as.text()
        if not text:
            self.message.show_message(user_message(InvalidInput(
                "Choose where to save the pack.")))
            return
        out = Path(text).expanduser()
        accept = self.accept_remaining.isChecked()
        sar_id = self.sar_id

        def work(session: Session, progress: ProgressCallback) -> PackResult:
            # encrypt is always on: the GUI does not offer an unencrypted pack.
            return sar_service.build_pack(session, sar_id, out, encrypt=True,
                                          accept_suggested=accept, progress=progress)

        self.start(work)

    def show_result(self, result: PackResult) -> None:
        self.pack_result = result
        self.secret.show_for(
            f"Pack saved: {result.path.name} ({result.page_count} pages; {result.disclosed} "
            f"disclosed, {result.redacted} redacted, {result.withheld} withheld).",
            result.passphrase or "", "the requester", "pack")
        self.message.show_message("The pack is written and logged as a disclosure.",
                                  Tone.SUCCESS)
        self.passphrase.setFocus()
        self.passphrase.selectAll()
