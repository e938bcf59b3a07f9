"""Encrypted exports (AES-256, R6) and the passphrases given to requesters."""

from __future__ import annotations

import io
import re
import subprocess
import zlib
from datetime import date
from pathlib import Path

import pdfplumber
import pikepdf
import pytest
from reportlab.pdfgen import canvas as pdf_canvas

from sendiass_desktop.domain.pack import CoverLetter, Pack, PackKind, PackRecord
from sendiass_desktop.domain.passphrase import (
    ENTROPY_BITS,
    SEPARATOR,
    WORD_COUNT,
    WORDS,
    generate_passphrase,
)
from sendiass_desktop.domain.redaction import Segment
from sendiass_desktop.reports.pack_pdf import render_pack
from sendiass_desktop.reports.pdf_encryption import PassphraseError, encrypt_pdf

PASSPHRASE = "otter-lantern-breeze-maple-parcel"
MARKER = "PLAINTEXTMARKER-7731"


def _plain_pdf() -> bytes:
    """Positive control: a PDF whose content stream holds MARKER as plain bytes."""
    buffer = io.BytesIO()
    c = pdf_canvas.Canvas(buffer, pageCompression=0)
    c.setTitle(f"Title {MARKER}")
    c.setFont("Helvetica", 12)
    c.drawString(72, 720, f"Disclosed record: {MARKER}")
    c.showPage()
    c.save()
    return buffer.getvalue()


@pytest.fixture(scope="module")
def pack_pdf() -> bytes:
    letter = CoverLetter(
        service_name="Northshire SENDIASS", service_address=("Northtown",),
        requester_name="Mrs Sarah Jones", requester_address=("Northtown",),
        reference="SAR-2026-0007", received_on=date(2026, 10, 29), sent_on=date(2026, 11, 26),
        signed_by="Helen Carter", signed_role="Service Manager", about_whom="you",
    )  # fmt: skip
    record = PackRecord("Case note", "Phone call", date(2026, 3, 4),
                        body=(Segment(text=f"Disclosed note {MARKER} text."),))  # fmt: skip
    return render_pack(Pack(PackKind.SAR, letter, None, (record,)))


def _text(pdf: bytes, password: str = "") -> str:
    with pdfplumber.open(io.BytesIO(pdf), password=password) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


def _inflate_everything(data: bytes) -> bytes:
    """Try to inflate every zlib stream in the file, as someone with no password might."""
    out = [data]
    for match in re.finditer(rb"stream\r?\n", data):
        try:
            out.append(zlib.decompressobj().decompress(data[match.end():match.end() + 2_000_000]))
        except zlib.error:
            continue
    return b"".join(out)


# --- encryption ---------------------------------------------------------------------


def test_cannot_be_opened_without_the_passphrase(pack_pdf: bytes) -> None:
    encrypted = encrypt_pdf(pack_pdf, PASSPHRASE)
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(io.BytesIO(encrypted))
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(io.BytesIO(encrypted), password="otter-lantern-breeze-maple-parce")


def test_opens_with_the_passphrase_as_aes256_r6_with_limited_permissions(
    pack_pdf: bytes,
) -> None:
    encrypted = encrypt_pdf(pack_pdf, PASSPHRASE)
    with pikepdf.open(io.BytesIO(encrypted), password=PASSPHRASE) as document:
        assert document.is_encrypted
        assert document.encryption.R == 6
        assert document.encryption.bits == 256
        assert document.encryption.stream_method.name == "aesv3"  # AES-256
        assert document.encryption.string_method.name == "aesv3"
        assert document.user_password_matched
        # The owner password is a different, random one (and thrown away).
        assert not document.owner_password_matched
        allow = document.allow
        assert allow.print_highres and allow.print_lowres
        assert allow.extract and allow.accessibility
        assert not allow.modify_other
        assert not allow.modify_annotation
        assert not allow.modify_form
        assert not allow.modify_assembly
        assert str(document.docinfo["/Title"]) == "Subject access request SAR-2026-0007"
    assert MARKER in _text(encrypted, PASSPHRASE)


def test_owner_password_is_random_each_time(pack_pdf: bytes) -> None:
    first, second = encrypt_pdf(pack_pdf, PASSPHRASE), encrypt_pdf(pack_pdf, PASSPHRASE)
    owner_entries = []
    for data in (first, second):
        with pikepdf.open(io.BytesIO(data), password=PASSPHRASE) as document:
            owner_entries.append(bytes(document.trailer.Encrypt.O))
    assert owner_entries[0] != owner_entries[1]


def test_qpdf_checks_the_file_and_reports_aes256_r6(pack_pdf: bytes, tmp_path: Path) -> None:
    target = tmp_path / "pack.pdf"
    target.write_bytes(encrypt_pdf(pack_pdf, PASSPHRASE))
    check = subprocess.run(["qpdf", "--check", f"--password={PASSPHRASE}", str(target)],
                           capture_output=True, text=True, check=False)  # fmt: skip
    assert check.returncode == 0, check.stdout + check.stderr
    assert "No syntax or stream encoding errors found" in check.stdout
    shown = subprocess.run(["qpdf", "--show-encryption", f"--password={PASSPHRASE}",
                            str(target)], capture_output=True, text=True, check=False)  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert "R = 6" in shown.stdout
    assert "stream encryption method: AESv3" in shown.stdout  # qpdf's name for AES-256
    assert "string encryption method: AESv3" in shown.stdout
    assert "modify other: not allowed" in shown.stdout
    assert "print high resolution: allowed" in shown.stdout
    refused = subprocess.run(["qpdf", "--check", str(target)],
                             capture_output=True, text=True, check=False)  # fmt: skip
    assert refused.returncode != 0
    assert "invalid password" in (refused.stdout + refused.stderr)


def test_plaintext_is_not_findable_in_the_encrypted_bytes(pack_pdf: bytes) -> None:
    plain = _plain_pdf()
    assert MARKER.encode() in plain  # the positive control: visible unencrypted
    encrypted = encrypt_pdf(plain, PASSPHRASE)
    assert MARKER.encode() not in _inflate_everything(encrypted)
    assert MARKER in _text(encrypted, PASSPHRASE)

    # The real pack: its title can be read from the unencrypted file by anyone
    # (inflating the object streams), and the disclosed note is readable after
    # decryption; after encryption neither can be found without the passphrase.
    assert b"Subject access request SAR-2026-0007" in _inflate_everything(pack_pdf)
    encrypted_pack = encrypt_pdf(pack_pdf, PASSPHRASE)
    inflated = _inflate_everything(encrypted_pack)
    for secret in (b"Subject access request", b"SAR-2026-0007", b"Northshire", MARKER.encode()):
        assert secret not in inflated
    assert MARKER in _text(encrypted_pack, PASSPHRASE)


@pytest.mark.parametrize(
    ("passphrase", "message"),
    [
        ("", "at least 10 characters"),
        ("short", "at least 10 characters"),
        ("          x", "at least 10 characters"),
        ("x" * 128, "at most 127 characters"),
        ("pound-sign-£-passphrase", "unaccented letters"),
        ("café-au-lait-please", "unaccented letters"),
        ("tab\tinside-passphrase", "unaccented letters"),
    ],
)
def test_unusable_passphrases_are_refused_in_plain_words(passphrase: str, message: str) -> None:
    with pytest.raises(PassphraseError, match=message):
        encrypt_pdf(_plain_pdf(), passphrase)


def test_garbage_input_is_an_error_not_an_output() -> None:
    with pytest.raises(pikepdf.PdfError):
        encrypt_pdf(b"not a pdf at all", PASSPHRASE)


# --- generated passphrases ------------------------------------------------------------


def test_word_list_has_2048_distinct_simple_words() -> None:
    assert len(WORDS) == 2048 == len(set(WORDS))
    assert list(WORDS) == sorted(WORDS)
    assert all(re.fullmatch(r"[a-z]{3,8}", word) for word in WORDS)
    assert pytest.approx(55.0) == ENTROPY_BITS
    assert WORD_COUNT == 5


def test_word_list_avoids_homophones_and_spelling_variants() -> None:
    for word in ("flour", "flower", "knight", "night", "sale", "sail", "bear", "bare",
                 "colour", "color", "grey", "gray", "harbour", "metre", "axe", "yoghurt",
                 "quay", "key", "whole", "hole"):  # fmt: skip
        assert word not in WORDS


def test_generated_passphrases_use_only_the_list_and_differ() -> None:
    phrases = [generate_passphrase() for _ in range(200)]
    assert len(set(phrases)) == 200
    for phrase in phrases:
        words = phrase.split(SEPARATOR)
        assert len(words) == WORD_COUNT
        assert all(word in WORDS for word in words)
        assert phrase == phrase.lower() and phrase.isascii()
    # Over many draws, words come from all over the list, not a corner of it.
    used = {w for p in phrases for w in p.split(SEPARATOR)}
    assert len(used) > 500
    assert {w[0] for w in used} >= set("abcdefghlmprstw")


def test_fewer_than_four_words_is_refused() -> None:
    with pytest.raises(ValueError, match="at least four words"):
        generate_passphrase(3)
    assert len(generate_passphrase(6).split(SEPARATOR)) == 6


def test_a_generated_passphrase_opens_the_file_in_qpdf(tmp_path: Path) -> None:
    passphrase = generate_passphrase()
    target = tmp_path / "extract.pdf"
    target.write_bytes(encrypt_pdf(_plain_pdf(), passphrase))
    result = subprocess.run(["qpdf", "--check", f"--password={passphrase}", str(target)],
                            capture_output=True, text=True, check=False)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
