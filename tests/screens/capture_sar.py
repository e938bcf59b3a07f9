"""Save screenshots of the subject access request register and review screen.

    python tests/screens/capture_sar.py OUTPUT_FOLDER [--theme light|dark]

Run it under a real X server (``xvfb-run -a`` with ``QT_QPA_PLATFORM=xcb``).
Everything it makes lives in a temporary folder that is removed afterwards.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAR_SCREENS = ("sar-register.png", "sar-review.png")
PASSWORD = "kettle on the windowsill"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output", type=Path)
    parser.add_argument("--theme", choices=("system", "light", "dark"), default="light")
    args = parser.parse_args(argv)
    out: Path = args.output
    out.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(REPO))
    from tests.screens.capture import _isolate

    with tempfile.TemporaryDirectory(prefix="sendiass-screens-sar-") as tmp:
        root = Path(tmp)
        _isolate(root)
        return capture_sar(out, root, args.theme)


def capture_sar(out: Path, root: Path, theme: str = "light") -> int:
    import keyring
    from PySide6.QtGui import QTextCursor
    from PySide6.QtWidgets import QApplication, QWidget

    from sendiass_desktop.app import configure_application
    from sendiass_desktop.domain.exemptions import Exemption
    from sendiass_desktop.domain.people import Person, PersonRole
    from sendiass_desktop.domain.roles import Role
    from sendiass_desktop.domain.sar import (
        IdentityCheck,
        IdentityMethod,
        Relationship,
        SarRequest,
    )
    from sendiass_desktop.services import people, users
    from sendiass_desktop.services import sar as sar_service
    from sendiass_desktop.services.session import StoreLocation, unlock_with_password
    from sendiass_desktop.services.setup import create_store
    from sendiass_desktop.ui.main_window import MainWindow
    from sendiass_desktop.ui.sar_register import SarRegisterView
    from sendiass_desktop.ui.sar_review import SarReviewWindow
    from sendiass_desktop.ui.theme import apply_theme
    from sendiass_desktop.ui.workers import tasks_running
    from tests.support.casework import add_note, make_family
    from tests.support.memory_keyring import MemoryKeyring

    app = QApplication.instance() or QApplication([sys.argv[0]])
    assert isinstance(app, QApplication)
    configure_application(app)
    apply_theme(app, theme)
    keyring.set_keyring(MemoryKeyring())

    def pump(predicate: Callable[[], bool] = lambda: True, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            app.processEvents()
            if time.monotonic() > deadline:
                raise TimeoutError("the screen did not reach the expected state")
            time.sleep(0.01)
        for _ in range(10):
            app.processEvents()
            time.sleep(0.01)

    def shoot(widget: QWidget, name: str) -> None:
        assert name in SAR_SCREENS, name
        widget.show()
        widget.raise_()
        widget.activateWindow()
        pump()
        if not widget.grab().save(str(out / name)):
            raise OSError(f"could not save {name}")
        print(f"saved {out / name}")

    location = StoreLocation.of(root / "office" / "northshire.sendiass")
    create_store(location, admin_username="jsmith", admin_password=PASSWORD,
                 admin_display_name="Jo Smith", device_binding=False)
    session = unlock_with_password(location, "jsmith", PASSWORD)
    users.add_user(session, "priya", Role.OFFICER, display_name="Priya Shah",
                   password="a long officer password")
    family = make_family(session, officer="priya")
    add_note(session, family.case, "Sarah Jones rang about the EHC plan. Her neighbour "
             "Gwendolyn Hart said the school bus was late again, and that Tom was upset.")
    other = people.create_person(session, Person("", "Daniel", "Okoro",
                                                 PersonRole.PARENT_CARER))
    today = date.today()
    assert family.parent.id and family.child.id and other.id
    main = sar_service.create_sar(session, SarRequest(
        "", family.parent.id, Relationship.PARENT, today - timedelta(days=12), "",
        for_person_id=family.child.id,
        identity=IdentityCheck(IdentityMethod.PHOTO_ID, today - timedelta(days=12), "")))
    sar_service.create_sar(session, SarRequest(
        "", other.id, Relationship.SELF, today - timedelta(days=40), ""))
    paused = sar_service.create_sar(session, SarRequest(
        "", family.child.id, Relationship.SELF, today - timedelta(days=5), ""))
    assert main.id and paused.id
    sar_service.pause_clock(session, paused.id, today - timedelta(days=2),
                            "Waiting for proof of identity")

    window = MainWindow(session)
    window.resize(1280, 760)
    window.show()
    window.show_view("sars")
    view = window.view("sars")
    assert isinstance(view, SarRegisterView)
    view.select(main.id)
    view.table.setFocus()
    shoot(window, "sar-register.png")

    review = SarReviewWindow(session, main.id, main.ref)
    review.resize(1280, 760)
    review.show()
    pump()
    for row, v in enumerate(review.model.views()):
        if "Gwendolyn" in v.item.text:
            review.table.selectRow(row)
            start = v.item.text.index("Gwendolyn Hart")
            cursor = review.text.textCursor()
            cursor.setPosition(start)
            cursor.setPosition(start + len("Gwendolyn Hart"), QTextCursor.MoveMode.KeepAnchor)
            review.text.setTextCursor(cursor)
            review.set_exemption(Exemption.THIRD_PARTY)
            review.redact_selection()
            break
    review.table.setFocus()
    shoot(review, "sar-review.png")
    review.close()
    window.discard()
    pump(lambda: tasks_running() == 0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
