"""Workbooks written the same way every time: the same inputs give the same bytes.

openpyxl stamps the current time into ``docProps/core.xml`` (created,
modified) and into every zip entry. ``write_deterministic`` sets both
properties to a time the caller derives from the data (e.g. the publication
time of the serving file) and re-zips the package with a fixed entry time, in
a fixed order, so a report or a submission can be compared, hashed or signed.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
import zipfile
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from warehouse.formulas import neutralise_workbook

ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)          # the earliest time a zip entry can hold
CONTENT_TYPES = "[Content_Types].xml"


def write_deterministic(workbook: Workbook, path: Path, timestamp: dt.datetime | None = None) -> None:
    """Save ``workbook`` to ``path`` atomically with reproducible bytes.

    ``timestamp`` (naive UTC, or aware) becomes the document's created and
    modified time; without one both are the zip epoch, never the clock.
    """
    neutralise_workbook(workbook)          # data text is never saved as a formula
    when = _as_naive_utc(timestamp) if timestamp is not None else dt.datetime(*ZIP_EPOCH)
    workbook.properties.created = when
    workbook.properties.modified = when
    # Workbook.save() would overwrite `modified` with now(): write through ExcelWriter.
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(workbook, archive).write_data()
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(_rezip(raw.getvalue()))
    tmp.replace(path)


def _rezip(package: bytes) -> bytes:
    """The same entries, with a fixed time and attributes, [Content_Types].xml first."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as source, zipfile.ZipFile(out, "w") as target:
        names = sorted(source.namelist(), key=lambda name: (name != CONTENT_TYPES, name))
        for name in names:
            info = zipfile.ZipInfo(name, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3                    # Unix, whatever the platform
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(name))
    return out.getvalue()


def _as_naive_utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is not None:
        value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
    return value.replace(microsecond=0)


def display_width(text: str) -> int:
    """Columns a string takes in a spreadsheet: CJK and full-width characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def fit_column_widths(sheet: Worksheet, first_row: int = 1, last_row: int | None = None,
                      minimum: int = 6, maximum: int = 60) -> None:
    """Set each column's width to its longest displayed value in rows ``first_row``
    to ``last_row`` (titles and notes outside them are left to spill over)."""
    widths: dict[int, int] = {}
    for row in sheet.iter_rows(min_row=first_row, max_row=last_row):
        for cell in row:
            if cell.value is None:
                continue
            text = cell.value if isinstance(cell.value, str) else _shown(cell.value, cell.number_format)
            widths[cell.column] = max(widths.get(cell.column, 0), display_width(text))
    for column, width in sorted(widths.items()):
        sheet.column_dimensions[get_column_letter(column)].width = min(maximum, max(minimum, width + 2))


def _shown(value, number_format: str) -> str:
    """A generous estimate of how a number is shown: its text plus the format's literals."""
    if not isinstance(value, (int, float, Decimal)):
        return str(value)
    literals = "".join(part for i, part in enumerate(number_format.split(";")[0].split('"')) if i % 2)
    return f"{value:,}" + literals + "%+"
