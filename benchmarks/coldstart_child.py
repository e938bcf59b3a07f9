"""Child process for the cold-start benchmark: the app's own start-up path (``app.main``)
up to the first visible window, then exit. Prints ``<seconds since exec> <window class>``.

Run as a file (not ``-m``) so nothing but the app is imported. The parent passes the
wall-clock time it spawned us in ``BENCH_SPAWN_NS`` (time.time_ns), so the figure includes
interpreter start-up.
"""

import os
import sys
import time

spawn_ns = int(os.environ.get("BENCH_SPAWN_NS", "0"))


def main() -> int:
    from sendiass_desktop import app as app_module

    args = app_module.build_parser().parse_args(["--store", sys.argv[1]])
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication

    QGuiApplication.setHighDpiScaleFactorRoundingPolicy(
        Qt.HighDpiScaleFactorRoundingPolicy.PassThrough)
    qapp = QApplication([sys.argv[0]])
    app_module.configure_application(qapp)
    from sendiass_desktop.ui.theme import apply_theme

    apply_theme(qapp)
    import sendiass_desktop.ui.startup  # noqa: F401

    controller = app_module.launch(args)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        qapp.processEvents()
        shown = [w for w in qapp.topLevelWidgets() if w.isVisible()]
        if shown:
            qapp.processEvents()  # one more pass so it is painted
            elapsed = (time.time_ns() - spawn_ns) / 1e9
            print(f"{elapsed:.4f} {type(shown[0]).__name__}", flush=True)
            controller.deleteLater() if hasattr(controller, "deleteLater") else None
            return 0
        time.sleep(0.001)
    print("timeout none", flush=True)
    return 1


if __name__ == "__main__":
    os._exit(main())
