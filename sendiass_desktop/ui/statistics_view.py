"""Service statistics (rule 7): run the anonymised report, look at it, save it.

Managers and administrators choose a period (by default the last full
calendar quarter), by month or quarter, optionally rounded to the nearest 5,
and press Run; ``services.statistics.run_statistics`` counts and suppresses
in the background. Each table is shown exactly as published — the same text
as the CSV and PDF, "<5" and "c" included — with a bar chart of its Total
column where hidden counts are hatched stubs, never drawn to scale. "Save
CSV…" and "Save PDF…" write what ``export_csv`` / ``export_pdf`` return.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from sendiass_desktop.domain.deadlines import add_months
from sendiass_desktop.domain.errors import InvalidInput
from sendiass_desktop.domain.roles import Permission
from sendiass_desktop.services.session import Session
from sendiass_desktop.services.statistics import (
    Granularity,
    StatisticsReport,
    StatisticsTable,
    chart_bars,
    export_csv,
    export_pdf,
    run_statistics,
)
from sendiass_desktop.ui.bar_chart import BarChart
from sendiass_desktop.ui.fields import HintLabel
from sendiass_desktop.ui.icons import DateField, buddy, button, user_message
from sendiass_desktop.ui.notices import InlineMessage
from sendiass_desktop.ui.table_model import ModelIndex, bold_font
from sendiass_desktop.ui.theme import Tone, heading_font
from sendiass_desktop.ui.views import BackgroundLane

MARKS_NOTE = ("“<5” means a count of one to four, hidden so that nobody can be identified. "
              "“c” means a count hidden because it could otherwise be worked out from the "
              "totals. 0 is a true zero. Hidden counts are drawn in the chart as small hatched "
              "boxes, not to scale.")


def last_full_quarter(today: date) -> tuple[date, date]:
    """The calendar quarter before the one ``today`` is in."""
    this_quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    start = add_months(this_quarter, -3)
    return start, this_quarter - timedelta(days=1)


def cell_meaning(text: str) -> str:
    if text == "<5":
        return "fewer than 5 (hidden)"
    if text == "c":
        return "hidden (could be worked out from the totals)"
    return text


class StatisticsTableModel(QAbstractTableModel):
    """One published table: the shown text only, totals in bold."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._table: StatisticsTable | None = None

    def set_table(self, table: StatisticsTable | None) -> None:
        self.beginResetModel()
        self._table = table
        self.endResetModel()

    @property
    def table(self) -> StatisticsTable | None:
        return self._table

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._table is None:
            return 0
        return len(self._table.table.row_labels)

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:  # noqa: B008
        if parent.isValid() or self._table is None:
            return 0
        return len(self._table.table.column_labels)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self._table is None:
            return None
        labels = (self._table.table.column_labels if orientation == Qt.Orientation.Horizontal
                  else self._table.table.row_labels)
        if not 0 <= section < len(labels):
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole,
                    Qt.ItemDataRole.AccessibleTextRole):
            return labels[section]
        if role == Qt.ItemDataRole.FontRole and section == len(labels) - 1:
            return bold_font()
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if self._table is None or not index.isValid():
            return None
        table = self._table.table
        row, column = index.row(), index.column()
        if not (0 <= row < len(table.row_labels) and 0 <= column < len(table.column_labels)):
            return None
        text = table.cells[row][column]
        if role == Qt.ItemDataRole.DisplayRole:
            return text
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return (f"{table.row_labels[row]}, {table.column_labels[column]}: "
                    f"{cell_meaning(text)}")
        if role == Qt.ItemDataRole.ToolTipRole and text in ("<5", "c"):
            return cell_meaning(text).capitalize()
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and (row == len(table.row_labels) - 1
                                                 or column == len(table.column_labels) - 1):
            return bold_font()
        return None


class StatisticsView(QWidget):
    """Run, read and save the anonymised service statistics."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._session = session
        self.setAccessibleName("Service statistics")
        self.lane = BackgroundLane(session, self)
        self._generation = 0
        self.report: StatisticsReport | None = None
        self.saved_paths: list[Path] = []

        heading = QLabel("Service statistics", self)
        heading.setFont(heading_font(self, 1.3))
        intro = HintLabel("Anonymised counts for reports to commissioners. Small numbers are "
                          "hidden before anything is shown or saved.", self)

        start, end = last_full_quarter(date.today())
        self.start_field = DateField("Period from", self, optional=False, value=start,
                                     what="start of the period")
        self.end_field = DateField("Period to", self, optional=False, value=end,
                                   what="end of the period")
        self.by = QComboBox(self)
        self.by.addItem("Quarter", Granularity.QUARTER)
        self.by.addItem("Month", Granularity.MONTH)
        self.by.setAccessibleName("Count by month or quarter")
        self.by.view().setAccessibleName("Month or quarter")
        self.round_box = QCheckBox("Round to nearest &5", self)
        self.round_box.setAccessibleName("Round every number to the nearest 5")
        self.run_button = button("&Run", "Run the statistics", self)
        self.run_button.setDefault(True)
        controls = QHBoxLayout()
        controls.addWidget(buddy("&From:", self.start_field, self))
        controls.addWidget(self.start_field)
        controls.addWidget(buddy("&To:", self.end_field, self))
        controls.addWidget(self.end_field)
        controls.addSpacing(8)
        controls.addWidget(buddy("&By:", self.by, self))
        controls.addWidget(self.by)
        controls.addSpacing(8)
        controls.addWidget(self.round_box)
        controls.addStretch(1)
        controls.addWidget(self.run_button)

        self.message = InlineMessage(self, "Statistics message")
        self.summary = QLabel(self)
        self.summary.setAccessibleName("Report summary")
        self.summary.setWordWrap(True)

        self.table_list = QListWidget(self)
        self.table_list.setAccessibleName("Tables in the report")
        self.table_list.setMinimumWidth(self.fontMetrics().averageCharWidth() * 24)
        self.table_list.setMaximumWidth(self.fontMetrics().averageCharWidth() * 34)

        self.table_title = QLabel(self)
        self.table_title.setFont(heading_font(self, 1.1))
        self.table_title.setAccessibleName("Table title")
        self.counts_what = HintLabel("", self)
        self.counts_what.setAccessibleName("What the table counts")
        self.model = StatisticsTableModel(self)
        self.table_view = QTableView(self)
        self.table_view.setModel(self.model)
        self.table_view.setAccessibleName("Statistics table")
        self.table_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table_view.setTabKeyNavigation(False)
        self.table_view.setAlternatingRowColors(True)
        self.table_view.setWordWrap(False)
        self.table_view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table_view.horizontalHeader().setAccessibleName("Columns")
        self.table_view.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table_view.verticalHeader().setAccessibleName("Rows")
        for corner in self.table_view.findChildren(QAbstractButton):
            corner.setAccessibleName("Select all")
        self.note = HintLabel(MARKS_NOTE, self)
        self.note.setAccessibleName("What <5 and c mean")

        self.chart = BarChart(self, "Chart of the Total column")
        self.chart_heading = QLabel("Totals", self)
        self.chart_scroll = QScrollArea(self)
        self.chart_scroll.setWidget(self.chart)
        self.chart_scroll.setWidgetResizable(True)
        self.chart_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.chart_scroll.setAccessibleName("Chart")

        detail = QWidget(self)
        detail_layout = QVBoxLayout(detail)
        detail_layout.setContentsMargins(0, 0, 0, 0)
        detail_layout.addWidget(self.table_title)
        detail_layout.addWidget(self.counts_what)
        detail_layout.addWidget(self.table_view, 3)
        detail_layout.addWidget(self.chart_heading)
        detail_layout.addWidget(self.chart_scroll, 2)
        detail_layout.addStretch(1)
        detail_layout.addWidget(self.note)

        body = QHBoxLayout()
        body.addWidget(self.table_list)
        body.addWidget(detail, 1)

        self.csv_button = button("Save &CSV…", "Save the report as CSV", self)
        self.pdf_button = button("Save &PDF…", "Save the report as PDF", self)
        save_row = QHBoxLayout()
        save_row.addStretch(1)
        save_row.addWidget(self.csv_button)
        save_row.addWidget(self.pdf_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        layout.setSpacing(8)
        layout.addWidget(heading)
        layout.addWidget(intro)
        layout.addLayout(controls)
        layout.addWidget(self.message)
        layout.addWidget(self.summary)
        layout.addLayout(body, 1)
        layout.addLayout(save_row)

        for first, second in ((self.start_field, self.end_field), (self.end_field, self.by),
                              (self.by, self.round_box), (self.round_box, self.run_button),
                              (self.run_button, self.table_list),
                              (self.table_list, self.table_view),
                              (self.table_view, self.chart),
                              (self.chart, self.csv_button), (self.csv_button, self.pdf_button)):
            QWidget.setTabOrder(first, second)

        self.run_button.clicked.connect(self.run)
        self.start_field.returnPressed.connect(self.run)
        self.end_field.returnPressed.connect(self.run)
        self.table_list.currentRowChanged.connect(self._show_table)
        self.csv_button.clicked.connect(lambda: self.save("csv"))
        self.pdf_button.clicked.connect(lambda: self.save("pdf"))
        self._show_report(None)

    # --- the session ----------------------------------------------------------------

    @property
    def session(self) -> Session:
        return self._session

    @property
    def busy(self) -> bool:
        return self.lane.busy

    def set_session(self, session: Session) -> None:
        self._session = session
        self.lane.set_session(session)

    def on_lock(self) -> None:
        # Anonymised, but still the service's figures: drop them with the rest.
        self._generation += 1
        self.lane.shutdown()
        self.message.clear()
        self._show_report(None)
        self.run_button.setEnabled(True)

    def refresh(self) -> None:
        if self.report is not None:
            self.run()

    # --- running --------------------------------------------------------------------

    def run(self) -> None:
        if not self._session.can(Permission.RUN_STATISTICS):
            self.message.show_message("Your role does not include running service statistics.")
            return
        try:
            start = self.start_field.date_value()
            end = self.end_field.date_value()
        except InvalidInput as exc:
            self.message.show_message(str(exc))
            return
        assert start is not None and end is not None
        if end < start:
            self.message.show_message("The end of the period must not be before its start.")
            self.end_field.setFocus()
            return
        by = self.by.currentData()
        rounded = self.round_box.isChecked()
        self._generation += 1
        generation = self._generation
        self.message.clear()
        self.run_button.setEnabled(False)
        self.summary.setText("Counting…")

        def work(session: Session) -> StatisticsReport:
            return run_statistics(session, start, end, by=by, round_to_5=rounded)

        self.lane.submit(work, lambda report: self._ran(generation, report),
                         lambda exc: self._failed(generation, exc), key="statistics")

    def _ran(self, generation: int, report: StatisticsReport) -> None:
        if generation != self._generation:
            return
        self.run_button.setEnabled(True)
        self._show_report(report)

    def _failed(self, generation: int, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self.run_button.setEnabled(True)
        self.summary.setText("" if self.report is None else self._summary_text(self.report))
        self.message.show_message(user_message(
            exc, "The statistics could not be counted. Try again; if it keeps happening, "
                 "ask your administrator."))

    @staticmethod
    def _summary_text(report: StatisticsReport) -> str:
        rounded = " Every number is rounded to the nearest 5." if report.rounded else ""
        return (f"{report.period.describe()}: {len(report.tables)} tables, counted "
                f"{report.generated_at.astimezone().strftime('%d/%m/%Y %H:%M')}.{rounded}")

    def _show_report(self, report: StatisticsReport | None) -> None:
        self.report = report
        current = self.table_list.currentRow()
        self.table_list.blockSignals(True)
        self.table_list.clear()
        if report is not None:
            for item in report.tables:
                self.table_list.addItem(item.title)
        self.table_list.blockSignals(False)
        has = report is not None and bool(report.tables)
        self.csv_button.setEnabled(has)
        self.pdf_button.setEnabled(has)
        if report is None:
            self.summary.setText("Choose a period and press Run.")
        else:
            self.summary.setText(self._summary_text(report))
        if has:
            assert report is not None
            self.table_list.setCurrentRow(current if 0 <= current < len(report.tables) else 0)
            self._show_table(self.table_list.currentRow())
        else:
            self._show_table(-1)

    def _show_table(self, row: int) -> None:
        report = self.report
        if report is None or not 0 <= row < len(report.tables):
            self.model.set_table(None)
            self.chart.set_bars(())
            self.table_title.setText("")
            self.counts_what.setText("")
            self.chart_heading.setText("")
            return
        table = report.tables[row]
        self.model.set_table(table)
        self.table_title.setText(table.title)
        self.counts_what.setText(table.counts_what)
        self.table_view.setAccessibleDescription(table.counts_what)
        self.chart.set_bars(chart_bars(table.table))
        self._fit_heights()
        self.chart.setAccessibleName(f"Chart of the totals: {table.title}")
        self.chart_heading.setText(f"Totals for the period: {table.title.lower()}")

    def _fit_heights(self) -> None:
        """The table no taller than its rows; the chart gets the rest (it scrolls if long)."""
        view = self.table_view
        view.resizeRowsToContents()
        rows = sum(view.rowHeight(r) for r in range(self.model.rowCount()))
        header = view.horizontalHeader().sizeHint().height()
        scrollbar = view.horizontalScrollBar().sizeHint().height()
        view.setMaximumHeight(rows + header + scrollbar + 2 * view.frameWidth() + 2)
        chart = self.chart.sizeHint().height()
        self.chart_scroll.setMinimumHeight(min(chart, self.fontMetrics().lineSpacing() * 14))
        self.chart_scroll.setMaximumHeight(chart + 2)

    def select_table(self, title: str) -> None:
        if self.report is None:
            return
        for i, item in enumerate(self.report.tables):
            if item.title == title:
                self.table_list.setCurrentRow(i)
                return

    # --- saving ---------------------------------------------------------------------

    def save(self, fmt: str) -> None:
        report = self.report
        if report is None:
            return
        name = (f"sendiass-statistics-{report.period.start.isoformat()}-to-"
                f"{report.period.end.isoformat()}.{fmt}")
        filters = "CSV files (*.csv)" if fmt == "csv" else "PDF files (*.pdf)"
        path, _chosen = QFileDialog.getSaveFileName(
            self, f"Save the statistics as {fmt.upper()}", str(Path.home() / name), filters)
        if not path:
            return
        target = Path(path)
        if target.suffix.lower() != f".{fmt}":
            target = target.with_name(target.name + f".{fmt}")
        export = export_csv if fmt == "csv" else export_pdf
        self.csv_button.setEnabled(False)
        self.pdf_button.setEnabled(False)

        def work(session: Session) -> bytes:
            return export(session, report)

        self.lane.submit(work, lambda data: self._write(target, data),
                         self._save_failed)

    def _write(self, target: Path, data: bytes) -> None:
        self.csv_button.setEnabled(True)
        self.pdf_button.setEnabled(True)
        try:
            target.write_bytes(data)
        except OSError as exc:
            self.message.show_message(f"The file could not be saved ({exc.strerror or exc}). "
                                      "Choose another folder and try again.")
            return
        self.saved_paths.append(target)
        self.message.show_message(f"Saved {target}.", Tone.SUCCESS)

    def _save_failed(self, exc: BaseException) -> None:
        self.csv_button.setEnabled(True)
        self.pdf_button.setEnabled(True)
        self.message.show_message(user_message(exc, "The report could not be saved."))
