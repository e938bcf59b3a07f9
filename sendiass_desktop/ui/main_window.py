"""The main window shell: banners, navigation, views, locking and signing out.

How to extend it: see ``ui/views.py``. In short, each view is registered
with a ``ViewSpec`` (key, title, factory taking the ``Session``, optional
shortcut and permission). Windows opened from a view (a case window, say)
should be passed to ``track_window`` so they are hidden when the app locks
(after ``on_lock`` if they have one), given the new session when it is
unlocked (``set_session``), and closed when the user signs out (with
``close_now`` if they have one: a dialog writing files refuses an ordinary
close until its build has ended).

The toolbar holds "New case…" (Ctrl+Shift+N), the search box of the view
that offers one (the case list; Ctrl+F) and "Refresh" (F5). Case windows
are opened through ``open_case`` so each case has one window at most.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import cast

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListView,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop import APP_NAME
from sendiass_desktop.domain.errors import SendiassError
from sendiass_desktop.domain.roles import Permission
from sendiass_desktop.services.demo_data import is_demo_store
from sendiass_desktop.services.session import Session
from sendiass_desktop.store.device import CredentialStore
from sendiass_desktop.ui.change_password_dialog import ChangePasswordDialog
from sendiass_desktop.ui.clipboard import shared_guard
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.idle_lock import DEFAULT_IDLE_SECONDS, IdleWatcher
from sendiass_desktop.ui.notices import Banner
from sendiass_desktop.ui.screen_lock import ScreenLockWatcher
from sendiass_desktop.ui.theme import Tone, heading_font
from sendiass_desktop.ui.unlock_dialog import UnlockDialog, UnlockMode, UnlockOutcome
from sendiass_desktop.ui.views import (
    CaseCreator,
    ClosesNow,
    LockAware,
    Refreshable,
    SearchHost,
    SessionAware,
    ViewSpec,
    default_views,
    signed_in_text,
)

DEMO_TEXT = "DEMO — synthetic data. Practise freely; do not enter real people's details."
NO_BINDING_TEXT = (
    "This store is not tied to enrolled computers (no device binding). Anyone with a copy "
    "of the store file and a password could open it, so keep it in a folder only your "
    "team can reach."
)
_KEY_ROLE = Qt.ItemDataRole.UserRole + 1


def _holds_demo_data(session: Session) -> bool:
    try:
        return is_demo_store(session.conn)
    except Exception:  # a store that cannot say is treated as a real one
        return False


class LockedPage(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Locked")
        heading = QLabel("SENDIASS Desktop is locked", self)
        heading.setFont(heading_font(self, 1.5))
        heading.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        text = HintLabel("The records are hidden until you unlock. Nothing you were doing "
                         "has been lost.", self)
        text.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.unlock_button = QPushButton("&Unlock…", self)
        self.unlock_button.setAccessibleName("Unlock")
        self.unlock_button.setDefault(True)
        self.sign_out_button = QPushButton("Sign &out", self)
        self.sign_out_button.setAccessibleName("Sign out")
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.sign_out_button)
        buttons.addWidget(self.unlock_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(heading)
        layout.addWidget(text)
        layout.addSpacing(12)
        layout.addLayout(buttons)
        layout.addStretch(3)


class MainWindow(QMainWindow):
    signedOut = Signal()
    closed = Signal()  # the window was closed: the app should quit
    startupFailure = Signal(object)
    sessionChanged = Signal(object)
    lockedChanged = Signal(bool)

    def __init__(
        self,
        session: Session,
        *,
        demo: bool = False,
        views: Sequence[ViewSpec] | None = None,
        idle_seconds: float = DEFAULT_IDLE_SECONDS,
        creds: CredentialStore | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._session = session
        self._creds = creds
        self._locked = False
        self._ended = False
        self._views: dict[str, QWidget] = {}
        self._specs: dict[str, ViewSpec] = {}
        self._tracked: list[QWidget] = []
        self._view_actions: dict[str, QAction] = {}
        self._case_windows: dict[int, QWidget] = {}
        self._search_key: str | None = None
        self._backup_text = ""
        self.last_notice: QMessageBox | None = None
        self.unlock_dialog: UnlockDialog | None = None
        # A store that holds made-up cases is labelled DEMO however it was opened.
        self.demo = demo or _holds_demo_data(session)
        # No personal data in the title: it shows in task bars and window lists.
        self.setWindowTitle(f"{APP_NAME} — DEMO" if self.demo else APP_NAME)
        self.setObjectName("mainWindow")

        central = QWidget(self)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        banners = QVBoxLayout()
        banners.setContentsMargins(8, 8, 8, 0)
        banners.setSpacing(6)
        self.demo_banner: Banner | None = None
        if self.demo:
            self.demo_banner = Banner(Tone.DEMO, DEMO_TEXT, central, bold=True,
                                      name="Demo mode")
            banners.addWidget(self.demo_banner)
        self.binding_banner = Banner(Tone.WARNING, NO_BINDING_TEXT, central,
                                     name="No device binding")
        banners.addWidget(self.binding_banner)
        # Administrators are reminded when the last backup is old (or there is none).
        self.backup_banner = Banner(Tone.WARNING, "", central, name="Backup reminder")
        self.backup_banner_button = QPushButton("Store and &backups…", self.backup_banner)
        self.backup_banner_button.setAccessibleName("Go to Store and backups")
        self.backup_banner_button.setAutoDefault(False)
        self.backup_banner_button.clicked.connect(lambda: self._show_if_present("store"))
        self.backup_banner.add_button(self.backup_banner_button)
        self.backup_banner.hide()
        banners.addWidget(self.backup_banner)
        outer.addLayout(banners)

        # Navigation (model/view) and the views themselves.
        self.workspace = QWidget(central)
        self.nav_model = QStandardItemModel(self)
        self.nav = QListView(self.workspace)
        self.nav.setModel(self.nav_model)
        self.nav.setAccessibleName("Sections")
        self.nav.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.nav.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.nav.setMaximumWidth(self.fontMetrics().averageCharWidth() * 28)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.setSpacing(2)
        self.nav.selectionModel().currentChanged.connect(self._nav_changed)
        self.view_stack = QStackedWidget(self.workspace)
        self.view_stack.currentChanged.connect(self._show_backup_banner)
        work = QHBoxLayout(self.workspace)
        work.setContentsMargins(8, 8, 8, 8)
        work.addWidget(self.nav)
        work.addWidget(self.view_stack, 1)

        self.locked_page = LockedPage(central)
        self.locked_page.unlock_button.clicked.connect(self.show_unlock_dialog)
        self.locked_page.sign_out_button.clicked.connect(self.sign_out)
        self.content = QStackedWidget(central)
        self.content.addWidget(self.workspace)
        self.content.addWidget(self.locked_page)
        outer.addWidget(self.content, 1)
        self.setCentralWidget(central)

        self._build_actions()
        self.who_label = QLabel(self)
        self.who_label.setAccessibleName("Who is signed in")
        self.statusBar().addPermanentWidget(self.who_label)

        for spec in views if views is not None else default_views():
            self.add_view(spec)
        self._apply_session()
        self._order_tabs()

        self.idle = IdleWatcher(idle_seconds, self)
        self.idle.idle.connect(self.lock)
        self.idle.start()
        # Locking the computer (Win+L, the desktop's lock, suspend) locks the app too.
        self.screen_lock = ScreenLockWatcher(self, self)
        self.screen_lock.screenLocked.connect(self.lock)
        self._initial_size()

    def _initial_size(self) -> None:
        """Roomy enough for the case list, never bigger than the screen."""
        chars = self.fontMetrics().averageCharWidth()
        lines = self.fontMetrics().lineSpacing()
        width, height = chars * 200, lines * 56
        screen = self.screen()
        if screen is not None:
            available = screen.availableGeometry()
            width = min(width, int(available.width() * 0.92))
            height = min(height, int(available.height() * 0.9))
        self.resize(max(width, chars * 100), max(height, lines * 30))

    # --- the session ---------------------------------------------------------------

    @property
    def session(self) -> Session:
        return self._session

    @property
    def locked(self) -> bool:
        return self._locked

    def _apply_session(self) -> None:
        session = self._session
        self.binding_banner.setVisible(not session.header.device_binding)
        self.who_label.setText(signed_in_text(session))
        self.change_password_action.setVisible(not session.via_recovery_key)
        self.new_case_action.setVisible(session.can(Permission.WRITE_CASES)
                                        and self._case_creator() is not None)
        for view in self._views.values():
            if isinstance(view, SessionAware):
                view.set_session(session)
        self._refresh_nav_visibility()
        self.refresh_backup_reminder()

    def refresh_backup_reminder(self) -> None:
        """Show administrators the backup reminder when it is due (never to others)."""
        text: str | None = None
        if self._session.can(Permission.MANAGE_STORE) and not self._session.closed:
            from sendiass_desktop.ui.admin_store import backup_reminder

            try:
                text = backup_reminder(self._session)
            except SendiassError:
                text = None
        self._backup_text = text or ""
        if text:
            self.backup_banner.label.setText(text)
            self.backup_banner.label.setAccessibleName(f"Backup reminder: {text}")
            self.backup_banner.setAccessibleDescription(text)
        self.backup_banner_button.setVisible("store" in self._views)
        self._show_backup_banner()

    def _show_backup_banner(self, *_args: object) -> None:
        # The Store view says the same thing itself, next to the "Back up now" button.
        self.backup_banner.setVisible(bool(self._backup_text) and not self._locked
                                      and self.current_view_key() != "store")

    # --- actions and menus -----------------------------------------------------------

    def _build_actions(self) -> None:
        self.lock_action = QAction("&Lock", self)
        self.lock_action.setShortcut(QKeySequence("Ctrl+L"))
        self.lock_action.setStatusTip("Hide the records until you type your password again")
        self.lock_action.triggered.connect(self.lock)
        self.change_password_action = QAction("&Change my password…", self)
        self.change_password_action.triggered.connect(self.change_password)
        self.sign_out_action = QAction("Sign &out", self)
        self.sign_out_action.setShortcut(QKeySequence("Ctrl+Shift+L"))
        self.sign_out_action.triggered.connect(self.sign_out)
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        if self.quit_action.shortcut().isEmpty():
            self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.triggered.connect(self.close)
        self.about_action = QAction(f"&About {APP_NAME}", self)
        self.about_action.triggered.connect(self._about)
        self.new_case_action = QAction("&New case…", self)
        self.new_case_action.setShortcut(QKeySequence("Ctrl+Shift+N"))
        self.new_case_action.setStatusTip("Open a new case (Ctrl+Shift+N)")
        self.new_case_action.setToolTip("Open a new case (Ctrl+Shift+N)")
        self.new_case_action.triggered.connect(self.new_case)
        self.find_action = QAction("&Search cases", self)
        self.find_action.setShortcut(QKeySequence("Ctrl+F"))
        self.find_action.setStatusTip("Go to the search box (Ctrl+F)")
        self.find_action.triggered.connect(self.focus_search)
        self.refresh_action = QAction("&Refresh", self)
        self.refresh_action.setShortcut(QKeySequence("F5"))
        self.refresh_action.setStatusTip("Read the current list again from the store (F5)")
        self.refresh_action.setToolTip("Read the current list again from the store (F5)")
        self.refresh_action.triggered.connect(self.refresh_current_view)

        self.toolbar = QToolBar("Main toolbar", self)
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setAccessibleName("Main toolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setFloatable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.toolbar.addAction(self.new_case_action)
        self.toolbar.addSeparator()
        self._search_anchor = self.toolbar.addSeparator()
        self.toolbar.addAction(self.refresh_action)
        for action, name in ((self.new_case_action, "New case"),
                             (self.refresh_action, "Refresh")):
            button = self.toolbar.widgetForAction(action)
            if button is not None:
                button.setAccessibleName(name)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)

        file_menu = self.menuBar().addMenu("&File")
        file_menu.addAction(self.new_case_action)
        file_menu.addSeparator()
        file_menu.addAction(self.lock_action)
        file_menu.addAction(self.change_password_action)
        file_menu.addSeparator()
        file_menu.addAction(self.sign_out_action)
        file_menu.addAction(self.quit_action)
        self.view_menu = self.menuBar().addMenu("&View")
        self.view_menu.addAction(self.find_action)
        self.view_menu.addAction(self.refresh_action)
        self.view_menu.addSeparator()
        help_menu = self.menuBar().addMenu("&Help")
        help_menu.addAction(self.about_action)
        self._session_actions: list[QAction] = [
            self.lock_action, self.change_password_action, self.new_case_action,
            self.find_action, self.refresh_action]

    def _about(self) -> None:
        from sendiass_desktop.ui.about_dialog import show_about

        show_about(self)

    # --- views -----------------------------------------------------------------------

    def add_view(self, spec: ViewSpec) -> QWidget:
        """Build a view from ``spec`` and add it to the navigation; returns the widget."""
        if spec.key in self._views:
            raise ValueError(f"a view called {spec.key!r} is already registered")
        widget = spec.factory(self._session)
        widget.setObjectName(f"view-{spec.key}")
        self._views[spec.key] = widget
        self._specs[spec.key] = spec
        self.view_stack.addWidget(widget)
        item = QStandardItem(spec.title)
        item.setData(spec.key, _KEY_ROLE)
        item.setEditable(False)
        item.setAccessibleText(spec.title)
        self.nav_model.appendRow(item)
        action = QAction(spec.title, self)
        if spec.shortcut:
            action.setShortcut(QKeySequence(spec.shortcut))
        action.triggered.connect(lambda _=False, key=spec.key: self.show_view(key))
        self.view_menu.addAction(action)
        self._session_actions.append(action)
        self._view_actions[spec.key] = action
        if isinstance(widget, SearchHost) and self._search_key is None:
            self._search_key = spec.key
            search = widget.search_widget()
            self.toolbar.insertWidget(self._search_anchor, search)
            edited = getattr(search, "textEdited", None)
            if edited is not None:
                edited.connect(lambda _text, key=spec.key: self._search_typed(key))
        signal = getattr(widget, "backupWritten", None)
        if signal is not None:
            signal.connect(self.refresh_backup_reminder)
        if len(self._views) == 1:
            self.show_view(spec.key)
        self._refresh_nav_visibility()
        self.new_case_action.setVisible(self._session.can(Permission.WRITE_CASES)
                                        and self._case_creator() is not None)
        return widget

    def view(self, key: str) -> QWidget:
        return self._views[key]

    def view_keys(self) -> list[str]:
        return list(self._views)

    def current_view_key(self) -> str | None:
        widget = self.view_stack.currentWidget()
        for key, view in self._views.items():
            if view is widget:
                return key
        return None

    def view_allowed(self, key: str) -> bool:
        spec = self._specs[key]
        return spec.requires is None or self._session.can(spec.requires)

    def show_view(self, key: str) -> None:
        widget = self._views[key]
        if not self.view_allowed(key):
            # Hidden from this role (the services refuse anyway): stay where we are.
            self.statusBar().showMessage(
                f"Your role ({self._session.user.role.label}) does not include "
                f"{self._specs[key].title}.", 6000)
            return
        self.view_stack.setCurrentWidget(widget)
        for row in range(self.nav_model.rowCount()):
            item = self.nav_model.item(row)
            if item.data(_KEY_ROLE) == key:
                self.nav.setCurrentIndex(item.index())

    def _nav_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        key = current.data(_KEY_ROLE) if current.isValid() else None
        if (key in self._views and self.view_allowed(key)
                and self.view_stack.currentWidget() is not self._views[key]):
            self.view_stack.setCurrentWidget(self._views[key])

    def _refresh_nav_visibility(self) -> None:
        visible_rows = 0
        first_allowed: str | None = None
        for row in range(self.nav_model.rowCount()):
            key = self.nav_model.item(row).data(_KEY_ROLE)
            allowed = self.view_allowed(key)
            self.nav.setRowHidden(row, not allowed)
            if key in self._view_actions:
                self._view_actions[key].setVisible(allowed)
            visible_rows += int(allowed)
            if allowed and first_allowed is None:
                first_allowed = key
        # One section needs no navigation list.
        self.nav.setVisible(visible_rows > 1)
        self._fit_nav()
        current = self.current_view_key()
        if current is not None and not self.view_allowed(current) and first_allowed:
            self.show_view(first_allowed)

    def _fit_nav(self) -> None:
        """Wide enough for the longest section title (whatever the font size)."""
        metrics = self.nav.fontMetrics()
        titles = [spec.title for spec in self._specs.values()] or [""]
        widest = max(metrics.horizontalAdvance(title) for title in titles)
        width = widest + 2 * self.nav.frameWidth() + 4 * self.nav.spacing() + 24
        self.nav.setMaximumWidth(max(width, metrics.averageCharWidth() * 12))
        self.nav.setMinimumWidth(width)

    def _show_if_present(self, key: str) -> None:
        if key in self._views:
            self.show_view(key)

    def _order_tabs(self) -> None:
        """Search box, then the sections, then the view itself."""
        if self._search_key is not None:
            search = self._views[self._search_key]
            assert isinstance(search, SearchHost)
            QWidget.setTabOrder(search.search_widget(), self.nav)

    # --- the toolbar: new case, search, refresh -------------------------------------------

    def _case_creator(self) -> CaseCreator | None:
        for view in self._views.values():
            if isinstance(view, CaseCreator):
                return view
        return None

    def new_case(self) -> None:
        creator = self._case_creator()
        if self._locked or creator is None:
            return
        for key, view in self._views.items():
            if view is cast(QWidget, creator):
                self.show_view(key)
        creator.new_case()

    def focus_search(self) -> None:
        if self._locked or self._search_key is None:
            return
        self.show_view(self._search_key)
        view = self._views[self._search_key]
        assert isinstance(view, SearchHost)
        view.focus_search()

    def _search_typed(self, key: str) -> None:
        if self.current_view_key() != key:
            self.show_view(key)

    def refresh_current_view(self) -> None:
        if self._locked:
            return
        key = self.current_view_key()
        view = self._views.get(key) if key else None
        if isinstance(view, Refreshable):
            view.refresh()
        self.refresh_backup_reminder()

    # --- case windows --------------------------------------------------------------------

    def open_case(self, case_id: int) -> QWidget | None:
        """Open the case's window, or bring it forward if it is already open."""
        if self._locked or self._ended:
            return None
        existing = self._case_windows.get(case_id)
        if existing is not None:
            existing.show()
            existing.raise_()
            existing.activateWindow()
            return existing
        from sendiass_desktop.ui.case_list import CASE_WINDOW_MISSING, create_case_window

        try:
            window = create_case_window(self._session, case_id)
        except ImportError:
            self.show_notice(CASE_WINDOW_MISSING)
            return None
        except SendiassError as exc:
            self.show_notice(str(exc))
            return None
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._case_windows[case_id] = window
        window.destroyed.connect(lambda _=None, cid=case_id: self._case_windows.pop(cid, None))
        self.track_window(window)
        window.show()
        return window

    def show_notice(self, text: str) -> None:
        """A plain message that does not block the window."""
        from sendiass_desktop.ui.case_list import show_notice

        self.statusBar().showMessage(text, 10_000)
        self.last_notice = show_notice(self, text)

    def track_window(self, window: QWidget) -> None:
        """Hide ``window`` when the app locks, close it on sign-out."""
        self._tracked.append(window)
        window.destroyed.connect(lambda _=None, w=window: self._untrack(w))

    def _untrack(self, window: QWidget) -> None:
        with contextlib.suppress(ValueError):
            self._tracked.remove(window)

    # --- locking ---------------------------------------------------------------------

    def lock(self) -> None:
        if self._locked or self._ended:
            return
        self._locked = True
        self.idle.stop()
        shared_guard().clear_now()
        for view in self._views.values():
            if isinstance(view, LockAware):
                view.on_lock()
        for window in list(self._tracked):
            if isinstance(window, LockAware):
                window.on_lock()
            window.hide()
        self.content.setCurrentWidget(self.locked_page)
        self.toolbar.hide()
        self.backup_banner.hide()
        for action in self._session_actions:
            action.setEnabled(False)
        self.who_label.setText("Locked")
        self.lockedChanged.emit(True)
        self.show_unlock_dialog()

    def show_unlock_dialog(self) -> None:
        if not self._locked or self._ended:
            return
        if self.unlock_dialog is not None and self.unlock_dialog.isVisible():
            self.unlock_dialog.raise_()
            self.unlock_dialog.activateWindow()
            return
        session = self._session
        dialog = UnlockDialog(
            session.location,
            username="" if session.via_recovery_key else session.user.username,
            mode=UnlockMode.LOCKED,
            recovery_only=session.via_recovery_key,
            creds=self._creds,
            parent=self,
        )
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.unlocked.connect(self._unlocked_again)
        dialog.startupFailure.connect(self._unlock_failed)
        dialog.rejected.connect(self.locked_page.unlock_button.setFocus)
        self.unlock_dialog = dialog
        dialog.open()

    def _unlocked_again(self, outcome: UnlockOutcome) -> None:
        old, self._session = self._session, outcome.session
        old.close()
        self._locked = False
        self._forget_unlock_dialog()
        for action in self._session_actions:
            action.setEnabled(True)
        self.content.setCurrentWidget(self.workspace)
        self.toolbar.show()
        for window in list(self._tracked):
            if isinstance(window, SessionAware):
                window.set_session(outcome.session)
            window.show()
        self._apply_session()
        self.idle.start()
        self.lockedChanged.emit(False)
        self.sessionChanged.emit(outcome.session)

    def _unlock_failed(self, exc: BaseException) -> None:
        self._forget_unlock_dialog()
        self.startupFailure.emit(exc)

    def _forget_unlock_dialog(self) -> None:
        if self.unlock_dialog is not None:
            self.unlock_dialog.dismiss()
            self.unlock_dialog = None

    # --- account ---------------------------------------------------------------------

    def change_password(self) -> None:
        if self._locked or self._session.via_recovery_key:
            return
        dialog = ChangePasswordDialog(self._session, creds=self._creds, parent=self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.changed.connect(
            lambda: self.statusBar().showMessage("Your password has been changed.", 8000))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    # --- ending ----------------------------------------------------------------------

    def end_session(self) -> None:
        """Close the session and every window that shows its data."""
        if self._ended:
            return
        self._ended = True
        idle = getattr(self, "idle", None)  # absent if building the window failed half-way
        if idle is not None:
            idle.detach()
        screen_lock = getattr(self, "screen_lock", None)
        if screen_lock is not None:
            screen_lock.detach()
        shared_guard().clear_now()
        self._forget_unlock_dialog()
        # Dialogs that may refuse an ordinary close first, then the windows they belong to.
        tracked = list(self._tracked)
        for window in tracked:
            if isinstance(window, ClosesNow):
                window.close_now()
        for window in tracked:
            if not isinstance(window, ClosesNow):
                window.close()
        # Views drop what they hold (and close their background connections).
        for view in self._views.values():
            if isinstance(view, LockAware):
                view.on_lock()
        self._session.close()

    def sign_out(self) -> None:
        self.end_session()
        self.hide()
        self.signedOut.emit()
        self.deleteLater()

    def discard(self) -> None:
        """Close quietly (the controller shows something else next)."""
        self.end_session()
        self.hide()
        self.deleteLater()

    def closeEvent(self, event: QCloseEvent) -> None:
        already_ended = self._ended
        self.end_session()
        super().closeEvent(event)
        if not already_ended:
            self.closed.emit()
