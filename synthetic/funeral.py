"""Deaths and funeral services: ``cremation`` (per funeral home) and ``deaths``.

The model is a list of deaths. Every village valid in a month loses about
7 per 1000 residents a year (more in winter); each death gets an age, a sex,
an ID, and a funeral: cremated (火化) with a township- and year-specific
probability around 93-99 %, otherwise 土葬 / 外运 / 遗体捐献, and a few
non-cremated deaths leave no funeral record at all (they are only in the
public-security count). Two funeral homes send monthly files: the county's
own (``<county6>01``), which also handles non-residents (from counties outside
Jining, so that at the province scale they count for no generated county), and
a neighbouring county's second home (``<neighbour6>02``, e.g. 37082902 for
梁山), which handles some of this county's residents.

A death belongs, for every figure, to the township of its 户籍区划代码
followed through the region changes to the year's last day ("attribution
township"): a village moved by the split counts for the new street all year,
a merged town's villages count for the town that absorbed them.

Truth: T13 火化率 = clean resident 火化 records by year of 死亡日期 / the
``deaths`` extract's count; T12 节地生态安葬率 = eco-burials / resident
records with a 安葬方式, per year, for the county and each township.

``ctx.registry["deaths"]`` entries (people other sources need to see dead)
are dicts with ``county6`` and, when known, ``death_date`` (date or ISO
text), ``citizen_id`` (or ``id``), ``name``, ``male`` (bool, or ``sex``
男/女), ``region_code`` (12-digit village code). Missing fields are drawn.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable

from synthetic import ids
from synthetic.delivery import Delivery
from synthetic.regions import COUNTY_NAMES, County
from synthetic.world import GenerationContext, ratio

SOURCES = ("cremation", "deaths")

CREMATION_COLUMNS = ["遗体编号", "逝者姓名", "身份证号", "性别", "死亡日期", "火化日期",
                     "户籍区划代码", "处理方式", "安葬方式", "惠民殡葬补贴金额"]
CREMATION_EXTRAS = ["备注", "经办人", "家属联系电话"]
DEATHS_COLUMNS = ["乡镇区划代码", "年度", "死亡人数"]
DEATHS_EXTRAS = ["备注", "填报单位"]

# 节地生态安葬 (targets.md T12); 其他 counts as not eco.
ECO_BURIALS = ("树葬", "花坛葬", "草坪葬", "海葬", "深埋不留坟头", "骨灰撒散", "骨灰堂存放")
ECO_WEIGHTS = (15, 8, 10, 2, 15, 5, 45)
DEATHS_PER_1000 = 7.0
# Winter kills more: the monthly factor of the yearly rate (mean 1).
SEASON = {1: 1.25, 2: 1.15, 3: 1.05, 4: 0.95, 5: 0.9, 6: 0.85,
          7: 0.85, 8: 0.85, 9: 0.9, 10: 0.95, 11: 1.05, 12: 1.25}
# Non-residents come from counties outside Jining (郓城, 东平, 阳谷, 台前): at the
# province scale a Jining code would count in that county's figures.
# Home counties of non-residents: outside every county the province scale generates.
OUTSIDE_COUNTIES = ("320321", "370923", "371521", "410927")
BASE_SUBSIDY = Decimal("1200.00")     # 惠民殡葬: basic funeral fees waived for residents
ECO_BONUS = Decimal("500.00")         # extra award for an eco-burial


@dataclass
class Death:
    """One deceased person and the funeral record (if any) that shows them."""

    name: str
    citizen_id: str
    male: bool
    died: dt.date
    village: str              # the true 户籍区划代码 at the death date
    written_village: str      # as the home writes it (a few keep a retired code)
    township: str             # attribution township ("" for non-residents)
    resident: bool
    home: str | None          # None: no funeral record
    handled: dt.date          # handling day: the file month
    disposal: str             # 火化 / 土葬 / 遗体捐献 / 外运
    burial: str               # 安葬方式, "" when none given
    subsidy: Decimal
    registry: bool = False
    clean: bool = True        # False once a defect is planted in its final row
    body_id: str = ""


def generate(county: County, ctx: GenerationContext) -> None:
    """Write ``cremation`` and ``deaths`` for the period; record T12 / T13."""
    rng = ctx.rng(county, "cremation")
    model = FuneralModel(county, ctx, rng)
    deaths = model.simulate()
    homes = (model.own_home, model.neighbour_home)
    written = write_cremation_files(deaths, homes, county, ctx, rng)
    counts = death_counts(deaths, county, ctx)
    write_deaths_files(counts, county, ctx, ctx.rng(county, "deaths"))
    record_truth(deaths, counts, county, ctx)
    # Keyed by county: at the province scale every county adds its own.
    ctx.truth.sections.setdefault("cremation", {})[county.code6] = {
        "homes": list(homes),
        "rows": written,
        "registry_deaths": sorted(d.citizen_id for d in deaths if d.registry),
        "registry_skipped": model.registry_skipped,
    }
    ctx.truth.sections.setdefault("deaths", {})[county.code6] = {
        str(year): dict(sorted(by_code.items())) for year, by_code in sorted(counts.items())
    }


def poisson(rng: random.Random, lam: float) -> int:
    """A Poisson draw (Knuth's method; normal approximation for large means)."""
    if lam <= 0:
        return 0
    if lam > 400:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def neighbour_of(county6: str) -> str:
    """The neighbouring county whose funeral home takes some residents.

    A bijection over the counties of the same city (370832 梁山 -> 370829
    嘉祥), so at the province scale no two counties write the same neighbour
    home's files."""
    codes = sorted(c for c in COUNTY_NAMES if c[:4] == county6[:4])
    if county6 in codes and len(codes) > 1:
        return codes[(codes.index(county6) - 3) % len(codes)]
    return "370829" if county6 != "370829" else "370830"


def neighbour_home(county6: str) -> str:
    """The neighbour's second funeral home (``<county6>02``): its first
    (``<county6>01``) is that county's own, written by its own generator."""
    return f"{neighbour_of(county6)}02"


class FuneralModel:
    """Deaths of the period, drawn village by village and month by month."""

    def __init__(self, county: County, ctx: GenerationContext, rng: random.Random) -> None:
        self.county, self.ctx, self.rng = county, ctx, rng
        self.own_home = f"{county.code6}01"
        self.neighbour_home = neighbour_home(county.code6)
        self.registry_skipped: list[str] = []
        self._attributed: dict[tuple[str, dt.date], str] = {}
        # Per-township habits, drawn in township order so the stream is stable.
        self.base_rate = {t.code: rng.uniform(0.945, 0.995) for t in county.townships}
        self.eco_share = {t.code: rng.uniform(0.53, 0.66) for t in county.townships}
        self.away_share = {t.code: rng.choice((0.02, 0.03, 0.05, 0.15, 0.25)) for t in county.townships}
        years = range(ctx.first_month.year - 1, ctx.last_month.year + 1)
        self.year_noise = {(t.code, y): rng.gauss(0, 0.008) for t in county.townships for y in years}
        # IDs already given: a person is counted once per ID, so no two may share one.
        # and the marriage parties' IDs are taken too: a random death must not
        # kill a living party (rule M09 would then flag a clean registration).
        self.used_ids = {_registry_id(e) for e in ctx.registry.get("deaths", []) if _registry_id(e)} \
            | ctx.registry.get("issued_ids", set())
        # A re-coded village's old code: some homes keep writing it (extracts.md).
        self.old_code = {v.successor: v.code for t in county.townships for v in t.villages if v.successor}

    # --- rates -----------------------------------------------------------------
    def cremation_rate(self, township: str, year: int) -> float:
        """火化率 of a township-year: its base, a slow rise, a yearly wobble."""
        rate = self.base_rate.get(township, 0.95) + 0.003 * (year - 2019) \
            + self.year_noise.get((township, year), 0.0)
        return min(0.995, max(0.9, rate))

    def attribution(self, village: str, day: dt.date) -> str:
        """Township a death counts for: its village followed to the year's last day."""
        year_end = min(dt.date(day.year, 12, 31), max(self.ctx.end, day))
        key = (village, year_end)
        if key not in self._attributed:     # current_code rebuilds its index: cache it
            self._attributed[key] = self.county.current_code(village, year_end)[:9] + "000"
        return self._attributed[key]

    # --- simulation ------------------------------------------------------------
    def simulate(self) -> list[Death]:
        """All deaths: the late December before a January start, the period, the registry."""
        deaths: list[Death] = []
        deaths += self._before_period()
        for year, month in self.ctx.months():
            first = dt.date(year, month, 1)
            villages = self.county.villages_on(first)
            for village in villages:
                lam = village.population * DEATHS_PER_1000 / 1000 / 12 * SEASON[month]
                for _ in range(poisson(self.rng, lam)):
                    day = dt.date(year, month, self.rng.randint(1, calendar.monthrange(year, month)[1]))
                    deaths.append(self.resident_death(village.code, day))
            total = sum(v.population for v in villages) * DEATHS_PER_1000 / 1000 / 12
            deaths += [self.outsider_death(first, self.own_home) for _ in range(poisson(self.rng, total * 0.04))]
            deaths += [self.outsider_death(first, self.neighbour_home) for _ in range(poisson(self.rng, total * 0.05))]
        deaths += self._registry_deaths()
        return deaths

    def _before_period(self) -> list[Death]:
        """Deaths of the last days of the previous December, handled in January.

        Only for a January start: their year lies outside the period, so they
        count in no figure but still show in the first files."""
        first = self.ctx.first_month
        if first.month != 1:
            return []
        out = []
        for village in self.county.villages_on(first - dt.timedelta(days=1)):
            lam = village.population * DEATHS_PER_1000 / 1000 / 365 * 3 * SEASON[12]
            for _ in range(poisson(self.rng, lam)):
                day = dt.date(first.year - 1, 12, self.rng.randint(28, 31))
                death = self.resident_death(village.code, day)
                if death.home is not None and death.handled < first:
                    death.handled = first + dt.timedelta(days=self.rng.randint(0, 2))
                out.append(death)
        return out

    def _person(self, region6: str, died: dt.date) -> tuple[str, str, bool]:
        """Name, ID and sex of an (old, mostly) deceased person."""
        age = self.rng.choices((self.rng.randint(20, 59), self.rng.randint(60, 74),
                                self.rng.randint(75, 89), self.rng.randint(90, 102)), (10, 25, 45, 20))[0]
        birth = dt.date(died.year - age, self.rng.randint(1, 12), self.rng.randint(1, 28))
        male = self.rng.random() < 0.52
        citizen = ids.citizen_id(self.rng, region6, birth, male)
        while citizen in self.used_ids:
            citizen = ids.citizen_id(self.rng, region6, birth, male)
        self.used_ids.add(citizen)
        return ids.person_name(self.rng), citizen, male

    def _handling(self, died: dt.date, cremated: bool) -> dt.date:
        """The day the home takes the body: 0-5 days later, never after the period."""
        delay = self.rng.choices((0, 1, 2, 3, 4, 5), (10, 25, 30, 20, 10, 5))[0] if cremated \
            else self.rng.randint(0, 3)
        return min(died + dt.timedelta(days=delay), self.ctx.end)

    def _burial(self, township: str, year: int, disposal: str) -> str:
        """安葬方式: eco-burial for about 55-65 % of cremations, some left empty."""
        if disposal == "火化":
            if self.rng.random() < 0.07:
                return ""
            share = min(0.9, self.eco_share.get(township, 0.6) + 0.005 * (year - 2019))
            if self.rng.random() < share:
                return self.rng.choices(ECO_BURIALS, ECO_WEIGHTS)[0]
            return "公墓墓穴" if self.rng.random() < 0.85 else "其他"
        if disposal == "土葬":
            return self.rng.choices(("公墓墓穴", "其他", "深埋不留坟头", ""), (50, 25, 10, 15))[0]
        return ""

    def resident_death(self, village: str, died: dt.date, *, registry: bool = False,
                       person: tuple[str, str, bool] | None = None) -> Death:
        """A county resident's death and its funeral (or none)."""
        township = self.attribution(village, died)
        name, citizen, male = person or self._person(self.county.code6, died)
        cremated = self.rng.random() < self.cremation_rate(township, died.year)
        home: str | None = self.own_home
        if cremated:
            disposal = "火化"
        else:
            disposal = self.rng.choices(("土葬", "外运", "遗体捐献"), (75, 20, 5))[0]
            # Some non-cremated deaths reach no funeral home (only the police count them).
            if not registry and self.rng.random() < 0.3:
                home = None
        if home is not None and self.rng.random() < self.away_share.get(township, 0.05):
            home = self.neighbour_home
        burial = self._burial(township, died.year, disposal)
        subsidy = Decimal("0.00")
        if disposal == "火化":
            subsidy = BASE_SUBSIDY + (ECO_BONUS if burial in ECO_BURIALS else 0)
        written = village
        if village in self.old_code and self.rng.random() < 0.1:
            written = self.old_code[village]
        return Death(name, citizen, male, died, village, written, township, True, home,
                     self._handling(died, cremated), disposal, burial, subsidy, registry)

    def outsider_death(self, first: dt.date, home: str) -> Death:
        """A non-resident handled by a home: counts in no county figure."""
        region6 = self.rng.choice(OUTSIDE_COUNTIES)
        code = f"{region6}{self.rng.randint(101, 112):03d}{self.rng.randint(200, 240):03d}"
        died = dt.date(first.year, first.month, self.rng.randint(1, calendar.monthrange(first.year, first.month)[1]))
        name, citizen, male = self._person(region6, died)
        disposal = "火化" if self.rng.random() < 0.95 else "土葬"
        burial = self._burial("", died.year, disposal)
        return Death(name, citizen, male, died, code, code, "", False, home,
                     self._handling(died, disposal == "火化"), disposal, burial, Decimal("0.00"))

    # --- registry --------------------------------------------------------------
    def _registry_deaths(self) -> list[Death]:
        """Deaths other sources registered (e.g. spouses for rule M05): always with a record."""
        out = []
        for entry in self.ctx.registry.get("deaths", []):
            if str(entry.get("county6", "")) != self.county.code6:
                continue
            death = self._registry_death(entry)
            if death is not None:
                out.append(death)
        return out

    def _registry_death(self, entry: dict) -> Death | None:
        died = _as_date(entry.get("death_date") or entry.get("died"))
        if died is None:
            died = self.ctx.first_month + dt.timedelta(days=self.rng.randint(0, 27))
        citizen = _registry_id(entry)
        if died > self.ctx.end:
            self.registry_skipped.append(citizen)
            return None
        male = entry.get("male")
        if male is None and entry.get("sex") in ("男", "女"):
            male = entry["sex"] == "男"
        if male is None and len(citizen) == 18:
            male = int(citizen[16]) % 2 == 1
        if male is None:
            male = self.rng.random() < 0.5
        if not citizen:
            birth = dt.date(died.year - self.rng.randint(60, 90), self.rng.randint(1, 12), self.rng.randint(1, 28))
            citizen = ids.citizen_id(self.rng, self.county.code6, birth, bool(male))
            while citizen in self.used_ids:
                citizen = ids.citizen_id(self.rng, self.county.code6, birth, bool(male))
            self.used_ids.add(citizen)
        name = str(entry.get("name") or entry.get("姓名") or ids.person_name(self.rng))
        village = self._registry_village(str(entry.get("region_code") or entry.get("village") or ""), died)
        death = self.resident_death(village, died, registry=True, person=(name, citizen, bool(male)))
        death.written_village = village
        # A registry ID the contract rejects would be quarantined: it counts in no figure.
        death.clean = _valid_id(citizen)
        if death.handled < self.ctx.first_month:
            # A death before the period is entered late (补录) in the first month's file.
            death.handled = self.ctx.first_month
        return death

    def _registry_village(self, code: str, died: dt.date) -> str:
        """A village code valid at the death date: the given one, its successor, or a draw."""
        known = {v.code: v for t in self.county.townships for v in t.villages}
        if code in known:
            current = self.county.current_code(code, died)
            if known[current].valid_on(died):
                return current
        day = max(died, dt.date(1980, 1, 1))
        villages = self.county.villages_on(day) or self.county.villages_on(self.ctx.first_month)
        return self.rng.choice(villages).code


def _valid_id(citizen: str) -> bool:
    return len(citizen) == 18 and citizen[:17].isdigit() and ids.check_character(citizen[:17]) == citizen[17]


def _registry_id(entry: dict) -> str:
    return str(entry.get("citizen_id") or entry.get("id") or entry.get("身份证号") or "")


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


# --- cremation files -------------------------------------------------------------

def _row(death: Death, delivery: Delivery) -> dict[str, str]:
    return {
        "遗体编号": death.body_id,
        "逝者姓名": death.name,
        "身份证号": death.citizen_id,
        "性别": "男" if death.male else "女",
        "死亡日期": delivery.date(death.died),
        # A late-entered (补录) registry death was cremated days after death, not at entry.
        "火化日期": delivery.date(min(death.handled, death.died + dt.timedelta(days=5)))
        if death.disposal == "火化" else "",
        "户籍区划代码": death.written_village,
        "处理方式": death.disposal,
        "安葬方式": death.burial,
        "惠民殡葬补贴金额": delivery.money(death.subsidy),
    }


def _unknown_code(row: dict[str, str], rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.5:
        return "处理方式", rng.choice(("火葬", "冷藏", "其它"))
    return "安葬方式", rng.choice(("骨灰寄存", "壁葬", "家族墓地"))


# Malformed values a home's export really contains; each row breaks one rule.
CREMATION_DEFECTS = {
    "id_check_character": lambda row, death, rng, county6: ("身份证号", ids.corrupt_check_character(death.citizen_id)),
    "impossible_date": lambda row, death, rng, county6: ("死亡日期", f"{death.died.year}-02-30"),
    "unknown_code": lambda row, death, rng, county6: _unknown_code(row, rng),
    "negative_amount": lambda row, death, rng, county6: (
        "惠民殡葬补贴金额", "-" + (f"{death.subsidy:.2f}" if death.subsidy else "100.00")),
    "unknown_region": lambda row, death, rng, county6: ("户籍区划代码", f"{county6}399999"),
}


def _plant_defects(rows: list[dict[str, str]], deaths: list[Death], name: str,
                   county: County, ctx: GenerationContext, rng: random.Random) -> None:
    """Plant malformed values at ``ctx.defect_rate``; never in a registry death,
    which other sources (rule M05) must find."""
    for index, (row, death) in enumerate(zip(rows, deaths)):
        if death.registry or rng.random() >= ctx.defect_rate:
            continue
        rule = rng.choice(sorted(CREMATION_DEFECTS))
        column, value = CREMATION_DEFECTS[rule](row, death, rng, county.code6)
        row[column] = value
        death.clean = False
        ctx.defects.add("cremation", name, index + 2, column, rule)   # header = line 1


def _draft(rows: list[dict[str, str]], rng: random.Random) -> list[dict[str, str]]:
    """A first delivery with one plausible mistake, corrected in ``_v2``."""
    draft = [dict(r) for r in rows]
    if not draft:
        return draft
    mistake = rng.choice(("drop", "duplicate", "disposal"))
    index = rng.randrange(len(draft))
    if mistake == "drop":
        draft.pop(index)
    elif mistake == "duplicate":
        draft.insert(index, dict(draft[index]))
    else:
        draft[index]["处理方式"], draft[index]["火化日期"] = "土葬", ""
    return draft


def write_cremation_files(deaths: list[Death], homes: Iterable[str], county: County,
                          ctx: GenerationContext, rng: random.Random) -> int:
    """One UTF-8-with-BOM CSV per home and handling month; returns the rows written."""
    by_file: dict[tuple[str, int, int], list[Death]] = {}
    for death in deaths:
        if death.home is not None:
            by_file.setdefault((death.home, death.handled.year, death.handled.month), []).append(death)
    written = 0
    for year, month in ctx.months():
        for home in homes:
            batch = sorted(by_file.get((home, year, month), []), key=lambda d: (d.handled, d.died, d.citizen_id))
            for seq, death in enumerate(batch, start=1):
                death.body_id = f"{home}{year}{month:02d}{seq:04d}"
            written += _write_one(batch, home, year, month, county, ctx, rng)
    return written


def _write_one(batch: list[Death], home: str, year: int, month: int, county: County,
               ctx: GenerationContext, rng: random.Random) -> int:
    base = f"cremation_{home}_{year}{month:02d}"
    corrected = rng.random() < 0.2
    if corrected:
        draft = Delivery.random(rng, CREMATION_COLUMNS, CREMATION_EXTRAS)
        draft.write_csv(ctx.out, "cremation", base + ".csv",
                        _draft([_row(d, draft) for d in batch], rng), "utf-8-sig")
    delivery = Delivery.random(rng, CREMATION_COLUMNS, CREMATION_EXTRAS)
    name = base + ("_v2" if corrected else "") + ".csv"
    rows = [_row(d, delivery) for d in batch]
    _plant_defects(rows, batch, name, county, ctx, rng)
    delivery.write_csv(ctx.out, "cremation", name, rows, "utf-8-sig")
    return len(rows)


# --- deaths files and truth ------------------------------------------------------

def _year_end(year: int, ctx: GenerationContext) -> dt.date:
    return min(dt.date(year, 12, 31), ctx.end)


def death_counts(deaths: list[Death], county: County, ctx: GenerationContext) -> dict[int, dict[str, int]]:
    """The public-security count per year and township code as the extract writes it.

    Every township valid at the year's end has a row; in the year of a merger
    the retired town's deaths before the merger still come under its old code
    (followed through ``region_changes`` it is the absorbing town)."""
    counts: dict[int, dict[str, int]] = {}
    valid: dict[int, list[str]] = {}
    for year in ctx.years():
        valid[year] = [t.code for t in county.townships_on(_year_end(year, ctx))]
        counts[year] = {code: 0 for code in valid[year]}
    for death in deaths:
        if not death.resident or death.died.year not in counts:
            continue
        own = death.village[:9] + "000"
        code = own if own not in valid[death.died.year] else death.township
        counts[death.died.year][code] = counts[death.died.year].get(code, 0) + 1
    return counts


def write_deaths_files(counts: dict[int, dict[str, int]], county: County,
                       ctx: GenerationContext, rng: random.Random) -> None:
    """One UTF-8 CSV per year; about a fifth are corrected by a ``_v2``."""
    for year, by_code in sorted(counts.items()):
        base = f"deaths_{county.code6}_{year}"
        rows = [{"乡镇区划代码": code, "年度": str(year), "死亡人数": str(n)} for code, n in sorted(by_code.items())]
        corrected = rng.random() < 0.2
        if corrected and rows:
            draft = [dict(r) for r in rows]
            wrong = draft[rng.randrange(len(draft))]
            wrong["死亡人数"] = str(int(wrong["死亡人数"]) + rng.randint(1, 9))   # a typing slip
            Delivery.random(rng, DEATHS_COLUMNS, DEATHS_EXTRAS).write_csv(
                ctx.out, "deaths", base + ".csv", draft, "utf-8")
        name = base + ("_v2" if corrected and rows else "") + ".csv"
        Delivery.random(rng, DEATHS_COLUMNS, DEATHS_EXTRAS).write_csv(ctx.out, "deaths", name, rows, "utf-8")


def _fold(by_code: dict[str, int], county: County, day: dt.date) -> dict[str, int]:
    """Counts per township valid on ``day``: retired codes follow their successor."""
    out: dict[str, int] = {}
    for code, n in by_code.items():
        current = county.current_code(code, day)
        out[current] = out.get(current, 0) + n
    return out


def record_truth(deaths: list[Death], counts: dict[int, dict[str, int]], county: County,
                 ctx: GenerationContext) -> None:
    """T12 and T13 per year for the county and each township valid at the year's end."""
    for year in ctx.years():
        day = _year_end(year, ctx)
        denominators = _fold(counts[year], county, day)
        records = [d for d in deaths if d.resident and d.clean and d.home is not None and d.died.year == year]
        regions = [(county.code12, records, sum(denominators.values()))]
        for township in county.townships_on(day):
            mine = [d for d in records if d.township == township.code]
            regions.append((township.code, mine, denominators.get(township.code, 0)))
        for code, mine, deaths_of_year in regions:
            cremated = sum(1 for d in mine if d.disposal == "火化")
            ctx.truth.target("T13", code, year, ratio(cremated, deaths_of_year),
                             numerator=cremated, denominator=deaths_of_year)
            given = [d for d in mine if d.burial]
            eco = sum(1 for d in given if d.burial in ECO_BURIALS)
            ctx.truth.target("T12", code, year, ratio(eco, len(given)), numerator=eco, denominator=len(given))
