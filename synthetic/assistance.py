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

from synthetic import ids, verification
from synthetic.delivery import Delivery
from synthetic.regions import County
from synthetic.registers import consumption_expenditure
from synthetic.world import GenerationContext, month_end, ratio

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
_STANDARDS = {
    (urban, category, year): (base if category == "低保" else (base * Decimal("1.3")).quantize(Decimal("1")))
    for urban, table in ((True, URBAN_STANDARD), (False, RURAL_STANDARD))
    for year, base in ((y, Decimal(v)) for y, v in table.items())
    for category in ("低保", "特困")
}
MONTHLY_EXIT_PROBABILITY = 0.012
STOPPED_ROWS_KEPT_MONTHS = 3
# Households on the roll per resident at the start, by scale.
HOUSEHOLDS_PER_RESIDENT = {"tiny": 0.004, "county": 0.011}


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
    _amounts: dict[int, Decimal] = field(default_factory=dict, repr=False)

    @property
    def assistance_type(self) -> str:
        return ("城市" if self.urban else "农村") + self.category

    def standard(self, year: int) -> Decimal:
        return _STANDARDS[(self.urban, self.category, min(max(year, 2019), 2026))]

    def amount(self, year: int) -> Decimal:
        # Cached: the same household is paid the same each month of a year.
        if year not in self._amounts:
            full = self.standard(year) * self.persons
            if self.category == "特困":
                self._amounts[year] = full.quantize(Decimal("0.01"))
            else:
                self._amounts[year] = (full * Decimal(str(self.need_factor))).quantize(Decimal("0.01"), ROUND_HALF_UP)
        return self._amounts[year]

    def on_roll(self, month_end: dt.date) -> bool:
        return self.entered <= month_end and (self.left is None or self.left > month_end)


@dataclass
class AssistanceWorld:
    county: County
    rng: random.Random
    households: list[Household] = field(default_factory=list)
    _next_id: int = 1

    def new_household(self, entered: dt.date, placed_on: dt.date) -> Household:
        """A household entering on ``entered`` in a village in force on ``placed_on``."""
        townships = self.county.townships_on(placed_on)
        township = self.rng.choice(townships)
        village = self.rng.choice(township.villages_on(placed_on)).code
        category = "特困" if self.rng.random() < 0.15 else "低保"
        male = self.rng.random() < 0.55
        age = self.rng.randint(25, 85) if category == "低保" else self.rng.randint(60, 92)
        birth = dt.date(entered.year - age, self.rng.randint(1, 12), self.rng.randint(1, 28))
        hh = Household(
            household_id=f"H{self.county.code6}{self._next_id:06d}",
            village=village,
            urban=township.is_urban,
            category=category,
            head_name=ids.person_name(self.rng),
            head_id=ids.citizen_id(self.rng, self.county.code6, birth, male),
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

    def simulate(self, ctx: GenerationContext, initial: int) -> None:
        start = ctx.first_month
        for _ in range(initial):
            self.new_household(start - dt.timedelta(days=self.rng.randint(30, 3000)), start)
        for year, month in ctx.months():
            last = calendar.monthrange(year, month)[1]
            for hh in self.households:
                if hh.left is None and hh.entered < dt.date(year, month, 1) \
                        and self.rng.random() < MONTHLY_EXIT_PROBABILITY:
                    hh.left = dt.date(year, month, self.rng.randint(1, last))
            for _ in range(self.rng.randint(0, max(1, initial // 40))):
                day = dt.date(year, month, self.rng.randint(1, last))
                self.new_household(day, day)


def _row(county: County, hh: Household, year: int, month: int, delivery: Delivery) -> dict[str, str]:
    last_day = month_end(year, month)
    active = hh.on_roll(last_day)
    amount = hh.amount(year) if active else Decimal("0")
    return {
        # The code in force that month: a merged or split village's new code.
        "行政区划代码": county.current_code(hh.village, last_day),
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
    last_day = month_end(year, month)
    oldest_stop = (first - dt.timedelta(days=31 * (STOPPED_ROWS_KEPT_MONTHS - 1))).replace(day=1)
    rows = [hh for hh in world.households
            if hh.on_roll(last_day) or (hh.left is not None and oldest_stop <= hh.left <= last_day)]
    return sorted(rows, key=lambda h: (h.village, h.household_id))


# Defects a department's export really contains; ingestion must quarantine each.
DEFECTS = {
    "id_check_character": ("户主身份证号", lambda row, rng: ids.corrupt_check_character(row["户主身份证号"])),
    "unknown_code": ("救助类型", lambda row, rng: rng.choice(("城镇低保", "低保户", "农村五保"))),
    "negative_amount": ("月保障金额", lambda row, rng: "-" + row["月保障金额"].replace(",", "")),
    "impossible_date": ("纳入日期", lambda row, rng: f"{row['纳入日期'][:4]}-02-30"),
}


def generate(county: County, ctx: GenerationContext) -> None:
    """The roll's monthly files (GBK CSV, some re-delivered as _v2) and its truth."""
    world = AssistanceWorld(county, ctx.rng(county, SOURCE))
    residents = sum(v.population for v in county.villages_on(ctx.first_month))
    world.simulate(ctx, max(20, int(residents * HOUSEHOLDS_PER_RESIDENT[ctx.scale])))
    # Verifications admit households to the roll and take others off it.
    verification.plan(world, ctx)
    monthly: list[dict] = ctx.truth.sections.setdefault(SOURCE, {}).setdefault("monthly_by_township_and_type", [])
    last_month_of_year: dict[int, tuple[list[Household], set[int], int]] = {}
    clean_rows: dict[str, list[RollRow]] = {}
    for year, month in ctx.months():
        households, broken = _write_month(world, ctx, year, month)
        monthly.extend(_truth_rows(county, households, broken, year, month))
        last_month_of_year[year] = (households, broken, month)
        clean_rows[f"{year}-{month:02d}"] = _clean_rows(county, households, broken, year, month)
    ctx.registry["assistance_clean_rows"] = clean_rows
    for year, (households, broken, month) in sorted(last_month_of_year.items()):
        _year_targets(county, ctx, households, broken, year, month)


def _write_month(world: AssistanceWorld, ctx: GenerationContext, year: int,
                 month: int) -> tuple[list[Household], set[int]]:
    rng, county = world.rng, world.county
    households = _month_rows(world, year, month)
    period = f"{year}{month:02d}"
    corrected = rng.random() < 0.25
    if corrected:
        # A first delivery with mistakes the department corrects in _v2:
        # one household missing and one amount mistyped.
        draft = Delivery.random(rng, COLUMNS, EXTRA_COLUMNS)
        rows = [_row(county, hh, year, month, draft) for hh in households]
        if len(rows) > 2:
            rows.pop(rng.randrange(len(rows)))
            rows[0]["月保障金额"] = draft.money(Decimal("9999.99"))
        draft.write_csv(ctx.out, SOURCE, f"{SOURCE}_{county.code6}_{period}.csv", rows, "gbk")
    delivery = Delivery.random(rng, COLUMNS, EXTRA_COLUMNS)
    rows = [_row(county, hh, year, month, delivery) for hh in households]
    name = f"{SOURCE}_{county.code6}_{period}{'_v2' if corrected else ''}.csv"
    broken = set()
    for index, row in enumerate(rows):
        # Defects go into rows on the roll, where they change a figure.
        if row["状态"] == "在保" and rng.random() < ctx.defect_rate:
            rule = rng.choice(sorted(DEFECTS))
            column, corrupt = DEFECTS[rule]
            row[column] = corrupt(row, rng)
            broken.add(index)
            # +2: the header is line 1 and rows count from 1.
            ctx.defects.add(SOURCE, name, index + 2, column, rule)
    delivery.write_csv(ctx.out, SOURCE, name, rows, "gbk")
    return households, broken


@dataclass(frozen=True, slots=True)
class RollRow:
    """A row of a month's final file that ingestion keeps (monitoring's view of the roll)."""
    household_id: str
    head_id: str
    region_code: str
    assistance_type: str
    persons: int
    standard: Decimal
    entered: dt.date
    on_roll: bool                # 在保; otherwise a 停保 row
    stopped: dt.date | None


def _clean_rows(county: County, households: list[Household], broken: set[int], year: int,
                month: int) -> list[RollRow]:
    last_day = month_end(year, month)
    return [RollRow(hh.household_id, hh.head_id, county.current_code(hh.village, last_day), hh.assistance_type,
                    hh.persons, hh.standard(year), hh.entered, hh.on_roll(last_day),
                    None if hh.on_roll(last_day) else hh.left)
            for index, hh in enumerate(households) if index not in broken]


def _clean_on_roll(households: list[Household], broken: set[int], last_day: dt.date) -> list[Household]:
    """The rows that count: on the roll (在保) and not quarantined."""
    return [hh for index, hh in enumerate(households) if index not in broken and hh.on_roll(last_day)]


def _truth_rows(county: County, households: list[Household], broken: set[int],
                year: int, month: int) -> list[dict]:
    """Per township and 救助类型: the roll as the clean rows of the final file say."""
    last_day = month_end(year, month)
    cells: dict[tuple[str, str], dict] = {}
    for hh in _clean_on_roll(households, broken, last_day):
        key = (county.current_code(hh.village, last_day)[:9] + "000", hh.assistance_type)
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
            "standard_person_weighted": _two_places(c["standard_x_persons"] / c["persons"]),
        }
        for (township, kind), c in sorted(cells.items())
    ]


def _two_places(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), ROUND_HALF_UP))


def _year_targets(county: County, ctx: GenerationContext, households: list[Household],
                  broken: set[int], year: int, month: int) -> None:
    """T01–T05 from the year's last roll (年末数), for the county and each township."""
    last_day = month_end(year, month)
    roll = _clean_on_roll(households, broken, last_day)
    regions = [(county.code12, roll)]
    for township in county.townships_on(last_day):
        regions.append((township.code, [hh for hh in roll
                                        if county.current_code(hh.village, last_day)[:9] == township.code[:9]]))
    urban_spend, rural_spend = consumption_expenditure(year - 1)
    for region, members in regions:
        for target, urban in (("T03", True), ("T04", False)):
            dibao = [hh for hh in members if hh.category == "低保" and hh.urban == urban]
            persons = sum(hh.persons for hh in dibao)
            weighted = sum((hh.standard(year) * hh.persons for hh in dibao), Decimal("0"))
            mean = weighted / persons if persons else None
            if region == county.code12 or persons:
                ctx.truth.target(target, region, year, _two_places(mean) if mean is not None else None,
                                 numerator=str(weighted), denominator=persons)
            if region == county.code12:
                share_target, spend = ("T01", urban_spend) if urban else ("T02", rural_spend)
                ctx.truth.target(share_target, region, year,
                                 ratio(mean * 12, spend) if mean is not None else None,
                                 numerator=_two_places(mean * 12) if mean is not None else None,
                                 denominator=str(spend))
        # T05: willing, disabled 特困 persons placed in institutions (集中供养).
        willing = [hh for hh in members if hh.category == "特困" and hh.self_care in ("半失能", "全失能")
                   and hh.willing == "是"]
        placed = [hh for hh in willing if hh.supply == "集中供养"]
        ctx.truth.target("T05", region, year, ratio(sum(h.persons for h in placed), sum(h.persons for h in willing)),
                         numerator=sum(h.persons for h in placed), denominator=sum(h.persons for h in willing),
                         failing=[hh.household_id for hh in willing if hh.supply != "集中供养"])
