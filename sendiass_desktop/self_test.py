"""``sendiass-desktop --self-test``: does this installation work, end to end?

Run after installing (or building) the app, and by IT when something seems
wrong. Every step prints one line, ``ok: …`` or ``FAILED: …``; the exit code is
0 only when every step passed.

What it exercises, on synthetic data in a new temporary folder:

* the SQLCipher library (``PRAGMA cipher_version``) and Argon2id;
* a new store, created without device binding and with the lowest allowed
  key-derivation cost so it is quick; a person, a case and a note written
  through the services and read back; the full store check (page HMACs,
  SQLite integrity, foreign keys, audit chain);
* a small PDF drawn with the bundled fonts (reportlab), encrypted with
  AES-256 (R6) and opened again with pikepdf;
* the bank-holiday calendar and the demo-data name generator, which both load
  data files at run time (the places a packaged build is most likely to miss);
* the keyring back-ends being *present* (never asking the credential store
  anything);
* Qt: the platform plugin loads, and a window is drawn and captured.

It never opens the user's store, never reads or writes the OS credential store
(keyring) and never writes the per-machine sign-in state: the temporary store
has no device binding, and the sign-in back-off record goes to the temporary
folder, which is deleted at the end.

Qt's platform is whatever ``QT_QPA_PLATFORM`` says (``offscreen`` on a server
or in CI); with no display and no such setting, the Qt step fails with a line
saying so rather than letting Qt abort the process.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO

from sendiass_desktop import APP_NAME, __version__

EXIT_OK = 0
EXIT_FAILED = 1

_ADMIN = "selftest"
_PASSWORD = "self test only: not a real account"  # noqa: S105 (throwaway store)
_PDF_PASSPHRASE = "self-test passphrase"  # noqa: S105
_FONT_DIR = Path(__file__).resolve().parent / "resources" / "fonts"


class SelfTestFailure(Exception):
    """A step found a problem; the message is the line shown after ``FAILED:``."""


class _NoCredentialStore:
    """Stands in for the OS credential store: the self-test must never use it."""

    def _refuse(self) -> None:
        raise SelfTestFailure("the self-test tried to use the OS credential store")

    def check_available(self) -> None:
        self._refuse()

    def get_device_secret(self, store_id: str) -> bytes | None:
        self._refuse()
        return None

    def set_device_secret(self, store_id: str, secret: bytes) -> None:
        self._refuse()

    def describe(self) -> str:
        return "none (self-test)"


class SelfTest:
    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.failures: list[str] = []
        self.folder: Path | None = None
        self.session: object | None = None
        self.plain_pdf: bytes | None = None

    # --- reporting -------------------------------------------------------------------

    def step(self, name: str, action: Callable[[], str], *, needs: str | None = None) -> bool:
        """Run one step; print ``ok: <what it returned>`` or ``FAILED: name: reason``."""
        if needs is not None and needs in self.failures:
            self._print(f"FAILED: {name}: not tried, because the {needs} step failed")
            self.failures.append(name)
            return False
        try:
            detail = action()
        except SelfTestFailure as exc:
            self._print(f"FAILED: {name}: {exc}")
        except Exception as exc:
            self._print(f"FAILED: {name}: {type(exc).__name__}: {exc}")
            if os.environ.get("SENDIASS_SELF_TEST_DEBUG"):
                traceback.print_exc(file=self.out)
        else:
            self._print(f"ok: {detail}")
            return True
        self.failures.append(name)
        return False

    def _print(self, line: str) -> None:
        print(line, file=self.out, flush=True)

    # --- steps -----------------------------------------------------------------------

    def sqlcipher(self) -> str:
        from sendiass_desktop.versions import UNKNOWN, sqlcipher_versions

        cipher, sqlite = sqlcipher_versions()
        if cipher == UNKNOWN:
            raise SelfTestFailure("the SQLite library in use is not SQLCipher "
                                  "(PRAGMA cipher_version gave nothing)")
        if not cipher.startswith("4."):
            raise SelfTestFailure(f"SQLCipher 4 is needed, found {cipher}")
        return f"sqlcipher {cipher} (SQLite {sqlite})"

    def create_store(self) -> str:
        from sendiass_desktop.services.session import StoreLocation, unlock_with_password
        from sendiass_desktop.services.setup import create_store
        from sendiass_desktop.store import kdf
        from sendiass_desktop.store.lockout import LoginAttempts

        self.folder = Path(tempfile.mkdtemp(prefix="sendiass-self-test-"))
        location = StoreLocation.of(self.folder / "self-test.sendiass")
        creds = _NoCredentialStore()
        started = time.perf_counter()
        create_store(location, admin_username=_ADMIN, admin_password=_PASSWORD,
                     admin_display_name="Self-test", service_name="Self-test",
                     device_binding=False, creds=creds, kdf_params=kdf.MINIMUM)
        self.session = unlock_with_password(
            location, _ADMIN, _PASSWORD, creds=creds,
            attempts=LoginAttempts(self.folder / "state"))
        elapsed = time.perf_counter() - started
        params = kdf.MINIMUM
        return (f"encrypted store created and unlocked in a temporary folder "
                f"(Argon2id {params.memory_kib // 1024} MiB, {params.time_cost} passes; "
                f"{elapsed:.1f} s)")

    def records(self) -> str:
        from sendiass_desktop.domain.cases import Case, ReferralSource
        from sendiass_desktop.domain.notes import Confidentiality, Note, NoteType
        from sendiass_desktop.domain.people import Person, PersonRole
        from sendiass_desktop.services import cases, notes, people
        from sendiass_desktop.services.access import now
        from sendiass_desktop.services.session import Session

        session = self.session
        assert isinstance(session, Session)
        person = people.create_person(session, Person(
            "", "Sam", "Selftest", PersonRole.PARENT_CARER, email="sam@example.org"))
        assert person.id is not None
        case = cases.create_case(session, Case(
            "", date.today(), ReferralSource.SELF, _ADMIN, person.id))
        assert case.id is not None
        body = "Self-test note: café, naïve, Ŵ — written and read back."
        note = notes.add_note(session, Note(
            case.id, now() - timedelta(minutes=1), NoteType.CALL, "", body,
            Confidentiality.NORMAL, False, ()))
        assert note.id is not None

        if people.get_person(session, person.ref).display_name != "Sam Selftest":
            raise SelfTestFailure("the person read back differs from the one written")
        if cases.get_case(session, case.ref).primary_person_id != person.id:
            raise SelfTestFailure("the case read back differs from the one written")
        bodies = [n.body for n in notes.notes_for_case(session, case.id)]
        if bodies != [body]:
            raise SelfTestFailure("the note read back differs from the one written")
        return f"person, case {case.ref} and note written and read back"

    def check(self) -> str:
        from sendiass_desktop.services import store_admin
        from sendiass_desktop.services.session import Session

        session = self.session
        assert isinstance(session, Session)
        report = store_admin.check_store(session)
        if not report.ok:
            raise SelfTestFailure("store check: " + " ".join(report.problems))
        return (f"store check passed (page HMACs, integrity, foreign keys, "
                f"audit chain of {report.audit_entries} entries)")

    def pdf(self) -> str:
        import pikepdf
        from reportlab.lib.pagesizes import A4
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont
        from reportlab.pdfgen.canvas import Canvas

        from sendiass_desktop.reports.pdf_encryption import encrypt_pdf

        font_file = _FONT_DIR / "DejaVuSans.ttf"
        if not font_file.is_file():
            raise SelfTestFailure(f"the bundled font is missing ({font_file.name})")
        pdfmetrics.registerFont(TTFont("SendiassSelfTest", str(font_file)))
        buffer = io.BytesIO()
        canvas = Canvas(buffer, pagesize=A4)
        canvas.setFont("SendiassSelfTest", 12)
        canvas.drawString(72, 770, f"{APP_NAME} self-test: Zoë, Łukasz, Ольга.")
        canvas.showPage()
        canvas.save()
        self.plain_pdf = buffer.getvalue()
        encrypted = encrypt_pdf(self.plain_pdf, _PDF_PASSPHRASE)
        try:
            pikepdf.open(io.BytesIO(encrypted)).close()
        except pikepdf.PasswordError:
            pass
        else:
            raise SelfTestFailure("the encrypted PDF opened without its passphrase")
        with pikepdf.open(io.BytesIO(encrypted), password=_PDF_PASSPHRASE) as document:
            method = document.encryption
            pages = len(document.pages)
            if not document.is_encrypted or method.R != 6 or pages != 1:
                raise SelfTestFailure("the PDF was not encrypted with AES-256 (R6)")
        return (f"PDF drawn (reportlab, bundled DejaVu font), encrypted with AES-256 R6 and "
                f"read back (pikepdf {pikepdf.__version__}, qpdf {pikepdf.__libqpdf_version__})")

    def pdf_preview(self) -> str:
        """PDFium draws PDF pages in the document viewer; without it PDFs get "Save a copy…"."""
        from sendiass_desktop.ui.document_viewer import pdf_rendering_available

        if not pdf_rendering_available():
            return ("PDF preview not included in this installation (PDF documents offer "
                    "Save a copy… instead)")
        import pypdfium2 as pdfium

        if self.plain_pdf is None:
            raise SelfTestFailure("there was no PDF to draw")
        document = pdfium.PdfDocument(self.plain_pdf)
        try:
            page = document[0]
            bitmap = page.render(scale=0.5)
            width, height = bitmap.width, bitmap.height
            bitmap.close()
            page.close()
        finally:
            document.close()
        if width < 100 or height < 100:
            raise SelfTestFailure("PDFium drew an empty page")
        return f"PDF preview (PDFium) drew a page ({width}×{height})"

    def calendar(self) -> str:
        from sendiass_desktop.domain import working_days

        year = date.today().year
        count = len(working_days.bank_holidays_in_year(year))
        if count < 6:
            raise SelfTestFailure(f"only {count} bank holidays found for {year}")
        return f"bank holidays for England and Wales: {count} in {year}"

    def demo_names(self) -> str:
        from faker import Faker

        fake = Faker("en_GB")
        fake.seed_instance(1)
        surname = str(fake.last_name())
        postcode = str(fake.postcode())
        if not surname or not postcode:
            raise SelfTestFailure("the demo-data generator gave empty names")
        return "demo-data generator (en_GB names and postcodes)"

    def keyring_backends(self) -> str:
        """The back-ends are importable and discoverable; the keyring is not asked anything."""
        from importlib import import_module
        from importlib.metadata import entry_points

        wanted = {"win32": "keyring.backends.Windows", "darwin": "keyring.backends.macOS"}
        module = wanted.get(sys.platform, "keyring.backends.SecretService")
        import_module(module)
        names = sorted({ep.name for ep in entry_points(group="keyring.backends")})
        if not names:
            raise SelfTestFailure("the keyring back-ends cannot be discovered "
                                  "(keyring's package metadata is missing)")
        return f"keyring back-ends present ({', '.join(names)}); the keyring was not used"

    def qt(self) -> str:
        from PySide6.QtCore import qVersion

        platform_env = os.environ.get("QT_QPA_PLATFORM", "")
        if (sys.platform.startswith("linux") and not platform_env
                and not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY")):
            raise SelfTestFailure("no display to test the window on: run it in a desktop "
                                  "session, or set QT_QPA_PLATFORM=offscreen")
        from PySide6.QtGui import QGuiApplication
        from PySide6.QtWidgets import QApplication

        app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else APP_NAME])
        platform_name = QGuiApplication.platformName()

        from sendiass_desktop.ui.about_dialog import AboutDialog
        from sendiass_desktop.ui.app_icon import app_icon

        if app_icon().isNull():
            raise SelfTestFailure("the app icon files are missing")
        dialog = AboutDialog()
        try:
            dialog.show()
            app.processEvents()
            picture = dialog.grab()
            if picture.isNull() or picture.width() < 100 or picture.height() < 100:
                raise SelfTestFailure("a window could not be drawn")
            size = f"{picture.width()}×{picture.height()}"
        finally:
            dialog.hide()
            dialog.deleteLater()
            app.processEvents()
        # The rest of the user interface imports cleanly (a packaged build's usual gap).
        import sendiass_desktop.ui.main_window
        import sendiass_desktop.ui.startup  # noqa: F401

        return f"qt {qVersion()} (platform plugin '{platform_name}'): a window was drawn ({size})"

    def clean_up(self) -> str:
        from sendiass_desktop.services.session import Session

        if isinstance(self.session, Session):
            self.session.close()
            self.session = None
        if self.folder is None:
            return "no temporary files to remove"
        shutil.rmtree(self.folder)
        if self.folder.exists():
            raise SelfTestFailure(f"the temporary folder could not be removed: {self.folder}")
        self.folder = None
        return "temporary store and folder removed"

    # --- the whole run ---------------------------------------------------------------

    def run(self) -> int:
        frozen = " (installed build)" if getattr(sys, "frozen", False) else ""
        self._print(f"{APP_NAME} {__version__} self-test{frozen}")
        try:
            self.step("sqlcipher", self.sqlcipher)
            self.step("store", self.create_store, needs="sqlcipher")
            self.step("records", self.records, needs="store")
            self.step("check", self.check, needs="store")
            self.step("pdf", self.pdf)
            self.step("pdf preview", self.pdf_preview, needs="pdf")
            self.step("calendar", self.calendar)
            self.step("demo data", self.demo_names)
            self.step("keyring", self.keyring_backends)
            self.step("qt", self.qt)
        finally:
            self.step("clean-up", self.clean_up)
        if self.failures:
            self._print(f"self-test FAILED ({len(self.failures)} step(s): "
                        f"{', '.join(self.failures)})")
            return EXIT_FAILED
        self._print("self-test passed")
        return EXIT_OK


REPORT_FILE_NAME = "sendiass-self-test.txt"


def run(out: TextIO | None = None) -> int:
    """Run every step; return the exit code (0 when all passed).

    The Windows build of ``sendiass-desktop`` is a windowed program: started from a
    console without redirection it has no standard output. The report then goes to
    ``sendiass-self-test.txt`` in the temporary folder (``%TEMP%``) instead;
    ``sendiass-desktop.exe --self-test > result.txt`` captures it directly.
    """
    if out is None and sys.stdout is None:
        report = Path(tempfile.gettempdir()) / REPORT_FILE_NAME
        with report.open("w", encoding="utf-8") as stream:
            return SelfTest(stream).run()
    return SelfTest(out or sys.stdout).run()


def main() -> int:
    return run()


if __name__ == "__main__":
    raise SystemExit(main())
