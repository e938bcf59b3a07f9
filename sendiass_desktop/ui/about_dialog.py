"""Help › About: what this program is, its version, and what it runs on.

"Copy details" puts the versions on the clipboard for a support request. They
say nothing about anyone: no user name, no store path, no service name.

For the main window's Help menu::

    from sendiass_desktop.ui.about_dialog import show_about
    self.about_action.triggered.connect(lambda: show_about(self))
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QClipboard, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop import APP_NAME
from sendiass_desktop.ui.app_icon import app_icon
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.theme import heading_font, monospace_font
from sendiass_desktop.versions import Versions, collect

FONT_LICENCE = (
    Path(__file__).resolve().parent.parent / "resources" / "fonts" / "LICENSE-DejaVu.txt"
)

DESCRIPTION = (
    "Offline, encrypted case management for SEND information, advice and support "
    "services. Records are kept in one encrypted store on this computer or on your "
    "service's network folder; nothing is sent anywhere over the internet."
)

FONT_NOTE = (
    "PDF exports use the DejaVu Sans fonts, included unmodified. DejaVu changes are in "
    "the public domain; the fonts are derived from Bitstream Vera (copyright © 2003 "
    "Bitstream, Inc.) and are used under the Bitstream Vera licence."
)


def font_licence_text() -> str:
    try:
        return FONT_LICENCE.read_text(encoding="utf-8")
    except OSError:
        return ("The font licence file is missing from this installation. It is the "
                "Bitstream Vera licence: https://dejavu-fonts.github.io/License.html")


class FontLicenceDialog(QDialog):
    """The full DejaVu / Bitstream Vera licence, read-only."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Font licence")
        self.setObjectName("fontLicenceDialog")
        self.setAccessibleName("Font licence")
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setPlainText(font_licence_text())
        self.text.setAccessibleName("Licence of the DejaVu fonts")
        # The licence is laid out in lines of under 80 characters: keep them.
        self.text.setFont(monospace_font(self))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setAccessibleName("Close")
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        metrics = self.text.fontMetrics()
        self.resize(metrics.horizontalAdvance("M" * 80) + 60, metrics.lineSpacing() * 30)


class AboutDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, versions: Versions | None = None) -> None:
        super().__init__(parent)
        self.versions = versions or collect()
        self.setWindowTitle(f"About {APP_NAME}")
        self.setObjectName("aboutDialog")
        self.setAccessibleName(f"About {APP_NAME}")
        self.setWindowIcon(app_icon())

        icon = QLabel(self)
        icon.setObjectName("aboutIcon")
        icon.setPixmap(app_icon().pixmap(64, 64))
        icon.setAccessibleName(f"{APP_NAME} icon")
        icon.setFixedSize(72, 72)
        icon.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        title = QLabel(APP_NAME, self)
        title.setObjectName("aboutTitle")
        title.setFont(heading_font(self, 1.5))
        title.setAccessibleName(APP_NAME)
        version = QLabel(f"Version {self.versions.app}", self)
        version.setObjectName("aboutVersion")
        version.setAccessibleName(f"Version {self.versions.app}")
        version.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        heading = QVBoxLayout()
        heading.setSpacing(2)
        heading.addWidget(title)
        heading.addWidget(version)
        heading.addStretch(1)
        top = QHBoxLayout()
        top.setSpacing(14)
        top.addWidget(icon)
        top.addLayout(heading, 1)

        description = QLabel(DESCRIPTION, self)
        description.setObjectName("aboutDescription")
        description.setWordWrap(True)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.value_labels: dict[str, QLabel] = {}
        for label, value in self.versions.rows()[1:]:
            field = QLabel(value, self)
            field.setWordWrap(True)
            field.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            field.setAccessibleName(f"{label} version" if label != "Operating system"
                                    else label)
            field.setObjectName(f"aboutValue-{label.lower().replace(' ', '-')}")
            self.value_labels[label] = field
            form.addRow(f"{label}:", field)

        fonts = HintLabel(FONT_NOTE, self)
        fonts.setObjectName("aboutFontNote")

        self.copy_button = QPushButton("&Copy details", self)
        self.copy_button.setObjectName("aboutCopyDetails")
        self.copy_button.setAccessibleName("Copy details")
        self.copy_button.setToolTip(
            "Copy the version details for a support request (no personal data)")
        self.copy_button.clicked.connect(self.copy_details)
        self.licence_button = QPushButton("Font &licence…", self)
        self.licence_button.setObjectName("aboutFontLicence")
        self.licence_button.setAccessibleName("Font licence")
        self.licence_button.clicked.connect(self.show_font_licence)
        self.close_button = QPushButton("Close", self)
        self.close_button.setObjectName("aboutClose")
        self.close_button.setAccessibleName("Close")
        self.close_button.setDefault(True)
        self.close_button.clicked.connect(self.accept)
        self.copied = QLabel("", self)
        self.copied.setObjectName("aboutCopied")
        self.copied.setAccessibleName("Copy status")
        buttons = QHBoxLayout()
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.licence_button)
        buttons.addWidget(self.copied, 1)
        buttons.addWidget(self.close_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 22, 24, 18)
        layout.setSpacing(14)
        layout.addLayout(top)
        layout.addWidget(description)
        layout.addLayout(form)
        layout.addWidget(fonts)
        layout.addLayout(buttons)
        self.setMinimumWidth(self.fontMetrics().averageCharWidth() * 84)
        self._licence: FontLicenceDialog | None = None

    def details_text(self) -> str:
        return self.versions.as_text()

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details_text(), QClipboard.Mode.Clipboard)
        self.copied.setText("Copied.")

    def show_font_licence(self) -> FontLicenceDialog:
        if self._licence is None:
            self._licence = FontLicenceDialog(self)
        self._licence.show()
        self._licence.raise_()
        return self._licence


def show_about(parent: QWidget | None = None) -> AboutDialog:
    """Open the About dialog (modal to ``parent``, without blocking) and return it."""
    dialog = AboutDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
