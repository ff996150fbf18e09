"""Elderly-care institutions and facilities (``elderly_care``).

The model is a list of facilities, each with a place (a village code,
re-coded when its village moves), beds, a nursing-bed share that rises year
by year (护理型床位 about 50-65 % over the plan period), an occupancy, and a
life: 在建 from ``built``, 运营 from ``opens``, 停业 from ``closes``.

- 养老机构 (公办 / 公建民营 / 民办) anywhere, a few opening or closing in the period;
- 特困供养机构(敬老院), one per town and 乡; the merged town's closes soon after the merger;
- 街道综合养老服务中心, one per street, except one street whose centre stays
  在建 (T06 fails there); the street created by the split gets its centre
  some months after it exists;
- 社区日间照料中心 in most urban communities (类型 城市社区);
- 农村互助幸福院 in about half of the villages (行政村), a few closing.

Each month one XLSX snapshot with a title row and a 合计 row (the sums of the
bed and resident columns as written). Truth per year from the year's last
generated month: T06 (streets with an operating centre / all streets valid at
that date) and T07 (护理型床位数 / 总床位数 over operating 养老机构 and
特困供养机构), both from the clean rows of the final files.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from synthetic.delivery import Delivery
from synthetic.regions import FAR_FUTURE, County, Village
from synthetic.world import GenerationContext, month_end, ratio

SOURCES = ("elderly_care",)

COLUMNS = ["机构编号", "机构名称", "机构性质", "设施类型", "所在区划代码", "总床位数", "护理型床位数",
           "在住老人数", "其中失能老人数", "是否医养结合", "运营状态"]
EXTRAS = ["备注", "负责人", "联系电话"]
SUM_COLUMNS = ("总床位数", "护理型床位数", "在住老人数", "其中失能老人数")

NURSING_HOME = "养老机构"
WELFARE_HOME = "特困供养机构(敬老院)"
STREET_CENTRE = "街道综合养老服务中心"
DAY_CARE = "社区日间照料中心"
MUTUAL_AID = "农村互助幸福院"
# T07 counts beds of these two kinds only (targets.md).
INSTITUTIONS = (NURSING_HOME, WELFARE_HOME)
NURSING_GROWTH = 0.025        # the nursing-bed share rises by 2.5 points a year


@dataclass
class Facility:
    """One institution or facility and its life over the period."""

    code: str                 # 机构编号
    name: str
    nature: str               # 公办 / 公建民营 / 民办
    kind: str                 # 设施类型
    village: str              # place when created (followed through region changes)
    beds: int
    nursing_2019: float       # share of nursing beds in 2019; rises each year
    integrated: bool          # 医养结合
    occupancy: float
    disabled_share: float
    built: dt.date            # listed (在建) from here
    opens: dt.date            # 运营 from here
    closes: dt.date = FAR_FUTURE   # 停业 from here
    keeps_old_code: bool = False   # the system was not updated after a re-coding

    def status(self, day: dt.date) -> str | None:
        """运营 / 停业 / 在建 on ``day``, None when not yet listed."""
        if day < self.built:
            return None
        if day < self.opens:
            return "在建"
        return "停业" if day >= self.closes else "运营"

    def nursing_beds(self, year: int) -> int:
        if self.nursing_2019 <= 0:
            return 0
        share = min(0.9, self.nursing_2019 + NURSING_GROWTH * (year - 2019))
        return min(self.beds, round(self.beds * share))


@dataclass
class Snapshot:
    """A facility's row in one month, as the model knows it."""

    facility: Facility
    place: str                # 所在区划代码 as written
    township: str             # the township of the place on the snapshot day
    status: str
    nursing: int
    residents: int
    disabled: int
    clean: bool = True


def generate(county: County, ctx: GenerationContext) -> None:
    """Write one ``elderly_care`` workbook per month; record T06 and T07."""
    rng = ctx.rng(county, "elderly_care")
    model = ElderlyModel(county, ctx, rng)
    facilities = model.build()
    monthly: dict[str, dict] = {}
    snapshots: dict[int, list[Snapshot]] = {}
    for year, month in ctx.months():
        rows = model.snapshot(facilities, year, month)
        _write_month(rows, county, ctx, rng, year, month)
        monthly[f"{year}-{month:02d}"] = _month_summary(rows, county, month_end(year, month))
        snapshots[year] = rows      # the year's last generated month wins
    for year in ctx.years():
        _record_truth(snapshots[year], county, ctx, year)
    # Keyed by county: at the province scale every county adds its own.
    ctx.truth.sections.setdefault("elderly_care", {})[county.code6] = {
        "failing_street": model.failing_street,
        "new_street_centre_opens": model.new_centre_opens,
        "snapshot_month": {str(y): max(k for k in monthly if k.startswith(str(y))) for y in ctx.years()},
        "monthly": monthly,
    }


class ElderlyModel:
    """The facilities of a county and their monthly rows."""

    def __init__(self, county: County, ctx: GenerationContext, rng: random.Random) -> None:
        self.county, self.ctx, self.rng = county, ctx, rng
        self.start = ctx.first_month
        self.counter = 0
        self.failing_street = ""
        self.new_centre_opens = ""
        # Villages as they were at the start: later codes are re-codings of these.
        self.original = [t for t in county.townships if t.valid_from <= self.start]
        self.units = {v.code: v for t in county.townships for v in t.villages}

    # --- helpers ---------------------------------------------------------------
    def _code(self) -> str:
        self.counter += 1
        return f"YL{self.county.code6}{self.counter:04d}"

    def _day_in_period(self, lo: float, hi: float) -> dt.date:
        """The first of a month between fractions ``lo`` and ``hi`` of the period."""
        months = list(self.ctx.months())
        index = self.rng.randint(int(lo * (len(months) - 1)), int(hi * (len(months) - 1)))
        year, month = months[index]
        return dt.date(year, month, 1)

    def _long_ago(self) -> dt.date:
        return dt.date(self.start.year - self.rng.randint(2, 15), self.rng.randint(1, 12), 1)

    def _add_months(self, day: dt.date, months: int) -> dt.date:
        index = day.year * 12 + day.month - 1 + months
        return dt.date(index // 12, index % 12 + 1, 1)

    def _facility(self, name: str, nature: str, kind: str, village: str, beds: int,
                  nursing: float, built: dt.date, opens: dt.date) -> Facility:
        return Facility(self._code(), name, nature, kind, village, beds, nursing,
                        integrated=kind in INSTITUTIONS and self.rng.random() < 0.4,
                        occupancy=self.rng.uniform(0.45, 0.9),
                        disabled_share=self.rng.uniform(0.2, 0.6) if kind in INSTITUTIONS else self.rng.uniform(0, 0.2),
                        built=built, opens=opens, keeps_old_code=self.rng.random() < 0.15)

    # --- the facilities ----------------------------------------------------------
    def build(self) -> list[Facility]:
        """Every facility of the period, in a fixed order."""
        facilities = self._nursing_homes() + self._welfare_homes() + self._street_centres()
        facilities += self._community_facilities()
        return facilities

    def _nursing_homes(self) -> list[Facility]:
        """养老机构: about one per 50 000 residents; some open, one closes, in the period."""
        villages = [v for t in self.original for v in t.villages if v.valid_on(self.start)]
        population = sum(v.population for v in villages)
        homes = []
        for i in range(max(3, population // 50000)):
            nature = self.rng.choices(("公办", "公建民营", "民办"), (3, 3, 4))[0]
            village = self.rng.choice(villages)
            beds = self.rng.randint(100, 300) if nature != "民办" else self.rng.randint(50, 400)
            if self.rng.random() < 0.25:
                built = self._day_in_period(0.0, 0.7)
                opens = self._add_months(built, self.rng.randint(4, 10))
            else:
                built = opens = self._long_ago()
            name = f"{self.county.name}{village.name[:2]}{'颐养院' if nature == '民办' else '养老院'}"
            homes.append(self._facility(name, nature, NURSING_HOME, village.code, beds,
                                        self.rng.uniform(0.42, 0.58), built, opens))
        closing = [h for h in homes if h.nature == "民办" and h.opens <= self.start]
        if closing:
            self.rng.choice(closing).closes = self._day_in_period(0.3, 0.9)
        return homes

    def _welfare_homes(self) -> list[Facility]:
        """敬老院: one per town and 乡; the merged town's closes three months after."""
        homes = []
        for township in self.original:
            if township.kind == "街道" or not township.villages:
                continue
            built = self._long_ago()
            home = self._facility(f"{township.name}敬老院", "公办", WELFARE_HOME, township.villages[0].code,
                                  self.rng.randint(40, 160), self.rng.uniform(0.35, 0.55), built, built)
            if township.valid_to < FAR_FUTURE:
                home.closes = self._add_months(township.valid_to, 3)
            homes.append(home)
        return homes

    def _street_centres(self) -> list[Facility]:
        """One centre per street; one street's stays 在建; the new street's opens late."""
        streets = [t for t in self.county.townships if t.kind == "街道"]
        original = [t for t in streets if t.valid_from <= self.start]
        failing = original[1] if len(original) > 1 else original[0]
        self.failing_street = failing.code
        centres = []
        for street in streets:
            village = street.villages[0].code
            nature = self.rng.choice(("公办", "公建民营"))
            name = f"{street.name}综合养老服务中心"
            beds, nursing = self.rng.randint(20, 60), self.rng.uniform(0.4, 0.6)
            if street is failing:
                built, opens = self._day_in_period(0.0, 0.3), FAR_FUTURE
            elif street.valid_from > self.start:
                built = street.valid_from
                opens = self._add_months(built, self.rng.randint(3, 8))
                self.new_centre_opens = opens.isoformat()
            else:
                built = opens = self._long_ago()
            centres.append(self._facility(name, nature, STREET_CENTRE, village, beds, nursing, built, opens))
        return centres

    def _community_facilities(self) -> list[Facility]:
        """日间照料中心 in most urban communities, 互助幸福院 in about half the villages."""
        out = []
        for township in self.original:
            for village in township.villages:
                if not village.valid_on(self.start):
                    continue
                if village.community_type == "城市社区" and self.rng.random() < 0.75:
                    out.append(self._small(village, DAY_CARE, f"{village.name}日间照料中心", (6, 20)))
                elif village.community_type == "行政村" and self.rng.random() < 0.5:
                    out.append(self._small(village, MUTUAL_AID, f"{village.name[:-1]}互助幸福院", (8, 30)))
        return out

    def _small(self, village: Village, kind: str, name: str, beds: tuple[int, int]) -> Facility:
        """A small community facility: no nursing beds, some open or close in the period."""
        nature = "公办" if kind == MUTUAL_AID else self.rng.choice(("公办", "公建民营"))
        built = opens = self._long_ago()
        if self.rng.random() < 0.1:
            built = self._day_in_period(0.0, 0.8)
            opens = self._add_months(built, self.rng.randint(2, 6))
        facility = self._facility(name, nature, kind, village.code, self.rng.randint(*beds), 0.0, built, opens)
        facility.occupancy = self.rng.uniform(0.2, 0.7)
        if opens <= self.start and self.rng.random() < 0.08:
            facility.closes = self._day_in_period(0.2, 1.0)
        return facility

    # --- monthly rows --------------------------------------------------------------
    def place(self, facility: Facility, day: dt.date) -> tuple[str, str]:
        """The code written for a facility on ``day`` and the township it lies in."""
        unit = self.units[facility.village]
        while not unit.valid_on(day) and unit.successor:
            unit = self.units[unit.successor]
        current = unit.code
        written = facility.village if facility.keeps_old_code else current
        return written, current[:9] + "000"

    def snapshot(self, facilities: list[Facility], year: int, month: int) -> list[Snapshot]:
        """Every listed facility's row at the end of the month."""
        day = month_end(year, month)
        rows = []
        for facility in facilities:
            status = facility.status(day)
            if status is None:
                continue
            written, township = self.place(facility, day)
            residents = disabled = 0
            if status == "运营":
                wobble = self.rng.uniform(-0.05, 0.05)
                residents = max(0, min(facility.beds, round(facility.beds * (facility.occupancy + wobble))))
                disabled = min(residents, round(residents * facility.disabled_share))
            rows.append(Snapshot(facility, written, township, status, facility.nursing_beds(year),
                                 residents, disabled))
        return rows


# --- files -----------------------------------------------------------------------

def _row(snap: Snapshot) -> dict[str, str]:
    f = snap.facility
    return {
        "机构编号": f.code, "机构名称": f.name, "机构性质": f.nature, "设施类型": f.kind,
        "所在区划代码": snap.place, "总床位数": str(f.beds), "护理型床位数": str(snap.nursing),
        "在住老人数": str(snap.residents), "其中失能老人数": str(snap.disabled),
        "是否医养结合": "是" if f.integrated else "否", "运营状态": snap.status,
    }


def _unknown_code(row: dict[str, str], rng: random.Random) -> tuple[str, str]:
    column = rng.choice(("设施类型", "运营状态", "机构性质"))
    wrong = {"设施类型": ("养老院", "托老所"), "运营状态": ("正常", "暂停营业"), "机构性质": ("国营", "私营")}
    return column, rng.choice(wrong[column])


DEFECTS = {
    "unknown_code": lambda row, rng, county6: _unknown_code(row, rng),
    "negative_amount": lambda row, rng, county6: ("总床位数", "-" + row["总床位数"]),
    "unknown_region": lambda row, rng, county6: ("所在区划代码", f"{county6}399999"),
}


def _delivery(rng: random.Random) -> Delivery:
    """A delivery whose first column can carry the 合计 label (not a summed column)."""
    delivery = Delivery.random(rng, COLUMNS, EXTRAS)
    columns = list(delivery.columns)
    if columns[0] in SUM_COLUMNS:
        label = next(c for c in columns if c not in SUM_COLUMNS)
        columns.remove(label)
        columns.insert(0, label)
    return Delivery(tuple(columns), delivery.thousands_separator, delivery.date_style)


def totals(rows: list[dict[str, str]], first_column: str) -> dict[str, str]:
    """The 合计 row: sums of the bed and resident columns as written."""
    sums = {column: str(sum(int(r[column]) for r in rows)) for column in SUM_COLUMNS}
    return {first_column: "合计", **sums}


def _draft(rows: list[dict[str, str]], rng: random.Random) -> list[dict[str, str]]:
    """A first delivery with one plausible mistake, corrected in ``_v2``."""
    draft = [dict(r) for r in rows]
    if not draft:
        return draft
    index = rng.randrange(len(draft))
    mistake = rng.choice(("drop", "nursing", "status"))
    if mistake == "drop":
        draft.pop(index)
    elif mistake == "nursing":
        draft[index]["护理型床位数"] = draft[index]["总床位数"]
    else:
        draft[index]["运营状态"] = "停业" if draft[index]["运营状态"] == "运营" else "运营"
    return draft


def _write_month(snaps: list[Snapshot], county: County, ctx: GenerationContext,
                 rng: random.Random, year: int, month: int) -> None:
    base = f"elderly_care_{county.code6}_{year}{month:02d}"
    title = f"{county.name}{year}年{month}月养老机构情况表"
    corrected = rng.random() < 0.2
    if corrected:
        draft = _delivery(rng)
        rows = _draft([_row(s) for s in snaps], rng)
        draft.write_xlsx(ctx.out, "elderly_care", base + ".xlsx", rows, title=title,
                         totals=totals(rows, draft.columns[0]))
    delivery = _delivery(rng)
    name = base + ("_v2" if corrected else "") + ".xlsx"
    rows = [_row(s) for s in snaps]
    for index, (row, snap) in enumerate(zip(rows, snaps)):
        if rng.random() < ctx.defect_rate:
            rule = rng.choice(sorted(DEFECTS))
            column, value = DEFECTS[rule](row, rng, county.code6)
            row[column] = value
            snap.clean = False
            # Title row = line 1, header = line 2, first data row = line 3.
            ctx.defects.add("elderly_care", name, index + 3, column, rule)
    delivery.write_xlsx(ctx.out, "elderly_care", name, rows, title=title,
                        totals=totals(rows, delivery.columns[0]))


# --- truth -----------------------------------------------------------------------

def _streets(county: County, day: dt.date) -> list[str]:
    return [t.code for t in county.townships_on(day) if t.kind == "街道"]


def _month_summary(snaps: list[Snapshot], county: County, day: dt.date) -> dict:
    """T06 and T07 inputs of one month, from the clean rows of the final file."""
    clean = [s for s in snaps if s.clean and s.status == "运营"]
    with_centre = sorted({s.township for s in clean if s.facility.kind == STREET_CENTRE})
    beds = [s for s in clean if s.facility.kind in INSTITUTIONS]
    return {
        "streets": _streets(county, day),
        "streets_with_centre": [c for c in with_centre if c in _streets(county, day)],
        "beds": sum(s.facility.beds for s in beds),
        "nursing_beds": sum(s.nursing for s in beds),
        "rows": len(snaps),
    }


def _record_truth(snaps: list[Snapshot], county: County, ctx: GenerationContext, year: int) -> None:
    """T06 and T07 of a year from its last generated month (年末数)."""
    last = max(m for y, m in ctx.months() if y == year)
    summary = _month_summary(snaps, county, month_end(year, last))
    streets, with_centre = summary["streets"], summary["streets_with_centre"]
    ctx.truth.target("T06", county.code12, year, ratio(len(with_centre), len(streets)),
                     numerator=len(with_centre), denominator=len(streets),
                     failing=[s for s in streets if s not in with_centre])
    ctx.truth.target("T07", county.code12, year, ratio(summary["nursing_beds"], summary["beds"]),
                     numerator=summary["nursing_beds"], denominator=summary["beds"])
