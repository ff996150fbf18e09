"""The 低保 / 特困 roll (source ``assistance``): households, their months, the files.

A household enters the roll on a date, is paid each month while 在保, and may
leave (停保); after leaving it keeps appearing with 状态 停保 for up to three
monthly files. The truth is computed from this model, never from the files.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from synthetic import ids
from synthetic.delivery import Delivery, DefectLog, month_range
from synthetic.regions import COUNTY6, Township

SOURCE = "assistance"
COLUMNS = [
    "行政区划代码", "家庭编号", "户主姓名", "户主身份证号", "救助类型", "保障人口数",
    "月保障金额", "保障标准", "供养方式", "自理能力", "集中供养意愿", "纳入日期",
    "状态", "停保日期",
]
EXTRA_COLUMNS = ["备注", "经办人"]

# 低保 standards in force (元/人·月) by year; 特困 basic living = 1.3 × 低保.
URBAN_STANDARD = {2019: 610, 2020: 650, 2021: 700, 2022: 760, 2023: 820, 2024: 880, 2025: 940, 2026: 990}
RURAL_STANDARD = {2019: 420, 2020: 480, 2021: 560, 2022: 640, 2023: 720, 2024: 790, 2025: 860, 2026: 900}
MONTHLY_EXIT_PROBABILITY = 0.012
STOPPED_ROWS_KEPT_MONTHS = 3


@dataclass
class Household:
    household_id: str
    village: str
    urban: bool
    category: str  # 低保 or 特困
    head_name: str
    head_id: str
    persons: int
    entered: dt.date
    need_factor: float
    supply: str = ""
    self_care: str = ""
    willing: str = ""
    left: dt.date | None = None

    @property
    def assistance_type(self) -> str:
        return ("城市" if self.urban else "农村") + self.category

    def standard(self, year: int) -> Decimal:
        table = URBAN_STANDARD if self.urban else RURAL_STANDARD
        base = Decimal(table[min(max(year, 2019), 2026)])
        return base if self.category == "低保" else (base * Decimal("1.3")).quantize(Decimal("1"))

    def amount(self, year: int) -> Decimal:
        full = self.standard(year) * self.persons
        if self.category == "特困":
            return full.quantize(Decimal("0.01"))
        return (full * Decimal(str(self.need_factor))).quantize(Decimal("0.01"), ROUND_HALF_UP)

    def on_roll(self, month_end: dt.date) -> bool:
        return self.entered <= month_end and (self.left is None or self.left > month_end)


@dataclass
class AssistanceWorld:
    townships: list[Township]
    rng: random.Random
    households: list[Household] = field(default_factory=list)
    _next_id: int = 1

    def new_household(self, entered: dt.date) -> Household:
        township = self.rng.choice(self.townships)
        village = self.rng.choice(township.villages)
        category = "特困" if self.rng.random() < 0.15 else "低保"
        male = self.rng.random() < 0.55
        age = self.rng.randint(25, 85) if category == "低保" else self.rng.randint(60, 92)
        birth = dt.date(entered.year - age, self.rng.randint(1, 12), self.rng.randint(1, 28))
        hh = Household(
            household_id=f"H{COUNTY6}{self._next_id:06d}",
            village=village,
            urban=township.is_urban,
            category=category,
            head_name=ids.person_name(self.rng),
            head_id=ids.citizen_id(self.rng, COUNTY6, birth, male),
            persons=1 if category == "特困" else self.rng.choice((1, 1, 2, 2, 3, 3, 4, 5)),
            entered=entered,
            need_factor=round(self.rng.uniform(0.35, 1.0), 2),
        )
        self._next_id += 1
        if category == "特困":
            hh.self_care = self.rng.choices(("全自理", "半失能", "全失能"), (70, 20, 10))[0]
            hh.willing = "是" if self.rng.random() < 0.5 else "否"
            # A willing disabled person is placed in an institution, almost always.
            placed = hh.self_care != "全自理" and hh.willing == "是" and self.rng.random() < 0.97
            hh.supply = "集中供养" if placed or self.rng.random() < 0.1 else "分散供养"
        self.households.append(hh)
        return hh

    def simulate(self, start: dt.date, end: dt.date, initial: int) -> None:
        for _ in range(initial):
            entered = start - dt.timedelta(days=self.rng.randint(30, 3000))
            self.new_household(entered)
        for year, month in month_range(start, end):
            last = calendar.monthrange(year, month)[1]
            for hh in list(self.households):
                if hh.left is None and hh.entered < dt.date(year, month, 1) \
                        and self.rng.random() < MONTHLY_EXIT_PROBABILITY:
                    hh.left = dt.date(year, month, self.rng.randint(1, last))
            for _ in range(self.rng.randint(0, max(1, initial // 40))):
                self.new_household(dt.date(year, month, self.rng.randint(1, last)))


def _row(hh: Household, year: int, month: int, delivery: Delivery) -> dict[str, str]:
    month_end = dt.date(year, month, calendar.monthrange(year, month)[1])
    active = hh.on_roll(month_end)
    amount = hh.amount(year) if active else Decimal("0")
    return {
        "行政区划代码": hh.village,
        "家庭编号": hh.household_id,
        "户主姓名": hh.head_name,
        "户主身份证号": hh.head_id,
        "救助类型": hh.assistance_type,
        "保障人口数": str(hh.persons),
        "月保障金额": delivery.money(amount),
        "保障标准": delivery.money(hh.standard(year)),
        "供养方式": hh.supply,
        "自理能力": hh.self_care,
        "集中供养意愿": hh.willing,
        "纳入日期": delivery.date(hh.entered),
        "状态": "在保" if active else "停保",
        "停保日期": "" if active else delivery.date(hh.left),
    }


def _month_rows(world: AssistanceWorld, year: int, month: int) -> list[Household]:
    first = dt.date(year, month, 1)
    month_end = dt.date(year, month, calendar.monthrange(year, month)[1])
    oldest_stop = first - dt.timedelta(days=31 * (STOPPED_ROWS_KEPT_MONTHS - 1))
    rows = [hh for hh in world.households
            if hh.on_roll(month_end)
            or (hh.left is not None and oldest_stop.replace(day=1) <= hh.left <= month_end)]
    return sorted(rows, key=lambda h: (h.village, h.household_id))


# Defects a department's export really contains; ingestion must quarantine each.
DEFECTS = {
    "id_check_character": ("户主身份证号", lambda row, rng: ids.corrupt_check_character(row["户主身份证号"])),
    "unknown_code": ("救助类型", lambda row, rng: rng.choice(("城镇低保", "低保户", "农村五保"))),
    "negative_amount": ("月保障金额", lambda row, rng: "-" + row["月保障金额"].replace(",", "")),
    "impossible_date": ("纳入日期", lambda row, rng: f"{row['纳入日期'][:4]}-02-30"),
}


def write_files(world: AssistanceWorld, out, start: dt.date, end: dt.date,
                defect_rate: float, defects: DefectLog) -> list[dict]:
    """Write one GBK CSV per month (plus _v2 corrections); return the truth rows."""
    rng = world.rng
    truth: list[dict] = []
    for year, month in month_range(start, end):
        households = _month_rows(world, year, month)
        period = f"{year}{month:02d}"
        corrected = rng.random() < 0.25
        if corrected:
            # A first delivery with mistakes the department corrects in _v2:
            # one household missing and one amount mistyped.
            draft = Delivery.random(rng, COLUMNS, EXTRA_COLUMNS)
            rows = [_row(hh, year, month, draft) for hh in households]
            if len(rows) > 2:
                rows.pop(rng.randrange(len(rows)))
                rows[0]["月保障金额"] = draft.money(Decimal("9999.99"))
            draft.write_csv(out, SOURCE, f"{SOURCE}_{COUNTY6}_{period}.csv", rows, "gbk")
        delivery = Delivery.random(rng, COLUMNS, EXTRA_COLUMNS)
        rows = [_row(hh, year, month, delivery) for hh in households]
        name = f"{SOURCE}_{COUNTY6}_{period}{'_v2' if corrected else ''}.csv"
        broken = set()
        for index, row in enumerate(rows):
            # Defects go into rows on the roll, where they change a figure.
            if row["状态"] == "在保" and rng.random() < defect_rate:
                rule = rng.choice(sorted(DEFECTS))
                column, corrupt = DEFECTS[rule]
                row[column] = corrupt(row, rng)
                broken.add(index)
                # +2: the header is line 1 and rows count from 1.
                defects.add(SOURCE, name, index + 2, column, rule)
        delivery.write_csv(out, SOURCE, name, rows, "gbk")
        truth.extend(_truth_rows(world, households, broken, year, month))
    return truth


def _truth_rows(world: AssistanceWorld, households: list[Household], broken: set[int],
                year: int, month: int) -> list[dict]:
    """Per township and 救助类型: the roll as the clean rows of the final file say."""
    month_end = dt.date(year, month, calendar.monthrange(year, month)[1])
    cells: dict[tuple[str, str], dict] = {}
    for index, hh in enumerate(households):
        if index in broken or not hh.on_roll(month_end):
            continue
        key = (hh.village[:9] + "000", hh.assistance_type)
        cell = cells.setdefault(key, {"households": 0, "persons": 0, "amount": Decimal("0"),
                                      "standard_x_persons": Decimal("0")})
        cell["households"] += 1
        cell["persons"] += hh.persons
        cell["amount"] += hh.amount(year)
        cell["standard_x_persons"] += hh.standard(year) * hh.persons
    return [
        {
            "period": f"{year}-{month:02d}",
            "township_code": township,
            "assistance_type": kind,
            "households": c["households"],
            "persons": c["persons"],
            "amount_paid": str(c["amount"]),
            "standard_person_weighted": str((c["standard_x_persons"] / c["persons"]).quantize(Decimal("0.01"), ROUND_HALF_UP)),
        }
        for (township, kind), c in sorted(cells.items())
    ]
