"""End to end: a SAR pack built from a seeded store, opened and taken apart.

Proves on the real renderer and real encryption that what was withheld or
redacted is nowhere in the file (extracted text, every decompressed stream,
the metadata and the trailer), that the file opens only with its passphrase,
that qpdf finds it sound, and that the disclosure log matches the file.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import subprocess
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from pypdf import PdfReader

from sendiass_desktop.cli import EXIT_AUTH, EXIT_OK, EXIT_USAGE, main
from sendiass_desktop.domain.audit import AuditAction
from sendiass_desktop.domain.errors import InvalidInput
from sendiass_desktop.domain.exemptions import Exemption
from sendiass_desktop.domain.redaction import Decision
from sendiass_desktop.domain.sar import IdentityMethod, Relationship
from sendiass_desktop.services import notes
from sendiass_desktop.services import sar as sar_service
from sendiass_desktop.services.sar import ReviewItemView
from sendiass_desktop.services.sar_gather import ItemKind, segments_in_range
from sendiass_desktop.services.session import Session
from sendiass_desktop.store import audit_log
from sendiass_desktop.store import sar as sar_repo
from sendiass_desktop.store.cancel import OperationCancelled
from tests.conftest import ADMIN, ADMIN_PASSWORD, OFFICER, OFFICER_PASSWORD, StoreFixture
from tests.integration import test_sar as base
from tests.integration.test_sar import (
    CONCERN_SECRET,
    PDF_MARKER,
    RESTRICTED_SECRET,
    SAFEGUARDING_SECRET,
    YP_CASE_SECRET,
    YP_DOC_SECRET,
    YP_SECRET,
    Seeded,
    parent_request,
    views_by_key,
)
from tests.support.cancel_points import cancel_once_laid_out

pytestmark = pytest.mark.e2e

# The seeded family and the team of users, shared with the service-level tests.
team = base.team
seeded = base.seeded

SECRETS = (YP_SECRET, RESTRICTED_SECRET, SAFEGUARDING_SECRET, CONCERN_SECRET, YP_CASE_SECRET,
           YP_DOC_SECRET)


# --- taking a pack apart -----------------------------------------------------------------


def squash(text: str) -> str:
    return " ".join(text.split())


def extracted_text(pdf_bytes: bytes, password: str | None) -> str:
    """The text as two different extractors see it, whitespace collapsed."""
    reader = PdfReader(io.BytesIO(pdf_bytes), password=password)
    via_pypdf = "\n".join(page.extract_text() or "" for page in reader.pages)
    with pdfplumber.open(io.BytesIO(pdf_bytes), password=password or "") as doc:
        via_plumber = "\n".join(page.extract_text() or "" for page in doc.pages)
    return squash(via_pypdf) + "\n" + squash(via_plumber)


def raw_decrypted_bytes(pdf_bytes: bytes, password: str | None) -> bytes:
    """Every object, every stream decompressed, the metadata and the trailer, decrypted."""
    parts: list[bytes] = []
    with pikepdf.open(io.BytesIO(pdf_bytes), password=password or "") as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                parts.append(obj.read_bytes(pikepdf.StreamDecodeLevel.generalized))
                parts.append(bytes(obj.stream_dict.unparse()))
            else:
                parts.append(bytes(obj.unparse()))
        parts.append(bytes(pdf.trailer.unparse()))
        parts.append(repr(dict(pdf.docinfo.items())).encode())
        whole = io.BytesIO()
        pdf.save(whole, encryption=False, qdf=True, compress_streams=False,
                 stream_decode_level=pikepdf.StreamDecodeLevel.generalized,
                 object_stream_mode=pikepdf.ObjectStreamMode.disable)
        parts.append(whole.getvalue())
    return b"\n".join(parts)


def encodings(text: str) -> list[bytes]:
    forms = [text.encode("latin-1", "ignore"), text.encode("utf-8"), text.encode("utf-16-be")]
    hexed = [f.hex().encode() for f in forms]
    return [f for f in forms + hexed + [h.upper() for h in hexed] if f]


def assert_absent(needle: str, text: str, raw: bytes) -> None:
    assert squash(needle) not in text, needle
    for form in encodings(needle):
        assert form not in raw, needle


def disclosed_texts(view: ReviewItemView) -> list[str]:
    """The runs of an item's text that the pack must show (between redaction bars)."""
    d = view.decision
    spans = d.spans if d.decision is Decision.REDACT else ()
    item = view.item
    runs: list[str] = []
    for f in item.fields:
        runs += [s.text for s in segments_in_range(item.text, spans, f.start, f.end) if s.text]
    runs += [s.text for s in segments_in_range(item.text, spans, item.body_start,
                                               len(item.text)) if s.text]
    return [squash(r) for r in runs if squash(r)]


def assert_pack_honours_decisions(views: list[ReviewItemView], pdf_bytes: bytes,
                                  password: str | None) -> tuple[str, bytes]:
    text = extracted_text(pdf_bytes, password)
    raw = raw_decrypted_bytes(pdf_bytes, password)
    for v in views:
        d = v.decision
        if v.item.kind is ItemKind.DOCUMENT:
            continue
        if d.decision is Decision.WITHHOLD:
            body = squash(v.item.body)
            if body:
                assert_absent(body, text, raw)
            continue
        for run in disclosed_texts(v):
            assert run in text, (v.key, run)
        for span in d.spans:
            assert_absent(v.item.text[span.start:span.end], text, raw)
    for secret in SECRETS:
        assert_absent(secret, text, raw)
    return text, raw


# --- through the services -------------------------------------------------------------------


def test_pack_through_the_services(team: dict[str, Session], seeded: Seeded,
                                   tmp_path: Path) -> None:
    m = team["manager"]
    s = seeded
    sar_id = parent_request(m, s)
    views = views_by_key(sar_service.review_items(m, sar_id))
    # A manager's own decisions on some items: an extra redaction and a withheld note.
    normal = views[s.note_key("normal")]
    extra = normal.item.text.index("the school will help")
    span = sar_service.select_span(normal.item, extra, extra + len("the school will help"),
                                   Exemption.SERIOUS_HARM)
    sar_service.save_decision(m, sar_id, sar_service.add_span(normal.item, normal.decision,
                                                              span))
    sar_service.save_decision(m, sar_id, sar_service.withhold(
        s.note_key("named"), Exemption.SERIOUS_HARM, note="reviewed with the team"))
    out = tmp_path / "packs"
    out.mkdir()
    pack_path = out / "SAR-pack.pdf"
    result = sar_service.build_pack(m, sar_id, pack_path, accept_suggested=True,
                                    progress=lambda fraction: None)
    final_views = sar_service.review_items(m, sar_id)
    assert all(v.decided for v in final_views)
    data = pack_path.read_bytes()
    assert result.passphrase and result.path == pack_path.absolute()
    assert sorted(p.name for p in out.iterdir()) == ["SAR-pack.pdf"]  # no temp file left

    # Only the passphrase opens it.
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(io.BytesIO(data))
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(io.BytesIO(data), password="wrong-words-entirely-here-now")
    with pikepdf.open(io.BytesIO(data), password=result.passphrase) as pdf:
        assert pdf.is_encrypted and pdf.encryption.R == 6
        assert pdf.encryption.stream_method.name == "aesv3"
    for secret in ("Sarah", "Jones", PDF_MARKER, "S2P3"):
        assert secret.encode() not in data  # nothing readable without the passphrase

    text, raw = assert_pack_honours_decisions(final_views, data, result.passphrase)
    by_key = views_by_key(final_views)
    # The withheld note, the young person's note and the manager's extra redaction.
    assert_absent("Spoke to Mrs", text, raw)
    assert_absent("the school will help", text, raw)
    for name in ("Mark Jones", "Priya", "Patel", "Okafor"):
        assert_absent(name, text, raw)
    # What was disclosed is there, with the subjects' own names.
    assert "Sarah Jones called about Tom's assessment." in text
    assert "S2P3" in text and "S3-HARM" in text  # the bars and their key
    assert PDF_MARKER in text and PDF_MARKER.encode() in raw  # the PDF attachment
    assert "drawing.png" in text  # the image attachment's caption
    assert by_key[f"document:{s.png.id}"].decision.decision is Decision.DISCLOSE
    # The key explains only the codes on bars, never why things were withheld.
    assert "YP-CONF" not in text and "S3P5" not in text
    # Metadata: nothing about the requester.
    with pikepdf.open(io.BytesIO(data), password=result.passphrase) as pdf:
        info = " ".join(str(v) for v in pdf.docinfo.values())
        assert "Sarah" not in info and "Jones" not in info

    # qpdf agrees the file is sound, and needs the passphrase too.
    check = subprocess.run(["qpdf", "--check", f"--password={result.passphrase}",
                            str(pack_path)], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No syntax or stream encoding errors" in check.stdout
    locked = subprocess.run(["qpdf", "--check", str(pack_path)], capture_output=True,
                            text=True, check=False)
    assert locked.returncode != 0

    # The disclosure log matches the file; the passphrase is nowhere in the store.
    logged = sar_repo.get_disclosure(m.conn, result.disclosure_id)
    assert logged.sha256 == hashlib.sha256(data).hexdigest() == result.sha256
    pages = len(PdfReader(io.BytesIO(data), password=result.passphrase).pages)
    assert logged.page_count == pages == result.page_count
    assert logged.encrypted and logged.kind == "sar" and logged.sar_id == sar_id
    assert logged.recipient == "Sarah Jones" and logged.made_by == "dave"
    assert set(logged.subject_ids) == {s.parent.id, s.child.id}
    assert result.withheld >= 7 and result.redacted >= 2
    tables = [r[0] for r in m.conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%'")]
    for table in tables:
        rows = m.conn.execute(f"SELECT * FROM {table}").fetchall()  # noqa: S608
        assert result.passphrase not in repr(rows), table
    exported = [e for e in audit_log.iter_entries(m.conn)
                if e.action == AuditAction.EXPORTED.value]
    assert len(exported) == 1 and exported[0].target_id == str(sar_id)
    detail = json.loads(exported[0].detail)
    assert detail["encrypted"] is True and detail["sha256"] == result.sha256
    assert "Jones" not in exported[0].detail
    # Status is the manager's to move.
    assert sar_service.get_sar(m, sar_id).status.code == "review"
    assert sar_service.mark_sent(m, sar_id).status.code == "sent"
    # A later request sees this disclosure among the records.
    assert s.parent.id is not None
    later = sar_service.create_sar_for_refs(m, s.parent.ref, Relationship.SELF,
                                            date.today(),
                                            identity_method=IdentityMethod.PHOTO_ID)
    assert later.id is not None
    assert f"disclosure:{result.disclosure_id}" in views_by_key(
        sar_service.review_items(m, later.id))


def test_unencrypted_pack_only_when_asked_and_audited(team: dict[str, Session],
                                                      seeded: Seeded, tmp_path: Path) -> None:
    m = team["manager"]
    sar_id = parent_request(m, seeded)
    sar_service.accept_suggested(m, sar_id)
    encrypted = sar_service.build_pack(m, sar_id, tmp_path / "default.pdf")
    assert encrypted.passphrase is not None
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(tmp_path / "default.pdf")
    plain = sar_service.build_pack(m, sar_id, tmp_path / "plain.pdf", encrypt=False)
    assert plain.passphrase is None and not plain.encrypted
    data = (tmp_path / "plain.pdf").read_bytes()
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert not pdf.is_encrypted
        assert len(pdf.pages) == plain.page_count
    assert_pack_honours_decisions(sar_service.review_items(m, sar_id), data, None)
    exported = [json.loads(e.detail) for e in audit_log.iter_entries(m.conn)
                if e.action == AuditAction.EXPORTED.value]
    assert [d["encrypted"] for d in exported] == [True, False]
    assert not sar_repo.get_disclosure(m.conn, plain.disclosure_id).encrypted
    assert hashlib.sha256(data).hexdigest() == plain.sha256


def test_cancel_while_the_pack_is_encrypted_writes_and_logs_nothing(
        team: dict[str, Session], seeded: Seeded, tmp_path: Path) -> None:
    m = team["manager"]
    sar_id = parent_request(m, seeded)
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    seen: list[float] = []
    with pytest.raises(OperationCancelled):
        sar_service.build_pack(m, sar_id, out_dir / "pack.pdf", accept_suggested=True,
                               progress=cancel_once_laid_out(seen))
    assert seen[-1] == 1.0  # the whole pack was laid out before Cancel took effect
    assert list(out_dir.iterdir()) == []
    assert not [e for e in audit_log.iter_entries(m.conn)
                if e.action == AuditAction.EXPORTED.value]
    assert sar_repo.disclosures_for_sar(m.conn, sar_id) == []


def test_young_persons_own_pack_includes_their_confidences(team: dict[str, Session],
                                                           seeded: Seeded,
                                                           tmp_path: Path) -> None:
    m = team["manager"]
    sar = sar_service.create_sar_for_refs(m, seeded.child.ref, Relationship.SELF,
                                          date.today() - timedelta(days=3),
                                          identity_method=IdentityMethod.PHOTO_ID)
    assert sar.id is not None
    result = sar_service.build_pack(m, sar.id, tmp_path / "tom.pdf", accept_suggested=True)
    assert result.passphrase is not None
    data = (tmp_path / "tom.pdf").read_bytes()
    text = extracted_text(data, result.passphrase)
    assert YP_SECRET in text and YP_CASE_SECRET in text  # Tom's own words, to Tom
    raw = raw_decrypted_bytes(data, result.passphrase)
    assert_absent("Sarah Jones", text, raw)  # his mother is a third party to him
    assert_absent(RESTRICTED_SECRET, text, raw)
    assert_absent(SAFEGUARDING_SECRET, text, raw)


# --- through the command line -----------------------------------------------------------------


def cli(store: StoreFixture, *args: str, user: str = ADMIN,
        password: str = ADMIN_PASSWORD) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["--store", str(store.path), "--user", user, "--password-stdin", *args],
                stdin=io.StringIO(password + "\n"), stdout=out)
    return code, out.getvalue()


def test_cli_new_then_pack_for_a_parent(team: dict[str, Session], seeded: Seeded,
                                        store: StoreFixture, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    received = (date.today() - timedelta(days=10)).isoformat()
    code, out = cli(store, "sar", "new", "--subject", seeded.parent.ref, "--requester", "parent",
                    "--for-person", seeded.child.ref, "--received", received,
                    "--identity-verified", "photo_id")
    assert code == EXIT_OK, capsys.readouterr().err
    assert re.fullmatch(r"SAR-\d{4}-\d{4}\n", out)  # only the reference
    ref = out.strip()
    pack, secret = tmp_path / "pack.pdf", tmp_path / "passphrase.txt"
    # Nothing reviewed yet: refused, and nothing is left behind.
    code, _ = cli(store, "sar", "pack", ref, "--out", str(pack), "--passphrase-out", str(secret))
    assert code == EXIT_USAGE and "no decision yet" in capsys.readouterr().err
    assert not pack.exists() and not secret.exists()
    code, out = cli(store, "sar", "pack", ref, "--out", str(pack), "--passphrase-out",
                    str(secret), "--accept-suggested")
    assert code == EXIT_OK, capsys.readouterr().err
    assert str(pack) in out and "encrypted" in out
    assert secret.stat().st_mode & 0o777 == 0o600
    passphrase = secret.read_text().strip()
    assert passphrase not in out  # the passphrase goes only to its file
    data = pack.read_bytes()
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(io.BytesIO(data), password="not the right one at all")
    manager = team["manager"]
    sar = sar_service.get_sar(manager, ref)
    assert sar.id is not None
    views = sar_service.review_items(manager, sar.id)
    assert all(v.decided and v.decision.suggested for v in views)
    yp = views_by_key(views)[seeded.note_key("yp")]
    assert yp.decision.decision is Decision.WITHHOLD
    assert yp.decision.exemption is Exemption.YOUNG_PERSON_CONFIDENCE
    assert_pack_honours_decisions(views, data, passphrase)
    check = subprocess.run(["qpdf", "--check", f"--password={passphrase}", str(pack)],
                           capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    [logged] = sar_repo.disclosures_for_sar(manager.conn, sar.id)
    assert logged.sha256 == hashlib.sha256(data).hexdigest()
    assert logged.page_count == len(PdfReader(io.BytesIO(data), password=passphrase).pages)
    # Never overwrites: neither the pack nor the passphrase file.
    other = tmp_path / "other.txt"
    code, _ = cli(store, "sar", "pack", ref, "--out", str(pack), "--passphrase-out", str(other))
    assert code == EXIT_USAGE and "already exists" in capsys.readouterr().err
    code, _ = cli(store, "sar", "pack", ref, "--out", str(tmp_path / "new.pdf"),
                  "--passphrase-out", str(secret))
    assert code == EXIT_USAGE and "already exists" in capsys.readouterr().err
    assert pack.read_bytes() == data and secret.read_text().strip() == passphrase
    assert not other.exists() and not (tmp_path / "new.pdf").exists()
    code, out = cli(store, "sar", "list")
    assert code == EXIT_OK and out.startswith(f"{ref}\treview\t{received}\t")


def test_cli_identity_first_and_officers_refused(team: dict[str, Session], seeded: Seeded,
                                                 store: StoreFixture, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    today = date.today().isoformat()
    code, _ = cli(store, "sar", "new", "--subject", seeded.parent.ref, "--requester", "self",
                  "--received", today, user=OFFICER, password=OFFICER_PASSWORD)
    assert code == EXIT_AUTH and "does not allow" in capsys.readouterr().err
    code, _ = cli(store, "sar", "new", "--subject", seeded.parent.ref, "--requester", "parent",
                  "--received", today)
    assert code == EXIT_USAGE and "--for-person" in capsys.readouterr().err
    code, out = cli(store, "sar", "new", "--subject", seeded.child.ref, "--requester", "self",
                    "--received", today)
    assert code == EXIT_OK
    ref = out.strip()
    pack, secret = tmp_path / "tom.pdf", tmp_path / "tom.txt"
    code, _ = cli(store, "sar", "pack", ref, "--out", str(pack), "--passphrase-out", str(secret),
                  "--accept-suggested")
    assert code == EXIT_USAGE and "identity" in capsys.readouterr().err
    assert not pack.exists() and not secret.exists()
    code, out = cli(store, "sar", "verify", ref, "--method", "known", "--on", today)
    assert code == EXIT_OK and ref in out
    code, _ = cli(store, "sar", "pack", ref, "--out", str(pack), "--passphrase-out", str(secret),
                  "--accept-suggested", user=OFFICER, password=OFFICER_PASSWORD)
    assert code == EXIT_AUTH and not secret.exists()
    code, _ = cli(store, "sar", "pack", ref, "--out", str(pack), "--passphrase-out", str(secret),
                  "--accept-suggested")
    assert code == EXIT_OK, capsys.readouterr().err
    text = extracted_text(pack.read_bytes(), secret.read_text().strip())
    assert YP_SECRET in text  # Tom asked for his own records
    code, _ = cli(store, "sar", "verify", "SAR-1999-0001", "--method", "known", "--on", today)
    assert code != EXIT_OK


def test_stale_decision_blocks_the_pack_until_reviewed(team: dict[str, Session],
                                                       seeded: Seeded, tmp_path: Path) -> None:
    m = team["manager"]
    sar_id = parent_request(m, seeded)
    sar_service.accept_suggested(m, sar_id)
    note = notes.get_note(team["officer"], seeded.notes["normal"].id or 0)
    notes.update_note(team["officer"], replace(note, body=note.body + " Mark Jones rang again."))
    with pytest.raises(InvalidInput, match="changed after"):
        sar_service.build_pack(m, sar_id, tmp_path / "p.pdf")
    result = sar_service.build_pack(m, sar_id, tmp_path / "p.pdf", accept_suggested=True)
    assert result.passphrase is not None
    text = extracted_text((tmp_path / "p.pdf").read_bytes(), result.passphrase)
    assert "rang again." in text and "Mark Jones" not in text
