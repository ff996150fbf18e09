"""The marriage correction lists (婚姻登记更正清单): one workbook per office.

Each registration office receives the registrations it must correct: the
record (certificate number, date, type, file and line), the rule broken and
what is wrong in plain Chinese, and whether the data team has recorded an
explained exception. Read from the published serving file, so an office gets
exactly what was published; the parties appear only as pseudonymous keys.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from warehouse.query import connect_serving
from warehouse.xlsx import write_deterministic

COLUMNS = [
    ("certificate_no", "证书字号"), ("registered_on", "登记日期"), ("registration_type", "登记类型"),
    ("rule_id", "规则"), ("rule_name", "规则名称"), ("explanation", "问题说明"),
    ("is_explained", "已说明例外"), ("exception_reason", "例外说明"),
    ("man_person_key", "男方假名键"), ("woman_person_key", "女方假名键"),
    ("source_file", "来源文件"), ("source_row", "行号"),
]


def write_correction_lists(serving_path: Path, out_dir: Path) -> dict[str, int]:
    """One XLSX per office with failing registrations; returns office → rows."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    con = connect_serving(serving_path)
    try:
        names = ", ".join(c for c, _ in COLUMNS)
        rows = con.execute(
            f"select office_code, {names} from marts.mart_marriage_correction_list "
            "order by office_code, registered_on, certificate_no, rule_id").fetchall()
    finally:
        con.close()
    by_office: dict[str, list[tuple]] = {}
    for office, *values in rows:
        by_office.setdefault(office, []).append(tuple(values))
    for office, records in by_office.items():
        _write_workbook(out_dir / f"{office}_婚姻登记更正清单.xlsx", office, records)
    return {office: len(records) for office, records in by_office.items()}


def _write_workbook(path: Path, office: str, records: list[tuple]) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "更正清单"
    sheet.append([f"{office} 婚姻登记更正清单（共 {len(records)} 条）"])
    sheet["A1"].font = Font(bold=True)
    sheet.append([label for _, label in COLUMNS])
    for record in records:
        sheet.append(["是" if v is True else "否" if v is False else v for v in record])
    write_deterministic(book, path)
