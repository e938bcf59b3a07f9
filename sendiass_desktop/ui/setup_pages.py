"""The pages of the first-run set-up wizard, up to and including creating the store."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop.domain.errors import InvalidInput, SendiassError
from sendiass_desktop.domain.users import check_new_password, normalise_username
from sendiass_desktop.services.session import StoreLocation
from sendiass_desktop.services.setup import SetupResult, create_store
from sendiass_desktop.services.store_paths import DEFAULT_FILE_NAME
from sendiass_desktop.store.device import CredentialStore, KeyringCredentialStore
from sendiass_desktop.store.errors import NoCredentialStore, StoreExists
from sendiass_desktop.ui.fields import HintLabel, PasswordEdit, PasswordRules, bullet_html
from sendiass_desktop.ui.notices import InlineMessage
from sendiass_desktop.ui.theme import Tone, scaled_font
from sendiass_desktop.ui.workers import run_task

STORE_SUFFIX = ".sendiass"
MAX_SERVICE_NAME = 100
MAX_DISPLAY_NAME = 100


@dataclass
class SetupState:
    """What the wizard has collected so far."""

    location: StoreLocation
    service_name: str = ""
    admin_username: str = ""
    admin_display_name: str = ""
    admin_password: str = field(default="", repr=False)
    device_binding: bool = True
    result: SetupResult | None = None


class WizardPage(QWidget):
    """One page: the wizard asks it whether Next may be pressed and what it says."""

    changed = Signal()  # completeness or button text changed
    advance = Signal()  # the page asks to move on by itself (after creating the store)

    title = ""
    step = ""
    subtitle = ""

    def __init__(self, state: SetupState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(12)

    def enter(self) -> None:
        """Called each time the page is shown."""

    def is_complete(self) -> bool:
        return True

    def validate(self) -> bool:
        """Called on Next; show what is wrong and return False to stay."""
        return True

    def next_text(self) -> str:
        return "&Next"

    def allows_back(self) -> bool:
        return True

    def allows_cancel(self) -> bool:
        return True

    def busy(self) -> bool:
        return False

    def focus_first(self) -> None:
        self.focusNextChild()


def _with_hint(field_: QWidget, hint: str, parent: QWidget) -> QWidget:
    """A field with its hint just below it, as one form row."""
    box = QWidget(parent)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(3)
    layout.addWidget(field_)
    hint_label = HintLabel(hint, box)
    layout.addWidget(hint_label)
    field_.setAccessibleDescription(hint)
    return box


def _label_for(text: str, buddy: QWidget, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setBuddy(buddy)
    return label


class WelcomePage(WizardPage):
    title = "Welcome to SENDIASS Desktop"
    step = "Welcome"
    open_existing = Signal()

    def __init__(self, state: SetupState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        intro = QLabel(
            "This sets up a new encrypted store for your service's case records. "
            "It takes a few minutes.", self)
        intro.setWordWrap(True)
        needs = HintLabel(bullet_html(
            ("your service's name",
             "where to keep the store: on this computer, or on a network drive",
             "a username and password for the first administrator, usually the manager"),
            "You will need:"), self, rich=True)
        key_note = HintLabel("At the end you will be given a recovery key to save or print "
                             "and keep somewhere safe.", self)
        self.service_name = QLineEdit(state.service_name, self)
        self.service_name.setPlaceholderText("for example, Northshire SENDIASS")
        self.service_name.setAccessibleName("Service name")
        self.service_name.setMaxLength(MAX_SERVICE_NAME)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(_label_for("&Service name:", self.service_name, self), _with_hint(
            self.service_name, "Printed on the recovery sheet, so it is clear which store "
            "the key belongs to.", self))
        self.message = InlineMessage(self, "Service name message")

        existing_box = QHBoxLayout()
        existing_text = HintLabel(
            "Is your service's store already set up, for example on the office network "
            "drive? Open it instead of creating a new one.", self)
        self.open_button = QPushButton("&Open an existing store…", self)
        self.open_button.setAccessibleName("Open an existing store")
        self.open_button.setAutoDefault(False)
        self.open_button.clicked.connect(self.open_existing)
        existing_box.addWidget(existing_text, 1)
        existing_box.addWidget(self.open_button)

        self.layout_.addWidget(intro)
        self.layout_.addWidget(needs)
        self.layout_.addWidget(key_note)
        self.layout_.addSpacing(6)
        self.layout_.addLayout(form)
        self.layout_.addWidget(self.message)
        self.layout_.addStretch(1)
        self.layout_.addLayout(existing_box)

    def focus_first(self) -> None:
        self.service_name.setFocus()

    def validate(self) -> bool:
        name = " ".join(self.service_name.text().split())
        if not name:
            self.message.show_message(
                "Type your service's name, for example “Northshire SENDIASS”.")
            self.service_name.setFocus()
            return False
        self.message.clear()
        self.state.service_name = name
        return True


class LocationPage(WizardPage):
    title = "Where to keep the store"
    step = "Store location"

    def __init__(self, state: SetupState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        intro = QLabel(
            "The store is one encrypted file ending in .sendiass, with a key file beside it "
            "ending in .sendiass.keys. Keep the two together, and include both in backups.",
            self)
        intro.setWordWrap(True)
        self.path = QLineEdit(str(state.location.path), self)
        self.path.setAccessibleName("Store file")
        self.browse = QPushButton("&Browse…", self)
        self.browse.setAccessibleName("Browse for the store file")
        self.browse.setAutoDefault(False)
        self.browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.browse)
        label = _label_for("Store &file:", self.path, self)

        one = QLabel("Just this computer", self)
        one.setFont(scaled_font(self.font(), 1.0, bold=True))
        one_text = HintLabel("Keep the suggested location. Only this computer will use "
                             "the store.", self)
        shared = QLabel("A team sharing one store", self)
        shared.setFont(scaled_font(self.font(), 1.0, bold=True))
        shared_text = HintLabel(
            "Choose a folder on your office network drive that only your team can open, "
            "for example S:\\SENDIASS\\service.sendiass. Everyone then opens the same "
            "store. Only one computer can save at a time, so others may wait a moment. "
            "Each other computer is enrolled once with the recovery key.", self)
        self.message = InlineMessage(self, "Store location message")

        self.layout_.addWidget(intro)
        self.layout_.addWidget(label)
        self.layout_.addLayout(row)
        self.layout_.addWidget(self.message)
        self.layout_.addSpacing(6)
        for heading, text in ((one, one_text), (shared, shared_text)):
            group = QVBoxLayout()
            group.setSpacing(2)
            group.addWidget(heading)
            group.addWidget(text)
            self.layout_.addLayout(group)
        self.layout_.addStretch(1)

    def focus_first(self) -> None:
        self.path.setFocus()

    def _browse(self) -> None:
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Where to keep the store", self.path.text(),
            "SENDIASS Desktop store (*.sendiass)",
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if chosen:
            if not chosen.endswith(STORE_SUFFIX):
                chosen += STORE_SUFFIX
            self.path.setText(chosen)
            self.message.clear()

    def validate(self) -> bool:
        text = self.path.text().strip()
        if not text:
            return self._refuse("Choose where to keep the store.")
        path = Path(text).expanduser()
        if path.is_dir():
            path = path / DEFAULT_FILE_NAME
        if not path.suffix:
            path = path.with_name(path.name + STORE_SUFFIX)
        location = StoreLocation.of(path)
        if location.exists():
            return self._refuse(
                f"{StoreExists()} To open that store instead, go back to the first page "
                "and choose “Open an existing store…”.")
        ancestor = location.path.parent
        while not ancestor.exists() and ancestor != ancestor.parent:
            ancestor = ancestor.parent
        if not ancestor.is_dir() or not os.access(ancestor, os.W_OK | os.X_OK):
            return self._refuse("You cannot save files in that folder. Choose a folder you "
                                "can save to, or ask IT for access.")
        self.message.clear()
        self.path.setText(str(location.path))
        self.state.location = location
        return True

    def _refuse(self, text: str) -> bool:
        self.message.show_message(text)
        self.path.setFocus()
        return False


class AdministratorPage(WizardPage):
    title = "The first administrator"
    step = "Administrator"

    def __init__(self, state: SetupState, parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        intro = QLabel(
            "The administrator looks after accounts and the store, and can do everything "
            "a manager can. This is usually the service manager. Other accounts are added "
            "once the store is set up.", self)
        intro.setWordWrap(True)
        self.username = QLineEdit(self)
        self.username.setAccessibleName("Administrator username")
        self.username.setMaxLength(32)
        self.display_name = QLineEdit(self)
        self.display_name.setAccessibleName("Administrator display name")
        self.display_name.setMaxLength(MAX_DISPLAY_NAME)
        self.password = PasswordEdit("Administrator password", self)
        self.confirm = PasswordEdit("Type the administrator password again", self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        form.addRow(_label_for("&Username:", self.username, self), _with_hint(
            self.username, "2 to 32 letters, digits, dots, hyphens or underscores, starting "
            "with a letter. For example: jsmith", self))
        form.addRow(_label_for("&Full name:", self.display_name, self), _with_hint(
            self.display_name, "Shown when this person is signed in, and in the audit log.",
            self))
        form.addRow(_label_for("&Password:", self.password, self), self.password)
        form.addRow(_label_for("&Type it again:", self.confirm, self), self.confirm)
        self.message = InlineMessage(self, "Administrator message")
        self.layout_.addWidget(intro)
        self.layout_.addLayout(form)
        self.layout_.addWidget(PasswordRules(self))
        self.layout_.addWidget(self.message)
        self.layout_.addStretch(1)

    def focus_first(self) -> None:
        self.username.setFocus()

    def validate(self) -> bool:
        try:
            username = normalise_username(self.username.text())
        except InvalidInput as exc:
            return self._refuse(str(exc), self.username)
        password = self.password.text()
        if not password:
            return self._refuse("Choose a password for the administrator.", self.password)
        try:
            check_new_password(password, username)
        except InvalidInput as exc:
            return self._refuse(str(exc), self.password)
        if password != self.confirm.text():
            self.confirm.clear()
            return self._refuse("The two passwords do not match. Type them again.",
                                self.confirm)
        self.message.clear()
        self.username.setText(username)
        self.state.admin_username = username
        self.state.admin_display_name = " ".join(self.display_name.text().split()) or username
        self.state.admin_password = password
        return True

    def forget_password(self) -> None:
        self.password.clear()
        self.confirm.clear()

    def _refuse(self, text: str, field_: QWidget) -> bool:
        self.message.show_message(text)
        field_.setFocus()
        return False


def _what_to_install() -> str:
    if sys.platform == "win32":
        return ("Windows Credential Manager should always be present. Ask IT to check that "
                "it is working.")
    if sys.platform == "darwin":
        return "The macOS Keychain should always be present. Ask IT to check it."
    return ("On Linux, install and unlock a Secret Service provider: GNOME Keyring "
            "(package “gnome-keyring”) or KWallet, and sign in to a normal desktop session. "
            "Then choose “Check again”.")


@dataclass(frozen=True)
class CredentialStoreProbe:
    available: bool
    name: str


def probe_credential_store(creds: CredentialStore) -> CredentialStoreProbe:
    name = creds.describe()
    try:
        creds.check_available()
    except NoCredentialStore:
        return CredentialStoreProbe(False, name)
    return CredentialStoreProbe(True, name)


class DeviceBindingPage(WizardPage):
    title = "Tie the store to enrolled computers"
    step = "Device binding"

    def __init__(self, state: SetupState, creds: CredentialStore | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self._creds = creds or KeyringCredentialStore()
        self._probe: CredentialStoreProbe | None = None
        self._checking = False
        intro = QLabel(
            "With device binding, a secret kept in each computer's credential store is "
            "needed as well as a password. A copy of the store taken from the network "
            "drive, or a lost backup, then cannot be opened with a guessed password. "
            "Other computers are enrolled once, with the recovery key.", self)
        intro.setWordWrap(True)
        self.status = InlineMessage(self, "Credential store")
        self.checking_bar = QProgressBar(self)
        self.checking_bar.setRange(0, 0)
        self.checking_bar.setTextVisible(False)
        self.checking_bar.setAccessibleName("Looking for a credential store")
        self.checking_label = QLabel("Looking for this computer's credential store…", self)
        self.check_again = QPushButton("&Check again", self)
        self.check_again.setAccessibleName("Check again for a credential store")
        self.check_again.setAutoDefault(False)
        self.check_again.clicked.connect(self.start_check)
        self.without_binding_hint = QLabel(
            "Without device binding, anyone with a copy of the store file and a password "
            "can open it. Only choose this if IT cannot provide a credential store; "
            "everyone who signs in will see a warning.", self)
        self.without_binding_hint.setWordWrap(True)
        self.without_binding = QCheckBox(
            "I understand the risk: create the store &without device binding", self)
        self.without_binding.setAccessibleName("Create the store without device binding")
        self.without_binding.setAccessibleDescription(self.without_binding_hint.text())
        self.without_binding.toggled.connect(lambda _on: self.changed.emit())
        row = QHBoxLayout()
        row.addWidget(self.checking_label)
        row.addWidget(self.checking_bar, 1)
        self.layout_.addWidget(intro)
        self.layout_.addLayout(row)
        self.layout_.addWidget(self.status)
        again_row = QHBoxLayout()
        again_row.addWidget(self.check_again)
        again_row.addStretch(1)
        self.layout_.addLayout(again_row)
        self.layout_.addSpacing(6)
        self.layout_.addWidget(self.without_binding_hint)
        self.layout_.addWidget(self.without_binding)
        self.layout_.addStretch(1)
        self._show_state()

    @property
    def probe(self) -> CredentialStoreProbe | None:
        return self._probe

    def enter(self) -> None:
        if self._probe is None and not self._checking:
            self.start_check()

    def start_check(self) -> None:
        self._checking = True
        self._probe = None
        self._show_state()
        creds = self._creds
        run_task(lambda: probe_credential_store(creds), on_success=self._checked,
                 on_failure=lambda _exc: self._checked(CredentialStoreProbe(False, "none")),
                 owner=self)

    def _checked(self, probe: CredentialStoreProbe) -> None:
        self._checking = False
        self._probe = probe
        self._show_state()

    def _show_state(self) -> None:
        checking = self._checking or self._probe is None
        self.checking_bar.setVisible(checking)
        self.checking_label.setVisible(checking)
        found = self._probe is not None and self._probe.available
        missing = self._probe is not None and not self._probe.available
        if found and self._probe is not None:
            self.status.show_message(
                f"Found this computer's credential store ({self._probe.name}). The store "
                "will be tied to this computer, and to each computer you enrol later.",
                Tone.SUCCESS)
        elif missing:
            self.status.show_message(
                "No working credential store was found on this computer, so the store "
                f"cannot be tied to it. {_what_to_install()}", Tone.WARNING)
        else:
            self.status.clear()
        self.check_again.setVisible(missing)
        self.without_binding.setVisible(missing)
        self.without_binding_hint.setVisible(missing)
        if not missing:
            self.without_binding.setChecked(False)
        self.changed.emit()

    def is_complete(self) -> bool:
        if self._probe is None:
            return False
        return self._probe.available or self.without_binding.isChecked()

    def validate(self) -> bool:
        if not self.is_complete():
            return False
        self.state.device_binding = bool(self._probe and self._probe.available)
        return True

    def next_text(self) -> str:
        return "&Create store"

    def busy(self) -> bool:
        return self._checking


class CreatingPage(WizardPage):
    title = "Creating the store"
    step = "Create"

    def __init__(self, state: SetupState, creds: CredentialStore | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(state, parent)
        self._creds = creds
        self._running = False
        self._failed = False
        intro = QLabel(
            "SENDIASS Desktop is measuring this computer's speed to choose strong "
            "password protection, then creating the encrypted store. This takes a few "
            "seconds.", self)
        intro.setWordWrap(True)
        self.summary = HintLabel("", self)
        self.summary.setAccessibleName("Summary of your choices")
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 100)
        self.bar.setAccessibleName("Progress creating the store")
        self.stage = QLabel("", self)
        self.stage.setWordWrap(True)
        self.message = InlineMessage(self, "Creating the store message")
        self.layout_.addWidget(intro)
        self.layout_.addWidget(self.summary)
        self.layout_.addSpacing(6)
        self.layout_.addWidget(self.stage)
        self.layout_.addWidget(self.bar)
        self.layout_.addWidget(self.message)
        self.layout_.addStretch(1)

    def enter(self) -> None:
        s = self.state
        self.summary.setText(
            f"Service: {s.service_name}\n"
            f"Store file: {s.location.path}\n"
            f"Administrator: {s.admin_display_name} ({s.admin_username})\n"
            "Device binding: " + ("on" if s.device_binding else "off (not recommended)"))
        if s.result is None and not self._running:
            self.start()

    def start(self) -> None:
        s = self.state
        self._running = True
        self._failed = False
        self.message.clear()
        self.bar.setRange(0, 100)
        self.bar.setValue(0)
        self.stage.setText("Measuring this computer's speed…")
        self.changed.emit()
        location, creds = s.location, self._creds
        name, username, display, password, binding = (
            s.service_name, s.admin_username, s.admin_display_name, s.admin_password,
            s.device_binding)
        run_task(
            lambda progress: create_store(
                location, admin_username=username, admin_password=password,
                admin_display_name=display, service_name=name, device_binding=binding,
                creds=creds, progress=progress),
            on_success=self._created,
            on_failure=self._creation_failed,
            on_progress=self.show_progress,
            owner=self,
        )

    def show_progress(self, fraction: float) -> None:
        if fraction >= 1.0:
            self.stage.setText("Creating the encrypted store and the administrator's key…")
            self.bar.setValue(80)
        else:
            self.bar.setValue(round(fraction * 75))

    def _created(self, result: SetupResult) -> None:
        self._running = False
        self.state.result = result
        self.state.admin_password = ""
        self.bar.setValue(100)
        self.stage.setText("The store has been created.")
        self.changed.emit()
        self.advance.emit()

    def _creation_failed(self, exc: BaseException) -> None:
        self._running = False
        self._failed = True
        self.bar.setValue(0)
        self.stage.setText("The store was not created.")
        text = str(exc) if isinstance(exc, SendiassError) else (
            f"The store could not be created ({exc.__class__.__name__}: {exc}). "
            "Nothing was left half-made.")
        self.message.show_message(text + " Go back to change your choices, or try again.")
        self.changed.emit()

    def is_complete(self) -> bool:
        return not self._running and (self._failed or self.state.result is not None)

    def validate(self) -> bool:
        if self._failed:
            self.start()
            return False
        return self.state.result is not None

    def next_text(self) -> str:
        return "&Try again" if self._failed else "&Next"

    def allows_back(self) -> bool:
        return not self._running and self.state.result is None

    def allows_cancel(self) -> bool:
        return not self._running and self.state.result is None

    def busy(self) -> bool:
        return self._running
