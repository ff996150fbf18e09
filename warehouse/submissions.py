"""Produced submissions of form JZH01: rendered, stored by revision, reproducible.

Each submission for a region and month is kept under
``<home>/submissions/jzh01/<region>/<YYYY-MM>/r<N>/``: the figures it was
rendered from (``submission.json``, with the published version they came
from), the workbook and the CSV. Producing the form again with the same
figures returns that revision, byte for byte; figures that changed (newer
data published) make revision N+1, with the rows that differ written to
``changes_from_r<N-1>.csv``. ``revision=N`` renders a stored revision again
from its own figures, whatever has been published since.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from warehouse.formulas import csv_row, csv_text
from warehouse.jzh01 import APPROVAL, FORM, TITLE, Submission
from warehouse.xlsx import write_deterministic

FORMATS = ("xlsx", "csv")


@dataclass(frozen=True)
class Produced:
    revision: int
    folder: Path
    path: Path               # the file written for the caller
    is_new: bool
    changes: list[dict]      # rows that differ from the previous revision (new revisions only)


class SubmissionStore:
    def __init__(self, home: Path) -> None:
        self.root = Path(home) / "submissions" / FORM.lower()

    def folder(self, region: str, period: str) -> Path:
        return self.root / region / period

    def revisions(self, region: str, period: str) -> list[int]:
        return sorted(int(p.name[1:]) for p in self.folder(region, period).glob("r*") if p.name[1:].isdigit())

    def load(self, region: str, period: str, revision: int) -> Submission:
        path = self.folder(region, period) / f"r{revision}" / "submission.json"
        if not path.exists():
            known = ", ".join(f"r{n}" for n in self.revisions(region, period)) or "none"
            raise FileNotFoundError(f"no revision r{revision} of {FORM} {region} {period}; stored: {known}")
        return Submission.from_dict(json.loads(path.read_text(encoding="utf-8")))

    def produce(self, submission: Submission, out: Path, fmt: str) -> Produced:
        """Store the submission as a new revision unless its figures equal the
        latest one's, then write the requested file from the stored revision."""
        region, period = submission.region_code, submission.period
        existing = self.revisions(region, period)
        if existing and self.load(region, period, existing[-1]).figures() == submission.figures():
            return self.render(region, period, existing[-1], out, fmt)
        revision = (existing[-1] + 1) if existing else 1
        folder = self.folder(region, period) / f"r{revision}"
        folder.mkdir(parents=True)
        (folder / "submission.json").write_text(
            json.dumps(submission.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8")
        changes = changed_rows(self.load(region, period, existing[-1]), submission) if existing else []
        if existing:
            write_changes(changes, folder / f"changes_from_r{existing[-1]}.csv")
        produced = self.render(region, period, revision, out, fmt)
        return Produced(revision, folder, produced.path, True, changes)

    def render(self, region: str, period: str, revision: int, out: Path, fmt: str) -> Produced:
        submission = self.load(region, period, revision)
        folder = self.folder(region, period) / f"r{revision}"
        stored = folder / f"{FORM}_{region}_{period}_r{revision}.{fmt}"
        if not stored.exists():
            (write_xlsx if fmt == "xlsx" else write_csv)(submission, stored)
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(stored.read_bytes())
        return Produced(revision, folder, out, False, [])


def changed_rows(before: Submission, after: Submission) -> list[dict]:
    old = {r.code: r for r in before.rows}
    return [{"code": r.code, "label": r.label, "before": old[r.code].value if r.code in old else None,
             "after": r.value}
            for r in after.rows if r.code not in old or old[r.code].value != r.value]


def write_changes(changes: list[dict], path: Path) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["代码", "指标名称", "原数", "新数"])
    writer.writerows(csv_row([c["code"], c["label"], c["before"] or "", c["after"] or ""]) for c in changes)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")


# ---- rendering -----------------------------------------------------------

def _number_format(decimals: int) -> str:
    return "#,##0" + ("." + "0" * decimals if decimals else "")


def _label(row) -> str:
    """The label as printed: cumulative rows marked *."""
    return ("*" if row.is_cumulative and row.unit else "") + row.label


def _header_lines(s: Submission) -> list[tuple[str, str, str]]:
    year, month = s.period.split("-")
    return [
        (f"表    号: {FORM} 表", "", "制表机关: 民 政 部"),
        (f"编制单位: {s.bureau}", "", "批准机关: 国 家 统 计 局"),
        (f"地区编码: {s.region_code}", f"{year}年{month}月", f"批准文号: {APPROVAL}"),
    ]


def _columns(s: Submission) -> list[str]:
    previous = "上期" if s.comparison == "环比" else "上年同期"
    return ["指标名称", "单位", "代码", "数量", previous, f"{s.comparison}(%)"]


def _notes(s: Submission) -> list[str]:
    notes = ["注：代码以 L 开头的行为本地代码（国家统计制度未公布其代码），报送前按当年制度核对；"
             "标 * 的指标为1月至本月累计数；空格表示无数据。"]
    notes += [f"暂缓上报：{r.code} {r.label}：{r.withheld}" for r in s.rows if r.withheld]
    notes += [f"审核说明：{f.rule_id} {f.code}：{f.message}；说明：{f.explanation}" for f in s.audit if f.explanation]
    notes += [f"待说明：{f.rule_id} {f.code}：{f.message}" for f in s.audit if not f.explanation
              and f not in s.blocking_failures]
    notes.append(f"数据来源：{s.publication.get('serving_file', '')}（运行 {s.publication.get('run_id', '')}）")
    return notes


def write_xlsx(s: Submission, path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = FORM
    thin = Side(style="thin")
    ws.append([TITLE])
    ws.merge_cells("A1:F1")
    ws["A1"].font, ws["A1"].alignment = Font(bold=True, size=14), Alignment(horizontal="center")
    for left, middle, right in _header_lines(s):
        ws.append([left, "", middle, "", right, ""])
    ws.append(_columns(s))
    ws.append(["甲", "乙", "丙", "1", "2", "3"])
    first = ws.max_row - 1
    for row in s.rows:
        ws.append([_label(row), row.unit, row.code,
                   *(Decimal(v) if v is not None else None for v in (row.value, row.previous, row.change_pct))])
        line = ws.max_row
        ws.cell(line, 1).alignment = Alignment(horizontal="left", indent=row.depth)
        for col, decimals in ((4, row.decimals), (5, row.decimals), (6, 2)):
            ws.cell(line, col).number_format = _number_format(decimals)
        if not row.unit:
            ws.cell(line, 1).font = Font(bold=True)
    for line in ws.iter_rows(min_row=first, max_row=ws.max_row, max_col=6):
        for cell in line:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
    for note in _notes(s):
        ws.append([note])
    for column, width in zip("ABCDEF", (34, 10, 16, 16, 16, 12)):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = ws.cell(first + 2, 1)
    # Printed (or converted to PDF) one page wide, the column headers on every page.
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.print_title_rows = f"{first}:{first + 1}"
    # The workbook's own timestamps are the publication's: the same figures
    # give the same bytes.
    stamp = dt.datetime.fromisoformat(s.publication["published_at"][:19]) if s.publication.get("published_at") \
        else dt.datetime(2000, 1, 1)
    write_deterministic(wb, path, stamp)


def write_csv(s: Submission, path: Path) -> None:
    """The same rows as plain values (no thousands separators), for import."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["表号", FORM, "地区编码", s.region_code, "报告期", s.period])
    writer.writerow([*_columns(s), "累计", "代码类别", "暂缓上报"])
    for row in s.rows:
        writer.writerow(csv_row(["  " * row.depth + csv_text(row.label), row.unit, row.code,
                                 row.value or "", row.previous or "", row.change_pct or "",
                                 "是" if row.is_cumulative else "", row.code_kind, row.withheld or ""]))
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")
