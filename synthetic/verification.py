"""Household economic-status verifications (source ``verification``, 家庭经济状况核对).

The verification model lives beside the 低保 / 特困 roll because each changes
the other: an applicant who passes enters the roll, a review that fails or a
blacklisting takes a household off it, an edge household may be admitted
within weeks. So it runs in three steps:

1. :func:`plan`, called by the roll generator after its simulation and before
   it writes a file: it draws the verifications, adds the households that
   enter the roll after one, sets the leaving date of those a review or a
   blacklisting removes, and leaves in ``ctx.registry`` the temporary-aid
   grants that go to monitored households' heads (the temporary-aid writer
   adds them to its months).
2. :func:`generate`: the monthly GBK files, some re-delivered as ``_v2``,
   with defects planted in the final version.
3. :func:`record_truth`, once every source is written: the low-income
   monitoring truth (``monitoring.md``) from the model and the rows that
   survive ingestion (the roll's and temporary aid's clean rows, the clean
   verifications), matched by ID as the warehouse matches by key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from synthetic import ids
from synthetic.delivery import Delivery
from synthetic.regions import County
from synthetic.world import GenerationContext, month_end

SOURCE = "verification"
COLUMNS = [
    "核对编号", "行政区划代码", "家庭编号", "申请人姓名", "申请人身份证号", "家庭人口数", "核对日期",
    "核对事项", "家庭月人均收入", "家庭金融资产", "机动车辆数", "房产套数", "核对结论", "不符合原因",
    "是否列入黑名单",
]
EXTRA_COLUMNS = ["核对人员", "备注"]
MATTERS = ("低保申请", "特困申请", "临时救助申请", "动态复核", "低收入人口认定")
EDGE_FACTOR = Decimal("1.5")
CORRECTION_SHARE = 0.2


@dataclass
class Verification:
    number: str
    household_id: str
    village: str                 # the village's code as first created (mapped when written)
    applicant_name: str
    applicant_id: str
    members: int
    day: dt.date
    matter: str
    income: Decimal              # 家庭月人均收入
    passed: bool
    reason: str = ""             # 不符合原因, empty when passed
    blacklisted: bool = False
    assets: Decimal = Decimal("0")
    vehicles: int = 0
    houses: int = 1


@dataclass(frozen=True)
class AidGrant:
    """A temporary-aid grant to a monitored household's head (merged into temporary_aid)."""
    village: str
    person_id: str
    name: str
    day: dt.date
    category: str
    amount: Decimal


def low_income_standard(urban: bool, year: int) -> Decimal:
    """The 低保 standard the model pays (元/人·月): what S is on a full roll."""
    from synthetic.assistance import RURAL_STANDARD, URBAN_STANDARD
    table = URBAN_STANDARD if urban else RURAL_STANDARD
    return Decimal(table[min(max(year, min(table)), max(table))])


# --------------------------------------------------------------------- 1. plan
class _Planner:
    def __init__(self, world, ctx: GenerationContext) -> None:
        self.world, self.ctx, self.county = world, ctx, world.county
        self.rng = ctx.rng(world.county, SOURCE)
        self.verifications: list[Verification] = []
        self.grants: list[AidGrant] = []
        self._seq = 0

    def add(self, hh_id: str, village: str, name: str, person_id: str, members: int, day: dt.date,
            matter: str, income: Decimal, passed: bool, reason: str = "", blacklisted: bool = False) -> None:
        if not self.ctx.first_month <= day <= self.ctx.end:
            return      # only the generated months are delivered
        self._seq += 1
        rng = self.rng
        self.verifications.append(Verification(
            number=f"HD{self.county.code6}{day:%Y%m}{self._seq:06d}", household_id=hh_id, village=village,
            applicant_name=name, applicant_id=person_id, members=members, day=day, matter=matter,
            income=income.quantize(Decimal("0.01"), ROUND_HALF_UP), passed=passed, reason=reason,
            blacklisted=blacklisted, assets=Decimal(rng.randint(0, 600) * 100),
            vehicles=rng.choice((0, 0, 0, 1)), houses=rng.choice((0, 1, 1, 1, 2))))

    def grant(self, village: str, person_id: str, name: str, day: dt.date, category: str) -> None:
        if self.ctx.first_month <= day <= self.ctx.end:
            amount = Decimal(self.rng.randint(100, 800) * 10).quantize(Decimal("0.01"))
            self.grants.append(AidGrant(village, person_id, name, day, category, amount))

    def income(self, urban: bool, day: dt.date, low: float, high: float) -> Decimal:
        return low_income_standard(urban, day.year) * Decimal(str(round(self.rng.uniform(low, high), 3)))

    def days(self, low: int, high: int) -> dt.timedelta:
        return dt.timedelta(days=self.rng.randint(low, high))


def plan(world, ctx: GenerationContext) -> None:
    """Draw the verifications and change the roll accordingly (see the module's docstring)."""
    p = _Planner(world, ctx)
    rng = p.rng
    roll = list(world.households)
    kept_on_by_mistake: set[int] = set()
    for hh in roll:                          # every entrant applied first, and passed
        day = hh.entered - p.days(10, 45)
        matter = "特困申请" if hh.category == "特困" else "低保申请"
        p.add(hh.household_id, hh.village, hh.head_name, hh.head_id, hh.persons, day, matter,
              p.income(hh.urban, day, 0.2, 0.95), True)
    for year, month in ctx.months():
        first, last = dt.date(year, month, 1), month_end(year, month)
        on_roll = [hh for hh in roll if hh.on_roll(last) and hh.entered < first]
        for hh in on_roll:
            draw = rng.random()
            if draw < 0.025:                 # a routine review (动态复核) that passes
                day = first + p.days(0, (last - first).days)
                p.add(hh.household_id, hh.village, hh.head_name, hh.head_id, hh.persons, day, "动态复核",
                      p.income(hh.urban, day, 0.3, 0.98), True)
            elif draw < 0.029:               # a review that finds the income above the standard
                day = first + p.days(0, (last - first).days)
                p.add(hh.household_id, hh.village, hh.head_name, hh.head_id, hh.persons, day, "动态复核",
                      p.income(hh.urban, day, 1.05, 1.9), False, "收入超标")
                hh.left = day + p.days(5, 40)
            elif draw < 0.0325:              # fraud: blacklisted (核对黑名单)
                day = first + p.days(0, (last - first).days)
                p.add(hh.household_id, hh.village, hh.head_name, hh.head_id, hh.persons, day, "动态复核",
                      p.income(hh.urban, day, 0.8, 2.5), False, "隐瞒收入", blacklisted=True)
                # Removed at once, except the year's first and one in twenty:
                # still paid by mistake (rule B01's findings).
                if year in kept_on_by_mistake and rng.random() < 0.95:
                    hh.left = day
                kept_on_by_mistake.add(year)
        _applicants(p, year, month)
    _falling_back(p, roll)
    ctx.registry["verification_plan"] = p.verifications
    ctx.registry["monitoring_grants"] = p.grants


def _applicants(p: _Planner, year: int, month: int) -> None:
    """Households never on the roll apply; some pass and enter it, most are refused
    for an income just above the standard: the edge households (低保边缘家庭)."""
    world, rng = p.world, p.rng
    first, last = dt.date(year, month, 1), month_end(year, month)
    for _ in range(max(2, len(world.households) // 150)):
        day = first + p.days(0, (last - first).days)
        township = rng.choice(world.county.townships_on(day))
        village = rng.choice(township.villages_on(day)).code
        urban = township.is_urban
        birth = dt.date(day.year - rng.randint(25, 80), rng.randint(1, 12), rng.randint(1, 28))
        person_id, name = ids.citizen_id(rng, world.county.code6, birth, rng.random() < 0.5), ids.person_name(rng)
        members = rng.choice((1, 2, 2, 3, 3, 4, 5))
        hh_id = f"H{world.county.code6}{world._next_id:06d}"
        world._next_id += 1
        matter = rng.choices(("低保申请", "临时救助申请", "低收入人口认定"), (60, 20, 20))[0]
        draw = rng.random()
        if draw < 0.25:                     # passes and enters the roll
            p.add(hh_id, village, name, person_id, members, day, matter, p.income(urban, day, 0.3, 0.95), True)
            _enter_roll(p, hh_id, village, name, person_id, members, day + p.days(5, 40))
            continue
        if draw < 0.65:                     # an edge household: income in (S, 1.5 S]
            income = p.income(urban, day, 1.02, 1.5)
            passed = matter == "低收入人口认定"
            p.add(hh_id, village, name, person_id, members, day, matter, income, passed,
                  "" if passed else "收入超标")
            _help_the_edge(p, hh_id, village, name, person_id, members, day, urban)
        elif draw < 0.8:
            p.add(hh_id, village, name, person_id, members, day, matter, p.income(urban, day, 1.52, 3.0), False,
                  "收入超标")
        elif draw < 0.92:
            p.add(hh_id, village, name, person_id, members, day, matter, p.income(urban, day, 1.05, 1.45), False,
                  "资产超标")
        else:
            p.add(hh_id, village, name, person_id, members, day, matter, p.income(urban, day, 0.9, 1.4), False,
                  "隐瞒收入", blacklisted=rng.random() < 0.5)


def _help_the_edge(p: _Planner, hh_id: str, village: str, name: str, person_id: str, members: int,
                   day: dt.date, urban: bool) -> None:
    """What happens after an edge household is found: admitted, aided, late, or nothing;
    sometimes a second verification months later."""
    rng = p.rng
    draw = rng.random()
    if draw < 0.25:
        _enter_roll(p, hh_id, village, name, person_id, members, day + p.days(10, 55))
    elif draw < 0.55:
        p.grant(village, person_id, name, day + p.days(0, 58), rng.choice(("支出型", "急难型")))
    elif draw < 0.65:
        p.grant(village, person_id, name, day + p.days(65, 150), "急难型")
    if rng.random() < 0.3:
        later = day + p.days(120, 420)
        p.add(hh_id, village, name, person_id, members, later, "低收入人口认定",
              p.income(urban, later, 1.02, 1.8), True)


def _enter_roll(p: _Planner, hh_id: str, village: str, name: str, person_id: str, members: int,
                entered: dt.date) -> None:
    """Add an admitted household to the roll (drawing from this model's stream,
    not the roll's, so the roll's own draws stay as they were)."""
    from synthetic.assistance import Household
    township = p.world.county.township_of(village)
    p.world.households.append(Household(
        household_id=hh_id, village=village, urban=township.is_urban, category="低保", head_name=name,
        head_id=person_id, persons=members, entered=entered, need_factor=round(p.rng.uniform(0.35, 1.0), 2)))


def _falling_back(p: _Planner, roll: list) -> None:
    """Some households that left the roll fall back: a verification finds a low
    income again, or the head needs 支出型 temporary aid (返贫风险)."""
    rng = p.rng
    for hh in roll:
        if hh.left is None or rng.random() >= 0.3:
            continue
        day = hh.left + p.days(30, 600)
        if rng.random() < 0.6:
            p.add(hh.household_id, hh.village, hh.head_name, hh.head_id, hh.persons, day, "低收入人口认定",
                  p.income(hh.urban, day, 0.7, 1.5), True)
            if rng.random() < 0.5:
                p.grant(hh.village, hh.head_id, hh.head_name, day + p.days(0, 80), "急难型")
        else:
            p.grant(hh.village, hh.head_id, hh.head_name, day, "支出型")


# ----------------------------------------------------------------- 2. files
DEFECTS = {
    "id_check_character": ("申请人身份证号", lambda row, rng: ids.corrupt_check_character(row["申请人身份证号"])),
    "unknown_code": ("核对结论", lambda row, rng: rng.choice(("通过", "待定", "合格"))),
    "negative_amount": ("家庭月人均收入", lambda row, rng: "-" + row["家庭月人均收入"].replace(",", "")),
    "impossible_date": ("核对日期", lambda row, rng: f"{row['核对日期'][:4]}-02-30"),
}


def _row(county: County, v: Verification, delivery: Delivery) -> dict[str, str]:
    return {
        "核对编号": v.number, "行政区划代码": county.current_code(v.village, v.day), "家庭编号": v.household_id,
        "申请人姓名": v.applicant_name, "申请人身份证号": v.applicant_id, "家庭人口数": str(v.members),
        "核对日期": delivery.date(v.day), "核对事项": v.matter, "家庭月人均收入": delivery.money(v.income),
        "家庭金融资产": delivery.money(v.assets), "机动车辆数": str(v.vehicles), "房产套数": str(v.houses),
        "核对结论": "符合" if v.passed else "不符合", "不符合原因": v.reason,
        "是否列入黑名单": "是" if v.blacklisted else "否",
    }


def generate(county: County, ctx: GenerationContext) -> None:
    """One GBK CSV per month (some first delivered wrong and corrected by ``_v2``)."""
    rng = ctx.rng(county, SOURCE + ":files")
    planned: list[Verification] = ctx.registry.get("verification_plan", [])
    clean: list[Verification] = []
    for year, month in ctx.months():
        month_rows = sorted((v for v in planned if (v.day.year, v.day.month) == (year, month)),
                            key=lambda v: (v.day, v.number))
        stem = f"{SOURCE}_{county.code6}_{year}{month:02d}"
        corrected = rng.random() < CORRECTION_SHARE
        if corrected and month_rows:
            # The first delivery lost its last rows and got one income wrong.
            draft = Delivery.random(rng, COLUMNS, EXTRA_COLUMNS)
            rows = [_row(county, v, draft) for v in month_rows[: max(1, len(month_rows) - 3)]]
            rows[0]["家庭月人均收入"] = draft.money(Decimal("99999.00"))
            draft.write_csv(ctx.out, SOURCE, f"{stem}.csv", rows, "gbk")
        delivery = Delivery.random(rng, COLUMNS, EXTRA_COLUMNS)
        rows = [_row(county, v, delivery) for v in month_rows]
        name = f"{stem}{'_v2' if corrected and month_rows else ''}.csv"
        for index, row in enumerate(rows):
            if rng.random() < ctx.defect_rate:
                rule = rng.choice(sorted(DEFECTS))
                column, corrupt = DEFECTS[rule]
                row[column] = corrupt(row, rng)
                ctx.defects.add(SOURCE, name, index + 2, column, rule)
            else:
                clean.append(month_rows[index])
        delivery.write_csv(ctx.out, SOURCE, name, rows, "gbk")
    ctx.registry["verification_clean"] = clean
