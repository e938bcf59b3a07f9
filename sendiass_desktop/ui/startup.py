"""The start-up flow: set-up wizard or sign-in, failure screens, then the main window.

``StartupController`` owns whichever top-level window is showing and moves
between them. It never blocks: every window is shown modelessly and each
step is a signal. It emits ``finished(exit_code)`` when the app should quit.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from sendiass_desktop.services.session import StoreLocation
from sendiass_desktop.store.device import CredentialStore
from sendiass_desktop.store.errors import MachineNotEnrolled, StoreMissing
from sendiass_desktop.ui.change_password_dialog import ChangePasswordDialog
from sendiass_desktop.ui.enrol_dialog import EnrolDialog
from sendiass_desktop.ui.idle_lock import DEFAULT_IDLE_SECONDS
from sendiass_desktop.ui.main_window import MainWindow
from sendiass_desktop.ui.settings import remember_store_path
from sendiass_desktop.ui.setup_wizard import SetupOutcome, SetupWizard
from sendiass_desktop.ui.startup_errors import Action, StartupErrorDialog, screen_for
from sendiass_desktop.ui.unlock_dialog import UnlockDialog, UnlockOutcome
from sendiass_desktop.ui.views import ViewSpec

STORE_FILTER = "SENDIASS Desktop store (*.sendiass);;All files (*)"


class StartupController(QObject):
    finished = Signal(int)  # exit code
    windowChanged = Signal(object)

    def __init__(
        self,
        location: StoreLocation,
        *,
        location_expected: bool = False,
        demo: bool = False,
        username: str = "",
        creds: CredentialStore | None = None,
        idle_seconds: float = DEFAULT_IDLE_SECONDS,
        views: list[ViewSpec] | None = None,
        parent: QObject | None = None,
    ) -> None:
        """``location_expected``: the store was used before, so if it is missing say so
        (a network drive may be disconnected) rather than offering to create a new one."""
        super().__init__(parent)
        self.location = location
        self.location_expected = location_expected
        self.demo = demo
        self.username = username
        self._creds = creds
        self._idle_seconds = idle_seconds
        self._views = views
        self.current: QWidget | None = None
        self.window: MainWindow | None = None
        self._last_failure: BaseException | None = None

    # --- moving between windows --------------------------------------------------

    def _show(self, widget: QWidget) -> None:
        self._dismiss_current()
        self.current = widget
        widget.show()
        widget.raise_()
        widget.activateWindow()
        self.windowChanged.emit(widget)

    def _dismiss_current(self) -> None:
        old, self.current = self.current, None
        if old is None or old is self.window:
            return
        dismiss = getattr(old, "dismiss", None)
        if callable(dismiss):
            dismiss()
        else:
            old.hide()
            old.deleteLater()

    def quit(self, code: int = 0) -> None:
        self._dismiss_current()
        if self.window is not None:
            window, self.window = self.window, None
            window.discard()
        self.finished.emit(code)

    # --- the flow -----------------------------------------------------------------

    def start(self, notice: str = "") -> None:
        if self.location.exists():
            self.show_unlock(notice)
        elif self.location_expected:
            self.show_failure(StoreMissing())
        else:
            self.show_wizard()

    def show_wizard(self) -> None:
        wizard = SetupWizard(self.location.path, creds=self._creds)
        wizard.created.connect(self._store_created)
        wizard.openExistingRequested.connect(self.choose_store)
        wizard.rejected.connect(lambda: self.quit(0))
        self._show(wizard)

    def _store_created(self, outcome: SetupOutcome) -> None:
        self.location = outcome.location
        self.location_expected = True
        self.username = outcome.admin_username
        with contextlib.suppress(Exception):
            remember_store_path(outcome.location.path)
        self.show_unlock("The store has been created. Sign in with the administrator "
                         "account to check the password works.")

    def show_unlock(self, notice: str = "") -> None:
        dialog = UnlockDialog(self.location, username=self.username, notice=notice,
                              creds=self._creds)
        dialog.unlocked.connect(self._unlocked)
        dialog.startupFailure.connect(self.show_failure)
        dialog.rejected.connect(lambda: self.quit(0))
        self._show(dialog)

    def _unlocked(self, outcome: UnlockOutcome) -> None:
        self.location_expected = True
        if not self.demo:
            with contextlib.suppress(Exception):
                remember_store_path(self.location.path)
        session = outcome.session
        if session.user.must_change_password and not session.via_recovery_key:
            dialog = ChangePasswordDialog(session, current_password=outcome.password,
                                          required=True, creds=self._creds)
            outcome.password = ""
            dialog.changed.connect(lambda: self.open_main_window(outcome))
            dialog.rejected.connect(lambda: self._password_change_refused(outcome))
            self._show(dialog)
            return
        outcome.password = ""
        self.open_main_window(outcome)

    def _password_change_refused(self, outcome: UnlockOutcome) -> None:
        outcome.session.close()
        self.show_unlock("You need to choose a new password before you can use the store. "
                         "Sign in again when you are ready.")

    def open_main_window(self, outcome: UnlockOutcome) -> None:
        self.username = "" if outcome.session.via_recovery_key else outcome.session.user.username
        window = MainWindow(outcome.session, demo=self.demo, creds=self._creds,
                            idle_seconds=self._idle_seconds, views=self._views)
        window.signedOut.connect(self._signed_out)
        window.closed.connect(self._window_closed)
        window.startupFailure.connect(self._window_failed)
        self._dismiss_current()
        self.window = window
        self._show(window)

    def _signed_out(self) -> None:
        self.window = None
        self.current = None
        self.show_unlock("You have signed out.")

    def _window_closed(self) -> None:
        self.window = None
        self.current = None
        self.finished.emit(0)

    def _window_failed(self, exc: BaseException) -> None:
        window, self.window = self.window, None
        if window is not None:
            window.discard()
        self.current = None
        self.show_failure(exc)

    # --- failures -----------------------------------------------------------------

    def show_failure(self, exc: BaseException) -> None:
        self._last_failure = exc
        dialog = StartupErrorDialog(screen_for(exc), self.location.path)
        dialog.chosen.connect(self._failure_action)
        self._show(dialog)

    def _failure_action(self, action: Action) -> None:
        if action is Action.RETRY:
            self.start()
        elif action is Action.CHOOSE_STORE:
            self.choose_store()
        elif action is Action.ENROL:
            self.show_enrol()
        elif action is Action.SET_UP:
            self.location_expected = False
            self.show_wizard()
        else:
            self.quit(1)

    def choose_store(self) -> None:
        start = str(self.location.path.parent if self.location.path.parent.exists()
                    else Path.home())
        chosen, _ = QFileDialog.getOpenFileName(self.current, "Open a store", start,
                                                STORE_FILTER)
        if not chosen:
            return  # stay on the screen that asked
        path = Path(chosen)
        if path.name.endswith(".keys"):
            path = path.with_name(path.name[: -len(".keys")])
        self.location = StoreLocation.of(path)
        self.location_expected = True
        self.username = ""
        self.start()

    def show_enrol(self) -> None:
        dialog = EnrolDialog(self.location, creds=self._creds)
        dialog.enrolled.connect(self._enrolled)
        dialog.rejected.connect(lambda: self.show_failure(
            self._last_failure or MachineNotEnrolled()))
        self._show(dialog)

    def _enrolled(self, needed: bool) -> None:
        self.show_unlock(
            "This computer is now enrolled. Sign in with your username and password."
            if needed else "This store does not need computers to be enrolled. Sign in.")
