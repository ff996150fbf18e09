"""Public exports (对外公开数据): a township table of the published marts as CSV or
XLSX, with small cells hidden as on the dashboards (see :mod:`warehouse.disclosure`).

Only the tables of the disclosure policy can be exported this way: they are
the ones whose small cells civstat knows how to hide. Every export says in
itself whether small cells were hidden: the ``disclosure_note`` column on each
row, and in a workbook a note under the table.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook

from warehouse.disclosure import POLICY, PUBLIC_SCHEMA, SMALL_CELL_MAX, protected_table
from warehouse.formulas import csv_row, neutralise_workbook
from warehouse.query import connect_serving
from warehouse.xlsx import fit_column_widths, write_deterministic


class ExportRefused(ValueError):
    """The table cannot be exported publicly."""


@dataclass(frozen=True)
class PublicExport:
    path: Path
    rows: int
    hidden_cells: int        # township cells shown blank
    disclosure_control: bool


def note(enabled: bool) -> str:
    if enabled:
        return (f"数据保护：乡镇（街道）1–{SMALL_CELL_MAX} 人（户、人次）的小数单元格及可由合计推算出它们的互补单元格"
                "已隐去（空白），其值计入“其他（已隐去）”行，合计不变；每行的 disclosure_note 说明隐去了什么。")
    return "注意：本表未做小数隐去（CIVSTAT_DISCLOSURE_CONTROL=0），含 1–4 的小数，仅限内部使用，不得公开。"


def export_public_table(serving_path: Path, table_name: str, out: Path) -> PublicExport:
    """Write ``public_marts.<table_name>`` to ``out`` (.csv or .xlsx)."""
    table = protected_table(table_name)
    if table is None:
        raise ExportRefused(f"{table_name} has no disclosure policy and cannot be exported publicly; "
                            f"tables that can: {', '.join(t.name for t in POLICY)}")
    suffix = out.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise ExportRefused(f"{out}: the file must end in .csv or .xlsx")
    con = connect_serving(serving_path)
    try:
        cursor = con.execute(f'select * from {PUBLIC_SCHEMA}."{table.name}" order by all')
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
        [[enabled]] = con.execute("select coalesce(bool_and(enabled), false) from meta.disclosure_control "
                                  "where table_name = ?", [table.name]).fetchall()
        [[hidden]] = con.execute(
            f'select count(*) from {PUBLIC_SCHEMA}."{table.name}" '
            f"where {table.township} is not null and disclosure_note like '%已隐去%'").fetchall()
    finally:
        con.close()
    out.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        _write_csv(out, columns, rows)
    else:
        _write_xlsx(out, table.label, columns, rows, enabled)
    return PublicExport(out, len(rows), hidden, enabled)


def _write_csv(out: Path, columns: list[str], rows: list[tuple]) -> None:
    tmp = out.with_name(out.name + ".tmp")
    # UTF-8 with a byte-order mark: Excel in a Chinese locale reads it as UTF-8.
    with open(tmp, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(csv_row(row) for row in rows)
    tmp.replace(out)


def _write_xlsx(out: Path, title: str, columns: list[str], rows: list[tuple], enabled: bool) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title[:31]
    sheet.append(columns)
    for row in rows:
        sheet.append(list(row))
    sheet.append([])
    sheet.append([note(enabled)])
    fit_column_widths(sheet, first_row=1, last_row=len(rows) + 1)
    neutralise_workbook(workbook)
    write_deterministic(workbook, out)
