"""Search through the services, on a real encrypted store.

Covers ranking, people, filters, prefixes, diacritics, confidentiality
rule 3 (young-person confidential and restricted notes), deleted and edited
notes, arbitrary text, the audit entry and the CLI form.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sendiass_desktop.cli import EXIT_OK, main
from sendiass_desktop.domain.cases import (
    Case,
    CaseFilter,
    CaseStatus,
    IssueType,
    Outcome,
    ReferralSource,
)
from sendiass_desktop.domain.notes import Confidentiality
from sendiass_desktop.domain.people import Person, PersonRole
from sendiass_desktop.domain.roles import Role
from sendiass_desktop.domain.safeguarding import SafeguardingAction, SafeguardingConcern
from sendiass_desktop.services import cases, notes, people, safeguarding, users
from sendiass_desktop.services.search import SearchResults, search_cases
from sendiass_desktop.services.session import Session, unlock_with_password
from sendiass_desktop.store.search_index import DocKind
from tests.conftest import ADMIN, ADMIN_PASSWORD, OFFICER, OFFICER_PASSWORD, StoreFixture
from tests.support.casework import Family, add_note, make_family

CAROL = "carol"  # a second officer: works with the young person
CAROL_PASSWORD = "violet kettle harbour"
DAVE = "dave"  # a manager
DAVE_PASSWORD = "granite otter meadow"


@pytest.fixture
def alice(store: StoreFixture) -> Iterator[Session]:
    session = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    yield session
    session.close()


def sign_in(store: StoreFixture, username: str, password: str) -> Session:
    return unlock_with_password(store.location, username, password)


@pytest.fixture
def team(store: StoreFixture, alice: Session) -> StoreFixture:
    users.add_user(alice, CAROL, Role.OFFICER, password=CAROL_PASSWORD)
    users.add_user(alice, DAVE, Role.MANAGER, password=DAVE_PASSWORD)
    return store


def refs(results: SearchResults) -> list[str]:
    return [hit.case.ref for hit in results.hits]


def new_case(session: Session, surname: str, *, officer: str = OFFICER,
             opened_on: date = date(2026, 9, 1),
             issues: frozenset[IssueType] = frozenset({IssueType.EHC_NEEDS_ASSESSMENT}),
             yp_officers: frozenset[str] = frozenset()) -> Case:
    parent = people.create_person(session, Person("", "Pat", surname, PersonRole.PARENT_CARER))
    assert parent.id is not None
    return cases.create_case(session, Case(
        "", opened_on, ReferralSource.SELF, officer, parent.id, issue_types=issues,
        young_person_officers=yp_officers))


# --- ranking, people, prefixes, diacritics --------------------------------------------


def test_reference_match_outranks_a_word_in_a_long_note(alice: Session) -> None:
    first = make_family(alice, surname="Ashdown")
    second = make_family(alice, surname="Bellamy")
    filler = " ".join(["The family talked through the timetable and transport."] * 40)
    add_note(alice, second.case, f"{filler} See also {first.case.ref} for the sibling. {filler}")
    results = search_cases(alice, first.case.ref)
    assert refs(results) == [first.case.ref, second.case.ref]
    assert results.hits[0].score > results.hits[1].score
    assert results.hits[0].matched == frozenset({"case"})
    assert results.hits[1].matched == frozenset({"note"})


def test_name_match_outranks_a_word_in_a_long_note(alice: Session) -> None:
    named = make_family(alice, surname="Thornbury")
    other = make_family(alice, surname="Quayle")
    filler = " ".join(["We discussed the annual review paperwork in detail."] * 40)
    add_note(alice, other.case, f"{filler} Thornbury school was mentioned. {filler}")
    results = search_cases(alice, "thornbury")
    assert refs(results) == [named.case.ref, other.case.ref]
    # Found through the person and the case's own document (which carries the names).
    assert results.hits[0].matched & {"person", "case"}
    assert "note" not in results.hits[0].matched


def test_partial_reference_and_lower_case_reference_find_the_case(alice: Session) -> None:
    family = make_family(alice)
    make_family(alice, surname="Other")
    prefix, year, number = family.case.ref.split("-")
    for text in (family.case.ref, f"{year}-{number}", family.case.ref.lower(),
                 f"{prefix}-{year}-{number[:2]}", f"  {family.case.ref}  "):
        assert refs(search_cases(alice, text))[:1] == [family.case.ref], text


def test_person_name_finds_every_case_they_are_on(alice: Session) -> None:
    family = make_family(alice, surname="Okonkwo")
    assert family.parent.id is not None
    second = cases.create_case(alice, Case(
        "", date(2026, 10, 1), ReferralSource.SELF, OFFICER, family.parent.id))
    make_family(alice, surname="Unrelated")
    found = refs(search_cases(alice, "Sarah Okonkwo"))
    assert sorted(found) == sorted([family.case.ref, second.ref])
    # The child is a party to the first case only.
    assert refs(search_cases(alice, "Tom Okonkwo")) == [family.case.ref]


def test_prefix_typing_finds_the_whole_word(alice: Session) -> None:
    family = make_family(alice)
    add_note(alice, family.case, "Fixed-term exclusion from Riverside Academy.")
    for text in ("excl", "EXCLU", "fixed-te", "riverside acad"):
        assert refs(search_cases(alice, text)) == [family.case.ref], text
    assert refs(search_cases(alice, "xclusion")) == []


def test_diacritics_match_either_way(alice: Session) -> None:
    with_accent = make_family(alice, surname="Brontë")
    add_note(alice, with_accent.case, "Zoë attended the meeting at the café.")
    plain = make_family(alice, surname="Bronte")
    add_note(alice, plain.case, "Zoe rang about the cafe.")
    for text in ("zoe", "Zoë", "ZOË", "Zoe\u0308", "cafe", "café"):
        assert sorted(refs(search_cases(alice, text))) == sorted(
            [with_accent.case.ref, plain.case.ref]), text
    assert len(search_cases(alice, "bronte").hits) == 2


def test_words_are_anded_and_operators_are_just_words(alice: Session) -> None:
    a = make_family(alice, surname="Alder")
    b = make_family(alice, surname="Birch")
    add_note(alice, a.case, "Tribunal hearing booked; transport agreed.")
    add_note(alice, b.case, "Tribunal paperwork sent.")
    assert refs(search_cases(alice, "tribunal transport")) == [a.case.ref]
    assert sorted(refs(search_cases(alice, "tribunal"))) == sorted([a.case.ref, b.case.ref])
    # Query syntax is only punctuation or words here: nothing says "or", "not" or "near".
    assert refs(search_cases(alice, '"tribunal" (transport*)')) == [a.case.ref]
    assert refs(search_cases(alice, "transport OR paperwork")) == []
    assert refs(search_cases(alice, "tribunal NOT transport")) == []
    assert refs(search_cases(alice, "NEAR(tribunal transport)")) == []
    assert refs(search_cases(alice, "^tribunal (transport)")) == [a.case.ref]
    assert refs(search_cases(alice, "body:transport")) == []  # "body" is a word too


def test_third_parties_and_case_details_are_searchable(alice: Session) -> None:
    family = make_family(alice)
    add_note(alice, family.case, "Call with the school.", third_parties=("Ms Featherstonehaugh",))
    updated = cases.update_case(alice, replace(family.case, school_setting="Larkspur Primary"))
    assert refs(search_cases(alice, "featherstonehaugh")) == [updated.ref]
    assert refs(search_cases(alice, "larkspur")) == [updated.ref]


def test_unusable_text_gives_a_message_and_no_audit(alice: Session) -> None:
    make_family(alice)
    before = _audit_count(alice)
    for text in ("", "   ", '"*^()', "🙂🙂", "--", "\x00"):
        results = search_cases(alice, text)
        assert results.hits == ()
        assert results.message == "Type at least one letter or number to search."
    assert _audit_count(alice) == before


def test_no_matches_says_so(alice: Session) -> None:
    make_family(alice)
    assert search_cases(alice, "zzyzx").message == "No cases match those words."
    assert search_cases(alice, "zzyzx", CaseFilter(status=CaseStatus.CLOSED)).message == (
        "No cases match those words with the filters chosen.")


def test_limit_keeps_the_best_cases(alice: Session) -> None:
    families = [make_family(alice, surname=f"Limit{i}") for i in range(5)]
    for family in families:
        add_note(alice, family.case, "Needs assessment request drafted.")
    results = search_cases(alice, "drafted", limit=3)
    assert len(results.hits) == 3
    assert len(search_cases(alice, "drafted").hits) == 5


# --- filters ----------------------------------------------------------------------


def test_filter_by_officer(team: StoreFixture, alice: Session) -> None:
    bobs = make_family(alice, officer=OFFICER, surname="Marsh")
    carols = make_family(alice, officer=CAROL, surname="Marsh")
    assert refs(search_cases(alice, "marsh", CaseFilter(officer=OFFICER))) == [bobs.case.ref]
    assert refs(search_cases(alice, "marsh", CaseFilter(officer=CAROL))) == [carols.case.ref]
    assert len(search_cases(alice, "marsh").hits) == 2


def test_filter_by_status(alice: Session) -> None:
    open_one = make_family(alice, surname="Fenwick")
    closed_one = make_family(alice, surname="Fenwick")
    cases.close_case(alice, closed_one.case, date(2026, 11, 1),
                     frozenset({Outcome.ADVICE_GIVEN}))
    assert refs(search_cases(alice, "fenwick", CaseFilter(status=CaseStatus.OPEN))) == [
        open_one.case.ref]
    assert refs(search_cases(alice, "fenwick", CaseFilter(status=CaseStatus.CLOSED))) == [
        closed_one.case.ref]


def test_filter_by_issue_type(alice: Session) -> None:
    ehc = new_case(alice, "Garside")
    exclusion = new_case(alice, "Garside", issues=frozenset({IssueType.EXCLUSION}))
    assert refs(search_cases(alice, "garside", CaseFilter(issue_type=IssueType.EXCLUSION))) == [
        exclusion.ref]
    assert refs(search_cases(
        alice, "garside", CaseFilter(issue_type=IssueType.EHC_NEEDS_ASSESSMENT))) == [ehc.ref]


def test_filter_by_opened_date_range(alice: Session) -> None:
    early = new_case(alice, "Hartley", opened_on=date(2026, 1, 15))
    late = new_case(alice, "Hartley", opened_on=date(2026, 6, 15))
    in_spring = CaseFilter(opened_from=date(2026, 1, 1), opened_to=date(2026, 3, 31))
    assert refs(search_cases(alice, "hartley", in_spring)) == [early.ref]
    assert refs(search_cases(alice, "hartley", CaseFilter(opened_from=date(2026, 6, 15)))) == [
        late.ref]
    assert refs(search_cases(alice, "hartley", CaseFilter(opened_to=date(2026, 6, 14)))) == [
        early.ref]


def test_filter_by_open_safeguarding_concern(alice: Session) -> None:
    flagged = make_family(alice, surname="Ingram")
    quiet = make_family(alice, surname="Ingram")
    assert flagged.case.id is not None
    safeguarding.raise_concern(alice, SafeguardingConcern(
        flagged.case.id, date(2026, 10, 2), "Disclosure at the meeting.", "Alice Admin",
        SafeguardingAction.MASH))
    assert refs(search_cases(alice, "ingram", CaseFilter(safeguarding_open=True))) == [
        flagged.case.ref]
    assert refs(search_cases(alice, "ingram", CaseFilter(safeguarding_open=False))) == [
        quiet.case.ref]
    hit = search_cases(alice, "ingram", CaseFilter(safeguarding_open=True)).hits[0]
    assert hit.case.safeguarding_open


def test_filters_apply_to_people_notes_and_cases_alike(team: StoreFixture, alice: Session) -> None:
    mine = make_family(alice, officer=OFFICER, surname="Jessop")
    theirs = make_family(alice, officer=CAROL, surname="Kendal")
    add_note(alice, theirs.case, "Jessop family friend attended.")
    assert refs(search_cases(alice, "jessop", CaseFilter(officer=CAROL))) == [theirs.case.ref]
    assert refs(search_cases(alice, "jessop", CaseFilter(officer=OFFICER))) == [mine.case.ref]
    assert refs(search_cases(alice, theirs.case.ref, CaseFilter(officer=OFFICER))) == []


# --- confidentiality (rule 3) -------------------------------------------------------


@pytest.fixture
def yp_case(team: StoreFixture, alice: Session) -> Family:
    """Bob is the parent's officer; Carol works with the young person."""
    return make_family(alice, officer=OFFICER, yp_officers=frozenset({CAROL}), surname="Lowry")


def test_young_person_confidential_note_is_found_only_by_those_who_may_see_it(
        team: StoreFixture, yp_case: Family) -> None:
    author = sign_in(team, CAROL, CAROL_PASSWORD)
    try:
        add_note(author, yp_case.case, "Told us in confidence about quindlewort worries.",
                 Confidentiality.YOUNG_PERSON)
        assert refs(search_cases(author, "quindlewort")) == [yp_case.case.ref]
    finally:
        author.close()
    for username, password in ((DAVE, DAVE_PASSWORD), (ADMIN, ADMIN_PASSWORD)):
        manager = sign_in(team, username, password)
        try:
            assert refs(search_cases(manager, "quindlewort")) == [yp_case.case.ref]
        finally:
            manager.close()
    parents_officer = sign_in(team, OFFICER, OFFICER_PASSWORD)
    try:
        results = search_cases(parents_officer, "quindlewort")
        assert results.hits == ()
        assert results.message == "No cases match those words."
        # Not through a phrase, a prefix, or alongside words that do match either.
        assert refs(search_cases(parents_officer, "quindle")) == []
        assert refs(search_cases(parents_officer, "Lowry quindlewort")) == []
        # The case is still found by what the officer may see, without a note match.
        hits = search_cases(parents_officer, "lowry").hits
        assert [h.case.ref for h in hits] == [yp_case.case.ref]
        assert "note" not in hits[0].matched
    finally:
        parents_officer.close()


def test_young_person_officer_who_did_not_write_the_note_finds_it(
        team: StoreFixture, alice: Session, yp_case: Family) -> None:
    # Written by a manager; Carol is on the case's young-person officers.
    add_note(alice, yp_case.case, "Young person wants vorpalite kept private.",
             Confidentiality.YOUNG_PERSON)
    carol = sign_in(team, CAROL, CAROL_PASSWORD)
    bob = sign_in(team, OFFICER, OFFICER_PASSWORD)
    try:
        assert refs(search_cases(carol, "vorpalite")) == [yp_case.case.ref]
        assert refs(search_cases(bob, "vorpalite")) == []
    finally:
        carol.close()
        bob.close()


def test_hidden_note_does_not_lift_a_case_in_the_ranking(
        team: StoreFixture, alice: Session, yp_case: Family) -> None:
    other = make_family(alice, officer=OFFICER, surname="Mabey")
    add_note(alice, other.case, "Discussed respite once.")
    add_note(alice, yp_case.case, "respite respite respite", Confidentiality.YOUNG_PERSON)
    bob = sign_in(team, OFFICER, OFFICER_PASSWORD)
    try:
        results = search_cases(bob, "respite")
        assert refs(results) == [other.case.ref]
    finally:
        bob.close()
    assert refs(search_cases(alice, "respite")) == [yp_case.case.ref, other.case.ref]


def test_restricted_note_is_found_only_by_author_and_managers(
        team: StoreFixture, yp_case: Family) -> None:
    bob = sign_in(team, OFFICER, OFFICER_PASSWORD)
    try:
        add_note(bob, yp_case.case, "Restricted detail: grumbleweed.", Confidentiality.RESTRICTED)
        assert refs(search_cases(bob, "grumbleweed")) == [yp_case.case.ref]
    finally:
        bob.close()
    carol = sign_in(team, CAROL, CAROL_PASSWORD)  # a young-person officer, but not the author
    try:
        assert refs(search_cases(carol, "grumbleweed")) == []
    finally:
        carol.close()
    dave = sign_in(team, DAVE, DAVE_PASSWORD)
    try:
        assert refs(search_cases(dave, "grumbleweed")) == [yp_case.case.ref]
    finally:
        dave.close()


def test_inspector_finds_only_through_normal_notes(team: StoreFixture, alice: Session,
                                                   yp_case: Family) -> None:
    add_note(alice, yp_case.case, "Ordinary note about wombatry.")
    add_note(alice, yp_case.case, "Private note about snorkelvine.", Confidentiality.YOUNG_PERSON)
    users.add_user(alice, "ivy", Role.INSPECTOR, password="lilac ferry compass",
                   expires_at=datetime.now(UTC) + timedelta(days=1))
    ivy = sign_in(team, "ivy", "lilac ferry compass")
    try:
        assert refs(search_cases(ivy, "wombatry")) == [yp_case.case.ref]
        assert refs(search_cases(ivy, "snorkelvine")) == []
    finally:
        ivy.close()


# --- deleted and edited notes ---------------------------------------------------------


def test_deleted_note_is_not_found_and_undo_brings_it_back(alice: Session) -> None:
    family = make_family(alice)
    note = add_note(alice, family.case, "Mentioned the xylophonist tutor.")
    assert refs(search_cases(alice, "xylophonist")) == [family.case.ref]
    deleted = notes.delete_note(alice, note)
    assert refs(search_cases(alice, "xylophonist")) == []
    notes.undo_delete_note(alice, deleted)
    assert refs(search_cases(alice, "xylophonist")) == [family.case.ref]


def test_a_deleted_note_left_in_the_index_is_still_not_found(alice: Session) -> None:
    """Belt and braces: even if the index were behind, a deleted note never counts."""
    from sendiass_desktop.store import search_index
    from sendiass_desktop.store.connection import transaction

    family = make_family(alice)
    note = add_note(alice, family.case, "Talked about the plumbago scheme.")
    deleted = notes.delete_note(alice, note)
    with transaction(alice.conn) as conn:  # put the words back as a stale index would have them
        search_index._upsert(conn, DocKind.NOTE, note.id or 0, family.case.id, "Meeting",
                             deleted.body)
    assert refs(search_cases(alice, "plumbago")) == []


def test_edit_reindexes_the_note(alice: Session) -> None:
    family = make_family(alice)
    note = add_note(alice, family.case, "Call about the quokka report.")
    notes.update_note(alice, replace(note, body="Call about the wallaby report."))
    assert refs(search_cases(alice, "quokka")) == []
    assert refs(search_cases(alice, "wallaby")) == [family.case.ref]


def test_person_rename_reindexes(alice: Session) -> None:
    family = make_family(alice, surname="Nettleford")
    people.update_person(alice, replace(family.parent, family_name="Oakhampton"))
    people.update_person(alice, replace(family.child, family_name="Oakhampton"))
    # Neither the people nor the case's own document (which carries their names)
    # still holds the old name.
    assert refs(search_cases(alice, "nettleford")) == []
    assert refs(search_cases(alice, "sarah oakhampton")) == [family.case.ref]


# --- the store query ----------------------------------------------------------------


def test_candidates_come_best_first_in_growing_batches(alice: Session) -> None:
    from sendiass_desktop.store import search as store_search

    family = make_family(alice, surname="Rookwood")
    for i in range(6):
        add_note(alice, family.case, "gazebo " * (i + 1) + "filler text " * 20)
    batches = list(store_search.candidates(alice.conn, '"gazebo"', CaseFilter(), batch_size=2))
    assert [len(b) for b in batches] == [2, 4]
    scores = [c.score for b in batches for c in b]
    assert scores == sorted(scores, reverse=True)
    assert all(c.kind is DocKind.NOTE and c.case_id == family.case.id for b in batches for c in b)
    # A person is one candidate per case they are on, and filters apply to it.
    assert family.parent.id is not None
    cases.create_case(alice, Case("", date(2026, 10, 1), ReferralSource.SELF, OFFICER,
                                  family.parent.id))
    people_hits = [c for b in store_search.candidates(alice.conn, '"rookwood"', CaseFilter())
                   for c in b if c.kind is DocKind.PERSON]
    assert len(people_hits) == 3  # the parent on two cases, the child on one
    in_september = CaseFilter(opened_to=date(2026, 9, 30))
    assert sorted((c.entity_id, c.case_id) for b in store_search.candidates(
        alice.conn, '"rookwood"', in_september) for c in b if c.kind is DocKind.PERSON) == [
        (family.parent.id, family.case.id), (family.child.id, family.case.id)]


def test_each_batch_is_looked_up_by_its_ids_whatever_the_filter(alice: Session) -> None:
    """Query plan: a batch's documents are found by id, never by scanning an
    officer's cases or every note (which would be a scan per keystroke)."""
    from sendiass_desktop.store import search as store_search
    from sendiass_desktop.store.cases import filter_sql

    every_filter = CaseFilter(officer=OFFICER, status=CaseStatus.OPEN,
                              issue_type=IssueType.EXCLUSION, opened_from=date(2026, 1, 1),
                              opened_to=date(2026, 12, 31), safeguarding_open=True)
    for case_filter in (CaseFilter(), CaseFilter(officer=OFFICER), every_filter):
        where, params = filter_sql(case_filter)
        sql = store_search._TO_CASES.format(ids="?,?,?", where=where)
        plan = [row[3] for row in alice.conn.execute(
            "EXPLAIN QUERY PLAN " + sql, [1, 2, 3, *params, 1, 2, 3, *params])]
        lookups = [step for step in plan if step.startswith(("SEARCH", "SCAN"))]
        assert [s for s in lookups if s.startswith("SEARCH d ")] == [
            "SEARCH d USING INTEGER PRIMARY KEY (rowid=?)"] * 2, plan
        assert not [s for s in lookups if s.startswith("SCAN")], plan
        assert lookups[0].startswith("SEARCH d "), plan


# --- arbitrary text, audit, permissions ----------------------------------------------


@pytest.fixture
def small_store(store: StoreFixture) -> Iterator[Session]:
    session = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    family = make_family(session, surname="Ødegård")
    add_note(session, family.case, 'Quotes "inside", stars * and carets ^, (brackets) a:b.')
    add_note(session, family.case, "Zoë's EHC needs assessment — draft plan due 14/03/2026.",
             Confidentiality.YOUNG_PERSON)
    yield session
    session.close()


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=300) | st.text(alphabet=st.sampled_from(
    list('"*^():-\'’ ANDORNOTNEAR{}+ zoë SEN 2026 0001 ødegård\x00\t🙂')), max_size=80))
def test_any_text_returns_results_and_never_raises(small_store: Session, text: str) -> None:
    results = search_cases(small_store, text)
    assert isinstance(results, SearchResults)
    assert results.hits or results.message


def test_long_paste_is_searched_by_its_first_words(small_store: Session) -> None:
    paste = "ødegård " + " ".join(f"paragraph{i} of a long letter." for i in range(1000))
    results = search_cases(small_store, paste)
    assert results.hits == ()
    assert results.message is not None and "first 12 words" in results.message
    # The name itself is found (å loses its ring; ø is a letter of its own, as in the index).
    assert refs(search_cases(small_store, "ødegard"))
    assert not refs(search_cases(small_store, "odegard"))


def test_audit_records_the_search_but_not_the_words(alice: Session) -> None:
    family = make_family(alice, surname="Pemberton")
    add_note(alice, family.case, "Spoke about the marmalade tutor.")
    before = _audit_count(alice)
    search_cases(alice, "marmalade tutor")
    search_cases(alice, "pemberton", CaseFilter(status=CaseStatus.OPEN))
    rows = alice.conn.execute(
        "SELECT action, target_type, target_id, detail FROM audit_log WHERE seq > ? ORDER BY seq",
        (before,)).fetchall()
    assert rows == [
        ("record.searched", "search", "", '{"filtered":false,"results":1}'),
        ("record.searched", "search", "", '{"filtered":true,"results":1}'),
    ]
    everything = alice.conn.execute("SELECT * FROM audit_log").fetchall()
    assert not any("marmalade" in str(value).lower() for row in everything for value in row)
    assert not any("pemberton" in str(value).lower() for row in everything for value in row)


def test_search_needs_a_signed_in_session(store: StoreFixture) -> None:
    from sendiass_desktop.domain.errors import PermissionDenied

    session = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    session.close()
    with pytest.raises(PermissionDenied):
        search_cases(session, "anything")


# --- the CLI ------------------------------------------------------------------------


def test_cli_search_prints_refs_best_first(store: StoreFixture, alice: Session) -> None:
    named = make_family(alice, surname="Quennell")
    other = make_family(alice, surname="Rutherford")
    filler = " ".join(["Long note about the transport appeal."] * 30)
    add_note(alice, other.case, f"{filler} Quennell was mentioned. {filler}")
    make_family(alice, surname="Unmatched")
    out = io.StringIO()
    code = main(["--store", str(store.path), "--user", OFFICER, "--password-stdin", "search",
                 "quennell"], stdin=io.StringIO(OFFICER_PASSWORD + "\n"), stdout=out)
    assert code == EXIT_OK
    assert out.getvalue().splitlines() == [named.case.ref, other.case.ref]


def test_cli_search_with_nothing_usable_prints_nothing(
        store: StoreFixture, capsys: pytest.CaptureFixture[str]) -> None:
    out = io.StringIO()
    code = main(["--store", str(store.path), "--user", ADMIN, "--password-stdin", "search",
                 '"*"'], stdin=io.StringIO(ADMIN_PASSWORD + "\n"), stdout=out)
    assert code == EXIT_OK
    assert out.getvalue() == ""
    assert "Type at least one letter or number" in capsys.readouterr().err


def _audit_count(session: Session) -> int:
    return int(session.conn.execute("SELECT max(seq) FROM audit_log").fetchone()[0])


def test_words_about_a_family_and_their_case_find_it_together(store: StoreFixture) -> None:
    """A surname (on the parties) and an issue type (on the case) meet in one document."""
    from sendiass_desktop.domain.cases import IssueType
    from sendiass_desktop.services import cases as cases_service
    from sendiass_desktop.services import people as people_service
    from sendiass_desktop.services import search
    from sendiass_desktop.services.session import unlock_with_password
    from tests.conftest import ADMIN, ADMIN_PASSWORD
    from tests.support.casework import make_family

    session = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    try:
        family = make_family(session, officer=ADMIN, surname="Quennell")
        other = make_family(session, officer=ADMIN, surname="Abernathy")
        assert family.case.id is not None and other.case.id is not None
        cases_service.update_case(session, replace(
            cases_service.get_case(session, family.case.id),
            issue_types=frozenset({IssueType.EXCLUSION})))
        hits = search.search_cases(session, "Quennell exclusion").hits
        assert [h.case.ref for h in hits] == [family.case.ref]
        assert not search.search_cases(session, "Abernathy exclusion").hits
        # Renaming a person re-indexes the cases they are on.
        people_service.update_person(session, replace(family.parent, family_name="Quenby"))
        assert [h.case.ref for h in search.search_cases(session, "Quenby exclusion").hits] == [
            family.case.ref]
    finally:
        session.close()


# --- bounded work: titles first, ranking only when few match --------------------------


@pytest.fixture
def rank_limit(monkeypatch: pytest.MonkeyPatch) -> Iterator[int]:
    """A small RANK_LIMIT, so "too many matches to rank" needs only a few records."""
    from sendiass_desktop.store import search as store_search

    monkeypatch.setattr(store_search, "RANK_LIMIT", 3)
    yield 3


def test_a_name_and_a_reference_are_found_however_many_newer_notes_match(
        alice: Session, rank_limit: int) -> None:
    named = make_family(alice, surname="Zebedee")
    chatty = make_family(alice, surname="Ormerod")
    for i in range(rank_limit * 4):  # all newer than the Zebedee family's records
        add_note(alice, chatty.case, f"Zebedee's school rang again ({i}). SEN-{named.case.ref}")
    for text in ("zebedee", "Sarah Zebedee", named.case.ref):
        results = search_cases(alice, text, limit=1)
        assert refs(results) == [named.case.ref], text
        assert results.hits[0].matched & {"person", "case"}, text
        assert results.hits[0].score > 0, text  # title matches are always ranked
    # The notes still count, after the names: newest first, unranked.
    results = search_cases(alice, "zebedee")
    assert refs(results) == [named.case.ref, chatty.case.ref]
    assert results.hits[1].matched == frozenset({"note"})
    assert results.hits[1].score == 0.0


def test_few_matches_are_ranked_and_many_are_listed_newest_first(
        alice: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    from sendiass_desktop.store import search as store_search

    older = make_family(alice, surname="Pettigrew")
    newer = make_family(alice, surname="Quarrie")
    add_note(alice, older.case, "Wombat. Wombat wombat.")  # the better match, written first
    add_note(alice, newer.case, "A long note that mentions a wombat once, " + "and more. " * 30)
    ranked = search_cases(alice, "wombat")
    assert refs(ranked) == [older.case.ref, newer.case.ref]
    assert ranked.hits[0].score > ranked.hits[1].score > 0
    monkeypatch.setattr(store_search, "RANK_LIMIT", 1)
    newest_first = search_cases(alice, "wombat")
    assert refs(newest_first) == [newer.case.ref, older.case.ref]
    assert [h.score for h in newest_first.hits] == [0.0, 0.0]


def test_every_match_is_read_when_listed_newest_first(
        alice: Session, rank_limit: int) -> None:
    from sendiass_desktop.store import search as store_search

    families = [make_family(alice, surname=f"Umber{i}") for i in range(4)]
    written = [add_note(alice, families[i % 4].case, f"Kestrel sighting {i}.")
               for i in range(rank_limit * 5)]
    batches = list(store_search.candidates(alice.conn, '"kestrel"', CaseFilter(), batch_size=1))
    notes_read = [c.entity_id for b in batches for c in b]
    assert notes_read == [n.id for n in reversed(written)]  # each once, newest first
    assert [len(b) for b in batches][:4] == [1, 2, 4, 4]  # growing, to four times the first
    assert all(c.score == 0.0 for b in batches for c in b)
    assert sorted(refs(search_cases(alice, "kestrel"))) == sorted(f.case.ref for f in families)


def test_hidden_notes_stay_hidden_when_matches_are_listed_newest_first(
        team: StoreFixture, alice: Session, yp_case: Family, rank_limit: int) -> None:
    other = make_family(alice, officer=OFFICER, surname="Mabey")
    add_note(alice, other.case, "Discussed respite once.")
    for _ in range(rank_limit + 2):  # the newest matches are all hidden from Bob
        add_note(alice, yp_case.case, "respite respite", Confidentiality.YOUNG_PERSON)
        add_note(alice, yp_case.case, "restricted respite", Confidentiality.RESTRICTED)
    bob = sign_in(team, OFFICER, OFFICER_PASSWORD)
    try:
        assert refs(search_cases(bob, "respite")) == [other.case.ref]
        assert refs(search_cases(bob, "respi")) == [other.case.ref]
    finally:
        bob.close()
    assert refs(search_cases(alice, "respite")) == [yp_case.case.ref, other.case.ref]


def test_a_case_whose_newest_matches_are_hidden_is_placed_by_its_visible_one(
        team: StoreFixture, alice: Session, yp_case: Family, rank_limit: int) -> None:
    other = make_family(alice, officer=OFFICER, surname="Nightingale")
    add_note(alice, yp_case.case, "A heron on the school pond.")  # oldest, visible to Bob
    add_note(alice, other.case, "Heron project at college.")
    for _ in range(rank_limit + 1):  # newest, hidden from Bob
        add_note(alice, yp_case.case, "Heron worries.", Confidentiality.YOUNG_PERSON)
    bob = sign_in(team, OFFICER, OFFICER_PASSWORD)
    try:
        assert refs(search_cases(bob, "heron")) == [other.case.ref, yp_case.case.ref]
        assert refs(search_cases(bob, "heron", limit=1)) == [other.case.ref]
    finally:
        bob.close()
    assert refs(search_cases(alice, "heron")) == [yp_case.case.ref, other.case.ref]


def test_notes_are_read_a_case_at_a_time_not_one_by_one(
        team: StoreFixture, alice: Session, yp_case: Family, rank_limit: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from sendiass_desktop.services import search as search_service

    others = [make_family(alice, officer=OFFICER, surname=f"Wren{i}") for i in range(3)]
    for family in others:
        for _ in range(3):
            add_note(alice, family.case, "Curlew count.")
    for _ in range(40):  # the newest matches: one case's notes, all hidden from Bob
        add_note(alice, yp_case.case, "Curlew count.", Confidentiality.YOUNG_PERSON)
    reads: list[int] = []
    real = search_service.notes_repo.many

    def counting(conn, ids):  # type: ignore[no-untyped-def]
        reads.append(len(ids))
        return real(conn, ids)

    monkeypatch.setattr(search_service.notes_repo, "many", counting)
    bob = sign_in(team, OFFICER, OFFICER_PASSWORD)
    try:
        found = refs(search_cases(bob, "curlew"))
    finally:
        bob.close()
    assert sorted(found) == sorted(f.case.ref for f in others)
    assert len(reads) <= 6, reads  # not one read per hidden note
    assert sum(reads) <= 40 + 3 * 3, reads  # and no note read twice
    reads.clear()
    assert refs(search_cases(alice, "curlew", limit=2))[0] == yp_case.case.ref
    assert sum(reads) <= 2, reads  # one note per case found: a case's later notes are not read


def test_settled_cases_are_left_out_of_later_batches(alice: Session, rank_limit: int) -> None:
    from sendiass_desktop.store import search as store_search

    busy = make_family(alice, surname="Teasdale")
    quiet = make_family(alice, surname="Upcott")
    add_note(alice, quiet.case, "Lapwing survey.")
    for _ in range(rank_limit + 1):  # newest first, then
        add_note(alice, busy.case, "Lapwing survey again.")
    settled: set[tuple[str, int]] = set()
    read = []
    for batch in store_search.candidates(alice.conn, '"lapwing"', CaseFilter(), batch_size=1,
                                         settled=settled):
        read.extend((c.kind, c.case_id) for c in batch)
        settled.update((c.kind.value, c.case_id) for c in batch)
    assert busy.case.id is not None and quiet.case.id is not None
    assert read == [(DocKind.NOTE, busy.case.id), (DocKind.NOTE, quiet.case.id)]


def test_candidates_in_titles_only(alice: Session) -> None:
    from sendiass_desktop.store import search as store_search

    family = make_family(alice, surname="Vickery")
    other = make_family(alice, surname="Wilde")
    add_note(alice, other.case, "Vickery school called.")
    found = {(c.kind, c.case_id) for b in store_search.candidates(
        alice.conn, '"vickery"', CaseFilter(), titles=True) for c in b}
    assert found == {(DocKind.PERSON, family.case.id)}
    everything = {(c.kind, c.case_id) for b in store_search.candidates(
        alice.conn, '"vickery"', CaseFilter()) for c in b}
    assert everything == {(DocKind.PERSON, family.case.id), (DocKind.CASE, family.case.id),
                          (DocKind.NOTE, other.case.id)}


def test_a_note_type_is_searched_as_body_text(alice: Session) -> None:
    family = make_family(alice, surname="Yardley")
    add_note(alice, family.case, "Talked it through.")  # a Meeting note
    results = search_cases(alice, "meeting")
    assert refs(results) == [family.case.ref]
    assert results.hits[0].matched == frozenset({"note"})
    assert not alice.conn.execute(
        "SELECT count(*) FROM search_fts WHERE search_fts MATCH ?",
        ('{title} : "meeting"',)).fetchone()[0]


# --- fewer than three letters ----------------------------------------------------------


def test_one_letter_gives_a_hint_and_reads_nothing(alice: Session) -> None:
    from sendiass_desktop.services.search import TOO_SHORT

    make_family(alice, surname="N")
    before = _audit_count(alice)
    for text in ("N", " n ", "a b", "1", "é"):
        results = search_cases(alice, text)
        assert results.hits == (), text
        assert results.message == TOO_SHORT, text
    assert _audit_count(alice) == before


def test_two_letters_find_whole_names_only(alice: Session) -> None:
    from sendiass_desktop.services.search import NAMES_ONLY, TOO_SHORT

    ng = make_family(alice, surname="Ng")
    nguyen = make_family(alice, surname="Nguyen")
    add_note(alice, nguyen.case, "Spoke to Mr Ng's colleague; ok to call back.")
    results = search_cases(alice, "Ng")
    assert refs(results) == [ng.case.ref]  # not Nguyen (a prefix), not the note
    assert results.hits[0].matched == frozenset({"person"})
    assert results.message == NAMES_ONLY
    assert search_cases(alice, "ok").message == f"No cases match those words. {NAMES_ONLY}"
    # Audited like any search that reads the store, without the words.
    row = alice.conn.execute("SELECT action, detail FROM audit_log ORDER BY seq DESC "
                             "LIMIT 1").fetchone()
    assert row == ("record.searched", '{"filtered":false,"results":0}')
    # Filters still apply, and three letters search everything again.
    assert refs(search_cases(alice, "ng", CaseFilter(status=CaseStatus.CLOSED))) == []
    assert sorted(refs(search_cases(alice, "Ngu"))) == [nguyen.case.ref]
    assert search_cases(alice, "n g").message == TOO_SHORT


# --- interrupting a search ---------------------------------------------------------------


@pytest.mark.parametrize("where", ["in a statement", "between statements"])
def test_an_interrupted_search_is_cancelled_not_failed(
        alice: Session, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    import threading

    from sendiass_desktop.services.search import SearchCancelled
    from sendiass_desktop.store import search as store_search

    family = make_family(alice, surname="Interrupta")
    real = store_search.candidates
    running, interrupted = threading.Event(), threading.Event()

    def slow(conn, *args, **kwargs):  # type: ignore[no-untyped-def]
        running.set()
        if where == "in a statement":  # half a minute or more unless interrupted
            conn.execute("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
                         "WHERE x < 200000000) SELECT count(*) FROM n").fetchone()
        else:  # Python work with no statement of the search's own running
            assert interrupted.wait(10)
        yield from real(conn, *args, **kwargs)

    monkeypatch.setattr(store_search, "candidates", slow)
    before = _audit_count(alice)
    outcome: list[BaseException | SearchResults] = []

    def run() -> None:
        try:
            outcome.append(search_cases(alice, "interrupta"))
        except BaseException as exc:
            outcome.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    assert running.wait(10)
    alice.conn.interrupt()  # once: it must not be lost, wherever the search is
    interrupted.set()
    worker.join(30)
    assert not worker.is_alive()
    assert len(outcome) == 1 and isinstance(outcome[0], SearchCancelled)
    assert _audit_count(alice) == before  # nothing was returned, so nothing is audited
    assert not alice.conn.in_transaction
    monkeypatch.setattr(store_search, "candidates", real)
    assert refs(search_cases(alice, "interrupta")) == [family.case.ref]  # the next one runs
