"""Bytes to rows: encoding detection and header matching by name."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from typing import Iterator

from ingestion.errors import FileRejected

_BOM = b"\xef\xbb\xbf"


def decode(data: bytes, file: str) -> tuple[str, str]:
    """Return the text and the encoding found: UTF-8 with BOM, UTF-8, or GB18030.

    GB18030 is a superset of GBK, so GBK exports decode with it unchanged.
    The file does not say which encoding it uses; UTF-8 is tried first
    because GBK text is almost never valid UTF-8, while the reverse is common.
    """
    if not data.strip():
        raise FileRejected(file, "文件为空")
    if b"\x00" in data[:4096]:
        raise FileRejected(file, "不是文本文件（含二进制内容）")
    if data.startswith(_BOM):
        data, bom = data[len(_BOM):], True
    else:
        bom = False
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding), ("utf-8-sig" if bom else "utf-8") if encoding == "utf-8" else encoding
        except UnicodeDecodeError as exc:
            if exc.end >= len(data) and exc.reason.startswith(("unexpected end", "incomplete")):
                # A file cut inside its last character: keep what is whole;
                # the cut row is then short and goes to quarantine.
                return data[: exc.start].decode(encoding), encoding if encoding != "utf-8" else "utf-8"
            failure = exc
    line = data[: failure.start].count(b"\n") + 1
    raise FileRejected(file, f"第{line}行编码无法识别（既非UTF-8也非GBK/GB18030）")


@dataclass(frozen=True)
class Table:
    """A delimited file's header and rows, each row with its line number."""

    header: list[str]
    rows: list[tuple[int, list[str]]]


def read_csv(text: str, file: str) -> Table:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lstrip("\ufeff") for h in next(reader)]
    except StopIteration:
        raise FileRejected(file, "文件为空") from None
    except csv.Error as exc:
        raise FileRejected(file, f"表头无法解析：{exc}") from None
    rows = []
    try:
        for fields in reader:
            if any(f.strip() for f in fields):
                rows.append((reader.line_num, fields))
    except csv.Error as exc:
        raise FileRejected(file, f"第{reader.line_num}行无法解析：{exc}") from None
    return Table(header, rows)


def match_header(header: list[str], required: tuple[str, ...], file: str) -> tuple[dict[str, int], list[str]]:
    """Map each required column to its position; return the extra columns too."""
    seen: dict[str, int] = {}
    for index, name in enumerate(header):
        if name in seen:
            raise FileRejected(file, f"表头列“{name}”重复出现")
        seen[name] = index
    missing = [c for c in required if c not in seen]
    if missing:
        raise FileRejected(file, f"缺少必需列：{'、'.join(missing)}")
    extras = [h for h in header if h not in required]
    return {c: seen[c] for c in required}, extras


def records(table: Table, positions: dict[str, int]) -> Iterator[tuple[int, dict[str, str] | str]]:
    """Yield (line, record) or (line, reason) when the row's field count is wrong."""
    width = len(table.header)
    for line, fields in table.rows:
        if len(fields) != width:
            yield line, f"该行有{len(fields)}个字段，表头有{width}列"
            continue
        yield line, {name: fields[i] for name, i in positions.items()}


def _cell(value) -> str:
    """A spreadsheet cell as the text a clerk sees: 12.0 → 12, dates ISO."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    return str(value)


def read_xlsx(data: bytes, file: str, *, title_row: bool) -> Table:
    """The first sheet: an optional title row, the header, then data rows.

    Line numbers are the sheet's own (title = line 1, header = line 2), so a
    quarantine entry points at the row a clerk sees in Excel. A 合计 row at
    the bottom is a total, not data: it is left out.
    """
    if not data.startswith(b"PK"):
        raise FileRejected(file, "不是有效的Excel（xlsx）文件")
    try:
        from python_calamine import CalamineWorkbook

        sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for broken workbooks
        raise FileRejected(file, f"Excel文件无法读取（{type(exc).__name__}）") from None
    lines = [(index + 1, [_cell(v) for v in values]) for index, values in enumerate(sheet)]
    lines = [(n, cells) for n, cells in lines if any(c.strip() for c in cells)]
    if title_row and lines and sum(1 for c in lines[0][1] if c.strip()) == 1 and len(lines) > 1:
        lines = lines[1:]
    if not lines:
        raise FileRejected(file, "文件为空")
    header = [h.strip() for h in lines[0][1]]
    while header and not header[-1]:
        header.pop()
    body = [(n, cells[: len(header)] + [""] * (len(header) - len(cells))) for n, cells in lines[1:]]
    while body and body[-1][1] and body[-1][1][0].strip() == "合计":
        body.pop()
    return Table(header, body)
