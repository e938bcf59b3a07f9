"""Every earlier schema version upgrades to the latest and ends identical to a new store."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from sendiass_desktop.domain.notes import NoteType
from sendiass_desktop.store import migrations
from sendiass_desktop.store.connection import Connection, open_connection
from sendiass_desktop.store.errors import StoreTooNew
from sendiass_desktop.store.keywrap import random_key
from tests.conftest import StoreFixture
from tests.support.schema_versions import undo_migration_6


def schema(conn: Connection) -> list[tuple[str, str, str]]:
    rows = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name"
    ).fetchall()
    return [(t, n, " ".join((s or "").split())) for t, n, s in rows]


def test_latest_is_the_last_migration() -> None:
    versions = [m.version for m in migrations.MIGRATIONS]
    assert versions == list(range(1, len(versions) + 1))
    assert versions[-1] == migrations.LATEST_VERSION


@pytest.mark.parametrize("start", range(0, migrations.LATEST_VERSION + 1))
def test_upgrade_from_every_earlier_version(tmp_path: Path, start: int) -> None:
    key = random_key()
    fresh = open_connection(tmp_path / "fresh.sendiass", key, create=True)
    migrations.migrate(fresh)
    old = open_connection(tmp_path / "old.sendiass", key, create=True)
    migrations.migrate(old, target=start)
    assert migrations.current_version(old) == start
    old.close()
    reopened = open_connection(tmp_path / "old.sendiass", key)
    applied = migrations.migrate(reopened)
    assert applied == list(range(start + 1, migrations.LATEST_VERSION + 1))
    assert migrations.current_version(reopened) == migrations.LATEST_VERSION
    assert schema(reopened) == schema(fresh)
    assert migrations.migrate(reopened) == []  # idempotent


def test_store_from_a_newer_version_is_refused_clearly(tmp_path: Path) -> None:
    key = random_key()
    conn = open_connection(tmp_path / "new.sendiass", key, create=True)
    migrations.migrate(conn)
    conn.execute(f"PRAGMA user_version = {migrations.LATEST_VERSION + 1}")
    with pytest.raises(StoreTooNew, match="newer version"):
        migrations.migrate(conn)


# --- migration 5: the search index rebuilt (prefix indexes, note types out of titles) ----

V4_SEARCH_FTS = """
    CREATE VIRTUAL TABLE search_fts USING fts5 (
        title, body,
        content = '', contentless_delete = 1,
        tokenize = 'unicode61 remove_diacritics 2'
    )
"""


def _as_version_4(conn: Connection, monkeypatch: pytest.MonkeyPatch) -> None:
    """Turn a new store's search index back into what version 4 wrote.

    Version 4 had migration 2's table (no prefix indexes) and put a note's
    type in the title; it never merged the index after bulk writes.
    """
    from sendiass_desktop.store import search_index
    from sendiass_desktop.store.connection import transaction

    def v4_note_doc(note_type: NoteType, body: str,
                    third_parties: Sequence[str]) -> tuple[str, str]:
        return note_type.label, body + ("\n" + "\n".join(third_parties) if third_parties else "")

    with monkeypatch.context() as patch, transaction(conn):
        patch.setattr(search_index, "_note_doc", v4_note_doc)
        conn.execute("DROP TABLE search_fts")
        conn.execute(V4_SEARCH_FTS)
        conn.execute("INSERT INTO search_fts (search_fts, rank) VALUES ('secure-delete', 1)")
        search_index.rebuild(conn)
        undo_migration_6(conn)
        conn.execute("PRAGMA user_version = 4")


def _search_fts_sql(conn: Connection) -> str:
    return " ".join(conn.execute(
        "SELECT sql FROM sqlite_master WHERE name = 'search_fts'").fetchone()[0].split())


def _title_matches(conn: Connection, word: str) -> int:
    return int(conn.execute("SELECT count(*) FROM search_fts WHERE search_fts MATCH ?",
                            (f'{{title}} : "{word}"',)).fetchone()[0])


Found = dict[tuple[str, str], tuple[list[tuple[str, list[str]]], str | None]]


@pytest.fixture
def casework_store(store: StoreFixture) -> tuple[StoreFixture, list[str]]:
    """A store with families and notes (one deleted, one young-person confidential that
    the officer may not see), and words to search it for."""
    from sendiass_desktop.domain.notes import Confidentiality
    from sendiass_desktop.services import notes
    from sendiass_desktop.services.session import unlock_with_password
    from tests.conftest import ADMIN, ADMIN_PASSWORD
    from tests.support.casework import add_note, make_family

    session = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    try:
        families = [make_family(session, surname=name) for name in
                    ("Ashdown", "Brontë", "Cartwright", "Ashdown-Lee", "Okafor")]
        for i, family in enumerate(families):
            add_note(session, family.case, f"Annual review meeting at Riverside school ({i}).",
                     third_parties=("Ms Featherstonehaugh",) if i == 2 else ())
            add_note(session, family.case, "Tribunal appeal lodged; transport agreed.")
        add_note(session, families[1].case, "Zoë told us about the quindlewort.",
                 Confidentiality.YOUNG_PERSON)
        gone = add_note(session, families[3].case, "Mentioned the xylophonist tutor.")
        notes.delete_note(session, gone)
    finally:
        session.close()
    words = ["ashdown", "Ashdown-Lee", "bronte", "Zoe", "quindle", "riverside sch", "tribunal",
             "transport agreed", "featherstonehaugh", "xylophonist", "meeting", "Sarah Okaf",
             "Ok", "SEN", families[2].case.ref, families[4].case.ref[:-2], "annual review"]
    return store, words


def _found(store: StoreFixture, words: list[str]) -> Found:
    """What alice (administrator) and bob (officer) find for each word, with the message."""
    from sendiass_desktop.services.search import search_cases
    from sendiass_desktop.services.session import unlock_with_password
    from tests.conftest import ADMIN, ADMIN_PASSWORD, OFFICER, OFFICER_PASSWORD

    out: Found = {}
    for user, password in ((ADMIN, ADMIN_PASSWORD), (OFFICER, OFFICER_PASSWORD)):
        session = unlock_with_password(store.location, user, password)
        try:
            for word in words:
                results = search_cases(session, word)
                out[user, word] = ([(h.case.ref, sorted(h.matched)) for h in results.hits],
                                   results.message)
        finally:
            session.close()
    return out


def test_migration_5_rebuilds_the_index_and_search_finds_the_same(
        casework_store: tuple[StoreFixture, list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    from sendiass_desktop.domain.cases import CaseFilter
    from sendiass_desktop.services.session import unlock_with_password
    from sendiass_desktop.store import search as store_search
    from tests.conftest import ADMIN, ADMIN_PASSWORD, OFFICER

    store, words = casework_store
    expected = _found(store, words)
    # Sanity: the sample finds things, hides what it must, and not everything.
    assert expected[ADMIN, "quindle"][0] and not expected[OFFICER, "quindle"][0]
    assert not expected[ADMIN, "xylophonist"][0]
    assert expected[ADMIN, "ashdown"][0] and expected[ADMIN, "Ok"][0] == []

    session = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    docs_before = session.conn.execute("SELECT * FROM search_docs ORDER BY id").fetchall()
    _as_version_4(session.conn, monkeypatch)
    assert _title_matches(session.conn, "meeting") == 11  # version 4: note types in titles
    session.close()

    # A read-only session does not migrate; the new queries run on the old index too.
    reader = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD, read_only=True)
    try:
        assert migrations.current_version(reader.conn) == 4
        found = {c.case_id for batch in store_search.candidates(
            reader.conn, '"ashdown"*', CaseFilter()) for c in batch}
        assert found == {case_id for (case_id,) in reader.conn.execute(
            "SELECT c.id FROM cases c JOIN people p ON p.id = c.primary_person_id "
            "WHERE p.family_name LIKE 'Ashdown%'")}
    finally:
        reader.close()

    session = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)  # migrates
    try:
        conn = session.conn
        assert migrations.current_version(conn) == migrations.LATEST_VERSION
        assert "prefix = '2 3'" in _search_fts_sql(conn)
        assert _title_matches(conn, "meeting") == 0
        assert conn.execute("SELECT * FROM search_docs ORDER BY id").fetchall() == docs_before
        migrated = conn.execute("SELECT detail FROM audit_log WHERE action = 'store.migrated' "
                                "ORDER BY seq DESC LIMIT 1").fetchone()
        assert migrated == (f'{{"to_version":{migrations.LATEST_VERSION}}}',)
    finally:
        session.close()
    assert _found(store, words) == expected


def test_migration_5_stopped_half_way_leaves_the_version_4_index(
        casework_store: tuple[StoreFixture, list[str]], monkeypatch: pytest.MonkeyPatch) -> None:
    from sendiass_desktop.services.session import unlock_with_password
    from sendiass_desktop.store import search_index
    from tests.conftest import ADMIN, ADMIN_PASSWORD

    store, words = casework_store
    expected = _found(store, words)
    session = unlock_with_password(store.location, ADMIN, ADMIN_PASSWORD)
    key = session.data_key
    _as_version_4(session.conn, monkeypatch)
    session.close()
    real = search_index.rebuild

    def power_cut(conn: Connection) -> int:
        real(conn)  # the whole index is written…
        raise OSError("power cut")  # …but never committed

    conn = open_connection(store.path, key)
    with monkeypatch.context() as patch:
        patch.setattr(search_index, "rebuild", power_cut)
        with pytest.raises(OSError, match="power cut"):
            migrations.migrate(conn)
    assert migrations.current_version(conn) == 4
    assert "prefix" not in _search_fts_sql(conn)
    assert _title_matches(conn, "meeting") == 11
    assert conn.execute("SELECT count(*) FROM search_fts WHERE search_fts MATCH "
                        "'\"quindlewort\"'").fetchone()[0] == 1
    assert migrations.migrate(conn) == [5, 6]  # and it runs again next time
    conn.close()
    assert _found(store, words) == expected
