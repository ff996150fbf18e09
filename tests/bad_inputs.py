"""The bad-input corpus: every kind of bad delivery tried, built from generated extracts.

Each case corrupts (or adds) one file of a copy of a landing folder generated
without defects (so that what is quarantined is the case's doing);
`tests/test_bad_input_corpus.py` ingests the source and checks what happened
against the case, and that the documentation's table (docs/bad-inputs.md)
says exactly that. To rewrite the table after adding a case:

    .venv/bin/python tests/bad_inputs.py docs/bad-inputs.md
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from openpyxl import load_workbook

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from ingestion.contract import CONTRACTS, REGION_CHANGES, REGIONS  # noqa: E402
from ingestion.landing import other_county_message, scan, unrecognised_message  # noqa: E402
from ingestion.load import PeriodResult, ingest_source  # noqa: E402
from ingestion.store import RawStore  # noqa: E402
from synthetic.ids import check_character  # noqa: E402

COUNTY = "370832"
SECRET = b"corpus-key"


@dataclass(frozen=True)
class BadInput:
    key: str
    delivered: str                       # what arrives, in a clerk's words (the table's first column)
    source: str
    make: Callable[[Path], Path]         # corrupts the source folder, returns the file concerned
    outcome: str                         # rejected | quarantined | loaded | unchanged | superseded | not read
    says: str                            # a phrase the message must contain
    field: str | None = None             # the field a quarantined row names
    max_file_bytes: int | None = None    # the largest file read, if not civstat's default


# ------------------------------------------------------------------ helpers
def first(folder: Path, suffix: str = "") -> Path:
    """The folder's first file that no correction replaces (so it is read)."""
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.name.endswith(suffix))
    return next(p for p in files if "_v" not in p.name and not p.with_name(p.stem + "_v2" + p.suffix).exists())


def read_rows(path: Path) -> tuple[list[str], list[list[str]], str]:
    return rows_of(path.read_bytes())


def rows_of(data: bytes) -> tuple[list[str], list[list[str]], str]:
    """A generated CSV's header, rows and encoding."""
    try:
        text, encoding = data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = data.decode("gb18030"), "gb18030"
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return rows[0], rows[1:], encoding


def write_rows(path: Path, header: list[str], rows: list[list[str]], encoding: str = "gb18030") -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *rows])
    path.write_bytes(buffer.getvalue().encode(encoding))


Change = Callable[[list[str], list[list[str]]], tuple[list[str], list[list[str]]]]


def with_field(column: str, value: str, row: int = 0) -> Change:
    """``value`` in ``column`` of data row ``row`` (line row + 2)."""
    def change(header: list[str], rows: list[list[str]]):
        rows[row][header.index(column)] = value
        return header, rows
    return change


def _left_without_date(header: list[str], row: list[str]) -> list[str]:
    """A 在册 child's row turned into a 退出 row whose 退出日期 was not filled in."""
    row = list(row)
    row[header.index("状态")], row[header.index("退出原因")], row[header.index("退出日期")] = "退出", "被收养", ""
    return row


def set_field(column: str, value: str, row: int = 0) -> Callable[[Path], Path]:
    return rewrite(with_field(column, value, row))


def rewrite(change: Change) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = first(folder)
        header, rows, encoding = read_rows(path)
        write_rows(path, *change(header, rows), encoding)
        return path
    return make


def raw_bytes(content: Callable[[bytes], bytes], suffix: str = "") -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = first(folder, suffix)
        path.write_bytes(content(path.read_bytes()))
        return path
    return make


def mixed_encodings(data: bytes) -> bytes:
    header, rows, _ = rows_of(data)
    half = len(rows) // 2
    as_text = lambda part: "".join(",".join(r) + "\r\n" for r in part)  # noqa: E731
    return (as_text([header, *rows[:half]]).encode("utf-8") + as_text(rows[half:]).encode("gbk"))


def workbook_change(change: Callable) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        path = first(folder, ".xlsx")
        book = load_workbook(path)
        change(book.active)
        book.save(path)
        return path
    return make


def merge_header_cells(sheet) -> None:
    sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=3)   # 机构编号, 负责人, 机构名称


def mistyped_served_township(sheet) -> None:
    """公墓台账: the first cemetery's 服务乡镇 with a digit dropped from its first code."""
    column = [cell.value for cell in sheet[2]].index("服务乡镇") + 1
    codes = sheet.cell(row=3, column=column).value
    sheet.cell(row=3, column=column, value=codes[:5] + codes[6:])


def second_header_row(sheet) -> None:
    sheet.insert_rows(3)
    for cell in sheet[2]:
        sheet.cell(row=3, column=cell.column, value=cell.value)


def as_v2(change: Change | None = None, older: bool = False) -> Callable[[Path], Path]:
    """The folder's first file delivered again as _v2: byte for byte, or changed
    by ``change``; ``older``: the _v2 carries a time stamp a day older than the first."""
    def make(folder: Path) -> Path:
        path = first(folder)
        v2 = path.with_name(path.stem + "_v2" + path.suffix)
        shutil.copyfile(path, v2)
        if change:
            header, rows, encoding = read_rows(v2)
            write_rows(v2, *change(header, rows), encoding)
        if older:
            stat = path.stat()
            os.utime(v2, (stat.st_atime - 86400, stat.st_mtime - 86400))
        return v2
    return make


def another_countys(folder: Path) -> Path:
    """A neighbouring county's roll for the same month, as _v2: were it read, it would win the month."""
    path = first(folder)
    theirs = path.with_name(path.name.replace(f"_{COUNTY}_", "_370481_").replace(".csv", "_v2.csv"))
    shutil.copy(path, theirs)
    return theirs


def misnamed(folder: Path) -> Path:
    path = first(folder)
    wrong = path.with_name(path.name.replace(".csv", "").replace("_2024", "_2024-") + ".csv")
    path.rename(wrong)
    return wrong


# ------------------------------------------------------------------ the corpus
ASSIST, AID, ELDERLY, DONATIONS, ORGS = "assistance", "temporary_aid", "elderly_care", "donations", "social_orgs"

CASES: list[BadInput] = [
    # whole files that cannot be read
    BadInput("empty", "an empty file (0 bytes)", ASSIST, raw_bytes(lambda d: b""), "rejected", "文件为空"),
    BadInput("blank", "a file of blank lines only", ASSIST, raw_bytes(lambda d: b"\r\n \r\n\r\n"), "rejected", "文件为空"),
    BadInput("binary", "a ZIP archive named .csv", ASSIST,
             raw_bytes(lambda d: b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + bytes(range(256)) * 8), "rejected",
             "不是文本文件"),
    BadInput("utf16", "a UTF-16 text export", ASSIST,
             raw_bytes(lambda d: d.decode("gb18030").encode("utf-16")), "rejected", "UTF-16"),
    BadInput("undecodable", "bytes that are neither UTF-8 nor GBK", ASSIST,
             raw_bytes(lambda d: d[:200] + b"\xff\xfe\xfa\xfb" * 10 + d[200:]), "rejected", "编码无法识别"),
    BadInput("mixed-encoding", "half the rows in UTF-8, half in GBK (two exports pasted together)", ASSIST,
             raw_bytes(mixed_encodings), "rejected", "混用了编码"),
    BadInput("csv-as-xlsx", "CSV text named .xlsx", ELDERLY,
             raw_bytes(lambda d: "机构编号,机构名称\r\nA,B\r\n".encode("utf-8"), ".xlsx"), "rejected", "不是有效的Excel"),
    BadInput("truncated-xlsx", "a workbook cut off in transfer", ELDERLY, raw_bytes(lambda d: d[:700], ".xlsx"),
             "rejected", "Excel文件无法读取"),
    BadInput("missing-column", "a required column missing (月保障金额)", ASSIST,
             rewrite(lambda h, rows: ([c for c in h if c != "月保障金额"],
                                      [[v for c, v in zip(h, r) if c != "月保障金额"] for r in rows])),
             "rejected", "缺少必需列：月保障金额"),
    BadInput("duplicated-header", "a column twice in the header", ASSIST,
             rewrite(lambda h, rows: (h + [h[1]], [r + [r[1]] for r in rows])), "rejected", "重复出现"),
    BadInput("merged-header", "a workbook whose header cells 机构编号 to 机构名称 are merged", ELDERLY,
             workbook_change(merge_header_cells), "rejected", "缺少必需列"),
    BadInput("too-large", "a file larger than the largest delivery read (here 64 KB; by default 512 MB)", ASSIST,
             raw_bytes(lambda d: d + b"\r\n" * 40_000), "rejected", "文件过大", max_file_bytes=64 * 1024),
    BadInput("huge-field", "a field of 200,000 characters", ASSIST, set_field("家庭编号", "H" * 200_000), "rejected",
             "无法解析"),
    # rows that cannot be read: quarantined, the rest of the file loads
    BadInput("truncated-csv", "a CSV cut inside its last row", ASSIST,
             raw_bytes(lambda d: d[: d.rindex(b"\r\n", 0, len(d) - 2) + 30]), "quarantined", "个字段", "(整行)"),
    BadInput("too-many-fields", "a row with one field too many", ASSIST,
             rewrite(lambda h, rows: (h, [rows[0] + ["多余"], *rows[1:]])), "quarantined", "个字段", "(整行)"),
    BadInput("too-few-fields", "a row with one field too few", ASSIST,
             rewrite(lambda h, rows: (h, [rows[0][:-1], *rows[1:]])), "quarantined", "个字段", "(整行)"),
    BadInput("second-header-row", "a workbook with its header row repeated under itself", ELDERLY,
             workbook_change(second_header_row), "quarantined", "不在代码表内", "机构性质"),
    BadInput("impossible-date", "an impossible date (2023-02-30)", ASSIST, set_field("纳入日期", "2023-02-30"),
             "quarantined", "不存在", "纳入日期"),
    BadInput("unreadable-date", "a date in words (去年三月)", ASSIST, set_field("纳入日期", "去年三月"),
             "quarantined", "无法识别的日期", "纳入日期"),
    BadInput("id-check", "an ID number with a wrong check character", ASSIST,
             set_field("户主身份证号", "110105194912310021"), "quarantined", "校验位错误", "户主身份证号"),
    BadInput("id-length", "an ID number of 16 digits", AID, set_field("身份证号", "1101051949123100"),
             "quarantined", "应为18位", "身份证号"),
    BadInput("id-birth-date", "an ID number whose birth date does not exist (1949-02-30)", AID,
             set_field("身份证号", "11010519490230001" + check_character("11010519490230001")),
             "quarantined", "出生日期不存在", "身份证号"),
    BadInput("credit-code", "a social credit code with a wrong check character", DONATIONS,
             set_field("受赠组织信用代码", "91370832MA3C000000"), "quarantined", "校验位错误", "受赠组织信用代码"),
    BadInput("negative-amount", "a negative amount", ASSIST, set_field("月保障金额", "-610.00"),
             "quarantined", "为负数", "月保障金额"),
    BadInput("absurd-amount", "an absurd amount (10^12 yuan)", AID, set_field("救助金额", "1000000000000"),
             "quarantined", "超出合理范围", "救助金额"),
    BadInput("amount-text", "an amount in words (六百元)", AID, set_field("救助金额", "六百元"),
             "quarantined", "不是数字", "救助金额"),
    BadInput("out-of-list", "a code outside the contract's list (城市低保户)", ASSIST,
             set_field("救助类型", "城市低保户"), "quarantined", "不在代码表内", "救助类型"),
    BadInput("unknown-region", "a region code the division table does not know", ASSIST,
             set_field("行政区划代码", "370832999999"), "quarantined", "未知区划代码", "行政区划代码"),
    BadInput("short-region", "a region code of 9 digits", AID, set_field("行政区划代码", "370832001"),
             "quarantined", "应为12位数字", "行政区划代码"),
    BadInput("missing-name", "a required name left empty", ASSIST, set_field("户主姓名", ""),
             "quarantined", "户主姓名为空", "户主姓名"),
    BadInput("served-township-mistyped", "a cemetery serving 、-joined townships, one code with a digit dropped",
             "cemeteries", workbook_change(mistyped_served_township), "quarantined", "不是12位乡镇区划代码", "服务乡镇"),
    BadInput("left-undated", "a child marked 退出 (left the roll) without the date it left", "child_welfare",
             rewrite(lambda h, rows: (h, [_left_without_date(h, rows[0]), *rows[1:]])),
             "quarantined", "退出日期为空", "退出日期"),
    # files that load, as they should
    BadInput("shuffled-columns", "the columns in another order", ASSIST,
             rewrite(lambda h, rows: (h[::-1], [r[::-1] for r in rows])), "loaded", ""),
    BadInput("extra-columns", "two columns the contract does not have", ASSIST,
             rewrite(lambda h, rows: (h + ["备注", "经办人"], [r + ["", "王"] for r in rows])), "loaded", "多余列已忽略"),
    BadInput("header-only", "a header and no rows", ASSIST, rewrite(lambda h, rows: (h, [])), "loaded", "只有表头"),
    BadInput("formula", "a formula in a text field (=HYPERLINK(…)); exports write it as text", ASSIST,
             set_field("家庭编号", '=HYPERLINK("http://example.invalid","点击")'), "loaded", ""),
    BadInput("utf8-bom", "UTF-8 with a byte-order mark instead of GBK", ASSIST,
             raw_bytes(lambda d: b"\xef\xbb\xbf" + d.decode("gb18030").encode("utf-8")), "loaded", ""),
    # deliveries and versions
    BadInput("same-file-twice", "the same file again, as _v2 with identical bytes", ASSIST,
             as_v2(), "loaded", ""),
    BadInput("v2-older-than-v1", "a _v2 whose time stamp is older than its _v1", ASSIST,
             as_v2(with_field("保障人口数", "3"), older=True), "loaded", ""),
    BadInput("misnamed", "a file whose name breaks the contract (assistance_370832_2024-01.csv)", ASSIST, misnamed,
             "not read", "文件名不符合约定"),
    BadInput("another-county", "another county's roll for the same month, as _v2 (assistance_370481_202403_v2.csv)",
             ASSIST, another_countys, "not read", "不是本库服务的370832"),
]


# ------------------------------------------------------------------ running a case
@dataclass
class Outcome:
    case: BadInput
    file: str
    outcome: str
    message: str
    field: str | None
    line: int | None
    results: list[PeriodResult]
    raw: Path


def run_case(case: BadInput, clean_landing: Path, work: Path) -> Outcome:
    """Copy the division table and the case's source, corrupt, ingest; what happened to the file."""
    landing, raw = work / "landing", work / "raw"
    for source in (REGIONS.key, REGION_CHANGES.key, case.source):
        shutil.copytree(clean_landing / source, landing / source)
    path = case.make(landing / case.source)
    store = RawStore(raw)
    for contract in (REGIONS, REGION_CHANGES):
        ingest_source(store, landing, contract, counties=[COUNTY], secret=SECRET)
    contract = CONTRACTS[case.source]
    limit = {"max_file_bytes": case.max_file_bytes} if case.max_file_bytes else {}
    results = ingest_source(store, landing, contract, counties=[COUNTY], secret=SECRET, **limit)
    scanned = scan(landing, contract, [COUNTY])
    if path in scanned.unrecognised:
        return Outcome(case, path.name, "not read", unrecognised_message(path), None, None, results, raw)
    for delivered in scanned.other_counties:
        if delivered.path == path:
            return Outcome(case, path.name, "not read", other_county_message(delivered, [COUNTY]), None, None, results, raw)
    entry = next(e for e in store.ledger(case.source).to_pylist() if e["file_name"] == path.name)
    result = next(r for r in results if path.name in (r.file_name, *(m.split(":")[0] for m in r.messages)))
    if entry["status"] == "rejected":
        return Outcome(case, path.name, "rejected", f"{path.name}: {entry['reason']}", None, None, results, raw)
    rows = store.quarantined_rows(case.source, result.period, path.name)
    if entry["status"] == "loaded" and rows:
        row = rows[0]
        return Outcome(case, path.name, "quarantined", f"{path.name} 第{row['source_row']}行 {row['fields']}：{row['reasons']}",
                       row["fields"], row["source_row"], results, raw)
    message = "；".join(m for m in result.messages if path.name in m)
    return Outcome(case, path.name, entry["status"], message, None, None, results, raw)


def docs_table(outcomes: list[Outcome]) -> str:
    lines = ["| # | delivered | source | what happened | message |", "|---:|---|---|---|---|"]
    for number, o in enumerate(outcomes, start=1):
        message = o.message.replace("|", "\\|") if o.message else "—"
        lines.append(f"| {number} | {o.case.delivered} | `{o.case.source}` | {o.outcome} | {message} |")
    return "\n".join(lines) + "\n"


DOC_HEAD = """# Bad inputs: what civstat does with each

Every kind of bad delivery tried, each built by corrupting one generated
extract (`tests/bad_inputs.py`). In every case the other files of the source
load, every row read is loaded or quarantined (the counts are checked), and
the message names the file, and the row and field where there is one. A
rejected file leaves the period on its last good version. The table is
written by the code that runs the cases, and `tests/test_bad_input_corpus.py`
fails when it no longer says what happens:

    .venv/bin/python tests/bad_inputs.py docs/bad-inputs.md

"rejected": the file is refused whole, with the reason in the ledger;
"quarantined": the rows named go to quarantine, the file's other rows load;
"loaded": nothing is wrong with the data; "not read": the file is listed by
the ingestion step, as unrecognised or as another county's, and left alone (a
warning in its log and metadata, and a "not read" line in every `civstat run`
while it is there).

"""

DOC_TAIL = """
A 2 GB file is the same case as "too-large" with the default limit
(`max_file_mb`, 512 MB): it is refused before it is read, after hashing it
for the ledger. `bench/large_file.py` measures what reading a large file
costs; docs/benchmarks.md has the figures.

Not in this table: figures that are well-formed but wrong (an amount of
99,999 yuan for one household). Those pass ingestion and are caught by the
quality suites, which withhold the figures they touch (docs/quality.md).
"""


def render_docs(clean_landing: Path, work: Path) -> str:
    outcomes = [run_case(case, clean_landing, work / case.key) for case in CASES]
    return DOC_HEAD + docs_table(outcomes) + DOC_TAIL


if __name__ == "__main__":
    import tempfile

    from synthetic.generate import GenerateRequest, generate

    target = Path(sys.argv[1])
    with tempfile.TemporaryDirectory() as scratch:
        landing = Path(scratch) / "landing"
        sys.path.insert(0, str(REPO / "tests"))
        from conftest import WITHOUT_DEFECTS  # noqa: E402

        generate(GenerateRequest(out=landing, **WITHOUT_DEFECTS))
        target.write_text(render_docs(landing, Path(scratch) / "cases"), encoding="utf-8")
    print(f"wrote {target}")
