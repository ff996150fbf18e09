"""The generator's ``child_welfare`` and ``child_workers`` extracts and their truth
(T21, T22), recomputed here from the files alone: final versions, rows with a
planted defect left out."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from decimal import ROUND_HALF_UP, Decimal

import pytest

from synthetic import child_welfare, child_workers, regions, registers
from synthetic.world import GenerationContext

from conftest import tiny_world

START, END = dt.date(2019, 1, 1), dt.date(2025, 12, 1)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    out = tmp_path_factory.mktemp("children")
    county, ctx = tiny_world(out, START, END)
    registers.generate(county, ctx)
    child_welfare.generate(county, ctx)
    child_workers.generate(county, ctx)
    return county, ctx


def _final(out, source: str, period: str) -> tuple[str, list[dict]]:
    """The highest version of a period's file and its rows."""
    path = sorted((out / source).glob(f"{source}_370832_{period}*.csv"))[-1]
    return path.name, list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))


def _clean(ctx, source: str, name: str, rows: list[dict]) -> list[dict]:
    broken = {d["row"] for d in ctx.defects.entries if d["source"] == source and d["file"] == name}
    return [r for line, r in enumerate(rows, start=2) if line not in broken]


def _targets(ctx, target: str, region: str) -> dict[int, dict]:
    return {t["year"]: t for t in ctx.truth.targets if t["target"] == target and t["region"] == region}


def _money(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def test_t21_is_the_mean_standard_of_scattered_orphans_on_the_year_end_roll(world):
    county, ctx = world
    for year in range(START.year, END.year + 1):
        name, rows = _final(ctx.out, "child_welfare", f"{year}12")
        scattered = [r for r in _clean(ctx, "child_welfare", name, rows)
                     if r["状态"] == "在册" and r["儿童类别"] == "社会散居孤儿"]
        mean = sum(_money(r["基本生活费标准"]) for r in scattered) / len(scattered)
        t21 = _targets(ctx, "T21", county.code12)[year]
        assert t21["value"] == str(mean.quantize(Decimal("0.01"), ROUND_HALF_UP))
        assert t21["denominator"] == len(scattered)


def test_standards_rise_most_years_but_not_every_year(world):
    """The towns' 社会散居孤儿 standard in each December file (T21 itself may still
    move in a year without a raise: children move between streets and towns)."""
    _, ctx = world
    standards = []
    for year in range(START.year, END.year + 1):
        _, rows = _final(ctx.out, "child_welfare", f"{year}12")
        standards.append({_money(r["基本生活费标准"]) for r in rows if r["状态"] == "在册"
                          and r["儿童类别"] == "社会散居孤儿" and r["户籍区划代码"][6:9] >= "100"})
    assert all(len(s) == 1 for s in standards)
    values = [min(s) for s in standards]
    rises = [b > a for a, b in zip(values, values[1:])]
    assert rises.count(False) == 1 and len(rises) == END.year - START.year


@pytest.fixture(scope="module")
def county_roll(tmp_path_factory):
    """The roll alone at county scale: enough children leave just before a raise."""
    out = tmp_path_factory.mktemp("county-children")
    county = regions.build_county(random.Random("t"), "370832", "梁山县", regions.SHAPES["county"], START, END)
    ctx = GenerationContext(out=out, seed=1, scale="county", first_month=START, last_month=END, defect_rate=0.02)
    child_welfare.generate(county, ctx)
    return ctx


def test_a_child_who_left_keeps_the_old_standard_and_says_when_and_why(county_roll):
    ctx = county_roll
    old_standard = 0
    for month in range(START.year * 12, END.year * 12 + 12):
        _, rows = _final(ctx.out, "child_welfare", f"{month // 12}{month % 12 + 1:02d}")
        current = {r["儿童类别"]: _money(r["基本生活费标准"]) for r in rows if r["状态"] == "在册"
                   and r["户籍区划代码"][6:9] >= "100"}         # towns: one standard per category
        for row in rows:
            if row["状态"] == "退出":
                assert row["退出日期"] and row["退出原因"] and _money(row["本月发放金额"]) == 0
                if row["户籍区划代码"][6:9] >= "100" and current.get(row["儿童类别"], 0) > _money(row["基本生活费标准"]):
                    old_standard += 1
            else:
                assert not row["退出日期"] and not row["退出原因"]
    assert old_standard > 0


def test_t22_counts_villages_with_a_director_in_post_and_lists_the_rest(world):
    county, ctx = world
    for year in range(START.year, END.year + 1):
        name, rows = _final(ctx.out, "child_workers", f"{year}1231")
        in_post = {(r["岗位"], r["所属区划代码"]) for r in _clean(ctx, "child_workers", name, rows)
                   if r["状态"] == "在岗"}
        _, register = _final(ctx.out, "communities", str(year))
        villages = [r["区划代码"] for r in register]
        townships = {t.code for t in county.townships_on(dt.date(year, 12, 31))}
        t22 = _targets(ctx, "T22", county.code12)[year]
        covered = [v for v in villages if ("儿童主任", v) in in_post]
        assert (t22["numerator"], t22["denominator"]) == (len(covered), len(villages))
        assert t22["failing"] == sorted([v for v in villages if ("儿童主任", v) not in in_post]
                                        + [t for t in townships if ("儿童督导员", t) not in in_post])


def test_a_director_leaves_and_the_post_stays_empty_for_a_while(world):
    _, ctx = world
    vacated = 0
    for path in sorted((ctx.out / "child_workers").glob("*.csv")):
        rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"), newline="")))
        in_post = {r["所属区划代码"] for r in rows if r["状态"] == "在岗" and r["岗位"] == "儿童主任"}
        vacated += sum(1 for r in rows if r["状态"] == "离岗" and r["岗位"] == "儿童主任"
                       and r["所属区划代码"] not in in_post)
    assert vacated > 0
