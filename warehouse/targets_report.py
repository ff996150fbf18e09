"""The plan attainment report (十四五规划目标完成情况): one region, one year.

Read from the published serving file (``marts.mart_target_attainment`` with
the indicator catalogue beside it), so the report shows exactly what was
published: for every target of the region's catalogue the actual value, the
target, whether it is met, the gap and the trend, printed as a table or
written as a workbook for the bureau.

Whether a figure is withheld (``meta.withheld_figures``, by source and period)
comes from the catalogue's ``gate_sources`` (seeds/targets/target_indicators.csv):
the sources whose withholding withholds the target. A serving file published
before that column existed reads as "unknown", never guessed.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from rich.console import Console
from rich.table import Table

from warehouse.query import connect_serving
from warehouse.xlsx import fit_column_widths, write_deterministic

log = logging.getLogger(__name__)

SHEET_TITLE = "十四五规划目标完成情况"
HEADER = ["编号", "指标名称", "单位", "要求", "目标值", "实际值", "完成情况", "差距", "趋势", "暂缓发布", "规划表述"]

STATUS_ZH = {"met": "达标", "not_met": "未达标", "no_data": "无数据", "no_target": "无目标值"}
STATUS_STYLE = {"met": "green", "not_met": "red", "no_data": "yellow", "no_target": "dim"}
# Excel's own good / bad / neutral cell styles: (font, fill).
STATUS_FILL = {"met": ("006100", "C6EFCE"), "not_met": ("9C0006", "FFC7CE"),
               "no_data": ("7F7F7F", "EDEDED"), "no_target": ("9C5700", "FFEB9C")}
TREND_ZH = {"up": "上升", "down": "下降", "flat": "持平"}
TREND_ARROW = {"up": "↑", "down": "↓", "flat": "→"}
COMPARATOR_SIGN = {">=": "≥", ">": ">", "=": "=", "<=": "≤", "<": "<"}
UNKNOWN_WITHHELD_NOTE = "暂缓发布为“—”：目录未标明该指标的数据来源，无法判断是否因校验未通过而暂缓发布。"


@dataclass(frozen=True)
class AttainmentRow:
    """One target of the report, as mart_target_attainment publishes it for a region and year."""
    target_id: str
    indicator_name: str
    unit: str
    measure: str                        # rate (a percentage) / mean / value: how many decimals it needs
    actual: Decimal | None              # None: no data (never 0)
    target: Decimal | None              # None: the catalogue fixes no number (or no baseline yet)
    comparator: str                     # >=, >, =, <=, <
    status: str                         # met / not_met / no_data / no_target
    gap: Decimal | None                 # actual − target; percentage points for a rate
    trend: str | None                   # up / down / flat against the previous year
    withheld: bool | None               # None: the catalogue does not say which sources the target uses
    withheld_periods: tuple[str, ...]   # the withheld periods of its sources in the year
    value_as_written: str | None        # the target as the plan words it
    region_code: str
    region_name: str
    year: str
    published_at: dt.datetime | None    # UTC time of the publication the figures come from

    @property
    def status_zh(self) -> str:
        return STATUS_ZH[self.status]


def attainment_rows(serving_path: Path, region_code: str, year: str | int) -> list[AttainmentRow]:
    """Every target of ``region_code``'s catalogue for ``year``, in catalogue order.

    ``region_code`` is the 12-digit code (a county's or township's 6 or 9
    leading digits are completed with zeros). Raises ValueError naming the
    regions or years available when there is nothing to report.
    """
    region = _region_code(region_code)
    period = _year(year)
    con = connect_serving(serving_path)
    try:
        regions = con.execute(
            "select region_code, any_value(region_name), any_value(region_level) "
            "from marts.mart_target_attainment group by region_code order by region_code").fetchall()
        if region not in {code for code, _, _ in regions}:
            raise ValueError(f"no region {region} in mart_target_attainment; regions: {_listing(regions)}")
        has_sources = _has_column(con, "marts", "target_indicators", "gate_sources")
        sources = "indicators.gate_sources" if has_sources else "null"
        records = con.execute(f"""
            select attainment.target_id, attainment.indicator_name, attainment.unit, indicators.measure,
                   attainment.actual_value, attainment.target_value, attainment.comparator, attainment.status,
                   attainment.gap, attainment.trend, attainment.value_as_written, attainment.region_name,
                   {sources} as gate_sources
            from marts.mart_target_attainment as attainment
            left join marts.target_indicators as indicators on indicators.target_id = attainment.target_id
            where attainment.region_code = ? and attainment.period = ? and attainment.period_type = 'year'
            """, [region, period]).fetchall()
        if not records:
            years = [y for (y,) in con.execute(
                "select distinct period from marts.mart_target_attainment "
                "where region_code = ? and period_type = 'year' order by period", [region]).fetchall()]
            raise ValueError(f"no figures for {period} in mart_target_attainment for {region}; "
                             f"years: {', '.join(years) or 'none'}")
        withheld = _withheld_periods(con, period) if has_sources else None
        published_at = _published_at(con)
    finally:
        con.close()
    if withheld is None:
        log.info("target_indicators has no gate_sources: whether a figure is withheld is unknown")
    rows = [_row(record, region, period, withheld, published_at) for record in records]
    return sorted(rows, key=lambda row: catalogue_order(row.target_id))


def catalogue_order(target_id: str) -> tuple:
    """The county plan's T01–T22 first, then the district's own (D01 …), by number."""
    match = re.fullmatch(r"([A-Z]*)(\d+)", target_id)
    if match is None:
        return (True, target_id, 0)
    prefix, number = match.groups()
    return (prefix != "T", prefix, int(number))


def _row(record: tuple, region: str, period: str, withheld: dict[str, list[str]] | None,
         published_at: dt.datetime | None) -> AttainmentRow:
    (target_id, name, unit, measure, actual, target, comparator, status, gap, trend, as_written,
     region_name, gate_sources) = record
    if withheld is None:
        is_withheld, periods = None, ()
    else:
        names = [s.strip() for s in re.split(r"[+,]", gate_sources or "") if s.strip()]
        periods = tuple(sorted({p for name_ in names for p in withheld.get(name_, [])}))
        is_withheld = bool(periods)
    return AttainmentRow(
        target_id=target_id, indicator_name=name, unit=unit or "",
        measure=measure or ("rate" if unit == "%" else "mean"),
        actual=actual, target=target, comparator=comparator, status=status, gap=gap, trend=trend,
        withheld=is_withheld, withheld_periods=periods, value_as_written=as_written,
        region_code=region, region_name=region_name or region, year=period, published_at=published_at)


def _region_code(code: str) -> str:
    code = str(code).strip()
    if re.fullmatch(r"\d{6}|\d{9}", code):
        code = code.ljust(12, "0")
    if not re.fullmatch(r"\d{12}", code):
        raise ValueError(f"a region is a 12-digit code (the county: <county6>000000), not {code!r}")
    return code


def _year(year: str | int) -> str:
    text = str(year).strip()
    if not re.fullmatch(r"\d{4}", text):
        raise ValueError(f"a year is YYYY, not {text!r}")
    return text


def _listing(regions: list[tuple], limit: int = 40) -> str:
    shown = [f"{code} {name or '?'} ({level})" for code, name, level in regions[:limit]]
    more = f", … and {len(regions) - limit} more" if len(regions) > limit else ""
    return ", ".join(shown) + more if shown else "none"


def _has_column(con, schema: str, table: str, column: str) -> bool:
    return con.execute("select count(*) from information_schema.columns "
                       "where table_schema = ? and table_name = ? and column_name = ?",
                       [schema, table, column]).fetchone()[0] > 0


def _withheld_periods(con, year: str) -> dict[str, list[str]] | None:
    """Source → its withheld periods that fall in ``year`` ('YYYY', 'YYYY-MM' or a date).

    Any withheld period of the year counts, also for a stock whose year value
    is the December snapshot: the report marks it for checking rather than
    miss one."""
    if not _has_column(con, "meta", "withheld_figures", "figures"):
        return None
    cells: dict[str, list[str]] = {}
    for figures, period in con.execute("select figures, cast(period as varchar) from meta.withheld_figures "
                                       "where cast(period as varchar) like ? order by all", [year + "%"]).fetchall():
        cells.setdefault(figures, []).append(period)
    return cells


def _published_at(con) -> dt.datetime | None:
    """The serving file's publication time (UTC, to the second): the latest in its log."""
    if not _has_column(con, "meta", "publication_log", "published_at"):
        return None
    value = con.execute("select max(published_at) at time zone 'UTC' from meta.publication_log").fetchone()[0]
    return value.replace(microsecond=0) if value is not None else None


# ---------------------------------------------------------------- formatting


def decimals(row: AttainmentRow) -> int:
    """A count needs none; a rate (in percent) and a mean two, as the mart rounds them."""
    return 0 if row.measure == "value" else 2


def format_value(row: AttainmentRow, value: Decimal | None, *, signed: bool = False) -> str:
    """A value in the row's unit for reading: 36.01%, 880.00 元/人·月, 186 人; "" when None."""
    if value is None:
        return ""
    number = f"{value:{'+' if signed and value else ''},.{decimals(row)}f}"
    if row.measure == "rate" or row.unit == "%":
        return f"{number}个百分点" if signed else f"{number}%"
    return f"{number} {row.unit}".rstrip()


def format_target(row: AttainmentRow) -> str:
    if row.target is None:
        # No number fixed: the plan's own words (the district's "xx%", T21's "适度提高").
        return (row.value_as_written or "—") if row.status == "no_target" else "—"
    return f"{COMPARATOR_SIGN.get(row.comparator, row.comparator)} {format_value(row, row.target)}"


def summary_line(rows: list[AttainmentRow]) -> str:
    counts = Counter(row.status for row in rows)
    text = (f"共 {len(rows)} 项：达标 {counts['met']} 项 / 未达标 {counts['not_met']} 项 / "
            f"无数据 {counts['no_data']} 项")
    if counts["no_target"]:
        text += f" / 无目标值 {counts['no_target']} 项"
    withheld = sum(1 for row in rows if row.withheld)
    if withheld:
        text += f"；其中 {withheld} 项数据暂缓发布"
    return text


def _trend_text(row: AttainmentRow) -> str:
    return f"{TREND_ARROW[row.trend]} {TREND_ZH[row.trend]}" if row.trend in TREND_ZH else ""


def _withheld_text(row: AttainmentRow) -> str:
    if row.withheld is None:
        return "—"
    return f"是（{'、'.join(row.withheld_periods)}）" if row.withheld else "否"


# ---------------------------------------------------------------- terminal


def print_report(rows: list[AttainmentRow], console: Console) -> None:
    """The report as a rich table, statuses coloured, then a one-line summary."""
    if not rows:
        console.print("no targets to report")
        return
    first = rows[0]
    table = Table(title=f"{first.region_name}（{first.region_code}）{first.year} 年 {SHEET_TITLE}",
                  caption=UNKNOWN_WITHHELD_NOTE if any(row.withheld is None for row in rows) else None)
    table.add_column("编号", no_wrap=True)
    table.add_column("指标名称", overflow="fold")
    table.add_column("目标", justify="right", overflow="fold")
    table.add_column("实际值", justify="right", overflow="fold")
    table.add_column("完成情况", no_wrap=True)
    table.add_column("差距", justify="right", overflow="fold")
    table.add_column("趋势", no_wrap=True)
    table.add_column("暂缓发布", overflow="fold")
    for row in rows:
        style = STATUS_STYLE[row.status]
        table.add_row(row.target_id, row.indicator_name, format_target(row),
                      format_value(row, row.actual) or "—", f"[{style}]{row.status_zh}[/{style}]",
                      format_value(row, row.gap, signed=True), _trend_text(row),
                      _withheld_text(row))
    console.print(table)
    console.print(summary_line(rows))


# ---------------------------------------------------------------- workbook


def write_xlsx(rows: list[AttainmentRow], path: Path, region_name: str, year: str | int) -> None:
    """One sheet 十四五规划目标完成情况: title, region and year, header, one row per target,
    notes. The same rows give the same bytes (times come from the publication)."""
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET_TITLE
    region_code = rows[0].region_code if rows else ""
    published_at = rows[0].published_at if rows else None

    sheet.append([f"{region_name}{year}年民政事业“十四五”规划目标完成情况"])
    sheet["A1"].font = Font(bold=True, size=14)
    published = f"　数据发布时间：{published_at:%Y-%m-%d %H:%M:%S} UTC" if published_at else ""
    sheet.append([f"地区：{region_name}（{region_code}）　年度：{year}{published}"])
    sheet.append(HEADER)
    header_row = sheet.max_row
    thin = Side(style="thin", color="808080")
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", start_color="D9E1F2")
        cell.alignment = Alignment(horizontal="center", vertical="center")
        cell.border = Border(bottom=thin)

    for row in rows:
        sheet.append([row.target_id, row.indicator_name, row.unit,
                      COMPARATOR_SIGN.get(row.comparator, row.comparator), _cell_number(row, row.target),
                      _cell_number(row, row.actual), row.status_zh, row.gap,
                      TREND_ZH.get(row.trend or "", ""), _withheld_text(row),
                      row.value_as_written])
        number, gap = number_formats(row)
        cells = sheet[sheet.max_row]
        cells[4].number_format = cells[5].number_format = number
        cells[7].number_format = gap
        font, fill = STATUS_FILL[row.status]
        cells[6].font = Font(color=font)
        cells[6].fill = PatternFill("solid", start_color=fill)
        cells[6].alignment = Alignment(horizontal="center")
    last_row = sheet.max_row

    sheet.append([])
    sheet.append([summary_line(rows)])
    sheet.append(["差距 = 实际值 − 目标值；比率的差距以百分点计。无数据的指标不以 0 计。"])
    if any(row.withheld is None for row in rows):
        sheet.append([UNKNOWN_WITHHELD_NOTE])

    fit_column_widths(sheet, first_row=header_row, last_row=last_row, maximum=48)
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=3)
    sheet.auto_filter.ref = f"A{header_row}:{sheet.cell(row=last_row, column=len(HEADER)).coordinate}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    write_deterministic(book, Path(path), timestamp=published_at)


def _cell_number(row: AttainmentRow, value: Decimal | None) -> Decimal | None:
    """A rate is stored as Excel stores a percentage (36.01 % → 0.3601), exactly."""
    if value is None or row.measure != "rate":
        return value
    return value / 100


def number_formats(row: AttainmentRow) -> tuple[str, str]:
    """(value format, gap format) for the row's unit."""
    if row.measure == "rate":
        points = '"个百分点"'
        return "0.00%", f"+0.00{points};-0.00{points};0.00{points}"
    body = "#,##0" + ("." + "0" * decimals(row) if decimals(row) else "")
    return body, f"+{body};-{body};{body}"
