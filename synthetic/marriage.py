"""Marriage registrations (``marriage``) and the historical archive (``marriage_archive``).

The model is a population of couples. The paper archive (1949 → the year
before the electronic system) is simulated year by year first: marriages,
and divorces of earlier archive couples. Then the electronic system runs
month by month: new marriages (young people, some remarrying divorcees or
widowed archive spouses), divorces of archive or electronic couples, and
re-issued certificates. Rows that break a rule of marriage-rules.md
(M01–M09) are planted as extra acts whose people never appear again, so one
planted act breaks exactly one rule and no later act inherits the breach.
The truth (T14, T20) is computed from this model, never from the files.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from dataclasses import dataclass, field

from synthetic import ids
from synthetic.delivery import Delivery
from synthetic.regions import JINING_COUNTIES, County, Village
from synthetic.world import GenerationContext, month_end, ratio

SOURCES = ("marriage", "marriage_archive")

COLUMNS = [
    "登记机关代码", "登记类型", "登记日期", "证书字号",
    "男方姓名", "男方身份证号", "男方出生日期", "男方户籍地区划代码", "男方国籍地区",
    "女方姓名", "女方身份证号", "女方出生日期", "女方户籍地区划代码", "女方国籍地区",
    "原结婚证字号",
]
EXTRA_COLUMNS = ["备注", "经办人", "婚姻登记员"]
ARCHIVE_COLUMNS = [
    "档案号", "登记类型", "登记日期", "登记机关", "男方姓名", "男方出生年月", "男方身份证号",
    "女方姓名", "女方出生年月", "女方身份证号", "备注",
]
ARCHIVE_EXTRAS = ["录入人", "原件页码"]

FIRST_ARCHIVE_YEAR = 1949
LAW_1981 = dt.date(1981, 1, 1)          # Marriage Law of 1980 in force: 22 / 20
PREFIX = {"结婚": "J", "离婚": "L", "补领结婚证": "BJ", "补领离婚证": "BL"}
# Registrations per resident per year (county plan: ≈ 6 ‰ marriages, 2.5 ‰ divorces).
RATES = {"结婚": 0.006, "离婚": 0.0025, "补领结婚证": 0.0008, "补领离婚证": 0.0002}
# Tiny keeps a few hundred rows for the tests; county is realistic.
VOLUME = {"tiny": 0.3, "county": 1.0}
ARCHIVE_VOLUME = {"tiny": 0.014, "county": 0.3}   # share of the paper archive transcribed
PLANTS_PER_RULE = {"tiny": 2, "county": 25}
WIDOWED = {"tiny": 2, "county": 15}
OVERLAP = {"tiny": 3, "county": 20}
UNPARSEABLE_RATE = {"tiny": 0.01, "county": 0.001}
# Weddings cluster around the Spring Festival, May Day and National Day.
SEASON = (1.4, 1.1, 0.9, 0.9, 1.2, 0.9, 0.8, 0.9, 1.0, 1.3, 0.9, 1.0)
RULES = ("M01", "M02", "M03", "M04", "M05", "M06", "M07", "M08", "M09")
TRAVEL_DOCUMENTS = {"香港": "H", "澳门": "M", "台湾": "", "华侨": "E", "外国": "P"}
_CN_DIGITS = "〇一二三四五六七八九"


@dataclass(eq=False)
class Person:
    name: str
    id: str                      # 18-digit ID, or a travel-document number when not 内地
    birth: dt.date
    male: bool
    village: str                 # 12-digit 户籍 code when registered ("" outside the mainland)
    nationality: str = "内地"
    keeps_old_code: bool = False  # still writes a retired village code after a change
    retired: bool = False        # appeared in a planted or quarantined row: never used again


@dataclass(eq=False)
class Couple:
    man: Person
    woman: Person
    date: dt.date
    reference: str = ""          # J certificate or archive 档案号
    divorce: str = ""            # L certificate once divorced in the electronic system

    @property
    def retired(self) -> bool:
        return self.man.retired or self.woman.retired


@dataclass(eq=False)
class Act:
    """One registration act (a row) before it gets its certificate number."""

    kind: str
    date: dt.date
    office: str
    couple: Couple
    reference: str = ""
    rule: str = ""               # the planted M rule, if any
    column: str = ""             # the column that shows the breach
    certificate: str = ""
    fixed_certificate: str = ""  # M08: the wrong number written instead of the next one
    override: dict = field(default_factory=dict)   # column → value written instead
    quarantine: tuple[str, str, str] | None = None  # (rule, column, value)


def age_on(birth: dt.date, day: dt.date) -> int:
    """Full years of age on ``day`` (a 29 February birthday counts from 1 March)."""
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:          # 29 February in a common year
        return dt.date(day.year - years, 2, 28)


def id15(id18: str) -> str:
    """The old 15-digit form: no century, no check character."""
    return id18[:6] + id18[8:17]


def chinese_date(day: dt.date, with_day: bool = True) -> str:
    """一九五六年三月七日."""
    def number(n: int) -> str:
        tens, units = divmod(n, 10)
        return (("" if tens == 1 else _CN_DIGITS[tens]) + "十" if tens else "") + (_CN_DIGITS[units] if units else "")
    year = "".join(_CN_DIGITS[int(c)] for c in str(day.year))
    return f"{year}年{number(day.month)}月" + (f"{number(day.day)}日" if with_day else "")


def transcribe(day: dt.date, rng: random.Random, full: bool = False) -> str:
    """A date as the transcribers wrote it; ``full`` avoids the year-and-month-only form."""
    forms = ["cn", "dot", "iso", "hanzi"] + ([] if full else ["month"])
    form = rng.choice(forms)
    if form == "cn":
        return f"{day.year}年{day.month}月{day.day}日"
    if form == "dot":
        return f"{day.year}.{day.month}.{day.day}"
    if form == "iso":
        return day.isoformat()
    if form == "hanzi":
        return chinese_date(day)
    return f"{day.year}年{day.month}月"


class MarriageModel:
    """The county's couples, its archive and its electronic registrations."""

    def __init__(self, county: County, ctx: GenerationContext) -> None:
        self.county, self.ctx = county, ctx
        self.rng = ctx.rng(county, "marriage")
        self.c6 = county.code6
        self.offices = (f"{self.c6}MZJ", f"{self.c6}BMZX")
        self.first_year = ctx.first_month.year
        self.index: dict[str, Village] = {v.code: v for t in county.townships for v in t.villages}
        self.others = sorted(c for c in list(JINING_COUNTIES) + ["370102", "371702"] if c != self.c6)
        # IDs already given out, shared with the later sources: no one else
        # (a deceased person in the cremation records) may carry a party's ID.
        self.issued: set[str] = ctx.registry.setdefault("issued_ids", set())
        self.planted_numbers: set[str] = set()
        self.married: list[Couple] = []        # electronic couples, still married
        self.divorced: list[Couple] = []       # electronic divorces
        self.single: list[Person] = []         # divorced people free to remarry
        self.archive_open: list[Couple] = []   # archive couples with IDs (1985+), still married
        self.archive_old: list[Couple] = []    # archive couples before IDs, still married
        self.sequence: dict[tuple[str, int], int] = {}
        self.village_cache: dict[dt.date, tuple[list[str], list[int]]] = {}
        self.deaths = ctx.registry.setdefault("deaths", [])
        self.population = sum(v.population for v in county.villages_on(ctx.first_month))
        self.scheduled: dict[tuple[int, int], list[Act]] = {}
        self.first_year_marriages: list[Act] = []
        self.truth: dict[int, dict] = {}
        self.archive_truth: dict = {}

    # ---- people ---------------------------------------------------------

    def villages(self, day: dt.date) -> tuple[list[str], list[int]]:
        """Village codes valid on ``day`` with cumulative population weights
        (changes take effect on the first of a month, so one entry per month)."""
        key = day.replace(day=1)
        if key not in self.village_cache:
            valid = self.county.villages_on(key) or self.county.villages_on(dt.date(1980, 1, 1))
            self.village_cache[key] = ([v.code for v in valid],
                                       list(itertools.accumulate(v.population for v in valid)))
        return self.village_cache[key]

    def pick_village(self, day: dt.date, outside: float = 0.05) -> str:
        if self.rng.random() < outside:
            # A 户籍 outside the county: a real county code, a town and a village in it.
            return f"{self.rng.choice(self.others)}{self.rng.randint(101, 112):03d}{self.rng.randint(200, 260):03d}"
        codes, weights = self.villages(day)
        return self.rng.choices(codes, cum_weights=weights)[0]

    def new_id(self, region6: str, birth: dt.date, male: bool) -> str:
        while True:
            candidate = ids.citizen_id(self.rng, region6, birth, male)
            if candidate not in self.issued:
                self.issued.add(candidate)
                return candidate

    def new_person(self, male: bool, birth: dt.date, day: dt.date, outside: float = 0.05) -> Person:
        village = self.pick_village(max(day, dt.date(1980, 1, 1)), outside)
        region6 = village[:6] if self.rng.random() < 0.9 else self.rng.choice(self.others)
        return Person(ids.person_name(self.rng), self.new_id(region6, birth, male), birth, male, village,
                      keeps_old_code=self.rng.random() < 0.05)

    def foreigner(self, male: bool, birth: dt.date) -> Person:
        """A party from outside the mainland: a travel-document number in the ID field."""
        nationality = self.rng.choices(list(TRAVEL_DOCUMENTS), (25, 5, 25, 15, 30))[0]
        digits = 8 if nationality != "外国" else 7
        while True:
            number = TRAVEL_DOCUMENTS[nationality] + "".join(str(self.rng.randrange(10)) for _ in range(digits))
            if number not in self.issued:
                self.issued.add(number)
                break
        return Person(ids.person_name(self.rng), number, birth, male, "", nationality)

    def birth_for_age(self, day: dt.date, age: int) -> dt.date:
        """A birth date giving exactly ``age`` full years on ``day``."""
        return years_before(day, age) - dt.timedelta(days=self.rng.randint(0, 364))

    def wedding_age(self, minimum: int, margin: int = 0) -> int:
        return minimum + margin + min(int(self.rng.expovariate(1 / 5)), 20)

    def fresh_couple(self, day: dt.date, margin: int = 0, foreign: bool = False) -> Couple:
        """Two never-married people of legal age (margin: years above the minimum)."""
        man_birth = self.birth_for_age(day, self.wedding_age(22, margin))
        woman_birth = self.birth_for_age(day, self.wedding_age(20, margin))
        if foreign and self.rng.random() < 0.4:
            man, woman = self.foreigner(True, man_birth), self.new_person(False, woman_birth, day)
        elif foreign:
            man, woman = self.new_person(True, man_birth, day), self.foreigner(False, woman_birth)
        else:
            man, woman = self.new_person(True, man_birth, day), self.new_person(False, woman_birth, day, 0.1)
        return Couple(man, woman, day)

    def partner_for(self, person: Person, day: dt.date) -> Person:
        """A never-married partner of about the same age for a remarrying person."""
        minimum = 20 if person.male else 22
        age = max(minimum + 1, age_on(person.birth, day) + self.rng.randint(-8, 3))
        return self.new_person(not person.male, self.birth_for_age(day, age), day)

    def region_on(self, person: Person, day: dt.date) -> str:
        """The 户籍 code a record of ``day`` shows: successors followed, except for a few."""
        unit = self.index.get(person.village)
        if unit is None or person.keeps_old_code:
            return person.village
        while not unit.valid_on(day) and unit.successor:
            unit = self.index[unit.successor]
        return unit.code

    def die(self, person: Person, day: dt.date) -> None:
        """Record a death the cremation records must show (rule M05 / M09)."""
        self.deaths.append({
            "county6": self.c6, "id": person.id, "name": person.name, "sex": "男" if person.male else "女",
            "birth": person.birth.isoformat(), "death_date": day.isoformat(),
            "region_code": self.region_now(person.village, day)})

    def region_now(self, code: str, day: dt.date) -> str:
        unit = self.index[code]
        while not unit.valid_on(day) and unit.successor:
            unit = self.index[unit.successor]
        return unit.code

    def take(self, pool: list[Couple], before: dt.date, remove: bool = True) -> Couple | None:
        """A random couple of ``pool`` married before ``before`` (retired ones are dropped)."""
        for _ in range(30):
            if not pool:
                return None
            i = self.rng.randrange(len(pool))
            couple = pool[i]
            if couple.retired:
                pool.pop(i)
                continue
            if couple.date >= before:
                continue
            return pool.pop(i) if remove else couple
        return None

    def number(self, kind: str, year: int) -> str:
        key = (kind, year)
        self.sequence[key] = self.sequence.get(key, 0) + 1
        return f"{PREFIX[kind]}{self.c6}-{year}-{self.sequence[key]:06d}"

    def planted_number(self, prefix: str, county6: str, year: int, digits: int = 6) -> str:
        while True:
            seq = self.rng.randint(900000, 999999) if digits == 6 else self.rng.randint(10000, 99999)
            text = f"{prefix}{county6}-{year}-{seq:0{digits}d}"
            if text not in self.planted_numbers:
                self.planted_numbers.add(text)
                return text

    # ---- the archive ----------------------------------------------------

    def archive_office(self, year: int, village: str) -> str:
        """登记机关 as named then: districts, people's communes (1958–1983), 乡/镇 since 1984."""
        township = self.county.township_of(self.region_now(village, dt.date(1980, 1, 1))) \
            if village in self.index else self.county.townships[0]
        stem = township.name.removesuffix("街道").removesuffix("镇").removesuffix("乡")
        if year < 1958:
            return f"{self.county.name}{stem}区"
        if year < 1984:
            return ("城关" if township.kind == "街道" else stem) + "人民公社"
        return township.name

    def archive_year(self, year: int) -> list[tuple[Act, str]]:
        """The registrations of one historical year (acts with their 登记机关)."""
        rng = self.rng
        trend = 0.45 + 0.55 * min(1.0, (year - FIRST_ARCHIVE_YEAR) / 70)
        rate = 0.011 if year <= 1952 else 0.008 if year <= 1965 else 0.006 if year <= 1976 \
            else 0.009 if year <= 1990 else 0.007
        expected = self.population * trend * rate * ARCHIVE_VOLUME[self.ctx.scale] * rng.uniform(0.85, 1.15)
        acts: list[tuple[Act, str]] = []
        for _ in range(max(1, round(expected))):
            day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
            law_1981 = day >= LAW_1981
            man = self.new_person(True, self.birth_for_age(day, self.wedding_age(22 if law_1981 else 20)),
                                  day, 0.0)
            woman = self.new_person(False, self.birth_for_age(day, self.wedding_age(20 if law_1981 else 18)),
                                    day, 0.0)
            couple = Couple(man, woman, day)
            acts.append((Act("结婚", day, "", couple), self.archive_office(year, man.village)))
        share = 0.03 if year < 1980 else 0.06 if year < 2000 else 0.15
        for _ in range(round(len(acts) * share)):
            day = dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))
            pool = self.archive_open if self.archive_open and rng.random() < 0.7 else self.archive_old
            couple = self.take(pool, day - dt.timedelta(days=180))
            if couple is not None:
                acts.append((Act("离婚", day, "", couple, reference=couple.reference),
                             self.archive_office(year, couple.man.village)))
        acts.sort(key=lambda pair: pair[0].date)
        for seq, (act, _) in enumerate(acts, start=1):
            act.certificate = f"DA{self.c6}-{year}-{seq:05d}"
            if act.kind == "结婚":
                act.couple.reference = act.certificate
                (self.archive_open if year >= 1985 else self.archive_old).append(act.couple)
        return acts

    def archive_row(self, act: Act, office: str, year: int) -> dict[str, str]:
        def shown_id(person: Person) -> str:
            return "" if year < 1985 else id15(person.id) if year <= 1999 else person.id

        def born(person: Person) -> str:
            b = person.birth
            return self.rng.choice((f"{b.year}年{b.month}月", f"{b.year}.{b.month:02d}", f"{b.year}-{b.month:02d}"))
        man, woman = act.couple.man, act.couple.woman
        note = f"原档案号{act.reference}" if act.kind == "离婚" else self.rng.choice(("",) * 8 + ("据原始登记簿补录",))
        return {"档案号": act.certificate, "登记类型": act.kind, "登记日期": transcribe(act.date, self.rng),
                "登记机关": office, "男方姓名": man.name, "男方出生年月": born(man), "男方身份证号": shown_id(man),
                "女方姓名": woman.name, "女方出生年月": born(woman), "女方身份证号": shown_id(woman), "备注": note}

    def write_archive_file(self, year: int, rows: list[dict[str, str]], unparseable: list[int],
                           corrected: bool) -> None:
        """One year's workbook; a corrected year first arrives with a row missing, then as _v2."""
        rng, base = self.rng, f"marriage_archive_{self.c6}_{year}"
        title = f"{self.county.name}{year}年婚姻登记档案补录表"
        corrected = corrected and len(rows) > 2
        if corrected:
            draft = list(rows)
            draft.pop(rng.randrange(len(draft)))
            Delivery.random(rng, ARCHIVE_COLUMNS, ARCHIVE_EXTRAS).write_xlsx(
                self.ctx.out, "marriage_archive", base + ".xlsx", draft, title=title)
        name = base + ("_v2" if corrected else "") + ".xlsx"
        Delivery.random(rng, ARCHIVE_COLUMNS, ARCHIVE_EXTRAS).write_xlsx(
            self.ctx.out, "marriage_archive", name, rows, title=title)
        for index in unparseable:
            # Title row is line 1, the header line 2.
            self.ctx.defects.add("marriage_archive", name, index + 3, "登记日期", "unparseable_date")

    def build_archive(self) -> None:
        """Every historical year is simulated; all but two are delivered."""
        rng = self.rng
        years = list(range(FIRST_ARCHIVE_YEAR, self.first_year))
        missing = sorted(rng.sample(range(1959, 1977), 2))
        # A few unreadable dates for sure (at any scale), more at the per-row rate.
        sure = set(rng.sample([y for y in years if y < 1985 and y not in missing], 3))
        delivered = [y for y in years if y not in missing]
        corrected = set(rng.sample(delivered, round(0.18 * len(delivered))))
        for year in years:
            acts = self.archive_year(year)
            if year in missing:
                continue
            rows, unparseable = [], []
            sure_index = rng.randrange(len(acts)) if year in sure else -1
            for index, (act, office) in enumerate(acts):
                row = self.archive_row(act, office, year)
                # Only records without IDs: what cannot be read is never a record we link to.
                if year < 1985 and (index == sure_index or rng.random() < UNPARSEABLE_RATE[self.ctx.scale]):
                    row["登记日期"] = rng.choice((f"{year}年春", f"{year}年秋", "日期不详", f"{year}年腊月"))
                    unparseable.append(index)
                rows.append(row)
            self.write_archive_file(year, rows, unparseable, year in corrected)
        self.archive_truth = {"expected_years": [years[0], years[-1]] if years else [],
                              "missing_years": missing, "delivered": len(years) - len(missing),
                              "expected": len(years)}

    def write_overlap_archive(self) -> None:
        """The archive of the first electronic year: a few acts the system also holds."""
        rng, year = self.rng, self.first_year
        chosen = rng.sample(self.first_year_marriages, min(OVERLAP[self.ctx.scale], len(self.first_year_marriages)))
        chosen.sort(key=lambda a: (a.date, a.certificate))
        rows = []
        for seq, act in enumerate(chosen, start=1):
            archived = Act("结婚", act.date, "", act.couple, certificate=f"DA{self.c6}-{year}-{seq:05d}")
            row = self.archive_row(archived, self.archive_office(year, act.couple.man.village), year)
            row["登记日期"] = transcribe(act.date, rng, full=True)   # same date, whatever the form
            rows.append(row)
        self.write_archive_file(year, rows, [], False)
        self.archive_truth["overlap"] = [{"certificate": a.certificate, "date": a.date.isoformat()} for a in chosen]

    # ---- the electronic system -------------------------------------------

    def day_in(self, year: int, month: int) -> dt.date:
        """A working day mostly: offices register few acts at weekends."""
        last = month_end(year, month).day
        day = dt.date(year, month, self.rng.randint(1, last))
        if day.weekday() >= 5 and self.rng.random() < 0.8:
            day = dt.date(year, month, self.rng.randint(1, last))
        return day

    def office(self) -> str:
        return self.offices[0] if self.rng.random() < 0.7 else self.offices[1]

    def count(self, kind: str, month: int) -> int:
        expected = self.population * RATES[kind] * VOLUME[self.ctx.scale] / 12 * SEASON[month - 1]
        expected *= self.rng.uniform(0.9, 1.1)
        return int(expected) + (1 if self.rng.random() < expected - int(expected) else 0)

    def marriage(self, day: dt.date) -> Act:
        """A lawful marriage: two never-married people, or a divorcee remarrying."""
        rng = self.rng
        if self.single and rng.random() < 0.1:
            person = self.single.pop(rng.randrange(len(self.single)))
            if not person.retired:
                partner = self.partner_for(person, day)
                couple = Couple(person, partner, day) if person.male else Couple(partner, person, day)
                return Act("结婚", day, self.office(), couple)
        return Act("结婚", day, self.office(), self.fresh_couple(day, foreign=rng.random() < 0.01))

    def divorce(self, day: dt.date, months_in: int) -> Act | None:
        """A divorce of a couple married earlier: in the system, or in the archive before it."""
        before = day - dt.timedelta(days=60)
        electronic = self.rng.random() < min(0.6, months_in / 48)
        couple = self.take(self.married if electronic else self.archive_open, before) \
            or self.take(self.archive_open if electronic else self.married, before)
        if couple is None:
            return None
        return Act("离婚", day, self.office(), couple, reference=couple.reference)

    def reissue(self, kind: str, day: dt.date) -> Act | None:
        pool = self.married if kind == "补领结婚证" else self.divorced
        couple = self.take(pool, day - dt.timedelta(days=30), remove=False)
        if couple is None:
            return None
        return Act(kind, day, self.office(), couple,
                   reference=couple.reference if kind == "补领结婚证" else couple.divorce)

    def schedule_widowed(self) -> None:
        """Archive couples whose spouse dies in the period; the survivor marries again lawfully."""
        rng, start, end = self.rng, self.ctx.first_month, self.ctx.end
        span = (end - start).days
        for _ in range(WIDOWED[self.ctx.scale]):
            couple = self.take(self.archive_open, start)
            if couple is None or span < 120:
                return
            death = start + dt.timedelta(days=rng.randint(0, span - 120))
            wedding = death + dt.timedelta(days=rng.randint(60, (end - death).days))
            deceased, survivor = (couple.man, couple.woman) if rng.random() < 0.6 else (couple.woman, couple.man)
            self.die(deceased, death)
            partner = self.partner_for(survivor, wedding)
            new = Couple(survivor, partner, wedding) if survivor.male else Couple(partner, survivor, wedding)
            self.scheduled.setdefault((wedding.year, wedding.month), []).append(
                Act("结婚", wedding, self.office(), new))

    # ---- planted rule violations (M01–M09) -------------------------------

    def plant(self, rule: str, year: int, month: int, variant: int) -> Act | None:
        """An act that breaks ``rule`` and nothing else; its people never appear again."""
        day = self.day_in(year, month)
        act = getattr(self, f"_plant_{rule.lower()}")(day, variant)
        if act is not None:
            act.rule = rule
            act.couple.man.retired = act.couple.woman.retired = True
        return act

    def _plant_m01(self, day: dt.date, variant: int) -> Act:
        act = Act("结婚", day, self.office(), self.fresh_couple(day, margin=2))
        act.column = ("男方姓名", "女方身份证号", "男方出生日期", "女方国籍地区", "女方姓名")[variant % 5]
        act.override[act.column] = ""
        return act

    def _plant_m02(self, day: dt.date, variant: int) -> Act:
        act = Act("结婚", day, self.office(), self.fresh_couple(day, margin=2))
        side, person = ("男方", act.couple.man) if variant % 4 < 2 else ("女方", act.couple.woman)
        if variant % 2 == 0:
            wrong = ids.corrupt_check_character(person.id)
        else:   # an unknown province prefix, with a correct check character
            first17 = "99" + person.id[2:17]
            wrong = first17 + ids.check_character(first17)
        act.column, act.override[f"{side}身份证号"] = f"{side}身份证号", wrong
        return act

    def _plant_m03(self, day: dt.date, variant: int) -> Act:
        couple = self.fresh_couple(day, margin=2)
        act = Act("结婚", day, self.office(), couple)
        if variant % 2 == 0:     # birth date typed one day off
            act.column = "女方出生日期"
            act.override[act.column] = couple.woman.birth + dt.timedelta(days=self.rng.choice((-1, 1)))
        else:                    # sequence digit of the wrong sex
            self.issued.discard(couple.man.id)
            couple.man.id = self.new_id(couple.man.id[:6], couple.man.birth, male=False)
            act.column = "男方身份证号"
        return act

    def _plant_m04(self, day: dt.date, variant: int) -> Act:
        couple = self.fresh_couple(day)
        if variant % 2 == 0:
            couple.man.birth = self.birth_for_age(day, 21)
            couple.man.id = self.new_id(couple.man.id[:6], couple.man.birth, True)
            column = "男方出生日期"
        else:
            couple.woman.birth = self.birth_for_age(day, 19)
            couple.woman.id = self.new_id(couple.woman.id[:6], couple.woman.birth, False)
            column = "女方出生日期"
        return Act("结婚", day, self.office(), couple, column=column)

    def _plant_m05(self, day: dt.date, variant: int) -> Act | None:
        """Bigamy: someone still married (in the archive or the system) marries again."""
        pools = (self.archive_open, self.married) if variant % 2 == 0 else (self.married, self.archive_open)
        old = self.take(pools[0], day - dt.timedelta(days=60)) or self.take(pools[1], day - dt.timedelta(days=60))
        if old is None:
            return None
        old.man.retired = old.woman.retired = True
        person = old.man if self.rng.random() < 0.6 else old.woman
        partner = self.partner_for(person, day)
        couple = Couple(person, partner, day) if person.male else Couple(partner, person, day)
        return Act("结婚", day, self.office(), couple, column="男方身份证号" if person.male else "女方身份证号")

    def _plant_m06(self, day: dt.date, variant: int) -> Act | None:
        """A divorce naming a certificate that does not exist, or another couple's."""
        couple = self.take(self.married, day - dt.timedelta(days=60)) \
            or self.take(self.archive_open, day - dt.timedelta(days=60))
        if couple is None:
            return None
        other = self.take(self.married, day, remove=False) if variant % 2 else None
        reference = other.reference if other is not None and other is not couple \
            else self.planted_number("J", self.c6, day.year - 1)
        return Act("离婚", day, self.office(), couple, reference=reference, column="原结婚证字号")

    def _plant_m07(self, day: dt.date, variant: int) -> Act | None:
        """A re-issue naming a certificate of the wrong kind or one that does not exist."""
        if variant % 2 and self.divorced:
            couple = self.take(self.divorced, day, remove=False)
            if couple is not None:   # a divorce certificate re-issued against the marriage certificate
                return Act("补领离婚证", day, self.office(), couple, reference=couple.reference, column="原结婚证字号")
        couple = self.take(self.married, day - dt.timedelta(days=30), remove=False)
        if couple is None:
            return None
        return Act("补领结婚证", day, self.office(), couple, column="原结婚证字号",
                   reference=self.planted_number("J", self.c6, couple.date.year))

    def _plant_m08(self, day: dt.date, variant: int) -> Act:
        act = Act("结婚", day, self.office(), self.fresh_couple(day, margin=2), column="证书字号")
        if variant % 3 == 0:      # year part of the previous year
            act.fixed_certificate = self.planted_number("J", self.c6, day.year - 1)
        elif variant % 3 == 1:    # county part of a neighbouring county
            act.fixed_certificate = self.planted_number("J", self.others[0], day.year)
        else:                     # five digits instead of six
            act.fixed_certificate = self.planted_number("J", self.c6, day.year, digits=5)
        return act

    def _plant_m09(self, day: dt.date, variant: int) -> Act | None:
        """Dated after the delivered month, or after a party's death (either, whichever is possible)."""
        attempts = (self._m09_late, self._m09_after_death)
        for attempt in attempts if variant % 2 == 0 else attempts[::-1]:
            act = attempt(day)
            if act is not None:
                return act
        return None

    def _m09_late(self, day: dt.date) -> Act | None:
        if day.month == 12:      # the next month would be another year's figure
            return None
        late = dt.date(day.year, day.month + 1, self.rng.randint(1, 10))
        return Act("结婚", late, self.office(), self.fresh_couple(late, margin=2), column="登记日期")

    def _m09_after_death(self, day: dt.date) -> Act | None:
        """A re-issue after the husband's or wife's death earlier in the same month
        (the same month, so no earlier act of the couple is dated after the death)."""
        day = max(day, day.replace(day=2))
        couple = self.take(self.married, day.replace(day=1) - dt.timedelta(days=30))
        if couple is None:
            return None
        # The deceased is a county resident, so the county's funeral records show the death.
        residents = [p for p in (couple.man, couple.woman) if p.village in self.index]
        if not residents:
            return None
        death = day.replace(day=1) + dt.timedelta(days=self.rng.randint(0, day.day - 2))
        self.die(self.rng.choice(residents), death)
        return Act("补领结婚证", day, self.office(), couple, reference=couple.reference, column="登记日期")

    def plan_plants(self) -> dict[tuple[int, int], list[tuple[str, int]]]:
        """Months in which each rule is broken (from the third month: pools need history)."""
        if not self.ctx.rule_breaches:
            return {}
        months = list(self.ctx.months())
        usable = months[2:] or months
        plan: dict[tuple[int, int], list[tuple[str, int]]] = {}
        for rule in RULES:
            for variant in range(PLANTS_PER_RULE[self.ctx.scale]):
                plan.setdefault(self.rng.choice(usable), []).append((rule, variant))
        return plan

    # ---- quarantine defects -----------------------------------------------

    def quarantine(self, act: Act) -> None:
        """A malformed value ingestion must quarantine (not a scored rule)."""
        rng = self.rng
        choice = rng.randrange(4)
        if choice == 0:
            act.quarantine = ("impossible_date", "登记日期", f"{act.date.year}-02-30")
        elif choice == 1:
            act.quarantine = ("unknown_code", "登记类型", rng.choice(("复婚", "结婚登记", "离异")))
        elif choice == 2:
            act.quarantine = ("unknown_code", "男方国籍地区", rng.choice(("大陆", "中国", "本地")))
        else:
            act.quarantine = ("unknown_region_code", "女方户籍地区划代码", f"{self.c6}399999")
        # The act is not loaded: its people must not appear again (a later divorce
        # would name a marriage the warehouse never saw).
        act.couple.man.retired = act.couple.woman.retired = True

    # ---- one month --------------------------------------------------------

    def month_acts(self, year: int, month: int, months_in: int,
                   plants: list[tuple[str, int]]) -> list[Act]:
        # Plants first: they retire their people, whom the ordinary acts then skip.
        acts: list[Act] = []
        for rule, variant in plants:
            act = self.plant(rule, year, month, variant)
            if act is not None:
                acts.append(act)
        acts += [self.marriage(self.day_in(year, month)) for _ in range(self.count("结婚", month))]
        for _ in range(self.count("离婚", month)):
            act = self.divorce(self.day_in(year, month), months_in)
            if act is not None:
                acts.append(act)
        for kind in ("补领结婚证", "补领离婚证"):
            for _ in range(self.count(kind, month)):
                act = self.reissue(kind, self.day_in(year, month))
                if act is not None:
                    acts.append(act)
        acts += self.scheduled.pop((year, month), [])
        acts.sort(key=lambda a: a.date)      # stable: ties keep the order of creation
        for act in acts:
            act.certificate = act.fixed_certificate or self.number(act.kind, act.date.year)
            if not act.rule and self.rng.random() < self.ctx.defect_rate:
                self.quarantine(act)
        return acts

    def settle(self, acts: list[Act]) -> None:
        """What the month's clean acts change in the couples' state."""
        for act in acts:
            if act.rule or act.quarantine:
                continue
            couple = act.couple
            if act.kind == "结婚":
                couple.reference = act.certificate
                self.married.append(couple)
                if act.date.year == self.first_year and couple.man.nationality == couple.woman.nationality == "内地":
                    self.first_year_marriages.append(act)
            elif act.kind == "离婚":
                couple.divorce = act.certificate
                self.divorced.append(couple)
                self.single += [couple.man, couple.woman]

    def render(self, act: Act, delivery: Delivery) -> dict[str, str]:
        row = {"登记机关代码": act.office, "登记类型": act.kind, "登记日期": delivery.date(act.date),
               "证书字号": act.certificate, "原结婚证字号": act.reference}
        for side, person in (("男方", act.couple.man), ("女方", act.couple.woman)):
            row[f"{side}姓名"] = person.name
            row[f"{side}身份证号"] = person.id
            row[f"{side}出生日期"] = delivery.date(person.birth)
            row[f"{side}户籍地区划代码"] = self.region_on(person, act.date)
            row[f"{side}国籍地区"] = person.nationality
        for column, value in act.override.items():
            row[column] = delivery.date(value) if isinstance(value, dt.date) else value
        if act.quarantine:
            row[act.quarantine[1]] = act.quarantine[2]
        return row

    def write_month(self, year: int, month: int, acts: list[Act], corrected: bool) -> None:
        """One CSV (UTF-8); a corrected month first arrives with a row missing, then as _v2."""
        rng, base = self.rng, f"marriage_{self.c6}_{year}{month:02d}"
        corrected = corrected and len(acts) > 2
        if corrected:
            draft = Delivery.random(rng, COLUMNS, EXTRA_COLUMNS)
            rows = [self.render(a, draft) for a in acts]
            rows.pop(rng.randrange(len(rows)))
            draft.write_csv(self.ctx.out, "marriage", base + ".csv", rows, "utf-8")
        name = base + ("_v2" if corrected else "") + ".csv"
        delivery = Delivery.random(rng, COLUMNS, EXTRA_COLUMNS)
        delivery.write_csv(self.ctx.out, "marriage", name, [self.render(a, delivery) for a in acts], "utf-8")
        for index, act in enumerate(acts):
            line = index + 2           # the header is line 1
            if act.quarantine:
                self.ctx.defects.add("marriage", name, line, act.quarantine[1], act.quarantine[0])
                continue
            if act.rule:
                self.ctx.defects.add("marriage", name, line, act.column, act.rule)
            self.count_truth(act, name, line)

    def count_truth(self, act: Act, name: str, line: int) -> None:
        year = self.truth.setdefault(act.date.year, {"counts": {}, "failing": [], "offices": {}})
        year["counts"][act.kind] = year["counts"].get(act.kind, 0) + 1
        office = year["offices"].setdefault(act.office, {"all": 0, "failing": []})
        office["all"] += 1
        if act.rule:
            year["failing"].append({"file": name, "line": line, "certificate": act.certificate, "rule": act.rule})
            office["failing"].append(act.certificate)

    def run_electronic(self) -> None:
        plan = self.plan_plants()
        months = list(self.ctx.months())
        # About one month in five is delivered twice (a draft, then _v2).
        corrected = set(self.rng.sample(months, round(0.2 * len(months))))
        for months_in, (year, month) in enumerate(months):
            acts = self.month_acts(year, month, months_in, plan.get((year, month), []))
            self.write_month(year, month, acts, (year, month) in corrected)
            self.settle(acts)
            if year == self.first_year and (months_in + 1 == len(months) or months[months_in + 1][0] != year):
                self.write_overlap_archive()

    # ---- truth --------------------------------------------------------------

    def record_truth(self) -> None:
        truth = self.ctx.truth
        for year in self.ctx.years():
            cell = self.truth.get(year, {"counts": {}, "failing": [], "offices": {}})
            total = sum(cell["counts"].values())
            failing = [f["certificate"] for f in cell["failing"]]
            truth.target("T14", self.county.code12, year, ratio(total - len(failing), total),
                         numerator=total - len(failing), denominator=total, failing=failing)
            for office in self.offices:
                o = cell["offices"].get(office, {"all": 0, "failing": []})
                truth.target("T14", office, year, ratio(o["all"] - len(o["failing"]), o["all"]),
                             numerator=o["all"] - len(o["failing"]), denominator=o["all"], failing=o["failing"])
            a = self.archive_truth
            truth.target("T20", self.county.code12, year, ratio(a["delivered"], a["expected"]),
                         numerator=a["delivered"], denominator=a["expected"])
        section = truth.sections.setdefault("marriage", {})
        for year in self.ctx.years():
            cell = self.truth.get(year, {"counts": {}, "failing": []})
            section[str(year)] = {"counts": dict(sorted(cell["counts"].items())), "failing": cell["failing"]}
        truth.sections.setdefault("marriage_archive", {})[self.c6] = self.archive_truth


def generate(county: County, ctx: GenerationContext) -> None:
    """Write ``marriage`` (monthly CSV) and ``marriage_archive`` (yearly XLSX) and their truth."""
    model = MarriageModel(county, ctx)
    model.build_archive()
    model.schedule_widowed()
    model.run_electronic()
    model.record_truth()
