"""Text a spreadsheet would run, written as text in every export (CSV injection).

Department text reaches the exports: a region's or an institution's name is
printed in the JZH01 form, the target report and the correction lists, and
`civstat sql --format csv` prints whatever a statistician selects. Text that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is read by
Excel and LibreOffice as a formula: ``=HYPERLINK("http://…","点击")`` becomes
a link, ``+cmd|' /C calc'!A0`` a DDE call. So:

- in a CSV, such text gets an apostrophe in front, as OWASP advises: the
  spreadsheet shows the text and runs nothing;
- in a workbook, such text is a string cell, never a formula cell (openpyxl
  turns a string starting with ``=`` into a formula).

A number written as text (``-3.5``, ``+12%``) is not a formula and is left
alone. civstat writes no formulas of its own, so every formula cell in a
workbook about to be saved came from data.
"""

from __future__ import annotations

import re

from openpyxl import Workbook

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?%?")


def csv_text(value):
    """A CSV cell's value, with text a spreadsheet would run made inert."""
    if isinstance(value, str) and value.startswith(TRIGGERS) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_row(values) -> list:
    return [csv_text(value) for value in values]


def neutralise_workbook(workbook: Workbook) -> int:
    """Make every formula cell a text cell; returns how many there were."""
    count = 0
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
                    count += 1
    return count
