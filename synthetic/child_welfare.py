"""The children's welfare roll (source ``child_welfare``, 孤儿和事实无人抚养儿童).

One UTF-8 CSV a month, one row per child: 集中养育孤儿 (raised in an
institution), 社会散居孤儿 (orphans living with relatives) and 事实无人抚养儿童
(children whose parents cannot raise them). Children enter the roll, leave it
at their 18th birthday (年满18周岁), on adoption, when a parent's situation
changes, or for other reasons; like the 低保 roll, a child who left keeps
appearing with 状态 退出 for up to three monthly files, carrying the standard
in force when they left.

The county raises its 基本生活费标准 (yuan per child per month) most years, in
January or July, but not every year: one year of the period is left as it
was. 社会散居孤儿 in streets are paid a little more than in towns, so the
child-weighted mean (T21) depends on where the children live.

Truth: T21 (the child-weighted mean 基本生活费标准 of 社会散居孤儿 on the roll at
the year's last month) for the county and each township, and the monthly
children and amounts per township and category, from the rows ingestion
keeps.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from synthetic import ids
from synthetic.delivery import Delivery
from synthetic.regions import County
from synthetic.world import GenerationContext, month_end

SOURCE = "child_welfare"
COLUMNS = ["儿童编号", "姓名", "身份证号", "性别", "出生日期", "户籍区划代码", "儿童类别", "基本生活费标准",
           "本月发放金额", "纳入日期", "状态", "退出原因", "退出日期"]
EXTRA_COLUMNS = ["监护人", "备注"]
CATEGORIES = ("集中养育孤儿", "社会散居孤儿", "事实无人抚养儿童")
STOPPED_ROWS_KEPT_MONTHS = 3
# Children on the roll per resident at the start, by scale.
CHILDREN_PER_RESIDENT = {"tiny": 0.0012, "county": 0.0009}
MONTHLY_OTHER_EXIT_PROBABILITY = 0.004
_EXIT_REASONS = {
    "集中养育孤儿": (("被收养", "死亡", "其他"), (70, 5, 25)),
    "社会散居孤儿": (("被收养", "死亡", "其他"), (50, 5, 45)),
    "事实无人抚养儿童": (("父母情况变化", "被收养", "死亡", "其他"), (70, 10, 3, 17)),
}


@dataclass(frozen=True)
class Standards:
    """The county's 基本生活费标准 over time: a base, then a raise (amount, month) per year."""

    first_year: int
    base: dict[tuple[str, bool], Decimal]          # (category, street) → yuan in the first year
    raises: dict[int, tuple[int, int]]             # year → (yuan added, month it takes effect)

    def on(self, category: str, street: bool, year: int, month: int) -> Decimal:
        value = self.base[(category, street)]
        for raised_year, (amount, effective_month) in self.raises.items():
            if (year, month) >= (raised_year, effective_month):
                value += amount
        return value


def _standards(rng: random.Random, first_year: int, last_year: int) -> Standards:
    scattered_town = Decimal(rng.randrange(1000, 1200, 10))
    base = {
        ("集中养育孤儿", True): scattered_town + 500, ("集中养育孤儿", False): scattered_town + 500,
        ("社会散居孤儿", True): scattered_town + 80, ("社会散居孤儿", False): scattered_town,
        ("事实无人抚养儿童", True): scattered_town + 80, ("事实无人抚养儿童", False): scattered_town,
    }
    later = list(range(first_year + 1, last_year + 1))
    # Raised most years, but one year of a long enough period stays as it was.
    frozen = {rng.choice(later)} if len(later) >= 2 else set()
    raises = {year: (rng.randrange(40, 160, 10), rng.choice((1, 1, 1, 7)))
              for year in later if year not in frozen}
    return Standards(first_year, base, raises)


@dataclass
class Child:
    child_id: str
    name: str
    citizen_id: str
    male: bool
    birth: dt.date
    village: str                   # code where first placed; written as the code in force
    street: bool                   # lives in a 街道 (urban standard)
    category: str
    entered: dt.date
    left: dt.date | None = None
    exit_reason: str = ""

    def on_roll(self, day: dt.date) -> bool:
        return self.entered <= day and (self.left is None or self.left > day)


def _eighteenth_birthday(birth: dt.date) -> dt.date:
    return birth.replace(year=birth.year + 18, day=min(birth.day, 28))


class ChildWelfareWorld:
    def __init__(self, county: County, rng: random.Random) -> None:
        self.county, self.rng = county, rng
        self.children: list[Child] = []

    def admit(self, entered: dt.date, birth: dt.date | None = None) -> Child:
        rng = self.rng
        township = rng.choice(self.county.townships_on(entered))
        village = rng.choice(township.villages_on(entered))
        category = rng.choices(CATEGORIES, (15, 30, 55))[0]
        birth = birth or entered - dt.timedelta(days=rng.randint(30, 17 * 365))
        male = rng.random() < 0.52
        child = Child(
            child_id=f"ET{self.county.code6}{len(self.children) + 1:06d}", name=ids.person_name(rng),
            citizen_id=ids.citizen_id(rng, self.county.code6, birth, male), male=male, birth=birth,
            village=village.code, street=township.is_urban, category=category, entered=entered)
        self.children.append(child)
        return child

    def simulate(self, ctx: GenerationContext, initial: int) -> None:
        start = ctx.first_month
        for _ in range(initial):
            # On the roll when the period starts: born under 18 years ago, entered since.
            birth = start - dt.timedelta(days=self.rng.randint(60, 18 * 365 - 30))
            entered = birth + dt.timedelta(days=self.rng.randint(30, (start - birth).days - 1))
            self.admit(entered, birth)
        for year, month in ctx.months():
            first, last = dt.date(year, month, 1), month_end(year, month)
            for child in self.children:
                if child.left is not None or child.entered >= first:
                    continue
                adult = _eighteenth_birthday(child.birth)
                if adult <= last:
                    child.left, child.exit_reason = adult, "年满18周岁"
                elif self.rng.random() < MONTHLY_OTHER_EXIT_PROBABILITY:
                    reasons, weights = _EXIT_REASONS[child.category]
                    child.left = dt.date(year, month, self.rng.randint(1, last.day))
                    child.exit_reason = self.rng.choices(reasons, weights)[0]
            for _ in range(self.rng.randint(0, max(1, initial // 50))):
                self.admit(dt.date(year, month, self.rng.randint(1, last.day)))


def _month_children(world: ChildWelfareWorld, year: int, month: int) -> list[Child]:
    last = month_end(year, month)
    oldest = dt.date(year, month, 1)
    for _ in range(STOPPED_ROWS_KEPT_MONTHS - 1):
        oldest = (oldest - dt.timedelta(days=1)).replace(day=1)
    listed = [c for c in world.children
              if c.on_roll(last) or (c.left is not None and c.entered <= last and oldest <= c.left <= last)]
    return sorted(listed, key=lambda c: (c.village, c.child_id))


def _standard_of_row(standards: Standards, child: Child, year: int, month: int) -> Decimal:
    """The standard in force that month; a child who left keeps the one of the month they left."""
    if child.left is not None and child.left <= month_end(year, month):
        return standards.on(child.category, child.street, child.left.year, child.left.month)
    return standards.on(child.category, child.street, year, month)


def _row(county: County, standards: Standards, child: Child, year: int, month: int,
         delivery: Delivery) -> dict[str, str]:
    last = month_end(year, month)
    active = child.on_roll(last)
    standard = _standard_of_row(standards, child, year, month)
    return {
        "儿童编号": child.child_id, "姓名": child.name, "身份证号": child.citizen_id,
        "性别": "男" if child.male else "女", "出生日期": delivery.date(child.birth),
        "户籍区划代码": county.current_code(child.village, last), "儿童类别": child.category,
        "基本生活费标准": delivery.money(standard),
        "本月发放金额": delivery.money(standard if active else Decimal("0")),
        "纳入日期": delivery.date(child.entered), "状态": "在册" if active else "退出",
        "退出原因": "" if active else child.exit_reason, "退出日期": "" if active else delivery.date(child.left),
    }


# Defects a department's export really contains; ingestion must quarantine each.
DEFECTS = {
    "id_check_character": ("身份证号", lambda row, rng: ids.corrupt_check_character(row["身份证号"])),
    "unknown_code": ("儿童类别", lambda row, rng: rng.choice(("孤儿", "困境儿童", "散居孤儿"))),
    "negative_amount": ("本月发放金额", lambda row, rng: "-" + row["本月发放金额"].replace(",", "")),
    "impossible_date": ("纳入日期", lambda row, rng: f"{row['纳入日期'][:4]}-02-30"),
}


def _write_month(world: ChildWelfareWorld, standards: Standards, ctx: GenerationContext, year: int,
                 month: int) -> tuple[list[Child], set[int]]:
    rng, county = world.rng, world.county
    children = _month_children(world, year, month)
    period = f"{year}{month:02d}"
    corrected = rng.random() < 0.15
    if corrected:
        # A first delivery the department corrects in _v2: a child missing, an amount mistyped.
        draft = Delivery.random(rng, COLUMNS, EXTRA_COLUMNS)
        rows = [_row(county, standards, c, year, month, draft) for c in children]
        if len(rows) > 2:
            rows.pop(rng.randrange(len(rows)))
            rows[0]["本月发放金额"] = draft.money(Decimal("8888.00"))
        draft.write_csv(ctx.out, SOURCE, f"{SOURCE}_{county.code6}_{period}.csv", rows, "utf-8")
    delivery = Delivery.random(rng, COLUMNS, EXTRA_COLUMNS)
    rows = [_row(county, standards, c, year, month, delivery) for c in children]
    name = f"{SOURCE}_{county.code6}_{period}{'_v2' if corrected else ''}.csv"
    broken = set()
    for index, row in enumerate(rows):
        if row["状态"] == "在册" and rng.random() < ctx.defect_rate:
            rule = rng.choice(sorted(DEFECTS))
            column, corrupt = DEFECTS[rule]
            row[column] = corrupt(row, rng)
            broken.add(index)
            ctx.defects.add(SOURCE, name, index + 2, column, rule)   # header is line 1
    delivery.write_csv(ctx.out, SOURCE, name, rows, "utf-8")
    return children, broken


def _two_places(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01"), ROUND_HALF_UP))


def _on_roll_clean(children: list[Child], broken: set[int], last: dt.date) -> list[Child]:
    return [c for index, c in enumerate(children) if index not in broken and c.on_roll(last)]


def _monthly_truth(county: County, standards: Standards, roll: list[Child], year: int, month: int) -> list[dict]:
    last = month_end(year, month)
    cells: dict[tuple[str, str], dict] = {}
    for child in roll:
        key = (county.current_code(child.village, last)[:9] + "000", child.category)
        cell = cells.setdefault(key, {"children": 0, "amount": Decimal("0")})
        cell["children"] += 1
        cell["amount"] += standards.on(child.category, child.street, year, month)
    return [{"period": f"{year}-{month:02d}", "township_code": township, "category": category,
             "children": c["children"], "amount_paid": str(c["amount"])}
            for (township, category), c in sorted(cells.items())]


def _t21(county: County, ctx: GenerationContext, standards: Standards, roll: list[Child], year: int,
         month: int) -> None:
    """T21 from the year's last month: 社会散居孤儿 on the roll, each child weighing one."""
    last = month_end(year, month)
    scattered = [c for c in roll if c.category == "社会散居孤儿"]
    regions = [(county.code12, scattered)] + [
        (t.code, [c for c in scattered if county.current_code(c.village, last)[:9] == t.code[:9]])
        for t in county.townships_on(last)]
    for region, members in regions:
        if region != county.code12 and not members:
            continue
        total = sum((standards.on(c.category, c.street, year, month) for c in members), Decimal("0"))
        ctx.truth.target("T21", region, year, _two_places(total / len(members)) if members else None,
                         numerator=str(total), denominator=len(members))


def generate(county: County, ctx: GenerationContext) -> None:
    """The roll's monthly files and its truth."""
    rng = ctx.rng(county, SOURCE)
    standards = _standards(rng, ctx.first_month.year, ctx.last_month.year)
    world = ChildWelfareWorld(county, rng)
    residents = sum(v.population for v in county.villages_on(ctx.first_month))
    world.simulate(ctx, max(12, int(residents * CHILDREN_PER_RESIDENT[ctx.scale])))
    section = ctx.truth.sections.setdefault(SOURCE, {})
    monthly: list[dict] = section.setdefault("monthly_by_township_and_category", [])
    section.setdefault("standards", {})[county.code6] = {
        "base": {f"{category}|{'街道' if street else '乡镇'}": str(value)
                 for (category, street), value in standards.base.items()},
        "raises": {str(year): {"yuan": amount, "month": month} for year, (amount, month) in standards.raises.items()},
    }
    year_end: dict[int, tuple[list[Child], int]] = {}
    for year, month in ctx.months():
        children, broken = _write_month(world, standards, ctx, year, month)
        roll = _on_roll_clean(children, broken, month_end(year, month))
        monthly.extend(_monthly_truth(county, standards, roll, year, month))
        year_end[year] = (roll, month)
    for year, (roll, month) in sorted(year_end.items()):
        _t21(county, ctx, standards, roll, year, month)
