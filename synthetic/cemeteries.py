"""The funeral administration's register of cemeteries (source ``cemeteries``, 公墓台账).

One XLSX a year, a title row above the header, one row per cemetery with the
townships whose residents it serves (``服务乡镇``, 12-digit codes joined by
、). The model: a public-welfare cemetery (城市 for the streets, 农村 for one
to three towns) for most townships; one of them under construction (在建)
until a later year, so its townships are not yet served; a commercial
cemetery (经营性公墓) that serves towns but does not count; and one township
left without any public-welfare cemetery.

Truth: T19 公益性公墓覆盖城乡居民 = townships served by an operating (运营)
城市 or 农村公益性公墓 / all townships in force at the year's end, for the
county (with the townships not served listed) and for each township.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from synthetic.delivery import Delivery
from synthetic.regions import County
from synthetic.world import GenerationContext, ratio

SOURCE = "cemeteries"
COLUMNS = ["公墓编号", "公墓名称", "公墓类型", "所在区划代码", "服务乡镇", "设计墓穴数", "已用墓穴数",
           "是否节地生态", "运营状态", "年度"]
EXTRAS = ["备注", "主管单位"]
PUBLIC = ("城市公益性公墓", "农村公益性公墓")


@dataclass
class Cemetery:
    number: str
    name: str
    kind: str
    village: str                   # where it lies
    serves: list[str]              # township codes as first created
    plots: int
    opened: int                    # the year it starts operating (在建 before)
    eco: bool


def _cemeteries(county: County, rng: random.Random, first_year: int) -> list[Cemetery]:
    townships = county.townships_on(dt.date(first_year, 1, 1))
    streets = [t for t in townships if t.is_urban]
    towns = [t for t in townships if not t.is_urban]
    out: list[Cemetery] = []

    def add(kind: str, served: list, opened: int) -> None:
        home = served[0]
        out.append(Cemetery(
            number=f"GM{county.code6}{len(out) + 1:03d}", name=f"{home.name}{'公墓' if kind != '经营性公墓' else '福寿园'}",
            kind=kind, village=rng.choice(home.villages).code, serves=[t.code for t in served],
            plots=rng.randint(20, 120) * 100, opened=opened, eco=rng.random() < 0.6))

    if streets:
        add("城市公益性公墓", streets, first_year - 5)
    unserved = towns[-1:] if len(towns) > 2 else []        # one town waits for its cemetery
    remaining = [t for t in towns if t not in unserved]
    groups = []
    while remaining:
        size = rng.choice((1, 2, 2, 3))
        groups.append(remaining[:size])
        remaining = remaining[size:]
    for index, group in enumerate(groups):
        # The last group's cemetery is under construction for the first year or two.
        opened = first_year + rng.choice((1, 2)) if index == len(groups) - 1 and len(groups) > 1 else first_year - 3
        add("农村公益性公墓", group, opened)
    if towns:
        add("经营性公墓", towns[-2:], first_year - 8)    # commercial: serves, but does not count
    return out


def _served_on(county: County, cemetery: Cemetery, day: dt.date) -> list[str]:
    """The townships it serves, by the codes in force on ``day`` (a merged town's successor)."""
    return sorted({county.current_code(code, day) for code in cemetery.serves})


# Defects a register really contains; ingestion must quarantine the row (so
# the townships only that cemetery serves count as not served that year).
DEFECTS = {
    # a digit dropped from one of the codes of 服务乡镇
    "served_code_mistyped": ("服务乡镇", lambda row, rng: row["服务乡镇"][:5] + row["服务乡镇"][6:]),
    "unknown_code": ("公墓类型", lambda row, rng: rng.choice(("公益性公墓", "骨灰堂"))),
    # (a cemetery under construction has used none: "-0" would still read as 0)
    "negative_count": ("已用墓穴数", lambda row, rng: f"-{max(1, int(row['已用墓穴数']))}"),
}


def _plant_defect(rows: list[dict], ctx: GenerationContext, rng: random.Random, name: str) -> int | None:
    """At most one defect a register (it has few rows): the index of the broken row."""
    if not rows or rng.random() >= min(1.0, ctx.defect_rate * 20):
        return None
    index = rng.randrange(len(rows))
    rule = rng.choice(sorted(DEFECTS))
    column, corrupt = DEFECTS[rule]
    rows[index][column] = corrupt(rows[index], rng)
    ctx.defects.add(SOURCE, name, index + 3, column, rule)      # title on line 1, header on line 2
    return index


def generate(county: County, ctx: GenerationContext) -> None:
    """One register a year; T19 from its clean rows."""
    rng = ctx.rng(county, SOURCE)
    cemeteries = _cemeteries(county, rng, ctx.first_month.year)
    for year in ctx.years():
        year_end = dt.date(year, 12, 31)
        delivery = Delivery.random(rng, COLUMNS, EXTRAS)
        rows = []
        for c in cemeteries:
            status = "运营" if year >= c.opened else "在建"
            used = 0 if status == "在建" else min(c.plots, int(c.plots * min(0.95, 0.3 + 0.05 * (year - c.opened))))
            rows.append({
                "公墓编号": c.number, "公墓名称": c.name, "公墓类型": c.kind,
                "所在区划代码": county.current_code(c.village, year_end),
                "服务乡镇": "、".join(_served_on(county, c, year_end)),
                "设计墓穴数": str(c.plots), "已用墓穴数": str(used), "是否节地生态": "是" if c.eco else "否",
                "运营状态": status, "年度": str(year)})
        name = f"{SOURCE}_{county.code6}_{year}.xlsx"
        broken = _plant_defect(rows, ctx, rng, name)
        delivery.write_xlsx(ctx.out, SOURCE, name, rows, title=f"{county.name}公墓台账（{year}年）")
        townships = [t.code for t in county.townships_on(year_end)]
        served = {code for index, c in enumerate(cemeteries)
                  if index != broken and c.kind in PUBLIC and year >= c.opened
                  for code in _served_on(county, c, year_end)}
        covered = [t for t in townships if t in served]
        ctx.truth.target("T19", county.code12, year, ratio(len(covered), len(townships)),
                         numerator=len(covered), denominator=len(townships),
                         failing=[t for t in townships if t not in served])
        for township in townships:       # a township's own value: served (1 of 1) or not (0 of 1)
            ctx.truth.target("T19", township, year, ratio(int(township in served), 1),
                             numerator=int(township in served), denominator=1,
                             failing=[] if township in served else [township])
