"""Save screenshots of the disclosure extract and Local Authority letter screens.

    python tests/screens/capture_extracts.py OUTPUT_FOLDER [--theme light|dark]

Run it under a real X server (``xvfb-run -a`` with ``QT_QPA_PLATFORM=xcb``).
Everything it makes lives in a temporary folder that is removed afterwards,
except the screenshots and one sample extract (``sample-extract.pdf``, made
from invented data, with its passphrase in ``sample-extract.txt``) so its
pages can be looked at too.
"""

from __future__ import annotations

import sys
from datetime import date, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXTRACT_SCREENS = (
    "extract-no-consent.png",
    "extract-override.png",
    "extract-consented.png",
    "extract-review.png",
    "extract-build.png",
    "extract-built.png",
    "escalation-write.png",
    "escalation-review.png",
    "escalation-review-named.png",
    "escalation-exported.png",
)


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(REPO))
    from tests.screens.capture_common import run_capture

    return run_capture(__doc__, "sendiass-screens-extracts-",
                       lambda out, root, args: capture_extracts(out, root, args.theme), argv)


def capture_extracts(out: Path, root: Path, theme: str = "light") -> int:
    from PySide6.QtGui import QTextCursor

    from sendiass_desktop.domain.cases import Case, ReferralSource
    from sendiass_desktop.domain.consent import (
        ConsentMethod,
        ConsentRecord,
        ConsentState,
        Purpose,
        Recipient,
    )
    from sendiass_desktop.domain.exemptions import Exemption
    from sendiass_desktop.domain.people import Person, PersonRole
    from sendiass_desktop.services import cases, consent, escalation, people
    from sendiass_desktop.services.session import unlock_with_password
    from sendiass_desktop.ui.case_window import CaseWindow
    from sendiass_desktop.ui.disclosure_dialog import DisclosureDialog
    from sendiass_desktop.ui.escalation_dialog import EscalationDialog
    from sendiass_desktop.ui.workers import tasks_running
    from tests.screens.capture_common import (
        OFFICER_PASSWORD,
        camera,
        office_store,
        start_app,
    )
    from tests.support.casework import add_note

    app = start_app(theme)
    pump, shoot = camera(app, out, EXTRACT_SCREENS)

    def idle() -> None:
        pump(lambda: tasks_running() == 0)

    location, manager = office_store(root)
    officer = unlock_with_password(location, "priya", OFFICER_PASSWORD)
    parent = people.create_person(officer, Person(
        "", "Sarah", "Jones", PersonRole.PARENT_CARER, email="sarah@example.org",
        address="12 Mill Lane\nNorthtown", postcode="NT1 4AB"))
    child = people.create_person(officer, Person(
        "", "Tom", "Jones", PersonRole.CHILD_YOUNG_PERSON, date_of_birth=date(2009, 5, 17)))
    assert parent.id and child.id
    case = cases.create_case(officer, Case(
        "", date(2026, 9, 1), ReferralSource.SELF, "priya", parent.id, child.id,
        school_setting="Oak Academy", local_authority="Northshire County Council"))
    assert case.id is not None
    add_note(officer, case, "Sarah Jones rang about the EHC plan. Her neighbour Gwendolyn Hart "
             "said the school bus was late again, and that Tom was upset.",
             third_parties=("Gwendolyn Hart",))
    add_note(officer, case, "Annual review: the school agreed two extra speech and language "
             "therapy sessions a week from January.")
    add_note(officer, case, "Sarah mentioned the family's housing worries; not for the school.")
    add_note(manager, case, "Bruise noticed at the meeting; discussed with the designated "
             "safeguarding lead, who will follow it up.", safeguarding=True)

    # 1. An officer, no consent for Health.
    window = CaseWindow(officer, case.id)
    window.resize(1280, 800)
    window.show()
    pump()
    window.extract_action.trigger()
    dialog = next(d for d in window.findChildren(DisclosureDialog) if d.isVisible())
    dialog.recipient.setCurrentIndex(dialog.recipient.findData(Recipient.HEALTH))
    dialog.detail.setText("Northtown community paediatrics")
    pump(lambda: dialog.consent_checked)
    idle()
    shoot(dialog, "extract-no-consent.png")
    dialog.reject()
    window.close()
    pump()

    # 2. A manager sees the override.
    window = CaseWindow(manager, case.id)
    window.resize(1280, 800)
    window.show()
    pump()
    window.extract_action.trigger()
    dialog = next(d for d in window.findChildren(DisclosureDialog) if d.isVisible())
    dialog.recipient.setCurrentIndex(dialog.recipient.findData(Recipient.HEALTH))
    pump(lambda: dialog.consent_checked)
    idle()
    dialog.justification.setPlainText("urgent")
    dialog.record_override()
    pump(lambda: bool(dialog.override_message.text()))
    idle()
    shoot(dialog, "extract-override.png")
    dialog.reject()
    window.close()
    pump()

    # 3. Consent to the school; the officer prepares, reviews and builds.
    for person in (parent, child):
        assert person.id is not None
        consent.record_consent(officer, ConsentRecord(
            case.id, person.id, Recipient.SCHOOL, Purpose.SHARE_RECORDS, ConsentState.GIVEN,
            datetime.now().replace(microsecond=0), ConsentMethod.WRITTEN, ""))
    window = CaseWindow(officer, case.id)
    window.resize(1280, 800)
    window.show()
    pump()
    window.extract_action.trigger()
    dialog = next(d for d in window.findChildren(DisclosureDialog) if d.isVisible())
    dialog.recipient.setCurrentIndex(dialog.recipient.findData(Recipient.SCHOOL))
    dialog.detail.setText("Oak Academy")
    dialog.address.setPlainText("School Road\nNorthtown NT2 9ZZ")
    pump(lambda: dialog.consent_checked)
    idle()
    shoot(dialog, "extract-consented.png")
    dialog.next_step()
    pump(lambda: dialog.pages.currentIndex() == dialog.REVIEW)
    review = dialog.review
    for row, v in enumerate(review.views()):
        if "housing" in v.item.text:
            review.table.selectRow(row)
            review.leave_out()
    for row, v in enumerate(review.views()):
        if "Gwendolyn" in v.item.text:
            review.table.selectRow(row)
            start = v.item.text.index("Gwendolyn Hart")
            cursor = review.text.textCursor()
            cursor.setPosition(start)
            cursor.setPosition(start + len("Gwendolyn Hart"), QTextCursor.MoveMode.KeepAnchor)
            review.text.setTextCursor(cursor)
            review.exemption.setCurrentIndex(review.exemption.findData(Exemption.THIRD_PARTY))
            review.redact_selection()
    review.table.setFocus()
    shoot(dialog, "extract-review.png")
    dialog.next_step()
    pump(lambda: dialog.pages.currentIndex() == dialog.BUILD)
    extract_path = out / "sample-extract.pdf"
    extract_path.unlink(missing_ok=True)
    family_path = root / "sample-family-copy.pdf"
    dialog.save_as.set_path(extract_path)
    dialog.family_save_as.set_path(family_path)
    shoot(dialog, "extract-build.png")
    dialog.next_step()
    pump(lambda: dialog.extract_result is not None or (bool(dialog.message.text())
                                                        and not dialog.busy))
    idle()
    if dialog.extract_result is None:
        raise RuntimeError(dialog.message.text())
    (out / "sample-extract.txt").write_text(dialog.extract_passphrase.passphrase() + "\n",
                                            encoding="utf-8")
    shoot(dialog, "extract-built.png")
    dialog.reject()

    # 4. A letter to the Local Authority.
    escalation.save_escalation(officer, case.id, "[the parent] asked for a needs assessment "
                               "in June and has had no decision.")
    window.escalation_action.trigger()
    letter = next(d for d in window.findChildren(EscalationDialog) if d.isVisible())
    pump(lambda: letter.letters_model.rowCount() == 1)
    letter.issue.setPlainText(
        f"Re {case.ref}.\n\nSarah Jones (sarah@example.org, 12 Mill Lane, NT1 4AB) asked "
        "for an EHC needs assessment for Tom, born 17/05/2009, at Oak Academy on 2 June. "
        "Sixteen weeks later the family has had no decision, although the law allows six "
        "weeks.\n\nWe ask the Local Authority to explain the delay and to decide without "
        "further delay.")
    shoot(letter, "escalation-write.png")
    letter.next_step()
    pump(lambda: letter.pages.currentIndex() == letter.REVIEW)
    shoot(letter, "escalation-review.png")
    letter.next_step()
    pump(lambda: letter.pages.currentIndex() == letter.SAVED)
    letter.save_as.set_path(root / "letter.pdf")
    letter.next_step()
    pump(lambda: letter.exported is not None or (bool(letter.message.text())
                                                  and not letter.busy))
    idle()
    shoot(letter, "escalation-exported.png")
    letter.reject()
    # With consent to be named.
    for person in (parent, child):
        assert person.id is not None
        consent.record_consent(officer, ConsentRecord(
            case.id, person.id, Recipient.LA_SEND_TEAM, Purpose.BE_IDENTIFIED,
            ConsentState.GIVEN, datetime.now().replace(microsecond=0), ConsentMethod.WRITTEN,
            ""))
    window.escalation_action.trigger()
    letter = next(d for d in window.findChildren(EscalationDialog) if d.isVisible())
    idle()
    letter.issue.setPlainText("Sarah Jones asked for an EHC needs assessment for Tom in June "
                              "and has had no decision.")
    letter.next_step()
    pump(lambda: letter.pages.currentIndex() == letter.REVIEW)
    shoot(letter, "escalation-review-named.png")
    letter.reject()
    window.close()
    idle()
    officer.close()
    manager.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
