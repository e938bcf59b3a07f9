"""Numbered schema migrations, tracked in ``PRAGMA user_version``.

Each migration runs in one transaction with the version bump, so a crash
leaves the store at the old version or the new, never in between. Never edit
a released migration: add a new one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sendiass_desktop.store import search_index
from sendiass_desktop.store.connection import Connection, transaction
from sendiass_desktop.store.errors import StoreTooNew


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Connection], None]


def _script(*statements: str) -> Callable[[Connection], None]:
    def run(conn: Connection) -> None:
        for statement in statements:
            conn.execute(statement)

    return run


_V1 = _script(
    """
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    )
    """,
    """
    CREATE TABLE users (
        id                   INTEGER PRIMARY KEY,
        uuid                 TEXT NOT NULL UNIQUE,
        username             TEXT NOT NULL UNIQUE,
        display_name         TEXT NOT NULL,
        role                 TEXT NOT NULL
                             CHECK (role IN ('officer', 'manager', 'admin', 'inspector')),
        status               TEXT NOT NULL DEFAULT 'active'
                             CHECK (status IN ('active', 'disabled')),
        must_change_password INTEGER NOT NULL DEFAULT 0,
        created_at           TEXT NOT NULL,
        expires_at           TEXT,
        version              INTEGER NOT NULL DEFAULT 1
    )
    """,
    """
    CREATE TABLE audit_log (
        seq         INTEGER PRIMARY KEY AUTOINCREMENT,
        at          TEXT NOT NULL,
        actor       TEXT NOT NULL,
        action      TEXT NOT NULL,
        target_type TEXT NOT NULL DEFAULT '',
        target_id   TEXT NOT NULL DEFAULT '',
        detail      TEXT NOT NULL DEFAULT '{}',
        prev_hash   TEXT NOT NULL,
        hash        TEXT NOT NULL UNIQUE
    )
    """,
    # Append-only: the application never updates or deletes audit rows.
    """
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
    """,
    """
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END
    """,
    "CREATE INDEX audit_log_target ON audit_log (target_type, target_id)",
    "CREATE INDEX audit_log_actor ON audit_log (actor, at)",
)


_V2 = _script(
    """
    CREATE TABLE counters (
        name  TEXT PRIMARY KEY,
        value INTEGER NOT NULL
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE people (
        id            INTEGER PRIMARY KEY,
        ref           TEXT NOT NULL UNIQUE,
        given_name    TEXT NOT NULL,
        family_name   TEXT NOT NULL,
        role          TEXT NOT NULL,
        date_of_birth TEXT,
        email         TEXT NOT NULL DEFAULT '',
        phone         TEXT NOT NULL DEFAULT '',
        address       TEXT NOT NULL DEFAULT '',
        postcode      TEXT NOT NULL DEFAULT '',
        pronouns      TEXT NOT NULL DEFAULT '',
        language      TEXT NOT NULL DEFAULT '',
        access_needs  TEXT NOT NULL DEFAULT '',
        organisation  TEXT NOT NULL DEFAULT '',
        created_at    TEXT NOT NULL,
        updated_at    TEXT NOT NULL,
        version       INTEGER NOT NULL DEFAULT 1
    )
    """,
    "CREATE INDEX people_name ON people (family_name, given_name)",
    """
    CREATE TABLE cases (
        id                INTEGER PRIMARY KEY,
        ref               TEXT NOT NULL UNIQUE,
        opened_on         TEXT NOT NULL,
        closed_on         TEXT,
        referral_date     TEXT,
        referral_source   TEXT NOT NULL,
        primary_person_id INTEGER NOT NULL REFERENCES people (id),
        child_person_id   INTEGER REFERENCES people (id),
        school_setting    TEXT NOT NULL DEFAULT '',
        local_authority   TEXT NOT NULL DEFAULT '',
        ehc_stage         TEXT NOT NULL DEFAULT 'none',
        summary           TEXT NOT NULL DEFAULT '',
        paper_records     TEXT NOT NULL DEFAULT '',
        assigned_officer  TEXT NOT NULL,
        legal_hold        INTEGER NOT NULL DEFAULT 0,
        created_at        TEXT NOT NULL,
        updated_at        TEXT NOT NULL,
        version           INTEGER NOT NULL DEFAULT 1
    )
    """,
    "CREATE INDEX cases_officer ON cases (assigned_officer, closed_on)",
    "CREATE INDEX cases_opened ON cases (opened_on)",
    "CREATE INDEX cases_primary ON cases (primary_person_id)",
    "CREATE INDEX cases_child ON cases (child_person_id)",
    """
    CREATE TABLE case_issue_types (
        case_id    INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        issue_type TEXT NOT NULL,
        PRIMARY KEY (case_id, issue_type)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX case_issue_types_type ON case_issue_types (issue_type)",
    """
    CREATE TABLE case_outcomes (
        case_id INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        outcome TEXT NOT NULL,
        PRIMARY KEY (case_id, outcome)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE case_parties (
        case_id   INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        person_id INTEGER NOT NULL REFERENCES people (id),
        role      TEXT NOT NULL,
        PRIMARY KEY (case_id, person_id, role)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX case_parties_person ON case_parties (person_id)",
    """
    CREATE TABLE case_yp_officers (
        case_id  INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        username TEXT NOT NULL,
        PRIMARY KEY (case_id, username)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE notes (
        id              INTEGER PRIMARY KEY,
        case_id         INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        occurred_at     TEXT NOT NULL,
        type            TEXT NOT NULL,
        author          TEXT NOT NULL,
        body            TEXT NOT NULL,
        confidentiality TEXT NOT NULL DEFAULT 'normal',
        safeguarding    INTEGER NOT NULL DEFAULT 0,
        third_parties   TEXT NOT NULL DEFAULT '[]',
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        deleted_at      TEXT,
        deleted_by      TEXT NOT NULL DEFAULT '',
        version         INTEGER NOT NULL DEFAULT 1
    )
    """,
    "CREATE INDEX notes_case ON notes (case_id, occurred_at)",
    """
    CREATE TABLE consents (
        id               INTEGER PRIMARY KEY,
        case_id          INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        person_id        INTEGER NOT NULL REFERENCES people (id),
        recipient        TEXT NOT NULL,
        recipient_detail TEXT NOT NULL DEFAULT '',
        purpose          TEXT NOT NULL,
        state            TEXT NOT NULL CHECK (state IN ('given', 'withdrawn')),
        recorded_at      TEXT NOT NULL,
        method           TEXT NOT NULL,
        recorded_by      TEXT NOT NULL,
        expires_on       TEXT,
        notes            TEXT NOT NULL DEFAULT ''
    )
    """,
    "CREATE INDEX consents_case ON consents (case_id, person_id)",
    """
    CREATE TABLE share_overrides (
        id               INTEGER PRIMARY KEY,
        case_id          INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        person_id        INTEGER NOT NULL REFERENCES people (id),
        recipient        TEXT NOT NULL,
        recipient_detail TEXT NOT NULL DEFAULT '',
        purpose          TEXT NOT NULL,
        grounds          TEXT NOT NULL,
        justification    TEXT NOT NULL,
        decided_by       TEXT NOT NULL,
        decided_at       TEXT NOT NULL,
        valid_until      TEXT NOT NULL
    )
    """,
    "CREATE INDEX share_overrides_case ON share_overrides (case_id)",
    """
    CREATE TABLE safeguarding_concerns (
        id          INTEGER PRIMARY KEY,
        case_id     INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        raised_on   TEXT NOT NULL,
        description TEXT NOT NULL,
        decided_by  TEXT NOT NULL,
        action      TEXT NOT NULL,
        status      TEXT NOT NULL DEFAULT 'open',
        outcome     TEXT NOT NULL DEFAULT '',
        raised_by   TEXT NOT NULL DEFAULT '',
        created_at  TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        version     INTEGER NOT NULL DEFAULT 1
    )
    """,
    "CREATE INDEX safeguarding_case ON safeguarding_concerns (case_id, status)",
    """
    CREATE TABLE safeguarding_note_links (
        concern_id INTEGER NOT NULL REFERENCES safeguarding_concerns (id) ON DELETE CASCADE,
        note_id    INTEGER NOT NULL REFERENCES notes (id) ON DELETE CASCADE,
        PRIMARY KEY (concern_id, note_id)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE documents (
        id          INTEGER PRIMARY KEY,
        case_id     INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        note_id     INTEGER REFERENCES notes (id) ON DELETE SET NULL,
        filename    TEXT NOT NULL,
        media_type  TEXT NOT NULL,
        size        INTEGER NOT NULL,
        sha256      TEXT NOT NULL,
        description TEXT NOT NULL DEFAULT '',
        added_by    TEXT NOT NULL,
        added_at    TEXT NOT NULL,
        deleted_at  TEXT
    )
    """,
    "CREATE INDEX documents_case ON documents (case_id)",
    # Content apart from the listing, so listing a case's documents reads no blobs.
    """
    CREATE TABLE document_content (
        document_id INTEGER PRIMARY KEY REFERENCES documents (id) ON DELETE CASCADE,
        content     BLOB NOT NULL
    )
    """,
    """
    CREATE TABLE deadlines (
        id         INTEGER PRIMARY KEY,
        case_id    INTEGER REFERENCES cases (id) ON DELETE CASCADE,
        kind       TEXT NOT NULL,
        label      TEXT NOT NULL,
        due_on     TEXT NOT NULL,
        owner      TEXT NOT NULL,
        done_on    TEXT,
        source     TEXT NOT NULL DEFAULT '',
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        version    INTEGER NOT NULL DEFAULT 1
    )
    """,
    "CREATE INDEX deadlines_owner ON deadlines (owner, done_on, due_on)",
    "CREATE INDEX deadlines_case ON deadlines (case_id)",
    """
    CREATE TABLE drafts (
        id         INTEGER PRIMARY KEY,
        username   TEXT NOT NULL,
        case_id    INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
        note_id    INTEGER,
        body       TEXT NOT NULL,
        fields     TEXT NOT NULL DEFAULT '{}',
        updated_at TEXT NOT NULL
    )
    """,
    "CREATE UNIQUE INDEX drafts_key ON drafts (username, case_id, ifnull(note_id, 0))",
    # Full-text search. Contentless: no second copy of the text. Deleted
    # entries linger in index pages until merged (store/search_index.py,
    # purge_deleted). Never edit a released migration, so the secure-delete
    # line below stays even though it does not clear contentless entries.
    """
    CREATE TABLE search_docs (
        id        INTEGER PRIMARY KEY,
        kind      TEXT NOT NULL,
        entity_id INTEGER NOT NULL,
        case_id   INTEGER,
        UNIQUE (kind, entity_id)
    )
    """,
    "CREATE INDEX search_docs_case ON search_docs (case_id)",
    """
    CREATE VIRTUAL TABLE search_fts USING fts5 (
        title, body,
        content = '', contentless_delete = 1,
        tokenize = 'unicode61 remove_diacritics 2'
    )
    """,
    "INSERT INTO search_fts (search_fts, rank) VALUES ('secure-delete', 1)",
)


# Subject access requests (rule 9) and the disclosure log. Withheld items and
# their reasons stay in sar_decisions; nothing here is ever sent. Passphrases
# of encrypted packs are never stored.
_V3 = _script(
    """
    CREATE TABLE sar_requests (
        id                      INTEGER PRIMARY KEY,
        ref                     TEXT NOT NULL UNIQUE,
        requester_person_id     INTEGER NOT NULL REFERENCES people (id),
        relationship            TEXT NOT NULL
                                CHECK (relationship IN ('self', 'parent', 'representative')),
        for_person_id           INTEGER REFERENCES people (id),
        requester_name_override TEXT NOT NULL DEFAULT '',
        received_on             TEXT NOT NULL,
        identity_method         TEXT,
        identity_verified_on    TEXT,
        identity_verified_by    TEXT NOT NULL DEFAULT '',
        identity_notes          TEXT NOT NULL DEFAULT '',
        extension_months        INTEGER NOT NULL DEFAULT 0
                                CHECK (extension_months BETWEEN 0 AND 2),
        extension_reason        TEXT NOT NULL DEFAULT '',
        extension_told_on       TEXT,
        status                  TEXT NOT NULL DEFAULT 'received'
                                CHECK (status IN ('received', 'gathering', 'review', 'sent',
                                                  'refused')),
        refusal_reason          TEXT NOT NULL DEFAULT '',
        sent_on                 TEXT,
        notes                   TEXT NOT NULL DEFAULT '',
        created_by              TEXT NOT NULL,
        created_at              TEXT NOT NULL,
        updated_at              TEXT NOT NULL,
        version                 INTEGER NOT NULL DEFAULT 1,
        CHECK ((identity_method IS NULL) = (identity_verified_on IS NULL))
    )
    """,
    "CREATE INDEX sar_requests_requester ON sar_requests (requester_person_id)",
    "CREATE INDEX sar_requests_for ON sar_requests (for_person_id)",
    "CREATE INDEX sar_requests_status ON sar_requests (status, received_on)",
    """
    CREATE TABLE sar_pauses (
        id          INTEGER PRIMARY KEY,
        sar_id      INTEGER NOT NULL REFERENCES sar_requests (id) ON DELETE CASCADE,
        start_on    TEXT NOT NULL,
        end_on      TEXT,
        reason      TEXT NOT NULL,
        recorded_by TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        CHECK (end_on IS NULL OR end_on >= start_on)
    )
    """,
    "CREATE INDEX sar_pauses_sar ON sar_pauses (sar_id, start_on)",
    # The clock can only be stopped once at a time.
    "CREATE UNIQUE INDEX sar_pauses_one_open ON sar_pauses (sar_id) WHERE end_on IS NULL",
    """
    CREATE TABLE sar_decisions (
        id          INTEGER PRIMARY KEY,
        sar_id      INTEGER NOT NULL REFERENCES sar_requests (id) ON DELETE CASCADE,
        item_key    TEXT NOT NULL,
        decision    TEXT NOT NULL CHECK (decision IN ('disclose', 'redact', 'withhold')),
        exemption   TEXT,
        spans       TEXT NOT NULL DEFAULT '[]',
        decided_by  TEXT NOT NULL,
        decided_at  TEXT NOT NULL,
        suggested   INTEGER NOT NULL DEFAULT 0,
        note        TEXT NOT NULL DEFAULT '',
        text_sha256 TEXT NOT NULL DEFAULT '',
        UNIQUE (sar_id, item_key)
    )
    """,
    """
    CREATE TABLE disclosures (
        id          INTEGER PRIMARY KEY,
        kind        TEXT NOT NULL CHECK (kind IN ('sar', 'extract')),
        sar_id      INTEGER REFERENCES sar_requests (id),
        other_ref   TEXT NOT NULL DEFAULT '',
        recipient   TEXT NOT NULL,
        sent_at     TEXT NOT NULL,
        made_by     TEXT NOT NULL,
        sha256      TEXT NOT NULL,
        page_count  INTEGER NOT NULL CHECK (page_count >= 0),
        encrypted   INTEGER NOT NULL CHECK (encrypted IN (0, 1)),
        file_name   TEXT NOT NULL DEFAULT '',
        CHECK (kind <> 'sar' OR sar_id IS NOT NULL)
    )
    """,
    "CREATE INDEX disclosures_sar ON disclosures (sar_id)",
    # Whose personal data a disclosure carried, so a later SAR can list it.
    """
    CREATE TABLE disclosure_subjects (
        disclosure_id INTEGER NOT NULL REFERENCES disclosures (id) ON DELETE CASCADE,
        person_id     INTEGER NOT NULL REFERENCES people (id),
        PRIMARY KEY (disclosure_id, person_id)
    ) WITHOUT ROWID
    """,
    "CREATE INDEX disclosure_subjects_person ON disclosure_subjects (person_id)",
    "CREATE INDEX deadlines_source ON deadlines (source)",
)


_V4 = _script(
    # Disposal leaves only non-identifying facts: a salted hash of the case
    # reference (so a later question "was X destroyed?" can be answered by
    # someone who knows X), dates, counts and who approved.
    """
    CREATE TABLE disposal_log (
        id                INTEGER PRIMARY KEY,
        case_ref_hash     TEXT NOT NULL,
        opened_year       INTEGER,
        closed_on         TEXT,
        keep_until        TEXT,
        disposed_at       TEXT NOT NULL,
        approved_by       TEXT NOT NULL,
        schedule          TEXT NOT NULL,
        notes_deleted     INTEGER NOT NULL DEFAULT 0,
        documents_deleted INTEGER NOT NULL DEFAULT 0,
        people_deleted    INTEGER NOT NULL DEFAULT 0,
        paper_records     INTEGER NOT NULL DEFAULT 0
    )
    """,
    """
    CREATE TABLE legal_requests (
        id                INTEGER PRIMARY KEY,
        ref               TEXT NOT NULL UNIQUE,
        case_id           INTEGER REFERENCES cases (id) ON DELETE SET NULL,
        requesting_body   TEXT NOT NULL,
        legal_basis       TEXT NOT NULL,
        description       TEXT NOT NULL,
        received_on       TEXT NOT NULL,
        status            TEXT NOT NULL DEFAULT 'awaiting_approval',
        consent_recorded  INTEGER NOT NULL DEFAULT 0,
        disclosure_id     INTEGER REFERENCES disclosures (id),
        family_copy_id    INTEGER REFERENCES disclosures (id),
        created_by        TEXT NOT NULL,
        created_at        TEXT NOT NULL,
        version           INTEGER NOT NULL DEFAULT 1
    )
    """,
    """
    CREATE TABLE legal_request_approvals (
        request_id  INTEGER NOT NULL REFERENCES legal_requests (id) ON DELETE CASCADE,
        manager     TEXT NOT NULL,
        decision    TEXT NOT NULL CHECK (decision IN ('approve', 'refuse')),
        reason      TEXT NOT NULL,
        decided_at  TEXT NOT NULL,
        PRIMARY KEY (request_id, manager)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE escalations (
        id            INTEGER PRIMARY KEY,
        case_id       INTEGER REFERENCES cases (id) ON DELETE CASCADE,
        identified    INTEGER NOT NULL DEFAULT 0,
        consent_id    INTEGER REFERENCES consents (id),
        letter        TEXT NOT NULL,
        created_by    TEXT NOT NULL,
        created_at    TEXT NOT NULL,
        exported_at   TEXT
    )
    """,
)


def _v5(conn: Connection) -> None:
    # Search as you type (store/search.py): a prefix index for two- and
    # three-character prefixes, so "jo"* or "sch"* reads one doclist instead
    # of merging every word that starts that way; and note types move from
    # the title to the body (store/search_index.py), so the title search reads
    # names and references only. A contentless table cannot re-read its own
    # text, so the index is dropped (secure_delete zeroes its pages, and with
    # them any words of deleted notes not yet merged away) and written again
    # from the records. One transaction with the version bump, like every
    # migration: interrupted, the store stays at version 4 with its old index.
    conn.execute("DROP TABLE search_fts")
    conn.execute(
        """
        CREATE VIRTUAL TABLE search_fts USING fts5 (
            title, body,
            content = '', contentless_delete = 1,
            tokenize = 'unicode61 remove_diacritics 2',
            prefix = '2 3'
        )
        """
    )
    # As in version 2 (see there).
    conn.execute("INSERT INTO search_fts (search_fts, rank) VALUES ('secure-delete', 1)")
    search_index.rebuild(conn)


# Case totals per officer, kept by triggers, so the case list's count for its
# usual views (open / closed / all, anyone's or one officer's) is one small
# read. Counting 50,000 cases read ~200 index pages, and on a fresh
# connection SQLCipher decrypts each one: 2.5-5 ms against 1-2 ms for plain
# SQLite (benchmarks/RESULTS.md). store/case_counts.py reads the table and
# store/integrity.py checks it against the cases themselves. The triggers add
# an officer's row with INSERT … WHERE NOT EXISTS, not INSERT OR IGNORE: a
# statement's own conflict clause (INSERT OR REPLACE INTO cases …) overrides
# the one inside a trigger, and would reset or refuse the row.
_V6 = _script(
    """
    CREATE TABLE case_counts (
        officer     TEXT PRIMARY KEY,
        all_cases   INTEGER NOT NULL DEFAULT 0,
        open_cases  INTEGER NOT NULL DEFAULT 0
    ) WITHOUT ROWID
    """,
    """
    INSERT INTO case_counts (officer, all_cases, open_cases)
    SELECT assigned_officer, count(*), count(*) - count(closed_on)
    FROM cases GROUP BY assigned_officer
    """,
    """
    CREATE TRIGGER case_counts_insert AFTER INSERT ON cases
    BEGIN
        INSERT INTO case_counts (officer) SELECT NEW.assigned_officer
        WHERE NOT EXISTS (SELECT 1 FROM case_counts WHERE officer = NEW.assigned_officer);
        UPDATE case_counts
        SET all_cases = all_cases + 1, open_cases = open_cases + (NEW.closed_on IS NULL)
        WHERE officer = NEW.assigned_officer;
    END
    """,
    """
    CREATE TRIGGER case_counts_delete AFTER DELETE ON cases
    BEGIN
        UPDATE case_counts
        SET all_cases = all_cases - 1, open_cases = open_cases - (OLD.closed_on IS NULL)
        WHERE officer = OLD.assigned_officer;
    END
    """,
    """
    CREATE TRIGGER case_counts_update AFTER UPDATE OF assigned_officer, closed_on ON cases
    WHEN OLD.assigned_officer IS NOT NEW.assigned_officer
      OR (OLD.closed_on IS NULL) IS NOT (NEW.closed_on IS NULL)
    BEGIN
        UPDATE case_counts
        SET all_cases = all_cases - 1, open_cases = open_cases - (OLD.closed_on IS NULL)
        WHERE officer = OLD.assigned_officer;
        INSERT INTO case_counts (officer) SELECT NEW.assigned_officer
        WHERE NOT EXISTS (SELECT 1 FROM case_counts WHERE officer = NEW.assigned_officer);
        UPDATE case_counts
        SET all_cases = all_cases + 1, open_cases = open_cases + (NEW.closed_on IS NULL)
        WHERE officer = NEW.assigned_officer;
    END
    """,
)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "users, store metadata and the audit log", _V1),
    Migration(2, "casework: people, cases, notes, consent, safeguarding, documents, "
                 "deadlines, drafts and search", _V2),
    Migration(3, "subject access requests: register, clock pauses, review decisions and the "
                 "disclosure log", _V3),
    Migration(4, "disposal log, legal requests with two-manager approval, anonymous "
                 "escalations", _V4),
    Migration(5, "search index rebuilt with prefix indexes; note types searched as body text",
              _v5),
    Migration(6, "case totals kept by triggers for the case list's count", _V6),
)

LATEST_VERSION = MIGRATIONS[-1].version


def current_version(conn: Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def pending(conn: Connection) -> list[Migration]:
    version = current_version(conn)
    if version > LATEST_VERSION:
        raise StoreTooNew(version, LATEST_VERSION)
    return [m for m in MIGRATIONS if m.version > version]


def migrate(conn: Connection, target: int | None = None) -> list[int]:
    """Bring the schema up to ``target`` (default: latest). Returns versions applied."""
    applied: list[int] = []
    goal = LATEST_VERSION if target is None else target
    for migration in pending(conn):
        if migration.version > goal:
            break
        with transaction(conn):
            # Re-check inside the write lock: another process may have migrated.
            if current_version(conn) >= migration.version:
                continue
            migration.apply(conn)
            # PRAGMA takes no parameters; the version is our own integer.
            conn.execute(f"PRAGMA user_version = {int(migration.version)}")
        applied.append(migration.version)
    return applied
