"""Save screenshots of the statistics and retention views.

    python tests/screens/capture_reports.py OUTPUT_FOLDER [--theme light|dark]

Run it under a real X server (``xvfb-run -a`` with ``QT_QPA_PLATFORM=xcb``).
It makes a throwaway store full of generated demo casework in a temporary
folder (removed afterwards) and saves:

* statistics.png: one month's statistics, showing a table whose chart has a
  hidden ("<5" or "c") bar;
* retention.png: the review queue with an old closed case selected;
* retention-dispose.png: the disposal dialog for that case.
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
EXPECTED = ("statistics.png", "retention.png", "retention-dispose.png")
ADMIN, ADMIN_PASSWORD = "jsmith", "kettle on the windowsill"


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(REPO))
    from tests.screens.capture_common import run_capture

    return run_capture(__doc__, "sendiass-screens-",
                       lambda out, root, args: _capture(out, root, args.theme, args.cases),
                       argv, lambda parser: parser.add_argument("--cases", type=int,
                                                                default=600))


def _capture(out: Path, root: Path, theme: str, case_count: int) -> int:
    from datetime import date

    from sendiass_desktop.domain.cases import Case, Outcome, ReferralSource
    from sendiass_desktop.domain.people import Person, PersonRole
    from sendiass_desktop.services import cases, demo_data, people
    from sendiass_desktop.services.session import StoreLocation, unlock_with_password
    from sendiass_desktop.services.setup import create_store
    from sendiass_desktop.services.statistics import chart_bars
    from sendiass_desktop.ui.main_window import MainWindow
    from sendiass_desktop.ui.retention_view import RetentionView
    from sendiass_desktop.ui.statistics_view import StatisticsView
    from sendiass_desktop.ui.workers import tasks_running
    from tests.screens.capture_common import camera, start_app

    app = start_app(theme, memory_keyring=False)
    pump, shoot = camera(app, out, EXPECTED, settle=5, timeout=120.0)

    location = StoreLocation.of(root / "office" / "northshire.sendiass")
    location.path.parent.mkdir(parents=True, exist_ok=True)
    create_store(location, admin_username=ADMIN, admin_password=ADMIN_PASSWORD,
                 admin_display_name="Jo Smith", device_binding=False)
    session = unlock_with_password(location, ADMIN, ADMIN_PASSWORD)
    demo_data.generate(session, cases=case_count, seed=11)
    parent = people.create_person(session, Person("", "Ann", "Hartley",
                                                  PersonRole.PARENT_CARER))
    child = people.create_person(session, Person("", "Sam", "Hartley",
                                                 PersonRole.CHILD_YOUNG_PERSON,
                                                 date_of_birth=date(1990, 4, 2)))
    assert parent.id is not None and child.id is not None
    old = cases.create_case(session, Case("", date(2010, 1, 5), ReferralSource.SELF, ADMIN,
                                          parent.id, child.id,
                                          paper_records="Grey cabinet, drawer 3"))
    old = cases.close_case(session, old, date(2011, 3, 1), frozenset({Outcome.ADVICE_GIVEN}))

    window = MainWindow(session)
    window.resize(1280, 820)
    window.show()
    pump()

    # --- statistics: a month, so that some totals are hidden -------------------------
    window.show_view("statistics")
    stats = window.view("statistics")
    assert isinstance(stats, StatisticsView)
    stats.by.setCurrentIndex(stats.by.findText("Month"))
    stats.start_field.setText("01/07/2026")
    stats.end_field.setText("30/09/2026")
    stats.run()
    pump(lambda: stats.report is not None and not stats.busy)
    report = stats.report
    assert report is not None
    chosen = next((t.title for t in report.tables
                   if any(b.value is None for b in chart_bars(t.table))
                   and any(b.value for b in chart_bars(t.table))), report.tables[0].title)
    stats.select_table(chosen)
    stats.table_list.setFocus()
    shoot(window, "statistics.png")

    # --- retention ----------------------------------------------------------------------
    window.show_view("retention")
    ret = window.view("retention")
    assert isinstance(ret, RetentionView)
    pump(lambda: ret.model.rowCount() > 0 and not ret.loading)
    ret.select_ref(old.ref)
    ret.table.setFocus()
    shoot(window, "retention.png")
    ret.dispose_selected()
    pump(lambda: ret.dispose_dialog is not None and not ret.loading)
    dialog = ret.dispose_dialog
    assert dialog is not None and dialog.confirm_edit is not None
    dialog.confirm_edit.setText(old.ref)
    shoot(dialog, "retention-dispose.png")
    dialog.reject()

    window.discard()
    pump(lambda: tasks_running() == 0)
    session.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
