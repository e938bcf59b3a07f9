"""Retention and disposal (rule 8) on a real SQLCipher store.

The central check: after a case is disposed of, no byte of its marker text
(a word in its notes, its people's names, its document's content, its
safeguarding concern, consent notes, draft) is left in the store. Grepping
the raw file proves nothing (every page is AES ciphertext), so the tests
look at the plaintext in two ways:

* the logical database: a full SQL dump (``iterdump``) of the decrypted
  store, including the FTS shadow tables, plus the FTS vocabulary;
* every page of the files: SQLite's ``sqlite_dbpage`` table is not compiled
  into sqlcipher3 or apsw-sqlite3mc here, and ``sqlcipher_export`` copies
  only live rows (it would miss exactly the free pages that matter), so the
  test decrypts each page of the store file and each frame of its WAL
  itself (AES-256-CBC with the data key, SQLCipher 4's page layout), checking
  every page's HMAC-SHA512 first so a wrong layout cannot pass silently. The
  same decryption finds the marker before disposal (the positive control).

What that proves: no page of the store file or its WAL, in use, free or
partly used, holds the marker after disposal. It cannot speak for disk
blocks the file system has let go of, nor for backups taken earlier.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from sqlite3.dump import _iterdump  # type: ignore[attr-defined]  # not in typeshed

import pytest
import sqlcipher3
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from sendiass_desktop.cli import EXIT_AUTH, EXIT_OK, EXIT_USAGE, main
from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.cases import Case, CaseParty, Outcome, PartyRole, ReferralSource
from sendiass_desktop.domain.consent import ConsentMethod, ConsentRecord, ConsentState, Purpose
from sendiass_desktop.domain.consent import Recipient as ConsentRecipient
from sendiass_desktop.domain.errors import InvalidInput, PermissionDenied
from sendiass_desktop.domain.notes import Note, NoteType
from sendiass_desktop.domain.people import Person, PersonRole
from sendiass_desktop.domain.retention import RetentionSchedule, retention_status
from sendiass_desktop.domain.roles import Role
from sendiass_desktop.domain.safeguarding import SafeguardingAction, SafeguardingConcern
from sendiass_desktop.domain.sar import IdentityCheck, IdentityMethod, Relationship, SarRequest
from sendiass_desktop.services import (
    cases,
    consent,
    deadlines,
    documents,
    notes,
    people,
    retention,
    safeguarding,
    search,
    users,
)
from sendiass_desktop.services import sar as sar_service
from sendiass_desktop.services.retention import DisposalRefused
from sendiass_desktop.services.session import Session, unlock_with_password
from sendiass_desktop.store import audit_log
from tests.conftest import ADMIN, ADMIN_PASSWORD, OFFICER, OFFICER_PASSWORD, StoreFixture

MANAGER, MANAGER_PASSWORD = "dave", "manager of the service"


@pytest.fixture
def team(store: StoreFixture) -> Iterator[dict[str, Session]]:
    admin = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    users.add_user(admin, MANAGER, Role.MANAGER, password=MANAGER_PASSWORD)
    sessions = {
        "admin": admin,
        "manager": unlock_with_password(store.location, MANAGER, MANAGER_PASSWORD),
        "officer": unlock_with_password(store.location, OFFICER, OFFICER_PASSWORD),
    }
    yield sessions
    for s in sessions.values():
        s.close()


def marker(kind: str) -> str:
    """A word no other record contains (FTS tokens are lower case)."""
    return f"zqx{kind}{secrets.token_hex(5)}"


@dataclass(frozen=True)
class Built:
    case: Case
    parent: Person
    child: Person
    words: tuple[str, ...]  # every marker word put on this case


def build_case(session: Session, *, opened: date, closed: date | None, dob: date | None,
               paper: str = "", parent: Person | None = None, rich: bool = True) -> Built:
    """A case with a marker in every kind of record that hangs off it."""
    words = {k: marker(k) for k in ("note", "name", "doc", "concern", "consent", "draft",
                                    "summary", "deleted")}
    if parent is None:
        parent = people.create_person(session, Person(
            "", "Sarah", words["name"].capitalize(), PersonRole.PARENT_CARER,
            email=f"{words['name']}@example.org"))
    child = people.create_person(session, Person(
        "", "Tom", words["name"].capitalize(), PersonRole.CHILD_YOUNG_PERSON, date_of_birth=dob))
    assert parent.id is not None and child.id is not None
    case = cases.create_case(session, Case(
        "", opened, ReferralSource.SELF, OFFICER, parent.id, child.id, paper_records=paper,
        summary=f"Family asked about {words['summary']}."))
    assert case.id is not None
    if rich:
        first = notes.add_note(session, Note(
            case.id, datetime.combine(opened, datetime.min.time()) + timedelta(hours=10),
            NoteType.CALL, "", f"Call about {words['note']} and the school.",
            safeguarding=True))
        gone = notes.add_note(session, Note(
            case.id, datetime.combine(opened, datetime.min.time()) + timedelta(hours=11),
            NoteType.EMAIL, "", f"Mistake {words['deleted']}"))
        notes.delete_note(session, gone)
        consent.record_consent(session, ConsentRecord(
            case.id, parent.id, ConsentRecipient.SCHOOL, Purpose.SHARE_RECORDS,
            ConsentState.GIVEN, datetime.combine(opened, datetime.min.time()),
            ConsentMethod.WRITTEN, "", notes=f"Signed {words['consent']}"))
        safeguarding.raise_concern(session, SafeguardingConcern(
            case.id, opened, f"Worry {words['concern']}", MANAGER, SafeguardingAction.MASH,
            linked_note_ids=(first.id or 0,)))
        documents.add_document(session, case.id, "letter.txt",
                               f"Dear family, {words['doc']} regards.\n".encode() * 40,
                               note_id=first.id)
        deadlines.add_task(session, case.id, "Ring the school back", opened + timedelta(days=7))
        notes.save_draft(session, case.id, None, f"Half-typed {words['draft']}", {})
    if closed is not None:
        case = cases.close_case(session, cases.get_case(session, case.id), closed,
                                frozenset({Outcome.ADVICE_GIVEN}))
    return Built(case, parent, child, tuple(words.values()))


# --- reading every page of the store ------------------------------------------------------

PAGE = 4096
RESERVE = 80  # SQLCipher 4: 16-byte IV + 64-byte HMAC-SHA512 at the end of each page


def _decrypt_page(key: bytes, hmac_key: bytes, page: bytes, number: int) -> bytes:
    offset = 16 if number == 1 else 0  # page 1 starts with the file's salt
    body, iv, mac = page[offset:PAGE - RESERVE], page[PAGE - RESERVE:PAGE - 64], page[PAGE - 64:]
    expected = hmac.new(hmac_key, body + iv + number.to_bytes(4, "little"),
                        hashlib.sha512).digest()
    assert hmac.compare_digest(expected, mac), f"page {number} failed its HMAC"
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return decryptor.update(body) + decryptor.finalize()


def all_plaintext(path: Path, key: bytes) -> bytes:
    """Every page of the store file and every frame of its WAL, decrypted."""
    data = path.read_bytes()
    assert len(data) % PAGE == 0
    salt = data[:16]
    hmac_key = hashlib.pbkdf2_hmac("sha512", key, bytes(b ^ 0x3A for b in salt), 2, 32)
    out = [_decrypt_page(key, hmac_key, data[i:i + PAGE], i // PAGE + 1)
           for i in range(0, len(data), PAGE)]
    wal = path.with_name(path.name + "-wal")
    if wal.exists():
        frames = wal.read_bytes()[32:]
        for start in range(0, len(frames) - 24 - PAGE + 1, 24 + PAGE):
            number = int.from_bytes(frames[start:start + 4], "big")
            out.append(_decrypt_page(key, hmac_key, frames[start + 24:start + 24 + PAGE],
                                     number))
    return b"".join(out)


def raw_connection(path: Path, key: bytes) -> sqlcipher3.Connection:
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    return conn


def logical_dump(path: Path, key: bytes) -> str:
    """``Connection.iterdump`` (sqlcipher3 lacks it; the standard library's works on it)."""
    conn = raw_connection(path, key)
    try:
        return "\n".join(_iterdump(conn))
    finally:
        conn.close()


def fts_terms(path: Path, key: bytes, words: tuple[str, ...]) -> set[str]:
    conn = raw_connection(path, key)
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, search_fts, row)")
        marks = ",".join("?" * len(words))
        return {r[0] for r in conn.execute(
            f"SELECT term FROM temp.vocab WHERE term IN ({marks})", words)}  # noqa: S608
    finally:
        conn.close()


def traces(path: Path, key: bytes, words: tuple[str, ...]) -> dict[str, set[str]]:
    """Where each word can still be found."""
    dump = logical_dump(path, key)
    dump_lower = dump.lower()
    pages = all_plaintext(path, key)
    found: dict[str, set[str]] = {"dump": set(), "pages": set(), "fts": set()}
    for w in words:
        hexed = w.encode().hex()
        if w in dump_lower or hexed in dump_lower:
            found["dump"].add(w)
        if w.encode() in pages.lower():
            found["pages"].add(w)
    found["fts"] = fts_terms(path, key, words)
    return found


# --- due for review -------------------------------------------------------------------------


def test_due_is_the_later_of_closure_plus_years_and_the_25th_birthday(
        team: dict[str, Session]) -> None:
    admin = team["admin"]
    by_birthday = build_case(admin, opened=date(2014, 1, 6), closed=date(2015, 3, 1),
                             dob=date(2005, 6, 1), rich=False)  # 25 on 1 June 2030
    by_closure = build_case(admin, opened=date(2020, 1, 6), closed=date(2021, 6, 1),
                            dob=date(1998, 2, 3), rich=False)  # closure + 6 = 1 June 2027
    no_dob = build_case(admin, opened=date(2018, 1, 6), closed=date(2019, 1, 1), dob=None,
                        rich=False)
    still_open = build_case(admin, opened=date(2001, 1, 6), closed=None, dob=date(1990, 1, 1),
                            rich=False)
    held = build_case(admin, opened=date(2005, 1, 6), closed=date(2006, 1, 1),
                      dob=date(1985, 1, 1), rich=False)
    retention.set_legal_hold(team["manager"], held.case.ref, "Judicial review claim")

    def due_on(day: date) -> set[str]:
        return {i.ref for i in retention.review_queue(team["manager"], on=day)}

    assert due_on(date(2030, 6, 1)) >= {no_dob.case.ref, by_closure.case.ref}
    assert by_birthday.case.ref not in due_on(date(2030, 6, 1))  # the last day kept
    assert by_birthday.case.ref in due_on(date(2030, 6, 2))
    assert by_closure.case.ref not in due_on(date(2027, 6, 1))
    assert by_closure.case.ref in due_on(date(2027, 6, 2))
    assert no_dob.case.ref in due_on(date(2025, 1, 2)) - due_on(date(2025, 1, 1))
    for day in (date(2026, 11, 26), date(2100, 1, 1)):
        assert still_open.case.ref not in due_on(day)  # open cases never
        assert held.case.ref not in due_on(day)  # a legal hold stops it
    # The queue agrees with the domain rule, case by case, on many days.
    schedule = RetentionSchedule()
    for day in (date(2024, 12, 31), date(2025, 1, 2), date(2027, 6, 2), date(2030, 6, 2)):
        queue = due_on(day)
        for b in (by_birthday, by_closure, no_dob, still_open, held):
            expected = retention_status(schedule, b.case.closed_on, b.child.date_of_birth,
                                        b.case.ref == held.case.ref, day).due
            assert (b.case.ref in queue) == expected, (b.case.ref, day)
    shown = retention.review_queue(team["manager"], on=date(2100, 1, 1), include_held=True)
    item = next(i for i in shown if i.ref == held.case.ref)
    assert item.legal_hold and not item.due and not item.can_dispose
    retention.release_legal_hold(team["manager"], held.case.ref, "Claim withdrawn")
    assert held.case.ref in due_on(date(2026, 11, 26))


def test_schedule_is_set_by_admins_and_used(team: dict[str, Session]) -> None:
    admin, manager = team["admin"], team["manager"]
    b = build_case(admin, opened=date(2020, 1, 6), closed=date(2021, 6, 1), dob=None, rich=False)
    assert retention.get_schedule(manager) == RetentionSchedule()
    assert b.case.ref not in {i.ref for i in retention.review_queue(manager, on=date(2026, 7, 1))}
    with pytest.raises(PermissionDenied):
        retention.set_schedule(manager, RetentionSchedule(years_after_closure=3))
    with pytest.raises(InvalidInput):
        retention.set_schedule(admin, RetentionSchedule(years_after_closure=0))
    retention.set_schedule(admin, RetentionSchedule(years_after_closure=3))
    assert retention.get_schedule(manager).years_after_closure == 3
    assert b.case.ref in {i.ref for i in retention.review_queue(manager, on=date(2026, 7, 1))}
    entry = audit_log.recent(admin.conn, 5)
    assert any(e.action == AuditAction.RECORD_UPDATED.value and e.target_id ==
               retention.SCHEDULE_KEY for e in entry)


# --- disposal ---------------------------------------------------------------------------------


@pytest.mark.parametrize("vacuum", [False, True], ids=["secure-delete-only", "with-vacuum"])
def test_disposal_leaves_no_trace_of_the_case(team: dict[str, Session], store: StoreFixture,
                                              vacuum: bool) -> None:
    admin, manager = team["admin"], team["manager"]
    keep = build_case(admin, opened=date(2001, 2, 5), closed=date(2002, 3, 1),
                      dob=date(1985, 4, 1))
    gone = build_case(admin, opened=date(2001, 2, 5), closed=date(2002, 3, 1),
                      dob=date(1985, 4, 1), paper="Paper file in cabinet B2")
    # Officers' sessions and the other managers' hold the store open; close
    # them so the WAL can be emptied (the app does this when it is closed).
    team["officer"].close()
    key = admin.data_key
    before = traces(store.path, key, gone.words)
    assert before["dump"] == set(gone.words)
    assert set(gone.words) <= before["pages"]  # the positive control: decryption finds them
    assert gone.words[0] in before["fts"]
    assert search.search_cases(manager, gone.words[0]).hits

    check = retention.disposal_checklist(manager, gone.case.ref)
    assert check.can_dispose and check.notes == 2 and check.documents == 1
    assert check.people_to_delete == 2 and check.people_kept == 0
    assert "cabinet B2" in check.paper_instruction and "shredded by hand" in check.paper_instruction
    queue = {i.ref: i for i in retention.review_queue(manager)}
    assert "cabinet B2" in queue[gone.case.ref].paper_instruction

    team["admin"].close()
    outcome = retention.dispose(manager, [gone.case.ref], vacuum=vacuum)
    assert [d.ref for d in outcome.disposed] == [gone.case.ref]
    d = outcome.disposed[0]
    assert (d.counts.notes, d.counts.documents, d.counts.people) == (2, 1, 2)
    assert outcome.paper_checklist == (
        f"{gone.case.ref}: Paper records must be shredded by hand: Paper file in cabinet B2",)
    assert outcome.cleanup.checkpoint_complete
    assert outcome.cleanup.compacted is vacuum
    if vacuum:
        assert outcome.cleanup.free_pages_after == 0

    pragma = manager.conn.execute("PRAGMA secure_delete").fetchone()[0]
    assert pragma == 1
    wal = store.path.with_name(store.path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    manager.close()

    after = traces(store.path, key, gone.words)
    assert after == {"dump": set(), "pages": set(), "fts": set()}
    still = traces(store.path, key, keep.words)
    assert still["dump"] == set(keep.words)  # the other case is untouched


def test_disposal_while_someone_else_is_reading(team: dict[str, Session],
                                               store: StoreFixture) -> None:
    admin, manager = team["admin"], team["manager"]
    gone = build_case(admin, opened=date(2001, 2, 5), closed=date(2002, 3, 1),
                      dob=date(1985, 4, 1))
    key = admin.data_key
    # Another computer's app in the middle of reading: the WAL cannot be emptied now.
    reader = raw_connection(store.path, key)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM notes").fetchone()[0] == 2
    outcome = retention.dispose(manager, [gone.case.ref], vacuum=True)
    assert len(outcome.disposed) == 1 and not outcome.cleanup.checkpoint_complete
    assert traces(store.path, key, gone.words)["dump"] == set()  # gone for everyone else
    reader.execute("ROLLBACK")
    reader.close()
    for s in team.values():
        s.close()  # the last connection to close writes back and removes the WAL
    assert traces(store.path, key, gone.words) == {"dump": set(), "pages": set(), "fts": set()}


def test_disposal_deletes_every_linked_row_and_keeps_shared_people(
        team: dict[str, Session], store: StoreFixture) -> None:
    admin, manager = team["admin"], team["manager"]
    gone = build_case(admin, opened=date(2001, 2, 5), closed=date(2002, 3, 1),
                      dob=date(1985, 4, 1))
    # The same parent on a second (open) case: she stays, her first case's child goes.
    other = build_case(admin, opened=date(2026, 1, 5), closed=None, dob=date(2015, 1, 1),
                       parent=gone.parent, rich=False)
    # A professional on the case who has made a subject access request (answered): stays.
    pro = people.create_person(admin, Person("", "Priya", "Patel", PersonRole.PROFESSIONAL))
    assert pro.id is not None and gone.case.id is not None
    cases.update_case(admin, replace(cases.get_case(admin, gone.case.id), parties=(
        *gone.case.parties, CaseParty(pro.id, PartyRole.PROFESSIONAL))))
    sar = sar_service.create_sar(manager, SarRequest(
        "", pro.id, Relationship.SELF, date(2026, 10, 1), "",
        identity=IdentityCheck(IdentityMethod.PHOTO_ID, date(2026, 10, 1), "")))
    assert sar.id is not None
    sar_service.refuse(manager, sar.id, "Manifestly unfounded")

    retention.dispose(manager, [gone.case.ref])
    conn = manager.conn
    case_id = gone.case.id
    for table in ("notes", "consents", "share_overrides", "safeguarding_concerns", "documents",
                  "deadlines", "drafts", "case_parties", "case_issue_types", "case_outcomes",
                  "case_yp_officers", "escalations"):
        n = conn.execute(f"SELECT count(*) FROM {table} WHERE case_id = ?",  # noqa: S608
                         (case_id,)).fetchone()[0]
        assert n == 0, table
    assert conn.execute("SELECT count(*) FROM cases WHERE id = ?", (case_id,)).fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM document_content").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM safeguarding_note_links").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM search_docs WHERE case_id = ?",
                        (case_id,)).fetchone()[0] == 0
    remaining = {r[0] for r in conn.execute("SELECT id FROM people")}
    assert gone.parent.id in remaining  # on another case
    assert pro.id in remaining  # made a subject access request
    assert gone.child.id not in remaining  # on no other record
    docs = {(r[0], r[1]) for r in conn.execute("SELECT kind, entity_id FROM search_docs")}
    assert ("person", gone.child.id) not in docs and ("person", gone.parent.id) in docs
    assert cases.get_case(manager, other.case.ref).primary_person_id == gone.parent.id
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_disposal_log_keeps_no_reference_or_name(team: dict[str, Session],
                                                 store: StoreFixture) -> None:
    admin, manager = team["admin"], team["manager"]
    gone = build_case(admin, opened=date(2001, 2, 5), closed=date(2002, 3, 1),
                      dob=date(1985, 4, 1), paper="Box 7 in the basement")
    before = audit_log.count(manager.conn)
    retention.dispose(manager, [gone.case.ref])
    row = manager.conn.execute("SELECT * FROM disposal_log").fetchall()
    assert len(row) == 1
    columns = [c[1] for c in manager.conn.execute("PRAGMA table_info(disposal_log)")]
    entry = dict(zip(columns, row[0], strict=True))
    secret = manager.conn.execute("SELECT value FROM meta WHERE key = ?",
                                  (retention.REF_HASH_KEY,)).fetchone()[0]
    assert len(bytes.fromhex(secret)) == 32
    assert entry["case_ref_hash"] == hmac.new(bytes.fromhex(secret), gone.case.ref.encode(),
                                              hashlib.sha256).hexdigest()
    assert entry["opened_year"] == 2001 and entry["closed_on"] == "2002-03-01"
    assert entry["keep_until"] == "2010-04-01"  # the 25th birthday beats closure + 6 years
    assert entry["approved_by"] == MANAGER
    assert (entry["notes_deleted"], entry["documents_deleted"], entry["people_deleted"],
            entry["paper_records"]) == (2, 1, 2, 1)
    assert json.loads(entry["schedule"]) == {"age_limit": 25, "years_after_age_limit": 0,
                                             "years_after_closure": 6}
    text = json.dumps(entry).lower()
    for forbidden in (gone.case.ref.lower(), "sarah", "tom", *gone.words, "box 7"):
        assert forbidden not in text
    # Someone who knows the reference can ask whether it was destroyed.
    assert [e.id for e in retention.was_disposed(manager, gone.case.ref.lower())] == [
        entry["id"]]
    assert retention.was_disposed(manager, "SEN-1999-0001") == []
    # Audited as a deletion of the case id, with no reference or names.
    new = [e for e in audit_log.recent(manager.conn, 50)
           if e.seq > before and e.action == AuditAction.RECORD_DELETED.value]
    assert len(new) == 1 and new[0].target_type == "case"
    assert new[0].target_id == str(gone.case.id)
    detail = json.loads(new[0].detail)
    assert detail["disposed"] is True
    assert gone.case.ref not in new[0].detail and "Sarah" not in new[0].detail
    assert audit_log.verify(manager.conn)[0] is None


def test_disposal_is_refused_with_a_plain_reason(team: dict[str, Session]) -> None:
    admin, manager = team["admin"], team["manager"]
    due = build_case(admin, opened=date(2001, 2, 5), closed=date(2002, 3, 1),
                     dob=date(1985, 4, 1), rich=False)
    recent = build_case(admin, opened=date(2024, 2, 5), closed=date(2025, 3, 1),
                        dob=date(2012, 4, 1), rich=False)
    still_open = build_case(admin, opened=date(2001, 2, 5), closed=None, dob=None, rich=False)

    def refused(refs: list[str], words: str) -> None:
        with pytest.raises(DisposalRefused) as info:
            retention.dispose(manager, refs)
        assert words in str(info.value) and "Nothing was deleted" in str(info.value)

    refused([recent.case.ref], "not due for disposal")
    refused([still_open.case.ref], "The case is open")
    # A batch is all or nothing.
    refused([due.case.ref, recent.case.ref], recent.case.ref)
    assert cases.get_case(manager, due.case.ref).id == due.case.id
    # A legal hold.
    retention.set_legal_hold(manager, due.case.ref, "Complaint to the Ombudsman")
    refused([due.case.ref], "legal hold")
    with pytest.raises(InvalidInput):
        retention.set_legal_hold(manager, due.case.ref, "again")
    retention.release_legal_hold(manager, due.case.ref)
    hold_notes = [n.body for n in notes.notes_for_case(manager, due.case.id or 0)]
    assert any("Complaint to the Ombudsman" in b for b in hold_notes)
    assert any(b.startswith("Legal hold released") for b in hold_notes)
    # An open subject access request by someone on the case.
    assert due.parent.id is not None
    sar = sar_service.create_sar(manager, SarRequest(
        "", due.parent.id, Relationship.SELF, date(2026, 11, 2), ""))
    refused([due.case.ref], sar.ref)
    assert not retention.review_queue(manager)[0].can_dispose
    assert sar.id is not None
    sar_service.refuse(manager, sar.id, "Withdrawn by the requester")
    # An open legal request linked to the case (no service for them yet: a row).
    with manager.conn:
        manager.conn.execute(
            "INSERT INTO legal_requests (ref, case_id, requesting_body, legal_basis, "
            "description, received_on, created_by, created_at) VALUES "
            "('LR-2026-0001', ?, 'LA legal', 'judicial review', 'x', '2026-11-01', 'dave', "
            "'2026-11-01')", (due.case.id,))
    refused([due.case.ref], "LR-2026-0001")
    with manager.conn:
        manager.conn.execute("UPDATE legal_requests SET status = 'extracted'")
    outcome = retention.dispose(manager, [due.case.ref])
    assert len(outcome.disposed) == 1
    # The finished legal request stays, without the link to the destroyed case.
    assert manager.conn.execute("SELECT case_id FROM legal_requests").fetchone()[0] is None


def test_officers_cannot_review_hold_or_dispose(team: dict[str, Session]) -> None:
    admin, officer = team["admin"], team["officer"]
    due = build_case(admin, opened=date(2001, 2, 5), closed=date(2002, 3, 1),
                     dob=date(1985, 4, 1), rich=False)
    for attempt in (
        lambda: retention.review_queue(officer),
        lambda: retention.set_legal_hold(officer, due.case.ref, "reason"),
        lambda: retention.release_legal_hold(officer, due.case.ref),
        lambda: retention.disposal_checklist(officer, due.case.ref),
        lambda: retention.dispose(officer, [due.case.ref]),
        lambda: retention.disposal_log(officer),
        lambda: retention.set_schedule(officer, RetentionSchedule(years_after_closure=3)),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert cases.get_case(admin, due.case.ref).legal_hold is False
    refusals = [e for e in audit_log.recent(admin.conn, 30)
                if e.action == AuditAction.PERMISSION_REFUSED.value and e.actor == OFFICER]
    assert len(refusals) == 7


# --- the command line -----------------------------------------------------------------------


def run(args: list[str], stdin: str = "") -> tuple[int, str]:
    out = io.StringIO()
    code = main(args, stdin=io.StringIO(stdin), stdout=out)
    return code, out.getvalue()


def test_cli_due_hold_release_and_dispose(team: dict[str, Session], store: StoreFixture,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    admin = team["admin"]
    a = build_case(admin, opened=date(2001, 2, 5), closed=date(2002, 3, 1), dob=date(1985, 4, 1),
                   paper="Paper file in cabinet B2", rich=False)
    b = build_case(admin, opened=date(2017, 2, 5), closed=date(2018, 3, 1), dob=None,
                   rich=False)
    for s in team.values():
        s.close()

    def as_manager(*args: str) -> tuple[int, str]:
        return run(["--store", str(store.path), "--user", MANAGER, "--password-stdin", *args],
                   MANAGER_PASSWORD + "\n")

    code, out = as_manager("retention", "due")
    assert code == EXIT_OK and out.splitlines() == [a.case.ref, b.case.ref]
    code, out = as_manager("retention", "due", "--on", "2024-03-01")
    assert code == EXIT_OK and out.splitlines() == [a.case.ref]
    code, out = as_manager("retention", "due", "--on", "2024-13-01")
    assert code == EXIT_USAGE and out == ""

    code, out = as_manager("retention", "hold", b.case.ref, "--reason", "Tribunal appeal pending")
    assert code == EXIT_OK and "legal hold" in out
    code, out = as_manager("retention", "due")
    assert out.splitlines() == [a.case.ref]
    code, _ = as_manager("retention", "release", b.case.ref)
    assert code == EXIT_OK

    code, out = as_manager("retention", "dispose", a.case.ref)
    assert code == EXIT_USAGE
    assert "cabinet B2" in out and "--confirm" in capsys.readouterr().err
    code, out = as_manager("retention", "dispose", a.case.ref, "--confirm")
    assert code == EXIT_OK, capsys.readouterr().err
    assert f"Disposed of {a.case.ref}" in out and "shredded by hand" in out
    code, out = as_manager("retention", "due")
    assert out.splitlines() == [b.case.ref]
    code, out = as_manager("retention", "dispose", a.case.ref, "--confirm")
    assert code != EXIT_OK and out == ""
    assert "nothing was deleted" in capsys.readouterr().err
    code, out = as_manager("retention", "log")
    assert code == EXIT_OK and a.case.ref not in out and len(out.splitlines()) == 1

    code, _ = run(["--store", str(store.path), "--user", OFFICER, "--password-stdin",
                   "retention", "due"], OFFICER_PASSWORD + "\n")
    assert code == EXIT_AUTH
    code, out = run(["--store", str(store.path), "--user", ADMIN, "--password-stdin",
                     "retention", "schedule", "--years-after-closure", "7"], ADMIN_PASSWORD + "\n")
    assert code == EXIT_OK and "7 years" in out
