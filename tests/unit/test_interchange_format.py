"""The interchange format: parsing, errors, writing and round trips (no store)."""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sendiass_desktop.domain.cases import (
    Case,
    EhcStage,
    IssueType,
    Outcome,
    PartyRole,
    ReferralSource,
)
from sendiass_desktop.domain.consent import (
    ConsentMethod,
    ConsentRecord,
    ConsentState,
    Purpose,
    Recipient,
)
from sendiass_desktop.domain.deadlines import Deadline, DeadlineKind
from sendiass_desktop.domain.documents import DocumentType
from sendiass_desktop.domain.errors import InvalidInput
from sendiass_desktop.domain.interchange_format import (
    COLUMNS,
    CSV_COLUMNS,
    FORMAT_NAME,
    CaseRecord,
    ConcernRecord,
    ConsentEntry,
    DeadlineRecord,
    Interchange,
    NoteRecord,
    ParseResult,
    PartyRecord,
    PersonRecord,
    RecordType,
    StoreFacts,
    case_key,
    check_references,
    escape_formula,
    join_list,
    parse_bytes,
    parse_choice,
    parse_csv,
    parse_date,
    parse_datetime,
    parse_json,
    parse_text,
    reference_markdown,
    split_list,
    to_csv_text,
    to_json_obj,
    to_json_text,
    unescape_formula,
    validate,
)
from sendiass_desktop.domain.notes import Confidentiality, Note, NoteType, clean_third_parties
from sendiass_desktop.domain.people import Person, PersonRole
from sendiass_desktop.domain.safeguarding import (
    ConcernStatus,
    SafeguardingAction,
    SafeguardingConcern,
)

TODAY = date(2026, 11, 26)
NOW = datetime(2026, 11, 26, 12, 0)
REPO = Path(__file__).resolve().parents[2]


def csv_of(*rows: dict[str, str], columns: tuple[str, ...] | None = None) -> str:
    """A CSV file (CRLF, Excel quoting) with the given columns (default: those used)."""
    import csv
    import io

    cols = columns or tuple(dict.fromkeys(["record_type", *(k for r in rows for k in r)]))
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(cols)
    for r in rows:
        writer.writerow([r.get(c, "") for c in cols])
    return out.getvalue()


def parse(text: str) -> ParseResult:
    return parse_text(text, TODAY, NOW)


def lines(result: ParseResult | list[object]) -> list[str]:
    errors = result.errors if isinstance(result, ParseResult) else result
    return [e.line() for e in errors]  # type: ignore[attr-defined]


PERSON = {"record_type": "person", "person_ref": "P-000001", "given_name": "Sam",
          "family_name": "Jones", "person_role": "parent_carer"}
CASE = {"record_type": "case", "case_ref": "ABC-2026-0001", "opened_on": "2026-01-05",
        "referral_source": "self", "primary_ref": "P-000001", "assigned_officer": "bob"}
NOTE = {"record_type": "note", "case_ref": "ABC-2026-0001", "occurred_at": "2026-01-05 10:00",
        "note_type": "call", "author": "bob", "body": "Called."}


# --------------------------------------------------------------------------
# Each record type


def test_person_row() -> None:
    result = parse(csv_of({**PERSON, "date_of_birth": "14/06/2015", "email": "s@example.org",
                           "phone": "+44 7700 900000", "address": "1 Road\nTown",
                           "pronouns": "they/them", "language": "Welsh",
                           "access_needs": "Large print", "organisation": ""}))
    assert result.ok, lines(result)
    (p,) = result.data.people
    assert p.person == Person(ref="P-000001", given_name="Sam", family_name="Jones",
                              role=PersonRole.PARENT_CARER, date_of_birth=date(2015, 6, 14),
                              email="s@example.org", phone="+44 7700 900000",
                              address="1 Road\nTown", pronouns="they/them", language="Welsh",
                              access_needs="Large print")
    assert p.link == "P-000001" and p.where.row == 2


def test_person_refs_and_labels() -> None:
    result = parse(csv_of({**PERSON, "person_ref": "p-000007"},
                          {**PERSON, "person_ref": "mum-1"}, {**PERSON, "person_ref": ""}))
    a, b, c = result.data.people
    assert (a.person.ref, a.link) == ("P-000007", "P-000007")  # kept, upper-cased
    assert (b.person.ref, b.link) == ("", "mum-1")  # a label: the store numbers it
    assert (c.person.ref, c.link) == ("", "")


def test_case_row_with_every_field() -> None:
    result = parse(csv_of({**CASE, "closed_on": "30/06/2026", "referral_date": "2026-01-02",
                           "child_ref": "kid", "school_setting": "Hill School",
                           "local_authority": "Northborough",
                           "issue_types": "ehc_plan; Exclusion;exclusion",
                           "ehc_stage": "Draft plan issued",
                           "outcomes": "advice_given;resolved", "summary": "S",
                           "young_person_officers": "Bob; carol", "paper_records": "Cabinet",
                           "legal_hold": "YES"}))
    assert result.ok, lines(result)
    (c,) = result.data.cases
    assert c.case == Case(ref="ABC-2026-0001", opened_on=date(2026, 1, 5),
                          referral_source=ReferralSource.SELF, assigned_officer="bob",
                          primary_person_id=0, closed_on=date(2026, 6, 30),
                          referral_date=date(2026, 1, 2), school_setting="Hill School",
                          local_authority="Northborough",
                          issue_types=frozenset({IssueType.EHC_PLAN, IssueType.EXCLUSION}),
                          ehc_stage=EhcStage.DRAFT_PLAN,
                          outcomes=frozenset({Outcome.ADVICE_GIVEN, Outcome.RESOLVED}),
                          summary="S", young_person_officers=frozenset({"bob", "carol"}),
                          paper_records="Cabinet", legal_hold=True)
    assert (c.primary, c.child, c.link) == ("P-000001", "kid", "abc-2026-0001")


def test_party_row() -> None:
    result = parse(csv_of({"record_type": "party", "case_ref": "c1", "person_ref": "P-000002",
                           "party_role": "Other parent or carer"}))
    assert result.data.parties == (PartyRecord("c1", "P-000002", PartyRole.OTHER_PARENT),)


def test_note_row() -> None:
    result = parse(csv_of({**NOTE, "note_id": "N1", "confidentiality": "Young person "
                           "confidential", "safeguarding": "1",
                           "third_parties": r"Dr A (GP\; Surgery); Ms B; ms b",
                           "created_at": "2026-01-05T10:30:00+01:00"}))
    assert result.ok, lines(result)
    (n,) = result.data.notes
    assert n.note == Note(case_id=0, occurred_at=datetime(2026, 1, 5, 10, 0),
                          type=NoteType.CALL, author="bob", body="Called.",
                          confidentiality=Confidentiality.YOUNG_PERSON, safeguarding=True,
                          third_parties=("Dr A (GP; Surgery)", "Ms B"),
                          created_at=datetime(2026, 1, 5, 9, 30, tzinfo=UTC))
    assert (n.case, n.local_id) == ("abc-2026-0001", "N1")


def test_consent_row() -> None:
    result = parse(csv_of({"record_type": "consent", "case_ref": "c1", "person_ref": "mum",
                           "recipient": "Named professional", "recipient_detail": "Dr Lee",
                           "purpose": "share_records", "consent_state": "Withdrawn",
                           "recorded_at": "05/01/2026 09:15:30", "method": "By email",
                           "recorded_by": "bob", "expires_on": "2027-01-05",
                           "consent_notes": "By email."}))
    assert result.ok, lines(result)
    (e,) = result.data.consents
    assert e.record == ConsentRecord(
        case_id=0, person_id=0, recipient=Recipient.NAMED_PROFESSIONAL,
        purpose=Purpose.SHARE_RECORDS, state=ConsentState.WITHDRAWN,
        recorded_at=datetime(2026, 1, 5, 9, 15, 30), method=ConsentMethod.EMAIL,
        recorded_by="bob", recipient_detail="Dr Lee", expires_on=date(2027, 1, 5),
        notes="By email.")


def test_safeguarding_row() -> None:
    result = parse(csv_of({"record_type": "safeguarding", "case_ref": "c1",
                           "raised_on": "2026-02-02", "description": "Concern.",
                           "decided_by": "Duty manager", "safeguarding_action": "MASH",
                           "concern_status": "closed", "concern_outcome": "Referral made.",
                           "linked_notes": "N1; N2; N1", "raised_by": "bob"}))
    assert result.ok, lines(result)
    (s,) = result.data.concerns
    assert s.concern == SafeguardingConcern(
        case_id=0, raised_on=date(2026, 2, 2), description="Concern.",
        decided_by="Duty manager", action=SafeguardingAction.MASH,
        status=ConcernStatus.CLOSED, outcome="Referral made.", raised_by="bob")
    assert s.linked_notes == ("N1", "N2")


def test_deadline_rows() -> None:
    result = parse(csv_of({"record_type": "deadline", "case_ref": "c1",
                           "deadline_kind": "EHC_FINAL_PLAN", "deadline_label": "Week 20",
                           "due_on": "2026-05-25", "owner": "bob", "source": "ehc"},
                          {"record_type": "deadline", "deadline_kind": "Any other task",
                           "deadline_label": "Restock leaflets", "due_on": "01/12/2026",
                           "owner": "bob", "done_on": "2026-11-20", "created_by": "alice"}))
    assert result.ok, lines(result)
    a, b = result.data.deadlines
    assert a == DeadlineRecord(Deadline(DeadlineKind.EHC_FINAL_PLAN, "Week 20",
                                        date(2026, 5, 25)), "bob", "c1", None, "ehc", "")
    assert b == DeadlineRecord(Deadline(DeadlineKind.TASK, "Restock leaflets",
                                        date(2026, 12, 1)), "bob", "", date(2026, 11, 20), "",
                               "alice")


def test_json_records_and_documents() -> None:
    content = b"%PDF-1.4 synthetic"
    doc = {"format": FORMAT_NAME, "version": 1,
           "people": [{**{k: v for k, v in PERSON.items() if k != "record_type"},
                       "date_of_birth": None}],
           "cases": [{**{k: v for k, v in CASE.items() if k != "record_type"},
                      "issue_types": ["ehc_plan", "Exclusion"], "legal_hold": True}],
           "notes": [{**{k: v for k, v in NOTE.items() if k != "record_type"},
                      "note_id": "N1", "safeguarding": False, "third_parties": ["A; B"]}],
           "documents": [{"case_ref": "ABC-2026-0001", "note_id": "N1", "filename": "a.pdf",
                          "added_by": "bob", "added_at": "2026-01-05 11:00",
                          "content_base64": base64.b64encode(content).decode()}]}
    result = parse(json.dumps(doc))
    assert result.ok, lines(result)
    assert result.source_format == "json" and result.records == 4
    assert result.data.cases[0].case.legal_hold
    assert result.data.cases[0].case.issue_types == {IssueType.EHC_PLAN, IssueType.EXCLUSION}
    assert result.data.notes[0].note.third_parties == ("A; B",)  # JSON lists are not split
    (d,) = result.data.documents
    assert (d.content, d.info.media_type, d.note) == (content, DocumentType.PDF, "N1")
    assert d.info.size == len(content)
    assert check_references(result.data, StoreFacts()) == []


# --------------------------------------------------------------------------
# Cells


@pytest.mark.parametrize(("text", "expected"), [
    ("2025-03-04", date(2025, 3, 4)), ("04/03/2025", date(2025, 3, 4)),
    ("4/3/2025", date(2025, 3, 4)), (" 2025-3-4 ", date(2025, 3, 4)),
])
def test_dates(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(("text", "message"), [
    ("31/02/2015", "31/02/2015 is not a real date."),
    ("2015-02-29", "2015-02-29 is not a real date."),
    ("04/03/25", "04/03/25 does not give the year in full; write all four digits (for "
                 "example 2025)."),
    ("March 2025", "This is not a date: write it as YYYY-MM-DD (or DD/MM/YYYY)."),
    ("Jane Smith", "This is not a date: write it as YYYY-MM-DD (or DD/MM/YYYY)."),
])
def test_bad_dates_say_why_without_echoing_words(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_date(text)
    assert str(caught.value) == message


def test_datetimes() -> None:
    assert parse_datetime("2025-03-04 09:05") == datetime(2025, 3, 4, 9, 5)
    assert parse_datetime("2025-03-04T09:05:07") == datetime(2025, 3, 4, 9, 5, 7)
    assert parse_datetime("04/03/2025 9:05") == datetime(2025, 3, 4, 9, 5)
    assert parse_datetime("2025-03-04") == datetime(2025, 3, 4)
    for bad in ("2025-03-04 25:00", "2025-03-04 9am", "soon"):
        with pytest.raises(InvalidInput):
            parse_datetime(bad)


def test_choices_accept_code_name_and_label() -> None:
    assert parse_choice(NoteType, "text") is NoteType.TEXT
    assert parse_choice(NoteType, "Text Message") is NoteType.TEXT
    assert parse_choice(NoteType, "  TEXT ") is NoteType.TEXT
    assert parse_choice(ConsentState, "Consent given") is ConsentState.GIVEN
    assert parse_choice(DeadlineKind, "EHC: final plan issued (week 20)") is (
        DeadlineKind.EHC_FINAL_PLAN)
    with pytest.raises(InvalidInput, match="call, email, meeting"):
        parse_choice(NoteType, "carrier pigeon")


def test_list_escapes() -> None:
    assert split_list(r"a; b\;c ;; d\\e;") == ["a", "b;c", r"d\e"]
    assert split_list(r"x\y") == [r"x\y"]  # a lone backslash is kept
    assert join_list(["b;c", "d\\e"]) == r"b\;c; d\\e"


@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1)
                .map(str.strip).filter(bool), max_size=6))
def test_list_join_then_split_is_identity(items: list[str]) -> None:
    assert split_list(join_list(items)) == items


@given(st.text())
def test_formula_escape_is_reversible(text: str) -> None:
    escaped = escape_formula(text)
    assert not escaped.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert unescape_formula(escaped) == text


def test_bom_and_excel_quoting() -> None:
    text = "\ufeff" + csv_of({**PERSON, "address": 'Flat 2, "The Mill"\r\nTown'})
    result = parse_bytes(text.encode("utf-8"), TODAY, NOW)
    assert result.ok, lines(result)
    assert result.data.people[0].person.address == 'Flat 2, "The Mill"\nTown'
    # a header written by Excel with a BOM and odd spacing and letter case
    result = parse("\ufeffRecord_Type , Person_Ref,given_name,person_role\r\n"
                   "person,P-000001,Sam,parent_carer\r\n")
    assert result.ok, lines(result)


def test_not_utf8() -> None:
    result = parse_bytes("record_type\r\nperson,Zoë\r\n".encode("cp1252"), TODAY, NOW)
    assert lines(result) == ["File: The file is not UTF-8 text (first problem on line 2). In "
                             "Excel use Save As, 'CSV UTF-8 (Comma delimited)'."]


def test_blank_rows_are_skipped_but_counted() -> None:
    header, first, second = csv_of(PERSON, {**PERSON, "person_ref": "P-000002",
                                            "person_role": "x"}).splitlines()
    result = parse("\r\n".join([header, first, ",,,,", "", second]) + "\r\n")
    assert [e.line()[:25] for e in result.errors] == ["Row 5, column person_role"]


# --------------------------------------------------------------------------
# Every kind of error names its row and column


def only_error(result: ParseResult) -> str:
    assert len(result.errors) == 1, lines(result)
    return result.errors[0].line()


@pytest.mark.parametrize(("row", "expected"), [
    ({**PERSON, "person_role": "mum"},
     "Row 2, column person_role: This is not one of: parent_carer, child_young_person, "
     "professional, other."),
    ({**PERSON, "given_name": "", "family_name": ""},
     "Row 2, column given_name: A person needs a first name or a family name."),
    ({**PERSON, "person_role": ""}, "Row 2, column person_role: This is required and is empty."),
    ({**PERSON, "date_of_birth": "2030-01-01"},
     "Row 2, column date_of_birth: The date of birth cannot be in the future."),
    ({**PERSON, "email": "not an email"},
     "Row 2, column email: This does not look like an email address (name@example.org)."),
    ({**PERSON, "postcode": "X" * 11},
     "Row 2, column postcode: This is too long (11 characters; at most 10)."),
    ({**PERSON, "person_ref": "a;b"},
     "Row 2, column person_ref: A reference or label is at most 40 characters, on one line, "
     "without ; or \\."),
    ({**PERSON, "body": "text"},
     "Row 2, column body: This column does not apply to person records; leave it empty."),
    ({**CASE, "opened_on": "2027-01-01"},
     "Row 2, column opened_on: A case cannot be opened in the future."),
    ({**CASE, "referral_date": "2026-02-01"},
     "Row 2, column referral_date: The referral date cannot be after the case was opened."),
    ({**CASE, "closed_on": "2025-12-31"},
     "Row 2, column closed_on: A case cannot be closed before it was opened."),
    ({**CASE, "legal_hold": "maybe"},
     "Row 2, column legal_hold: Write yes or no (true/false and 1/0 also work)."),
    ({**CASE, "issue_types": "ehc_plan; nonsense"},
     "Row 2, column issue_types: Item 2: This is not one of: ehc_needs_assessment, ehc_plan, "
     "annual_review, sen_support, school_placement, exclusion, tribunal_appeal, transport, "
     "disability_discrimination, health, social_care, attendance, post_16, other."),
    ({**CASE, "assigned_officer": "Bob Smith"},
     "Row 2, column assigned_officer: This is not a username (2 to 32 letters, digits, dots, "
     "hyphens or underscores, starting with a letter)."),
    ({**CASE, "primary_ref": "P-000001", "child_ref": "p-000001"},
     "Row 2, column child_ref: The child is the same person as the primary service user."),
    ({"record_type": "party", "case_ref": "c", "person_ref": "p", "party_role": "primary"},
     "Row 2, column party_role: Give the primary service user and the child on the case row "
     "(primary_ref, child_ref); use other_parent, professional or other here."),
    ({**NOTE, "occurred_at": "2026-11-27 09:00"},
     "Row 2, column occurred_at: A note cannot be dated in the future."),
    ({**NOTE, "body": "   "}, "Row 2, column body: This is required and is empty."),
    ({**NOTE, "third_parties": "; ".join(f"P{i}" for i in range(51))},
     "Row 2, column third_parties: At most 50 third parties can be listed."),
    ({**NOTE, "created_at": "yesterday"},
     "Row 2, column created_at: This is not a timestamp: write it as "
     "YYYY-MM-DDTHH:MM:SS+00:00."),
    ({"record_type": "consent", "case_ref": "c", "person_ref": "p", "recipient": "other",
      "purpose": "discuss_case", "consent_state": "given", "recorded_at": "2026-01-01 10:00",
      "method": "verbal", "recorded_by": "bob"},
     "Row 2, column recipient_detail: Name the professional or organisation the consent is "
     "for."),
    ({"record_type": "consent", "case_ref": "c", "person_ref": "p", "recipient": "school",
      "purpose": "discuss_case", "consent_state": "given", "recorded_at": "2026-01-01 10:00",
      "method": "verbal", "recorded_by": "bob", "expires_on": "2025-12-31"},
     "Row 2, column expires_on: The consent cannot expire before it was recorded."),
    ({"record_type": "safeguarding", "case_ref": "c", "raised_on": "2026-01-01",
      "description": "d", "decided_by": "m", "safeguarding_action": "dsl",
      "concern_status": "closed"},
     "Row 2, column concern_outcome: Record the outcome of a closed concern."),
    ({"record_type": "deadline", "deadline_kind": "task", "deadline_label": "x",
      "due_on": "2026-01-01", "owner": ""},
     "Row 2, column owner: This is required and is empty."),
    ({"record_type": "widget"},
     "Row 2, column record_type: This is not a record type: use one of person, case, party, "
     "note, consent, safeguarding, deadline."),
    ({"record_type": "document"},
     "Row 2, column record_type: Documents cannot be carried in CSV; use the JSON format."),
])
def test_each_error_names_row_and_column(row: dict[str, str], expected: str) -> None:
    assert only_error(parse(csv_of(row))) == expected


def test_no_personal_data_in_errors() -> None:
    row = {**PERSON, "given_name": "Zebedee" * 20, "date_of_birth": "Zebedee",
           "person_role": "Zebedee", "email": "Zebedee"}
    result = parse(csv_of(row))
    assert len(result.errors) == 4
    assert not any("Zebedee" in line for line in lines(result))


def test_header_problems() -> None:
    assert lines(parse("name,age\r\nx,1\r\n")) == [
        "Row 1: The first row must be the header, with a record_type column."]
    assert lines(parse("record_type;person_ref\r\nperson;P-000001\r\n")) == [
        "Row 1: The columns are separated by semicolons or tabs; save the file as CSV with "
        "commas."]
    assert lines(parse("record_type,colour,body,body,filename\r\n")) == [
        "Row 1, column colour: This is not a column of the CSV format.",
        "Row 1, column body: This column appears twice.",
        "Row 1, column filename: This is not a column of the CSV format."]
    assert lines(parse("")) == ["File: The file is empty."]
    assert lines(parse(csv_of(PERSON) + "person,P-000002,A,B,other,extra\r\n")) == [
        "Row 3: This row has more cells than the header has columns (5)."]
    huge = "record_type,body\r\nnote,x\r\nnote," + "x" * 200_000 + "\r\n"
    assert lines(parse(huge)) == [
        "Row 3: The file cannot be read as CSV from this row on (a cell is too large or a "
        "quote is not closed)."]


def test_json_problems() -> None:
    def one(doc: object) -> list[str]:
        return lines(parse_json(json.dumps(doc), TODAY, NOW))

    base = {"format": FORMAT_NAME, "version": 1}
    assert one([]) == ["File: The file must be one JSON object."]
    assert one({"format": "other", "version": 1}) == [
        'File: The "format" field must be "sendiass-desktop-interchange".']
    assert one({**base, "version": 2}) == [
        'File: The "version" field must be 1; this program reads version 1 files.']
    assert one({**base, "version": True})[0].startswith('File: The "version"')
    assert one({**base, "widgets": []}) == ["Record /widgets: This is not a list of the format."]
    assert one({**base, "people": {}}) == ["Record /people: This must be a list of records."]
    assert one({**base, "people": ["x"]}) == ["Record /people/0: Each record must be a JSON "
                                              "object."]
    assert one({**base, "people": [{"given_name": 7, "person_role": "other"}]}) == [
        "Record /people/0, field given_name: Should be text (in quotes) or null."]
    assert one({**base, "notes": [{"record_type": "person"}]}) == [
        "Record /notes/0, field record_type: A record in the notes list must be a note."]
    assert one({**base, "people": [{"person_role": "other", "family_name": "X",
                                    "shoe_size": "9"}]}) == [
        "Record /people/0, field shoe_size: This is not a column of the format."]
    assert lines(parse_json("{", TODAY, NOW)) == [
        "File: This is not valid JSON (line 1, column 2)."]
    assert lines(parse_json("[" * 100_000, TODAY, NOW))[0].startswith(
        "File: This is not valid JSON")


def test_document_errors() -> None:
    base = {"format": FORMAT_NAME, "version": 1}
    doc = {"case_ref": "c", "filename": "a.exe", "added_by": "bob",
           "added_at": "2026-01-01 10:00", "content_base64": base64.b64encode(
               b"MZ\x90\x00\x03" + bytes(range(256))).decode()}
    result = parse(json.dumps({**base, "documents": [doc, {**doc, "content_base64": "!!"}]}))
    assert lines(result)[0].startswith("Record /documents/0, field content_base64: This kind "
                                       "of file cannot be attached.")
    assert lines(result)[1] == ("Record /documents/1, field content_base64: This is not valid "
                                "base64.")


# --------------------------------------------------------------------------
# References across records


def test_references_inside_the_file_and_the_store() -> None:
    rows = [
        PERSON,
        {**PERSON, "person_ref": "P-000001"},  # row 3: duplicate
        {**PERSON, "person_ref": "P-000009"},  # row 4: clashes with the store
        CASE,
        {**CASE, "case_ref": "abc-2026-0001"},  # row 6: duplicate, other letter case
        {**CASE, "case_ref": "new-case", "primary_ref": "nobody"},  # row 7
        {**CASE, "case_ref": "XYZ-2026-0002", "primary_ref": "P-000099"},  # row 8: fine
        {"record_type": "party", "case_ref": "XYZ-2026-0001", "person_ref": "P-000001",
         "party_role": "other"},  # row 9: store case
        {**NOTE, "note_id": "N1"},
        {**NOTE, "note_id": "N1", "case_ref": "new-case"},  # row 11: duplicate id
        {**NOTE, "case_ref": "ABC-2026-0404"},  # row 12: no such case
        {"record_type": "safeguarding", "case_ref": "new-case", "raised_on": "2026-01-01",
         "description": "d", "decided_by": "m", "safeguarding_action": "dsl",
         "linked_notes": "N1; N7"},  # row 13: N1 is on another case; N7 does not exist
        {"record_type": "consent", "case_ref": "ABC-2026-0001", "person_ref": "P-000099",
         "recipient": "school", "purpose": "discuss_case", "consent_state": "given",
         "recorded_at": "2026-01-01 10:00", "method": "verbal",
         "recorded_by": "eve"},  # row 14: not a party; unknown account
    ]
    result = validate(csv_of(*rows), TODAY, NOW, StoreFacts(
        person_refs=frozenset({"P-000009", "P-000099"}),
        case_refs=frozenset({"xyz-2026-0001"}), usernames=frozenset({"bob"})))
    assert lines(result) == [
        "Row 3, column person_ref: P-000001 is used by an earlier person (row 2).",
        "Row 4, column person_ref: P-000009 is already in the store.",
        "Row 6, column case_ref: ABC-2026-0001 is used by an earlier case (row 5).",
        "Row 7, column primary_ref: No person in this file has this label.",
        "Row 9, column case_ref: Parties can only be added to cases created by this file.",
        "Row 11, column note_id: This note id is used by an earlier note (row 10).",
        "Row 12, column case_ref: There is no case ABC-2026-0404 in this file or in the store.",
        "Row 13, column linked_notes: No note in this file has this note id.",
        "Row 13, column linked_notes: This note is on a different case.",
        "Row 14, column person_ref: This person is not a party to the case, so consent "
        "cannot be recorded for them on it.",
        "Row 14, column recorded_by: There is no account 'eve' in this store; add it first.",
    ]


def test_rows_naming_a_broken_record_are_not_reported_twice() -> None:
    result = validate(csv_of({**PERSON, "person_ref": "mum", "person_role": "?"},
                             {**CASE, "primary_ref": "mum"},
                             {**NOTE, "note_id": "N1", "note_type": "?"},
                             {"record_type": "safeguarding", "case_ref": "ABC-2026-0001",
                              "raised_on": "2026-01-01", "description": "d", "decided_by": "m",
                              "safeguarding_action": "dsl", "linked_notes": "N1"}),
                      TODAY, NOW, StoreFacts())
    assert [e.column for e in result.errors] == ["person_role", "note_type"]


# --------------------------------------------------------------------------
# Never raises on bad content


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_csv_parser_never_raises(text: str) -> None:
    result = parse_csv(text, TODAY, NOW)
    assert isinstance(result, ParseResult)
    check_references(result.data, StoreFacts(), result.broken)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_json_parser_never_raises(text: str) -> None:
    assert isinstance(parse_json(text, TODAY, NOW), ParseResult)
    assert isinstance(parse_json("{" + text, TODAY, NOW), ParseResult)


@settings(max_examples=200)
@given(st.binary())
def test_bytes_never_raise(data: bytes) -> None:
    assert isinstance(parse_bytes(data, TODAY, NOW), ParseResult)


_cell_text = st.one_of(
    st.text(max_size=30), st.sampled_from(["", "yes", "2026-01-01", "31/02/2015", "N1", "bob",
                                          "P-000001", "ABC-2026-0001", "call", "other", ";",
                                          "\\", "'=x", '"', "\r\n"]))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(CSV_COLUMNS), min_size=1, max_size=12, unique=True),
       st.lists(st.tuples(st.sampled_from([t.value for t in RecordType] + ["x"]),
                          st.lists(_cell_text, max_size=14)), max_size=8))
def test_csv_rows_of_plausible_nonsense_never_raise(columns: list[str],
                                                   rows: list[tuple[str, list[str]]]) -> None:
    header = ["record_type", *[c for c in columns if c != "record_type"]]
    text = csv_of(*({"record_type": rtype, **dict(zip(header[1:], cells, strict=False))}
                    for rtype, cells in rows), columns=tuple(header))
    result = validate(text, TODAY, NOW, StoreFacts(usernames=frozenset({"bob"})))
    for error in result.errors:
        assert error.reason.endswith((".", ")")), error


_json_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
                         _cell_text)
_json_value = st.recursive(_json_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)),
    max_leaves=8)


@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from([t.json_key for t in RecordType]),
                       st.lists(st.dictionaries(st.sampled_from([c.name for c in COLUMNS]),
                                                _json_value, max_size=8), max_size=4),
                       max_size=4))
def test_json_records_of_plausible_nonsense_never_raise(lists: dict[str, object]) -> None:
    text = json.dumps({"format": FORMAT_NAME, "version": 1, **lists})
    result = validate(text, TODAY, NOW, StoreFacts(usernames=frozenset({"bob"})))
    assert isinstance(result, ParseResult)


# --------------------------------------------------------------------------
# Round trip: domain -> rows -> domain


_plain = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029")
_text = st.text(alphabet=st.one_of(_plain, st.sampled_from(";\\'\"=+-@,\n")), min_size=1,
                max_size=40).map(str.strip).filter(bool)
_short = st.text(alphabet=_plain, min_size=1, max_size=10).map(str.strip).filter(bool)
_user = st.from_regex(r"[a-z][a-z0-9._-]{1,10}", fullmatch=True)
_day = st.dates(min_value=date(1990, 1, 1), max_value=date(2026, 6, 30))
_moment = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2026, 6, 30)).map(
    lambda d: d.replace(microsecond=0))


def _choices(cls: type) -> st.SearchStrategy[frozenset[object]]:
    return st.frozensets(st.sampled_from(list(cls)), max_size=3)


@st.composite
def worlds(draw: st.DrawFn) -> Interchange:
    """A small, consistent world in the form a parse returns."""
    people = []
    for i in range(draw(st.integers(1, 4))):
        ref = f"P-{i + 1:06d}"
        people.append(PersonRecord(Person(
            ref=ref, given_name=draw(_text), family_name=draw(st.one_of(st.just(""), _text)),
            role=draw(st.sampled_from(list(PersonRole))),
            date_of_birth=draw(st.one_of(st.none(), _day)),
            email=draw(st.sampled_from(["", "a@example.org"])),
            phone=draw(st.sampled_from(["", "+44 7700 900000", "-1"])),
            address=draw(st.one_of(st.just(""), _text)), pronouns=draw(st.just("")),
            access_needs=draw(st.one_of(st.just(""), _text))), ref))
    refs = [p.link for p in people]
    cases, parties, notes, consents, concerns, deadlines = [], [], [], [], [], []
    n = 0
    for c in range(draw(st.integers(1, 3))):
        opened = draw(_day)
        ref = f"AB-{opened.year}-{c + 1:04d}"
        primary = draw(st.sampled_from(refs))
        case = Case(ref=ref, opened_on=opened,
                    referral_source=draw(st.sampled_from(list(ReferralSource))),
                    assigned_officer=draw(_user), primary_person_id=0,
                    referral_date=draw(st.one_of(st.none(), st.just(opened))),
                    school_setting=draw(st.one_of(st.just(""), _text)),
                    issue_types=draw(_choices(IssueType)),  # type: ignore[arg-type]
                    ehc_stage=draw(st.sampled_from(list(EhcStage))),
                    outcomes=draw(_choices(Outcome)),  # type: ignore[arg-type]
                    summary=draw(st.one_of(st.just(""), _text)),
                    young_person_officers=draw(st.frozensets(_user, max_size=2)),
                    legal_hold=draw(st.booleans()))
        cases.append(CaseRecord(case, primary, "", case_key(ref)))
        key = case_key(ref)
        others = [r for r in refs if r != primary]
        if others and draw(st.booleans()):
            parties.append(PartyRecord(key, others[0], PartyRole.PROFESSIONAL))
        ids = []
        for _ in range(draw(st.integers(0, 3))):
            n += 1
            ids.append(f"N{n}")
            notes.append(NoteRecord(Note(
                case_id=0, occurred_at=draw(_moment).replace(second=0),
                type=draw(st.sampled_from(list(NoteType))), author=draw(_user), body=draw(_text),
                confidentiality=draw(st.sampled_from(list(Confidentiality))),
                safeguarding=draw(st.booleans()),
                third_parties=clean_third_parties(draw(st.lists(_short, max_size=3))),
                created_at=draw(st.one_of(st.none(), _moment.map(
                    lambda d: d.replace(tzinfo=UTC))))), key, f"N{n}"))
        consents.append(ConsentEntry(ConsentRecord(
            case_id=0, person_id=0, recipient=Recipient.OTHER,
            purpose=draw(st.sampled_from(list(Purpose))),
            state=draw(st.sampled_from(list(ConsentState))), recorded_at=draw(_moment),
            method=draw(st.sampled_from(list(ConsentMethod))), recorded_by=draw(_user),
            recipient_detail=draw(_text)), key, primary))
        status = draw(st.sampled_from(list(ConcernStatus)))
        concerns.append(ConcernRecord(SafeguardingConcern(
            case_id=0, raised_on=draw(_day), description=draw(_text), decided_by=draw(_text),
            action=draw(st.sampled_from(list(SafeguardingAction))), status=status,
            outcome=draw(_text) if status is ConcernStatus.CLOSED else "",
            raised_by=draw(st.one_of(st.just(""), _user))), key, tuple(ids[:2])))
        deadlines.append(DeadlineRecord(Deadline(
            draw(st.sampled_from(list(DeadlineKind))), draw(_text), draw(_day)), draw(_user),
            key, draw(st.one_of(st.none(), _day)), draw(st.sampled_from(["", "ehc"])), ""))
    deadlines.append(DeadlineRecord(Deadline(DeadlineKind.TASK, draw(_text), draw(_day)),
                                    draw(_user)))
    return Interchange(tuple(people), tuple(cases), tuple(parties), tuple(notes),
                       tuple(consents), tuple(concerns), tuple(deadlines))


def _ordered_like_export(data: Interchange) -> Interchange:
    """The writer groups records by case; compare each type in that order."""
    order = {c.link: i for i, c in enumerate(data.cases)}

    def by_case(items: tuple[object, ...]) -> tuple[object, ...]:
        return tuple(sorted(items, key=lambda r: order.get(r.case, len(order))))  # type: ignore[attr-defined]

    return Interchange(data.people, data.cases, by_case(data.parties),  # type: ignore[arg-type]
                       by_case(data.notes), by_case(data.consents),  # type: ignore[arg-type]
                       by_case(data.concerns), by_case(data.deadlines))  # type: ignore[arg-type]


@settings(max_examples=75, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_round_trip_through_csv(world: Interchange) -> None:
    result = parse(to_csv_text(world))
    assert result.ok, lines(result)
    assert result.data == _ordered_like_export(world)
    assert check_references(result.data, StoreFacts()) == []
    assert to_csv_text(result.data) == to_csv_text(world)


@settings(max_examples=75, suppress_health_check=[HealthCheck.too_slow])
@given(worlds())
def test_round_trip_through_json(world: Interchange) -> None:
    text = to_json_text(world)
    result = parse(text)
    assert result.ok, lines(result)
    assert result.data == _ordered_like_export(world)
    assert to_json_text(result.data) == text


def test_csv_export_escapes_formulas_and_keeps_one_row_per_record() -> None:
    world = Interchange(people=(PersonRecord(Person(
        ref="P-000001", given_name="=HYPERLINK(\"x\")", family_name="@x",
        role=PersonRole.OTHER, phone="+44 1"), "P-000001"),))
    text = to_csv_text(world)
    assert "'=HYPERLINK" in text and ",'@x," in text and ",'+44 1," in text
    assert text.splitlines()[0].split(",") == list(CSV_COLUMNS)
    assert parse(text).data.people[0].person.given_name == '=HYPERLINK("x")'
    obj = to_json_obj(world)
    assert obj["people"][0]["phone"] == "+44 1"  # JSON needs no escaping


# --------------------------------------------------------------------------
# The documentation


def test_reference_tables_in_the_docs_are_current() -> None:
    doc = (REPO / "docs" / "import-format.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- BEGIN GENERATED.*?-->\n(.*?)<!-- END GENERATED -->", doc, re.S)
    assert match, "docs/import-format.md lost its generated section markers"
    assert match.group(1) == reference_markdown(), (
        "Regenerate the tables: .venv/bin/python -c 'from sendiass_desktop.domain."
        "interchange_format import reference_markdown as r; print(r(), end=\"\")'")


def test_every_column_is_documented_for_the_record_types_it_applies_to() -> None:
    text = reference_markdown()
    for column in COLUMNS:
        assert f"| `{column.name}` |" in text
        if column.choices is not None:
            for member in column.choices:
                assert f"| `{member.value}` |" in text
