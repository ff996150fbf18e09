"""The monitoring watchlist of one month (低收入人口动态监测名单): the households a
township must act on, longest-waiting first, from the published marts.

A household is on the month's list while its monitoring spell is open (an
edge household, 低保边缘, or a return-to-poverty alert, 返贫风险) or while it is
blacklisted and still on the roll (黑名单违规, rule B01). Households are named
by 家庭编号 and the pseudonymous key of their head, never by name or ID.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font
from rich.console import Console
from rich.table import Table

from warehouse.formulas import neutralise_workbook
from warehouse.query import connect_serving
from warehouse.xlsx import fit_column_widths, write_deterministic

HEADER = ["乡镇（街道）", "家庭编号", "户主标识（假名）", "类型", "标记日期", "已等待（天）", "干预日期", "干预用时（天）"]
NOT_YET = "尚未干预"


@dataclass(frozen=True)
class WatchlistRow:
    township_code: str
    township_name: str
    household_id: str
    head_person_key: str
    flag_type: str
    flag_date: dt.date
    waited_days: int
    intervened_on: dt.date | None
    days_to_intervention: int | None

    def cells(self) -> list:
        intervened = self.intervened_on.isoformat() if self.intervened_on else (
            "" if self.flag_type == "黑名单违规" else NOT_YET)
        return [self.township_name, self.household_id, self.head_person_key, self.flag_type,
                self.flag_date.isoformat(), self.waited_days, intervened,
                self.days_to_intervention if self.days_to_intervention is not None else ""]


def _month_end(month: str) -> dt.date:
    try:
        first = dt.datetime.strptime(month, "%Y-%m").date()
    except ValueError:
        raise ValueError(f"--month is written YYYY-MM, got {month!r}") from None
    following = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def watchlist_rows(serving_path: Path, region: str, month: str) -> list[WatchlistRow]:
    """The month's list for the county (every township) or one township."""
    month_end = _month_end(month)
    con = connect_serving(serving_path)
    try:
        regions = dict(con.execute(
            "select region_code, region_name from mart_low_income_monitoring where period = ? "
            "group by all", [month]).fetchall())
        if region not in regions:
            known = ", ".join(sorted(regions)) or "none: that month is not covered"
            raise ValueError(f"{region} is neither the county nor a township in force in {month} ({known})")
        county = region.endswith("000000")
        rows = con.execute(
            """
            select township_code, coalesce(township_name, township_code), household_id, head_person_key,
                   flag_type, flag_date, date_diff('day', flag_date, ?::date), intervened_on,
                   case when intervened_on <= ?::date then days_to_intervention end
            from mart_monitoring_watchlist
            where opened_month <= ?
              and case when flag_type = '黑名单违规' then last_month >= ?
                       else ended_on is null or ended_on > ?::date end
              and (? or township_code = ?)
            order by 7 desc, household_id, flag_type
            """, [month_end, month_end, month, month, month_end, county, region]).fetchall()
    finally:
        con.close()
    return [WatchlistRow(t, n, h, k, f, d, w, i if i is not None and i <= month_end else None, dti)
            for t, n, h, k, f, d, w, i, dti in rows]


def print_watchlist(rows: list[WatchlistRow], region: str, month: str, console: Console) -> None:
    table = Table(title=f"{region} {month} 低收入人口动态监测名单（按已等待天数排序）")
    for name in HEADER:
        table.add_column(name, overflow="fold")
    for row in rows:
        table.add_row(*(str(c) for c in row.cells()))
    console.print(table)
    waiting = sum(1 for r in rows if r.flag_type != "黑名单违规" and r.intervened_on is None)
    console.print(f"{len(rows)} household(s) on the list, {waiting} not yet helped")


def write_watchlist(rows: list[WatchlistRow], path: Path, region: str, month: str) -> None:
    """One sheet per township, each with its title, header and households."""
    book = Workbook()
    book.remove(book.active)
    townships = sorted({(r.township_code, r.township_name) for r in rows}) or [(region, region)]
    for code, name in townships:
        sheet = book.create_sheet(title=f"{name}"[:31])
        sheet.append([f"{name}（{code}）{month} 低收入人口动态监测名单"])
        sheet["A1"].font = Font(bold=True, size=14)
        sheet.append(HEADER)
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        own = [r for r in rows if r.township_code == code]
        for row in own:
            sheet.append(row.cells())
        fit_column_widths(sheet, first_row=2, last_row=len(own) + 2)
    neutralise_workbook(book)
    write_deterministic(book, path)
