"""Save screenshots of the legal requests register, its dialogs and the extract, and of
the inspector access report.

    python tests/screens/capture_legal.py OUTPUT_FOLDER [--theme light|dark]

Run it under a real X server (``xvfb-run -a`` with ``QT_QPA_PLATFORM=xcb``).
Everything it makes lives in a temporary folder that is removed afterwards.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
LEGAL_SCREENS = (
    "legal-register.png",
    "legal-register-approved.png",
    "legal-register-officer.png",
    "legal-new-request.png",
    "legal-approve-same-manager.png",
    "legal-refuse-no-reason.png",
    "legal-record-basis.png",
    "legal-extract-review.png",
    "legal-extract-files.png",
    "legal-extract-passphrases.png",
    "users-inspector.png",
    "inspection-report.png",
    "inspection-end-access.png",
)
SECOND = "second manager password"
INSPECTOR_PASSWORD = "ofsted inspection week"
BODY = "Northshire County Council, legal services"
JUSTIFICATION = ("The High Court ordered disclosure of these records for the judicial review "
                 "(order of 20 November 2026); we are legally obliged to comply.")


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(REPO))
    from tests.screens.capture_common import run_capture

    return run_capture(__doc__, "sendiass-screens-legal-",
                       lambda out, root, args: capture_legal(out, root, args.theme), argv)


def capture_legal(out: Path, root: Path, theme: str = "light") -> int:
    from PySide6.QtGui import QTextCursor

    from sendiass_desktop.domain.cases import Case, IssueType, ReferralSource
    from sendiass_desktop.domain.exemptions import Exemption
    from sendiass_desktop.domain.notes import Confidentiality
    from sendiass_desktop.domain.people import Person, PersonRole
    from sendiass_desktop.domain.roles import Role
    from sendiass_desktop.services import cases, inspection, people, search, users
    from sendiass_desktop.services import legal_requests as legal
    from sendiass_desktop.services.session import unlock_with_password
    from sendiass_desktop.ui.admin_users import UsersAdminView
    from sendiass_desktop.ui.inspection_report import InspectionReportDialog
    from sendiass_desktop.ui.legal_requests_view import (
        ApproveDialog,
        BuildExtractDialog,
        ExtractReviewWindow,
        LegalRequestsView,
        RecordLegalBasisDialog,
        RefuseDialog,
        RegisterLegalRequestDialog,
    )
    from sendiass_desktop.ui.main_window import MainWindow
    from sendiass_desktop.ui.workers import tasks_running
    from tests.screens.capture_common import (
        OFFICER_PASSWORD,
        camera,
        office_store,
        start_app,
    )
    from tests.support.casework import add_note, make_family

    app = start_app(theme)
    pump, shoot = camera(app, out, LEGAL_SCREENS, wait_for_tasks=True)

    # --- the store: a family, two managers, an officer, five requests -------------------
    location, jo = office_store(root)
    users.add_user(jo, "dmensah", Role.MANAGER, display_name="David Mensah", password=SECOND)
    family = make_family(jo, officer="priya")
    add_note(jo, family.case, "Sarah Jones rang about the EHC plan. Her neighbour Gwendolyn "
             "Hart said the school bus was late again, and that Tom was upset.")
    add_note(jo, family.case, "Tom told me in confidence that he does not want to go back to "
             "Oak Academy.", Confidentiality.YOUNG_PERSON)
    other_parent = people.create_person(jo, Person("", "Daniel", "Okoro",
                                                   PersonRole.PARENT_CARER))
    other_child = people.create_person(jo, Person("", "Ada", "Okoro",
                                                  PersonRole.CHILD_YOUNG_PERSON,
                                                  date_of_birth=date(2014, 3, 2)))
    assert other_parent.id and other_child.id
    other = cases.create_case(jo, Case("", date(2026, 6, 3), ReferralSource.SCHOOL, "priya",
                                       other_parent.id, other_child.id,
                                       issue_types=frozenset({IssueType.EXCLUSION})))
    assert family.case.id is not None and other.id is not None
    today = date.today()
    priya = unlock_with_password(location, "priya", OFFICER_PASSWORD)
    david = unlock_with_password(location, "dmensah", SECOND)

    def register(case_id: int, body: str, basis: str, what: str, days: int) -> int:
        request = legal.register_legal_request(priya, case_id, body, basis, what,
                                               today - timedelta(days=days))
        assert request.id is not None
        return request.id

    refused = register(other.id, "Eastvale Borough Council", "Complaint to the Ombudsman",
                       "Every record held about the family", 40)
    legal.refuse(david, refused, "Not a legal obligation: the family can be asked directly.")
    extracted = register(family.case.id, "Northshire County Council, SEND team",
                         "First-tier Tribunal appeal; directions of 01/10/2026",
                         "The EHC needs assessment records", 30)
    legal.approve(jo, extracted)
    legal.approve(david, extracted)
    legal.record_legal_basis(jo, extracted, JUSTIFICATION)
    draft = legal.prepare_legal_extract(jo, extracted)
    legal.build_legal_extract(jo, extracted, draft, [], root / "old-extract.pdf",
                              root / "old-family.pdf")
    approved = register(family.case.id, BODY, "Judicial review: CPR Part 54 claim; disclosure "
                        "ordered under CPR Part 31", "All records about the EHC needs "
                        "assessment and the school placement since January 2026", 6)
    legal.approve(jo, approved, "Proportionate: limited to the assessment.")
    legal.approve(david, approved)
    half = register(other.id, BODY, "Judicial review of the exclusion decision",
                    "Notes of meetings with the school about the exclusion", 3)
    legal.approve(jo, half, "Proportionate; the claim is about the exclusion.")
    fresh = register(family.case.id, "Northshire County Council, legal services",
                     "Pre-action protocol letter for judicial review",
                     "Correspondence with the Local Authority", 1)

    window = MainWindow(jo)
    window.resize(1280, 800)
    window.show()
    window.show_view("legal")
    view = window.view("legal")
    assert isinstance(view, LegalRequestsView)
    pump(lambda: view.model.rowCount() == 5)
    view.select(half)
    view.table.setFocus()
    shoot(window, "legal-register.png")
    view.select(approved)
    pump()
    shoot(window, "legal-register-approved.png")

    # --- dialogs ------------------------------------------------------------------------
    new = view.register_request()
    assert isinstance(new, RegisterLegalRequestDialog)
    new.case.search.setText("Sarah Jones")
    new.case.search_cases()
    new.body.setText(BODY)
    new.basis.setPlainText("Judicial review claim; CPR Part 31 disclosure")
    new.description.setPlainText("All notes of meetings with the school in 2026")
    shoot(new, "legal-new-request.png")
    new.reject()

    view.select(half)
    pump()
    again = view.approve_selected()
    assert isinstance(again, ApproveDialog)
    again.submit()  # Jo approved it already: the service refuses, the dialog says why
    shoot(again, "legal-approve-same-manager.png")
    again.reject()

    view.select(fresh)
    pump()
    refuse = view.refuse_selected()
    assert isinstance(refuse, RefuseDialog)
    refuse.submit()  # no reason given
    shoot(refuse, "legal-refuse-no-reason.png")
    refuse.reject()

    view.select(approved)
    pump()
    basis = view.record_basis_selected()
    assert isinstance(basis, RecordLegalBasisDialog)
    basis.justification.setPlainText(JUSTIFICATION)
    shoot(basis, "legal-record-basis.png")
    basis.submit()
    pump(lambda: view.prepare_button.isEnabled())

    # --- the extract --------------------------------------------------------------------
    view.prepare_extract()
    pump(lambda: bool(view.review_windows))
    review = view.review_windows[0]
    assert isinstance(review, ExtractReviewWindow)
    review.resize(1280, 760)
    panel = review.review
    for row, v in enumerate(panel.views()):
        if "Gwendolyn" in v.item.text:
            panel.table.selectRow(row)
            start = v.item.text.index("Gwendolyn Hart")
            cursor = panel.text.textCursor()
            cursor.setPosition(start)
            cursor.setPosition(start + len("Gwendolyn Hart"), QTextCursor.MoveMode.KeepAnchor)
            panel.text.setTextCursor(cursor)
            panel.set_exemption(Exemption.THIRD_PARTY)
            panel.redact_selection()
    for row, v in enumerate(panel.views()):
        if "in confidence" in v.item.text:
            panel.table.selectRow(row)  # not offered: the reason is shown
            break
    panel.table.setFocus()
    shoot(review, "legal-extract-review.png")
    dialog = review.make_extract()
    assert isinstance(dialog, BuildExtractDialog)
    dialog.save_as.set_path(root / "LR-extract.pdf")
    dialog.family_save_as.set_path(root / "LR-family-copy.pdf")
    shoot(dialog, "legal-extract-files.png")
    dialog.build()
    pump(lambda: dialog.extract_result is not None or bool(dialog.message.text()))
    shoot(dialog, "legal-extract-passphrases.png")
    dialog.accept()
    pump()

    officer_window = MainWindow(priya)
    officer_window.resize(1280, 800)
    officer_window.show()
    officer_window.show_view("legal")
    officer_view = officer_window.view("legal")
    assert isinstance(officer_view, LegalRequestsView)
    pump(lambda: officer_view.model.rowCount() == 5)
    officer_view.select(fresh)
    shoot(officer_window, "legal-register-officer.png")
    officer_window.discard()

    # --- the inspector ------------------------------------------------------------------
    inspection.create_inspector(jo, "ofsted1", datetime.now(UTC) + timedelta(days=5),
                                display_name="Ivy Inspector", password=INSPECTOR_PASSWORD)
    ivy = unlock_with_password(location, "ofsted1", INSPECTOR_PASSWORD)
    cases.open_case_file(ivy, family.case.id)
    cases.open_case_file(ivy, other.id)
    search.search_cases(ivy, "assessment")
    people.get_person(ivy, family.child.ref)
    ivy.close()
    window.show_view("users")
    users_view = window.view("users")
    assert isinstance(users_view, UsersAdminView)
    users_view.refresh(select="ofsted1")
    pump()
    shoot(window, "users-inspector.png")
    report = users_view.show_access_report()
    assert isinstance(report, InspectionReportDialog)
    pump(lambda: report.model.rowCount() > 0)
    shoot(report, "inspection-report.png")
    report.reject()
    pump()
    users_view.end_access_selected()
    pump(lambda: users_view.question is not None)
    assert users_view.question is not None
    shoot(users_view.question, "inspection-end-access.png")
    users_view.question.reject()

    window.discard()
    pump(lambda: tasks_running() == 0)
    for session in (priya, david):
        session.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
