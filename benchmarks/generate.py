"""Build (or reuse) a cached benchmark store: ``python -m benchmarks.generate --size typical``.

Steps, each skipped when already done (recorded in ``<size>/done-*`` marker files):
  base      new store (device_binding=False, KDF at the floor), 4 officers, demo cases
  documents top documents up to the size's target with services.documents.add_document
  fixtures  one case given 500 notes (open-case benchmark); one SAR subject case with
            1,000 notes and 30 one-page PDF attachments (SAR pack benchmark)
  plain     an unencrypted twin via sqlcipher_export, for the overhead ratios
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from datetime import date

from benchmarks import common
from benchmarks.common import ADMIN, ADMIN_PASSWORD, CACHE, SIZES, loadavg


def _session(size: str):
    from sendiass_desktop.services.session import StoreLocation, unlock_with_password

    return unlock_with_password(StoreLocation.of(common.store_path(size)), ADMIN, ADMIN_PASSWORD)


def _mark(size: str, step: str, info: dict) -> None:
    info = {**info, "loadavg_after": loadavg()}
    (CACHE / size / f"done-{step}.json").write_text(json.dumps(info, indent=2, default=str))
    print(step, info, flush=True)


def _done(size: str, step: str) -> bool:
    return (CACHE / size / f"done-{step}.json").exists()


def step_base(size: str) -> None:
    from sendiass_desktop.domain.roles import Role
    from sendiass_desktop.services import demo_data, users
    from sendiass_desktop.services.session import StoreLocation
    from sendiass_desktop.services.setup import create_store
    from sendiass_desktop.store import kdf

    folder = CACHE / size
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    location = StoreLocation.of(common.store_path(size))
    create_store(location, admin_username=ADMIN, admin_password=ADMIN_PASSWORD,
                 admin_display_name="Alice Admin", service_name="Benchmark DEMO SENDIASS",
                 device_binding=False, kdf_params=kdf.MINIMUM)
    s = _session(size)
    try:
        for name, role in (("bob", Role.OFFICER), ("carol", Role.OFFICER),
                           ("dan", Role.OFFICER), ("erin", Role.MANAGER)):
            users.add_user(s, name, role, password="staple orange lantern " + str(len(name) * 7))
        load0 = loadavg()
        wall, cpu_s, summary = common.timed(lambda: demo_data.generate(
            s, cases=SIZES[size][0], seed=common.SEED,
            today=date.fromisoformat(common.TODAY_ISO)))
        _mark(size, "base", {"wall_s": wall, "cpu_s": cpu_s, "loadavg_before": load0,
                             "summary": summary.describe()})
    finally:
        s.close()


def step_documents(size: str) -> None:
    from sendiass_desktop.services import documents

    s = _session(size)
    try:
        have = s.conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        target = SIZES[size][1]
        case_ids = [r[0] for r in s.conn.execute(
            "SELECT id FROM cases ORDER BY id LIMIT ?", (max(target - have, 0),))]
        t0 = time.perf_counter()
        for i, case_id in enumerate(case_ids):
            body = (f"Letter {i} for case {case_id}\n\nDear Sir or Madam,\n\n"
                    + "We write about the school placement and the EHC plan. " * 40).encode()
            documents.add_document(s, case_id, f"letter-{i}.txt", body, "Benchmark letter")
        _mark(size, "documents", {"before": have, "added": len(case_ids),
                                  "wall_s": time.perf_counter() - t0})
    finally:
        s.close()



NOTE_WORDS = ("Spoke to mum about the school transport and the EHC needs assessment. "
              "The SENCo agreed to a meeting next week; we talked through the draft plan, "
              "sections B and F, the annual review and the tribunal timetable. "
              "Sent the information pack and a template letter to the local authority.")


def _pdf_pages(title: str, pages: int) -> bytes:
    import io

    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4, invariant=1)
    for page in range(pages):
        pdf.setFont("Helvetica", 11)
        pdf.drawString(72, 770, f"{title}: page {page + 1} of {pages}")
        y = 740
        for line in range(40):
            pdf.drawString(72, y, f"Line {line}: the school report says progress is steady "
                                  "with support from the teaching assistant.")
            y -= 16
        pdf.showPage()
    pdf.save()
    return buf.getvalue()


def _bulk_notes(conn, case_id: int, n: int, author: str, start) -> None:
    """Notes straight through the store layer (one transaction), indexed like add_note."""
    from datetime import timedelta

    from sendiass_desktop.domain.notes import Note, NoteType
    from sendiass_desktop.store import notes as notes_repo
    from sendiass_desktop.store import search_index
    from sendiass_desktop.store.connection import transaction

    types = [t for t in NoteType]
    with transaction(conn):
        for i in range(n):
            when = start + timedelta(hours=7 * i)
            note = Note(case_id=case_id, occurred_at=when, type=types[i % len(types)],
                        author=author, body=f"Contact {i}. " + NOTE_WORDS,
                        created_at=when, updated_at=when)
            saved = notes_repo.insert(conn, note)
            search_index.index_note(conn, saved)


def step_fixtures(size: str) -> None:
    from datetime import UTC, datetime

    from sendiass_desktop.services import documents

    s = _session(size)
    try:
        conn = s.conn
        start = datetime(2024, 1, 8, 9, 30, tzinfo=UTC)
        # Case for "open a case with 500 notes": the newest-but-one open case.
        big_case = conn.execute("SELECT id FROM cases ORDER BY id DESC LIMIT 1 OFFSET 1"
                                ).fetchone()[0]
        have = conn.execute("SELECT count(*) FROM notes WHERE case_id=?", (big_case,)
                            ).fetchone()[0]
        _bulk_notes(conn, big_case, max(0, 500 - have), ADMIN, start)
        # SAR subject: the primary person of a case with only that person as subject.
        sar_case, person = conn.execute(
            "SELECT id, primary_person_id FROM cases WHERE primary_person_id NOT IN "
            "(SELECT primary_person_id FROM cases GROUP BY primary_person_id "
            " HAVING count(*) > 1) ORDER BY id DESC LIMIT 1 OFFSET 10").fetchone()
        have_sar = conn.execute("SELECT count(*) FROM notes WHERE case_id=?", (sar_case,)
                                ).fetchone()[0]
        _bulk_notes(conn, sar_case, max(0, 1000 - have_sar), ADMIN, start)
        for i in range(10):  # 10 PDFs x 3 pages = 30 attachment pages
            documents.add_document(s, sar_case, f"school-report-{i}.pdf",
                                   _pdf_pages(f"School report {i}", 3), "Benchmark report")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        info = {"open_case_id": big_case, "sar_case_id": sar_case, "sar_person_id": person,
                "open_case_notes": conn.execute("SELECT count(*) FROM notes WHERE case_id=?",
                                                (big_case,)).fetchone()[0],
                "sar_case_notes": conn.execute("SELECT count(*) FROM notes WHERE case_id=?",
                                               (sar_case,)).fetchone()[0],
                "sar_case_documents": conn.execute(
                    "SELECT count(*) FROM documents WHERE case_id=?", (sar_case,)).fetchone()[0]}
        _mark(size, "fixtures", info)
    finally:
        s.close()


def step_plain(size: str) -> None:
    """The unencrypted twin: same schema and rows, no key (sqlcipher_export)."""
    plain = common.plain_path(size)
    for p in (plain, plain.with_name(plain.name + "-wal"), plain.with_name(plain.name + "-shm")):
        p.unlink(missing_ok=True)
    s = _session(size)
    try:
        t0 = time.perf_counter()
        s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        s.conn.execute(f"ATTACH DATABASE '{plain}' AS plain KEY ''")
        s.conn.execute("SELECT sqlcipher_export('plain')")
        # sqlcipher_export copies schema and rows, not the user_version (schema version).
        version = int(s.conn.execute("PRAGMA main.user_version").fetchone()[0])
        s.conn.execute(f"PRAGMA plain.user_version = {version}")
        s.conn.execute("DETACH DATABASE plain")
        _mark(size, "plain", {"wall_s": time.perf_counter() - t0,
                              "bytes": plain.stat().st_size,
                              "encrypted_bytes": common.store_path(size).stat().st_size})
    finally:
        s.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--size", choices=sorted(SIZES), default="typical")
    p.add_argument("--steps", default="base,documents,fixtures,plain")
    args = p.parse_args(argv)
    for step in args.steps.split(","):
        if _done(args.size, step):
            print(f"{step}: cached", flush=True)
            continue
        globals()[f"step_{step}"](args.size)
    return 0


if __name__ == "__main__":
    sys.exit(main())
