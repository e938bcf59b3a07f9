"""Small input and display widgets shared by the dialogs."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QPalette, QResizeEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QSizePolicy, QWidget

from sendiass_desktop.ui.sizing import expand_horizontally
from sendiass_desktop.ui.theme import monospace_font, secondary_text_colour

# Generous: 56 characters, 13 hyphens and some stray spaces.
RECOVERY_KEY_MAX_LENGTH = 200


class PasswordEdit(QLineEdit):
    """A password field: hidden echo, no copying out, no autocompletion."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEchoMode(QLineEdit.EchoMode.Password)
        self.setAccessibleName(name)
        self.setInputMethodHints(
            Qt.InputMethodHint.ImhHiddenText
            | Qt.InputMethodHint.ImhSensitiveData
            | Qt.InputMethodHint.ImhNoPredictiveText
        )
        self.setMaxLength(1024)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.NoContextMenu)


class RecoveryKeyEdit(QLineEdit):
    """Where the recovery key is typed: monospace, forgiving about spaces and case."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFont(monospace_font(self, 1.1))
        self.setPlaceholderText("XXXX-XXXX-XXXX-…")
        self.setAccessibleName("Recovery key")
        self.setAccessibleDescription(
            "The 56 letters and digits from the recovery sheet, in 14 groups of 4. "
            "Spaces, hyphens and capital letters do not matter."
        )
        self.setMaxLength(RECOVERY_KEY_MAX_LENGTH)
        self.setInputMethodHints(
            Qt.InputMethodHint.ImhSensitiveData
            | Qt.InputMethodHint.ImhNoPredictiveText
            | Qt.InputMethodHint.ImhPreferUppercase
        )
        # The whole key (14 groups of 4 with hyphens) fits without scrolling.
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("WWWW-" * 14) + 16)


class HintLabel(QLabel):
    """Muted explanatory text under a field; still at least AA contrast."""

    def __init__(self, text: str = "", parent: QWidget | None = None, *,
                 rich: bool = False) -> None:
        super().__init__(text, parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
        # Take the width on offer, so wrapped hints are not squeezed into a narrow column.
        expand_horizontally(self)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self._recolour()

    def _recolour(self) -> None:
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.WindowText, secondary_text_colour())
        self.setPalette(palette)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.ApplicationPaletteChange:
            self._recolour()
        super().changeEvent(event)


class ElidedLabel(QLabel):
    """One line of text, shortened in the middle when space is short (paths)."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._full = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.set_full_text(text)

    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(text)
        self.setAccessibleDescription(text)
        self._elide()

    def _elide(self) -> None:
        width = max(40, self.width())
        super().setText(self.fontMetrics().elidedText(self._full, Qt.TextElideMode.ElideMiddle,
                                                      width))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()


def password_rules() -> tuple[str, ...]:
    """The password rules from ``domain.users``, as a person would say them."""
    from sendiass_desktop.domain.users import MIN_PASSWORD_LENGTH

    return (
        f"must be at least {MIN_PASSWORD_LENGTH} characters long: a short sentence you can "
        "remember works well, for example “blue kettle on the windowsill”",
        "must not contain the username",
        "must not start or end with a space, or be too repetitive",
    )


def bullet_html(items: tuple[str, ...] | list[str], lead: str = "") -> str:
    """A short bulleted list as rich text (escaped), with an optional lead-in line."""
    from html import escape

    head = f"<p style='margin-bottom:2px'>{escape(lead)}</p>" if lead else ""
    rows = "".join(f"<li>{escape(item)}</li>" for item in items)
    return f"{head}<ul style='margin-top:0px; margin-bottom:0px; margin-left:-24px'>{rows}</ul>"


class PasswordRules(HintLabel):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(bullet_html(password_rules(), "The password:"), parent, rich=True)
        self.setAccessibleName("Password rules")
        self.setAccessibleDescription(" ".join(password_rules()))
