"""Bytes to rows: encoding detection and header matching by name."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

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
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileRejected(file, "文件为UTF-16编码，请另存为UTF-8或GBK")
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
            if encoding == "utf-8" and _whole_utf8_lines_before(data, exc.start):
                # Whole lines of Chinese before the failure were valid UTF-8,
                # which GBK text never is: two files pasted together. Read as
                # GB18030, the UTF-8 part would load as garbled characters.
                line = data[: exc.start].count(b"\n") + 1
                raise FileRejected(file, f"文件混用了编码：第{line}行之前为UTF-8，第{line}行不是UTF-8（可能为GBK）")
            failure = exc
    line = data[: failure.start].count(b"\n") + 1
    raise FileRejected(file, f"第{line}行编码无法识别（既非UTF-8也非GBK/GB18030）")


def _whole_utf8_lines_before(data: bytes, failure: int) -> bool:
    """Do the lines before the one that is not UTF-8 hold Chinese in UTF-8? A few
    GBK characters happen to be valid UTF-8 too, a whole line of them never."""
    before = data[: data.rfind(b"\n", 0, failure) + 1]
    return sum(1 for ch in before.decode("utf-8") if "\u4e00" <= ch <= "\u9fff") >= 2


@dataclass(frozen=True)
class Table:
    """A delimited file's header and rows, each row with its line number."""

    header: list[str]
    rows: list[tuple[int, list[str]]]


@dataclass(frozen=True)
class Body:
    """A file's data rows of the header's width, as one Arrow column of written
    values per header position, with their line numbers; every other row read
    is in ``malformed`` with its reason. Blank lines are not rows."""

    header: list[str]
    lines: list[int]
    columns: list[pa.StringArray]
    malformed: list[tuple[int, str]]

    @property
    def rows_read(self) -> int:
        return len(self.lines) + len(self.malformed)


def body_of(table: Table) -> Body:
    whole, malformed = split_by_width(table)
    width = len(table.header)
    columns = list(zip(*[fields for _, fields in whole])) if whole else [()] * width
    return Body(table.header, [line for line, _ in whole], [pa.array(c, pa.string()) for c in columns], malformed)


def read_csv_body(text: str, file: str) -> Body:
    """The rows of a CSV text: by Arrow's reader when the text has no quoting,
    else by Python's csv module. Both give the same rows, line numbers and
    reasons; Arrow's is several times faster."""
    body = _unquoted_body(text)
    return body if body is not None else body_of(read_csv(text, file))


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
            if "".join(fields).strip():     # a row of empty fields is a blank line
                rows.append((reader.line_num, fields))
    except csv.Error as exc:
        reason = f"字段超过{csv.field_size_limit()}个字符" if "field larger than field limit" in str(exc) else exc
        raise FileRejected(file, f"第{reader.line_num}行无法解析：{reason}") from None
    return Table(header, rows)


def _unquoted_body(text: str) -> Body | None:
    """Without quote characters, stray carriage returns or NULs, a CSV line is
    exactly its fields split on commas, as Python's csv module reads it. Lines
    are checked for blankness and width here; the rest goes to Arrow's reader
    in one piece. None when the text needs the csv module."""
    if '"' in text or "\x00" in text or text.count("\r") != text.count("\r\n"):
        return None
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines[0].strip() or max(map(len, lines)) > csv.field_size_limit():
        return None
    header = [h.strip().lstrip("\ufeff") for h in lines[0].split(",")]
    width = len(header)
    kept, numbers, malformed = [], [], []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip(_BLANK):                 # only commas and spaces: a blank line
            continue
        fields = line.count(",") + 1
        if fields == width:
            kept.append(line)
            numbers.append(number)
        else:
            malformed.append((number, wrong_width(fields, width)))
    names = [f"c{i}" for i in range(width)]
    if kept:
        table = pa_csv.read_csv(
            io.BytesIO("\n".join(kept).encode("utf-8")),
            read_options=pa_csv.ReadOptions(column_names=names, use_threads=False),
            parse_options=pa_csv.ParseOptions(quote_char=False, double_quote=False, escape_char=False,
                                              newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                  strings_can_be_null=False, quoted_strings_can_be_null=False))
        assert table.num_rows == len(kept), "Arrow read a different number of rows"
        columns = [table.column(i).combine_chunks() for i in range(width)]
    else:
        columns = [pa.array([], pa.string()) for _ in range(width)]
    return Body(header, numbers, columns, malformed)


def match_header(header: list[str], required: tuple[str, ...], file: str) -> tuple[dict[str, int], list[str]]:
    """Map each required column to its position; return the extra columns too."""
    seen: dict[str, int] = {}
    for index, name in enumerate(header):
        if name and name in seen:
            raise FileRejected(file, f"表头列“{name}”重复出现")
        seen[name] = index
    missing = [c for c in required if c not in seen]
    if missing:
        raise FileRejected(file, f"缺少必需列：{'、'.join(missing)}")
    extras = [h or f"（第{i + 1}列，无列名）" for i, h in enumerate(header) if h not in required]
    return {c: seen[c] for c in required}, extras


def wrong_width(fields: int, width: int) -> str:
    """Why a row with the wrong number of fields is quarantined whole."""
    return f"该行有{fields}个字段，表头有{width}列"


def split_by_width(table: Table) -> tuple[list[tuple[int, list[str]]], list[tuple[int, str]]]:
    """The rows with as many fields as the header, and (line, reason) for the others."""
    width = len(table.header)
    whole, malformed = [], []
    for line, fields in table.rows:
        if len(fields) == width:
            whole.append((line, fields))
        else:
            malformed.append((line, wrong_width(len(fields), width)))
    return whole, malformed


# The characters Python's str.strip() removes (str.isspace), as one RE2 class;
# tests/test_identity_and_values.py checks the list against Python's own.
PYTHON_WHITESPACE = (0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680,
                     *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F, 0x3000)
_SPACE = "[" + "".join(f"\\x{{{c:x}}}" for c in PYTHON_WHITESPACE) + "]"
_PADDED = f"^{_SPACE}|{_SPACE}$"
_BLANK = "," + "".join(map(chr, PYTHON_WHITESPACE))


def stripped(column: pa.StringArray) -> pa.StringArray:
    """A column of written values, each as ``str.strip()`` leaves it.

    Arrow finds the padded values; only a column that has some is stripped in
    Python (most have none).
    """
    if pc.any(pc.match_substring_regex(column, _PADDED)).as_py():
        return pa.array([value.strip() for value in column.to_pylist()], pa.string())
    return column


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
