"""How a department writes a file: column order, extras, number and date styles."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path


@dataclass(frozen=True)
class Delivery:
    """One export's habits; each delivery of a source may differ from the last."""

    columns: tuple[str, ...]
    thousands_separator: bool
    date_style: str  # iso | slash | compact

    @classmethod
    def random(cls, rng: random.Random, columns: list[str], extras: list[str]) -> "Delivery":
        order = list(columns)
        if rng.random() < 0.3:
            rng.shuffle(order)
        if extras and rng.random() < 0.2:
            order.insert(rng.randrange(len(order) + 1), rng.choice(extras))
        return cls(tuple(order), rng.random() < 0.3, rng.choice(("iso", "iso", "slash", "compact")))

    def money(self, value: Decimal) -> str:
        return f"{value:,.2f}" if self.thousands_separator else f"{value:.2f}"

    def date(self, value: dt.date | None) -> str:
        if value is None:
            return ""
        if self.date_style == "slash":
            return f"{value.year}/{value.month}/{value.day}"
        if self.date_style == "compact":
            return f"{value:%Y%m%d}"
        return value.isoformat()

    def write_csv(self, out: Path, source: str, name: str, rows: list[dict[str, str]],
                  encoding: str) -> Path:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(self.columns)
        for row in rows:
            writer.writerow([row.get(column, "") for column in self.columns])
        path = Path(out) / source / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(buffer.getvalue().encode(encoding))
        return path


    def write_xlsx(self, out: Path, source: str, name: str, rows: list[dict[str, str]], *,
                   title: str, totals: dict[str, str] | None = None) -> Path:
        """An Excel export as departments make them: a title row above the
        header and, when ``totals`` is given, a 合计 row at the bottom.
        Cells are written as text, as the systems export them."""
        table = [[title], list(self.columns)]
        table += [[row.get(column, "") for column in self.columns] for row in rows]
        if totals is not None:
            table.append([totals.get(column, "") for column in self.columns])
        path = Path(out) / source / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(deterministic_xlsx(table))
        return path


_FIXED_TIME = (2020, 1, 1, 0, 0, 0)


def deterministic_xlsx(table: list[list[str]]) -> bytes:
    """XLSX bytes that depend only on the cells: openpyxl stamps the save time
    into docProps/core.xml and every zip entry, so both are fixed here."""
    import zipfile

    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Sheet1")
    for row in table:
        sheet.append(row)
    raw = io.BytesIO()
    workbook.save(raw)
    fixed = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(fixed, "w", zipfile.ZIP_DEFLATED) as target:
        for info in sorted(source.infolist(), key=lambda i: i.filename):
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(<)",
                              rb"\g<1>2020-01-01T00:00:00Z\g<2>", data)
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, data)
    return fixed.getvalue()


@dataclass
class DefectLog:
    """Every defect planted in a file: the truth ingestion must quarantine."""

    entries: list[dict] = field(default_factory=list)

    def add(self, source: str, file: str, row: int, field: str, rule: str) -> None:
        self.entries.append({"source": source, "file": file, "row": row, "field": field, "rule": rule})
