"""The printed recovery sheet: one A4 page, the key readable, nothing leaked."""

from __future__ import annotations

import builtins
import dataclasses
import datetime
import hashlib
import io
import uuid
from typing import Any

import pdfplumber
import pytest
from pypdf import PdfReader

from sendiass_desktop.domain.errors import InvalidInput
from sendiass_desktop.domain.recovery_key import format_recovery_key
from sendiass_desktop.reports.recovery_sheet import (
    RecoverySheet,
    format_uk_date,
    render_recovery_sheet,
)

KEY = hashlib.sha256(b"recovery sheet test key").digest()
FORMATTED = format_recovery_key(KEY)
GROUPS = FORMATTED.split("-")
STORE_ID = "3f2c8a4e-9b1d-4c6e-8f0a-2b7d5e9c1a34"
WARNING = "this store was created without device binding"


def _sheet(**changes: Any) -> RecoverySheet:
    sheet = RecoverySheet(
        formatted_key=FORMATTED,
        service_name="Northshire SENDIASS",
        store_file_name="service.sendiass",
        store_id=STORE_ID,
        created_on=datetime.date(2026, 11, 26),
        created_by="jsmith",
        device_binding=True,
    )
    return dataclasses.replace(sheet, **changes)


def _text(pdf: bytes) -> str:
    with pdfplumber.open(io.BytesIO(pdf)) as document:
        return "\n".join(page.extract_text() or "" for page in document.pages)


@pytest.fixture(scope="module")
def bound_pdf() -> bytes:
    return render_recovery_sheet(_sheet(device_binding=True))


@pytest.fixture(scope="module")
def unbound_pdf() -> bytes:
    return render_recovery_sheet(_sheet(device_binding=False))


# --- the page ------------------------------------------------------------------


@pytest.mark.parametrize("which", ["bound_pdf", "unbound_pdf"])
def test_one_a4_page(which: str, request: pytest.FixtureRequest) -> None:
    pdf: bytes = request.getfixturevalue(which)
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert float(box.width) == pytest.approx(595.3, abs=1)
    assert float(box.height) == pytest.approx(841.9, abs=1)


def test_every_key_group_is_printed_in_order(bound_pdf: bytes) -> None:
    text = _text(bound_pdf)
    positions = [text.index(group) for group in GROUPS]
    assert positions == sorted(positions)
    # Seven groups to a row, so the rows read as on the screen at set-up.
    lines = text.splitlines()
    assert " ".join(GROUPS[:7]) in lines
    assert " ".join(GROUPS[7:]) in lines


def test_group_numbers_are_printed(bound_pdf: bytes) -> None:
    lines = _text(bound_pdf).splitlines()
    assert "1 2 3 4 5 6 7" in lines
    assert "8 9 10 11 12 13 14" in lines


def test_title_store_identity_and_set_up(bound_pdf: bytes) -> None:
    text = _text(bound_pdf)
    assert "Recovery sheet — SENDIASS Desktop" in text
    assert "Northshire SENDIASS" in text
    assert "service.sendiass" in text
    assert STORE_ID in text
    assert "26 November 2026" in text
    assert "jsmith" in text


def test_instructions_are_printed(bound_pdf: bytes) -> None:
    text = " ".join(_text(bound_pdf).split())
    for phrase in [
        "if every password has been lost",
        "sendiass-admin enrol",
        "sendiass-admin rekey --new-recovery-key-out",
        "Never photograph, scan, copy or email it",
        "Anyone who has this key and a copy of the store file can read every record in it.",
        "print a new sheet",
        "Stored by",
        "Where",
    ]:
        assert phrase in text, phrase


def test_warning_appears_only_without_device_binding(bound_pdf: bytes, unbound_pdf: bytes) -> None:
    assert WARNING not in _text(bound_pdf)
    unbound = " ".join(_text(unbound_pdf).split())
    assert f"Warning: {WARNING}." in unbound


# --- what must not leak -------------------------------------------------------------


@pytest.mark.parametrize("which", ["bound_pdf", "unbound_pdf"])
def test_metadata_is_set_and_holds_no_key(which: str, request: pytest.FixtureRequest) -> None:
    pdf: bytes = request.getfixturevalue(which)
    reader = PdfReader(io.BytesIO(pdf))
    metadata = reader.metadata
    assert metadata is not None
    assert metadata.title == "Recovery sheet"
    assert metadata.author == "SENDIASS Desktop"
    assert reader.xmp_metadata is None
    everything = " ".join(str(value) for value in metadata.values())
    squashed = everything.replace("-", "").replace(" ", "").upper()
    assert FORMATTED.replace("-", "") not in squashed
    for group in GROUPS:
        assert group not in everything.upper()
    assert KEY.hex() not in everything.lower()


def test_repr_does_not_show_the_key() -> None:
    shown = repr(_sheet())
    assert "formatted_key" not in shown
    for group in GROUPS:
        assert group not in shown


def test_nothing_is_written_to_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    real_open = builtins.open

    def guarded_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if any(flag in mode for flag in "wax+"):
            raise AssertionError(f"render_recovery_sheet tried to write {file!r}")
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_open)
    assert render_recovery_sheet(_sheet()).startswith(b"%PDF-")


def test_no_service_user_data_fields() -> None:
    # The sheet can only ever carry these: nothing about families or cases.
    assert {f.name for f in dataclasses.fields(RecoverySheet)} == {
        "formatted_key",
        "service_name",
        "store_file_name",
        "store_id",
        "created_on",
        "created_by",
        "device_binding",
    }


# --- input handling -------------------------------------------------------------------


def test_an_invalid_key_is_never_printed() -> None:
    typo = FORMATTED[:-1] + ("Z" if FORMATTED[-1] != "Z" else "Y")
    with pytest.raises(InvalidInput):
        render_recovery_sheet(_sheet(formatted_key=typo))
    with pytest.raises(InvalidInput):
        render_recovery_sheet(_sheet(formatted_key="not a key"))


def test_a_loosely_formatted_key_is_printed_canonically() -> None:
    pdf = render_recovery_sheet(_sheet(formatted_key=FORMATTED.lower().replace("-", " ")))
    assert " ".join(GROUPS[:7]) in _text(pdf).splitlines()


def test_markup_in_names_is_printed_literally() -> None:
    pdf = render_recovery_sheet(
        _sheet(service_name="Parent <Partnership> & Advice", created_by="o'brien & co")
    )
    text = _text(pdf)
    assert "Parent <Partnership> & Advice" in text
    assert "o'brien & co" in text


@pytest.mark.parametrize(
    "changes",
    [
        {"store_file_name": "C:\\Users\\jsmith\\service.sendiass"},
        {"store_file_name": "/home/jsmith/service.sendiass"},
        {"store_file_name": ""},
        {"store_id": "not-a-uuid"},
        {"service_name": "   "},
        {"created_by": ""},
        {"service_name": "S" * 121},
        {"store_file_name": "f" * 81},
        {"created_by": "u" * 65},
    ],
)
def test_bad_sheet_fields_are_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        _sheet(**changes)


@pytest.mark.parametrize(
    "changes",
    [
        # Realistic long values.
        {
            "service_name": ("Information, Advice and Support Service for Special "
                             "Educational Needs and Disabilities (Northshire) ")[:120],
            "store_file_name": "northshire-sendiass-main-case-store-2026.sendiass",
            "created_by": "a.very-long-username.admin",
        },
        # Every field at its limit, in the widest letters.
        {"service_name": "W" * 120, "store_file_name": "W" * 71 + ".sendiass",
         "created_by": "M" * 64},
    ],
)  # fmt: skip
@pytest.mark.parametrize("device_binding", [True, False])
def test_long_values_still_fit_one_page(changes: dict[str, Any], device_binding: bool) -> None:
    pdf = render_recovery_sheet(_sheet(device_binding=device_binding, **changes))
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1
    text = _text(pdf)
    for group in GROUPS:
        assert group in text


def test_store_id_is_shown_in_canonical_form() -> None:
    pdf = render_recovery_sheet(_sheet(store_id=STORE_ID.upper()))
    assert STORE_ID in _text(pdf)
    assert str(uuid.UUID(STORE_ID)) == STORE_ID


# --- dates ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "shown"),
    [
        (datetime.date(2026, 11, 26), "26 November 2026"),
        (datetime.date(2027, 1, 1), "1 January 2027"),
        (datetime.date(2028, 2, 29), "29 February 2028"),
        (datetime.date(2030, 9, 9), "9 September 2030"),
    ],
)
def test_uk_date_format(day: datetime.date, shown: str) -> None:
    assert format_uk_date(day) == shown
