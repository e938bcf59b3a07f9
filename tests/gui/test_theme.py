"""Colours keep their contrast in the light and the dark palette."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory

from sendiass_desktop.ui.theme import (
    ToneColours,
    all_tone_colours,
    contrast_ratio,
    dark_palette,
    is_dark,
    secondary_text_colour,
)

pytestmark = pytest.mark.gui

AA = 4.5


@pytest.mark.parametrize(("key", "colours"), list(all_tone_colours().items()),
                         ids=lambda v: str(v))
def test_every_accent_reads_clearly(key: object, colours: ToneColours) -> None:
    assert contrast_ratio(colours.foreground, colours.background) >= AA


def test_dark_palette_is_dark_and_readable(qapp: QApplication) -> None:
    palette = dark_palette()
    assert is_dark(palette)
    role = QPalette.ColorRole
    for fg, bg in ((role.WindowText, role.Window), (role.Text, role.Base),
                   (role.ButtonText, role.Button), (role.HighlightedText, role.Highlight)):
        assert contrast_ratio(palette.color(fg), palette.color(bg)) >= AA
    assert contrast_ratio(secondary_text_colour(palette), palette.color(role.Window)) >= AA


def test_secondary_text_reads_on_the_light_palette(qapp: QApplication) -> None:
    style = QStyleFactory.create("Fusion")
    assert style is not None
    palette = style.standardPalette()
    assert not is_dark(palette)
    window = palette.color(QPalette.ColorRole.Window)
    assert contrast_ratio(secondary_text_colour(palette), window) >= AA
