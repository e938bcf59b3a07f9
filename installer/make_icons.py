"""Render the app icon from resources/icons/app.svg to PNGs and a Windows .ico.

Run after changing the SVG, and commit what it writes:

    QT_QPA_PLATFORM=offscreen .venv/bin/python installer/make_icons.py

Writes ``resources/icons/app-N.png`` (N = 16 … 512) and ``resources/icons/app.ico``
(16 … 256, each size drawn from the SVG rather than shrunk from the largest), and
copies the PNGs into ``sendiass_desktop/resources/icons/``, where the running app
loads them (``sendiass_desktop.ui.app_icon``). Needs PySide6 (QtSvg) and Pillow
(which reportlab already brings).
"""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "resources" / "icons" / "app.svg"
OUT = REPO / "resources" / "icons"
PACKAGE_OUT = REPO / "sendiass_desktop" / "resources" / "icons"
PNG_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def render_png(size: int) -> bytes:
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        raise SystemExit(f"cannot read {SOURCE}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


def main() -> int:
    from PIL import Image
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    assert app is not None
    PACKAGE_OUT.mkdir(parents=True, exist_ok=True)
    images: dict[int, Image.Image] = {}
    for size in PNG_SIZES:
        png = render_png(size)
        path = OUT / f"app-{size}.png"
        path.write_bytes(png)
        shutil.copyfile(path, PACKAGE_OUT / path.name)
        images[size] = Image.open(io.BytesIO(png)).convert("RGBA")
        print(f"wrote {path.relative_to(REPO)}")
    largest = images[max(ICO_SIZES)]
    others = [images[s] for s in ICO_SIZES if s != max(ICO_SIZES)]
    ico = OUT / "app.ico"
    largest.save(ico, format="ICO", sizes=[(s, s) for s in ICO_SIZES], append_images=others)
    print(f"wrote {ico.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
