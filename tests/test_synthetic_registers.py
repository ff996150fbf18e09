"""Registers and the roll in the generated world: region history, communities,
reference figures, and targets T01–T05, T08 recomputed from the files."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from synthetic import assistance, registers

from conftest import tiny_world

START, END = dt.date(2023, 1, 1), dt.date(2024, 12, 1)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    out = tmp_path_factory.mktemp("registers")
    county, ctx = tiny_world(out, START, END)
    registers.generate(county, ctx)
    assistance.generate(county, ctx)
    return county, ctx


def _csv(path, encoding="utf-8"):
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode(encoding), newline="")))


def _targets(ctx, target, region):
    return {t["year"]: t for t in ctx.truth.targets if t["target"] == target and t["region"] == region}


def test_one_town_merges_and_one_street_splits_inside_the_period(world):
    county, ctx = world
    kinds = {c.kind for c in county.changes}
    assert kinds == {"合并", "拆分"}
    assert all(START <= c.effective <= ctx.end for c in county.changes)
    changes = _csv(ctx.out / "region_changes" / "region_changes_370832_2023.csv") + \
        _csv(ctx.out / "region_changes" / "region_changes_370832_2024.csv")
    assert len(changes) == len(county.changes)


def test_each_release_lists_the_codes_in_force_on_30_june(world):
    county, ctx = world
    for year in (2023, 2024):
        listed = {r["统计用区划代码"] for r in _csv(ctx.out / "regions" / f"regions_370832_{year}.csv")}
        day = dt.date(year, 6, 30)
        expected = {county.code12} | {t.code for t in county.townships_on(day)} | \
            {v.code for v in county.villages_on(day)}
        assert listed == expected


def test_codes_used_after_a_change_are_known_through_region_changes(world):
    county, ctx = world
    known = {r["统计用区划代码"] for y in (2023, 2024) for r in _csv(ctx.out / "regions" / f"regions_370832_{y}.csv")}
    known |= {c.new_code for c in county.changes}
    used = {r["行政区划代码"] for p in (ctx.out / "assistance").glob("*.csv") for r in _csv(p, "gbk")}
    assert used <= known
    assert used & {c.new_code for c in county.changes}, "some household lives in a re-coded village"


def test_t08_recomputed_from_the_communities_register_equals_the_truth(world):
    county, ctx = world
    for year, truth in _targets(ctx, "T08", county.code12).items():
        rows = [r for r in _csv(ctx.out / "communities" / f"communities_370832_{year}.csv") if r["类型"] == "城市社区"]
        lacking = sorted(r["区划代码"] for r in rows if r["是否建有养老服务设施"] != "是")
        assert (truth["numerator"], truth["denominator"]) == (len(rows) - len(lacking), len(rows))
        assert truth["failing"] == lacking


def _final_roll(ctx, year, month):
    files = sorted((ctx.out / "assistance").glob(f"assistance_370832_{year}{month:02d}*.csv"))
    final = files[-1]
    broken = {d["row"] for d in ctx.defects.entries if d["file"] == final.name}
    rows = _csv(final, "gbk")
    return [r for line, r in enumerate(rows, start=2) if line not in broken and r["状态"] == "在保"]


def test_t01_to_t05_recomputed_from_the_december_roll_equal_the_truth(world):
    county, ctx = world
    for year in (2023, 2024):
        roll = _final_roll(ctx, year, 12)
        spend = {}
        for r in _csv(ctx.out / "reference_stats" / f"reference_stats_370832_{year - 1}.csv"):
            spend[r["指标名称"]] = Decimal(r["数值"].replace(",", ""))
        for target, kind, share, spend_name in (("T03", "城市低保", "T01", "城镇居民人均消费支出"),
                                                ("T04", "农村低保", "T02", "农村居民人均消费支出")):
            rows = [r for r in roll if r["救助类型"] == kind]
            persons = sum(int(r["保障人口数"]) for r in rows)
            weighted = sum(Decimal(r["保障标准"].replace(",", "")) * int(r["保障人口数"]) for r in rows)
            mean = (weighted / persons).quantize(Decimal("0.01"))
            assert _targets(ctx, target, county.code12)[year]["value"] == str(mean)
            expected_share = (mean * 12 / spend[spend_name]).quantize(Decimal("0.0001"))
            assert _targets(ctx, share, county.code12)[year]["value"] == str(expected_share)
        willing = [r for r in roll if r["救助类型"].endswith("特困") and r["自理能力"] in ("半失能", "全失能")
                   and r["集中供养意愿"] == "是"]
        placed = [r for r in willing if r["供养方式"] == "集中供养"]
        t05 = _targets(ctx, "T05", county.code12)[year]
        assert (t05["numerator"], t05["denominator"]) == (len(placed), len(willing))
        assert t05["failing"] == sorted(r["家庭编号"] for r in willing if r["供养方式"] != "集中供养")
