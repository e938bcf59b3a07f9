"""Rule 6: every page an inspector opens is in the audit log, lists included."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.cases import CaseFilter
from sendiass_desktop.domain.roles import Role
from sendiass_desktop.services import cases, consent, deadlines, documents, safeguarding, users
from sendiass_desktop.services.session import unlock_with_password
from sendiass_desktop.store import audit_log
from tests.conftest import ADMIN, ADMIN_PASSWORD, OFFICER, OFFICER_PASSWORD, StoreFixture
from tests.support.casework import make_family


def test_inspector_list_and_panel_reads_are_audited(store: StoreFixture) -> None:
    admin = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    family = make_family(admin, officer=ADMIN)
    users.add_user(admin, "ofsted1", Role.INSPECTOR, password="inspection week pass",
                   expires_at=datetime.now(UTC) + timedelta(days=2))
    admin.close()
    case_id = family.case.id
    assert case_id is not None

    inspector = unlock_with_password(store.location, "ofsted1", "inspection week pass")
    try:
        before = audit_log.count(inspector.conn)
        cases.list_cases(inspector, CaseFilter())
        consent.consents_for_case(inspector, case_id)
        safeguarding.concerns_for_case(inspector, case_id)
        deadlines.deadlines_for_case(inspector, case_id)
        documents.documents_for_case(inspector, case_id)
        entries = audit_log.recent(inspector.conn, audit_log.count(inspector.conn) - before)
    finally:
        inspector.close()
    seen = {(e.actor, e.action, e.target_type) for e in entries}
    for target in ("case_list", "consents", "safeguarding", "deadlines", "documents"):
        assert ("ofsted1", AuditAction.RECORD_READ.value, target) in seen, target

    # Staff browsing lists do not flood the log (their case-file reads are audited).
    officer = unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD)
    try:
        before = audit_log.count(officer.conn)
        cases.list_cases(officer, CaseFilter())
        consent.consents_for_case(officer, case_id)
        assert audit_log.count(officer.conn) == before
    finally:
        officer.close()
