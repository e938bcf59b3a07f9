"""Save screenshots of the subject access request register and review screen.

    python tests/screens/capture_sar.py OUTPUT_FOLDER [--theme light|dark]

Run it under a real X server (``xvfb-run -a`` with ``QT_QPA_PLATFORM=xcb``).
Everything it makes lives in a temporary folder that is removed afterwards.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SAR_SCREENS = ("sar-register.png", "sar-review.png")


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(REPO))
    from tests.screens.capture_common import run_capture

    return run_capture(__doc__, "sendiass-screens-sar-",
                       lambda out, root, args: capture_sar(out, root, args.theme), argv)


def capture_sar(out: Path, root: Path, theme: str = "light") -> int:
    from PySide6.QtGui import QTextCursor

    from sendiass_desktop.domain.exemptions import Exemption
    from sendiass_desktop.domain.people import Person, PersonRole
    from sendiass_desktop.domain.sar import (
        IdentityCheck,
        IdentityMethod,
        Relationship,
        SarRequest,
    )
    from sendiass_desktop.services import people
    from sendiass_desktop.services import sar as sar_service
    from sendiass_desktop.ui.main_window import MainWindow
    from sendiass_desktop.ui.sar_register import SarRegisterView
    from sendiass_desktop.ui.sar_review import SarReviewWindow
    from sendiass_desktop.ui.workers import tasks_running
    from tests.screens.capture_common import camera, office_store, start_app
    from tests.support.casework import add_note, make_family

    app = start_app(theme)
    pump, shoot = camera(app, out, SAR_SCREENS)

    _location, session = office_store(root)
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
