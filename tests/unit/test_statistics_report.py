"""The statistics report object, its columns, CSV and PDF, without a store."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader
from reportlab.graphics.shapes import Rect

from sendiass_desktop.domain.errors import InvalidInput
from sendiass_desktop.domain.statistics import CellState, SuppressedTable, suppress, with_totals
from sendiass_desktop.reports import statistics_pdf
from sendiass_desktop.reports.statistics_pdf import (
    CSV_HEADER,
    StatisticsPeriod,
    StatisticsReport,
    StatisticsTable,
    chart_bars,
    render_statistics_csv,
    render_statistics_pdf,
)
from sendiass_desktop.services.statistics import Granularity, method_notes, period_columns

PERIOD = StatisticsPeriod(date(2025, 4, 1), date(2026, 3, 31), "quarter",
                          ("Apr–Jun 2025", "Jul–Sep 2025", "Oct–Dec 2025", "Jan–Mar 2026"))


def report(*tables: StatisticsTable, rounded: bool = False) -> StatisticsReport:
    return StatisticsReport(PERIOD, datetime(2026, 4, 2, 9, 0), tables, method_notes(rounded),
                            rounded=rounded, service_name="Westmere SENDIASS")


def table(counts: list[list[int]], title: str = "Referral source",
          round_to_5: bool = False) -> StatisticsTable:
    rows = [f"Row {chr(65 + i)}" for i in range(len(counts))]
    return StatisticsTable(title, "Cases opened in each column.",
                           suppress(counts, rows, list(PERIOD.column_labels[:len(counts[0])]),
                                    round_to_5=round_to_5))


# --- columns ----------------------------------------------------------------------------------


def test_quarter_columns_name_whole_and_part_quarters() -> None:
    cols = period_columns(date(2025, 4, 1), date(2026, 3, 31), Granularity.QUARTER)
    assert [c.label for c in cols] == ["Apr–Jun 2025", "Jul–Sep 2025", "Oct–Dec 2025",
                                       "Jan–Mar 2026"]
    assert [c.key for c in cols] == ["2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]
    part = period_columns(date(2025, 5, 15), date(2025, 11, 26), Granularity.QUARTER)
    assert [c.label for c in part] == ["15 May–30 Jun 2025", "Jul–Sep 2025",
                                       "1 Oct–26 Nov 2025"]
    assert (part[0].start, part[-1].end) == (date(2025, 5, 15), date(2025, 11, 26))


def test_month_columns_and_limits() -> None:
    cols = period_columns(date(2024, 1, 10), date(2024, 3, 31), Granularity.MONTH)
    assert [c.label for c in cols] == ["10–31 Jan 2024", "Feb 2024", "Mar 2024"]
    assert cols[1].end == date(2024, 2, 29) and cols[1].key == "2024-02"
    assert len(period_columns(date(2024, 1, 1), date(2025, 12, 31), Granularity.MONTH)) == 24
    with pytest.raises(InvalidInput, match="by quarter"):
        period_columns(date(2024, 1, 1), date(2026, 1, 1), Granularity.MONTH)
    with pytest.raises(InvalidInput, match="must not be before"):
        period_columns(date(2024, 2, 1), date(2024, 1, 1), Granularity.MONTH)


# --- the report refuses small numbers -----------------------------------------------------------


def test_a_report_cannot_hold_a_small_shown_count() -> None:
    bad = SuppressedTable(("A", "Total"), ("Q1", "Total"), (("3", "3"), ("3", "3")),
                          ((CellState.SHOWN,) * 2,) * 2)
    with pytest.raises(ValueError, match="below the threshold"):
        report(StatisticsTable("Bad", "", bad))
    unmarked = SuppressedTable(("A", "Total"), ("Q1", "Total"), (("3", "<5"), ("<5", "<5")),
                               ((CellState.PRIMARY,) * 2,) * 2)
    with pytest.raises(ValueError, match="mark"):
        report(StatisticsTable("Bad", "", unmarked))
    report(table([[0, 3, 10], [7, 12, 9]]))  # a suppressed table is fine


def test_chart_bars_never_carry_a_hidden_value() -> None:
    counts = [[1, 0, 0, 0], [10, 20, 30, 40], [12, 21, 33, 41], [0, 0, 0, 0]]
    t = table(counts).table
    bars = chart_bars(t)
    assert [b.label for b in bars] == ["Row A", "Row B", "Row C", "Row D"]
    for r, bar in enumerate(bars):
        hidden = t.states[r][-1] is not CellState.SHOWN
        assert (bar.value is None) == hidden and bar.shown == t.cells[r][-1]
        if not hidden:
            assert bar.value == int(bar.shown) == sum(counts[r])
    assert bars[0].value is None and bars[0].shown == "<5"  # never the true 1
    assert bars[3].value == 0
    assert any(b.value for b in bars)
    # The drawing: one solid bar per shown non-zero count, one hatched box per hidden one.
    drawing = statistics_pdf._chart(StatisticsTable("T", "", t), statistics_pdf._fonts())
    rects = [s for s in drawing.contents if isinstance(s, Rect)]
    solid = [r for r in rects if r.fillColor == statistics_pdf._BAR]
    hatched = [r for r in rects if r.fillColor != statistics_pdf._BAR]
    assert len(solid) == sum(1 for b in bars if b.value)
    assert len(hatched) == sum(1 for b in bars if b.value is None)
    assert {r.width for r in hatched} == {statistics_pdf._HATCH_WIDTH}


def test_rounded_report_says_so() -> None:
    r = report(table([[12, 23], [0, 47]], round_to_5=True), rounded=True)
    assert r.tables[0].table.cells[0][:2] == ("10", "25")
    assert any("nearest five" in note for note in r.method_notes)


# --- CSV --------------------------------------------------------------------------------------


def test_csv_is_one_long_table_of_published_text() -> None:
    r = report(table([[0, 3, 10], [7, 12, 9]]), table([[5, 6], [7, 8]], title="=Other"))
    data = render_statistics_csv(r)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == CSV_HEADER
    assert len(rows) == 1 + 3 * 4 + 3 * 3
    assert rows[1] == ["Referral source", "Row A", "Apr–Jun 2025", "0"]
    assert rows[2][3] == "<5"
    assert rows[-1] == ["'=Other", "Total", "Total", "26"]  # no formula for a spreadsheet


# --- PDF --------------------------------------------------------------------------------------

SMALL = re.compile(r"(?<![\w/:.–-])[1-4](?![\w/:.–-])"
                   r"(?!\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec))")


def test_the_small_number_detector_itself() -> None:
    # It would see a leaked count, and ignores dates, labels and marks.
    assert SMALL.findall("Visit 3 <5 12 c\n1 Oct–26 Nov 2026 Age 0–4 Year 6\nEmail 4") == [
        "3", "4"]


def pdf_text(data: bytes) -> str:
    return "\n".join(re.sub(r"Page \d+", "", p.extract_text())
                     for p in PdfReader(io.BytesIO(data)).pages)


def test_pdf_has_title_period_method_tables_and_clean_metadata() -> None:
    r = report(table([[0, 1, 2, 0], [7, 12, 9, 30]]))
    data = render_statistics_pdf(r)
    reader = PdfReader(io.BytesIO(data))
    assert reader.metadata is not None and reader.metadata.title == "Service statistics"
    text = pdf_text(data)
    for words in ("Service statistics", "Westmere SENDIASS", "1 April 2025 to 31 March 2026",
                  "How these figures are made safe to share", "Referral source", "Row A",
                  "Hatched boxes are hidden counts"):
        assert words in text, words
    assert not SMALL.findall(text)


def test_wide_periods_are_split_into_column_groups() -> None:
    labels = tuple(f"M{i}" for i in range(20))
    period = StatisticsPeriod(date(2024, 1, 1), date(2025, 8, 31), "month", labels)
    t = StatisticsTable("Wide", "", suppress([[10] * 20, [6] * 20], ["A", "B"], list(labels)))
    data = render_statistics_pdf(StatisticsReport(period, datetime(2026, 1, 1), (t,), ()))
    text = pdf_text(data)
    assert "M0" in text and "M19" in text and text.count("Total") >= 2


sizes = st.integers(1, 4).flatmap(
    lambda w: st.lists(st.lists(st.integers(0, 12), min_size=w, max_size=w), min_size=1,
                       max_size=6))


@settings(max_examples=25, deadline=None)
@given(counts=sizes, rounded=st.booleans())
def test_no_small_count_reaches_the_pdf_or_csv(counts: list[list[int]], rounded: bool) -> None:
    r = report(table(counts, round_to_5=rounded), rounded=rounded)
    text = pdf_text(render_statistics_pdf(r))
    assert not SMALL.findall(text)
    for row in csv.DictReader(io.StringIO(render_statistics_csv(r).decode("utf-8-sig"))):
        v = row["value"]
        assert v in ("<5", "c") or int(v) == 0 or int(v) >= 5
    # And every true 1-4 count is marked in the published table.
    grid = with_totals(counts)
    for i, line in enumerate(grid):
        for j, value in enumerate(line):
            if 0 < value < 5:
                assert r.tables[0].table.cells[i][j] == "<5"
