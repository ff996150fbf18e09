"""Reference registers: ``regions``, ``region_changes``, ``communities``, ``reference_stats``.

The statistics bureau's yearly division-code release lists the codes in force
on 30 June of its year (as the real 统计用区划代码 release does), so a code
created by a change later in the year is known only through
``region_changes`` until the next release.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

from synthetic.delivery import Delivery
from synthetic.regions import County, Village
from synthetic.world import GenerationContext, ratio

SOURCES = ("regions", "region_changes", "communities", "reference_stats")

REGION_COLUMNS = ["统计用区划代码", "名称", "级别", "城乡分类代码", "年度"]
CHANGE_COLUMNS = ["原代码", "原名称", "新代码", "新名称", "变更类型", "生效日期"]
COMMUNITY_COLUMNS = ["区划代码", "名称", "类型", "常住人口", "60岁以上人口", "是否建有养老服务设施", "年度"]
REFERENCE_COLUMNS = ["区划代码", "年度", "指标名称", "数值", "单位"]

# Per-capita consumption expenditure (元) in 2018 and its yearly growth.
_URBAN_2018, _URBAN_GROWTH = Decimal("21480"), Decimal("1.062")
_RURAL_2018, _RURAL_GROWTH = Decimal("10270"), Decimal("1.081")


def consumption_expenditure(year: int) -> tuple[Decimal, Decimal]:
    """(城镇, 农村) 居民人均消费支出 of a year, in yuan, as the yearbook prints it."""
    steps = year - 2018
    urban = (_URBAN_2018 * _URBAN_GROWTH ** steps).quantize(Decimal("1"), ROUND_HALF_UP)
    rural = (_RURAL_2018 * _RURAL_GROWTH ** steps).quantize(Decimal("1"), ROUND_HALF_UP)
    return urban, rural


def release_day(year: int) -> dt.date:
    return dt.date(year, 6, 30)


def snapshot_day(ctx: GenerationContext, year: int) -> dt.date:
    """A yearly snapshot's date: 31 December, or the period's last day in its last year."""
    return min(dt.date(year, 12, 31), ctx.end)


def has_elderly_facility(county: County, village: Village, year: int, seed: int) -> bool:
    """Whether an urban community has an elderly-service facility in a year.

    Coverage grows year by year; a few communities still lack one at the end,
    so T08 (100 %) is missed and names them.
    """
    rng = random.Random(f"{seed}:{county.code6}:facility:{village.name}:{village.population}")
    built = rng.randint(2015, 2020) if rng.random() < 0.85 else rng.randint(2021, 2028)
    return year >= built


def generate(county: County, ctx: GenerationContext) -> None:
    rng = ctx.rng(county, "registers")
    for year in ctx.years():
        _regions_file(county, ctx, year, Delivery.random(rng, REGION_COLUMNS, []))
        _changes_file(county, ctx, year, Delivery.random(rng, CHANGE_COLUMNS, []))
        _communities_file(county, ctx, year, Delivery.random(rng, COMMUNITY_COLUMNS, ["备注"]))
    # T01 / T02 need the year before the period too.
    for year in range(ctx.first_month.year - 1, ctx.last_month.year + 1):
        _reference_file(county, ctx, year, Delivery.random(rng, REFERENCE_COLUMNS, []))


def _regions_file(county: County, ctx: GenerationContext, year: int, delivery: Delivery) -> None:
    day = release_day(year)
    rows = [{"统计用区划代码": county.code12, "名称": county.name, "级别": "县", "城乡分类代码": "", "年度": str(year)}]
    for township in county.townships_on(day):
        rows.append({"统计用区划代码": township.code, "名称": township.name, "级别": "乡",
                     "城乡分类代码": "", "年度": str(year)})
        rows += [{"统计用区划代码": v.code, "名称": v.name, "级别": "村",
                  "城乡分类代码": v.urban_rural_code, "年度": str(year)} for v in township.villages_on(day)]
    delivery.write_csv(ctx.out, "regions", f"regions_{county.code6}_{year}.csv", rows, "utf-8")


def _changes_file(county: County, ctx: GenerationContext, year: int, delivery: Delivery) -> None:
    rows = [{"原代码": c.old_code, "原名称": c.old_name, "新代码": c.new_code, "新名称": c.new_name,
             "变更类型": c.kind, "生效日期": delivery.date(c.effective)}
            for c in county.changes if c.effective.year == year]
    # Delivered every year, with the header alone when nothing changed.
    delivery.write_csv(ctx.out, "region_changes", f"region_changes_{county.code6}_{year}.csv", rows, "utf-8")


def _communities_file(county: County, ctx: GenerationContext, year: int, delivery: Delivery) -> None:
    day = snapshot_day(ctx, year)
    rows, urban, equipped, lacking = [], 0, 0, []
    for village in county.villages_on(day):
        facility = village.community_type != "行政村" and has_elderly_facility(county, village, year, ctx.seed)
        elderly = village.population * (18 + int(village.code[-2:]) % 9) // 100
        rows.append({"区划代码": village.code, "名称": village.name, "类型": village.community_type,
                     "常住人口": str(village.population), "60岁以上人口": str(elderly),
                     "是否建有养老服务设施": "是" if facility else "否", "年度": str(year)})
        if village.community_type == "城市社区":
            urban += 1
            equipped += facility
            if not facility:
                lacking.append(village.code)
    delivery.write_csv(ctx.out, "communities", f"communities_{county.code6}_{year}.csv", rows, "utf-8")
    ctx.truth.target("T08", county.code12, year, ratio(equipped, urban), numerator=equipped,
                     denominator=urban, failing=lacking)


def _reference_file(county: County, ctx: GenerationContext, year: int, delivery: Delivery) -> None:
    urban, rural = consumption_expenditure(year)
    day = min(dt.date(year, 12, 31), ctx.end) if year >= ctx.first_month.year else ctx.first_month
    population = sum(v.population for v in county.villages_on(day))
    rows = [
        {"区划代码": county.code12, "年度": str(year), "指标名称": "常住人口", "数值": str(population), "单位": "人"},
        {"区划代码": county.code12, "年度": str(year), "指标名称": "城镇居民人均消费支出",
         "数值": delivery.money(urban), "单位": "元"},
        {"区划代码": county.code12, "年度": str(year), "指标名称": "农村居民人均消费支出",
         "数值": delivery.money(rural), "单位": "元"},
    ]
    delivery.write_csv(ctx.out, "reference_stats", f"reference_stats_{county.code6}_{year}.csv", rows, "utf-8")
