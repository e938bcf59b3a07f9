"""Printing the recovery key straight to a printer (no file is written).

The saved PDF is the full recovery sheet; this printout carries the same
key, the store's identity and the essential advice on one page.
"""

from __future__ import annotations

from html import escape

from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QWidget

from sendiass_desktop.services.setup import SetupResult


def recovery_key_html(result: SetupResult) -> str:
    groups = result.recovery_key.split("-")
    cells = "".join(
        f"<td style='padding:6px 10px;text-align:center'><small>{i + 1}</small><br>"
        f"<span style='font-family:monospace;font-size:18pt;font-weight:bold'>{escape(g)}"
        "</span></td>" + ("</tr><tr>" if i == 6 else "")
        for i, g in enumerate(groups)
    )
    created = f"{result.created_on.day} {result.created_on:%B %Y}"
    binding = "on" if result.device_binding else "off"
    return (
        "<h1>Recovery key — SENDIASS Desktop</h1>"
        f"<h2>{escape(result.service_name)}</h2>"
        "<p>This key opens the store if every password is lost, and enrols new computers. "
        "Keep this page locked away from the computer. Anyone who has it and a copy of the "
        "store can read every record.</p>"
        f"<table border='1' cellspacing='0'><tr>{cells}</tr></table>"
        "<h3>Which store this key opens</h3>"
        f"<p>Store file: {escape(result.store_file_name)}<br>"
        f"Store identifier: {escape(result.store_id)}<br>"
        f"Created on {created} by {escape(result.created_by)}<br>"
        f"Device binding: {binding}</p>"
        "<p>If this page is lost, or someone else may have seen it, tell the administrator: "
        "they can issue a new recovery key, after which this one no longer works.</p>"
    )


def print_recovery_key(parent: QWidget, result: SetupResult) -> bool:
    """Show the print dialog and print; True if it was sent to a printer."""
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName("SENDIASS recovery key")
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle("Print the recovery key")
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return False
    document = QTextDocument()
    document.setHtml(recovery_key_html(result))
    document.print_(printer)
    return True
