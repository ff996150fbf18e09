"""Children's welfare (孤儿和事实无人抚养儿童) and the children's supervisors and
directors (儿童督导员、儿童主任): T21, T22, their lists, the roll and the JZH01
rows against the generator's truth, over two generated years with a town
merger, a street split, re-deliveries and defects."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import duckdb
import pytest

from warehouse.jzh01 import compute

COUNTY = "370832000000"


@pytest.fixture
def serving(published):
    """The serving file, read-only, closed after each test (the JZH01 test opens it its own way)."""
    settings, summary = published
    assert summary.published
    con = duckdb.connect(str(settings.serving_path), read_only=True)
    yield con
    con.close()


def _targets(truth: dict, target_id: str) -> list[dict]:
    return [t for t in truth["targets"] if t["target"] == target_id]


def _attainment(serving, target_id: str) -> dict[tuple[str, str], tuple]:
    return {(r, p): (a, t, s) for r, p, a, t, s in serving.execute(
        "select region_code, period, actual_value, target_value, status from marts.mart_target_attainment "
        "where target_id = ? and period_type = 'year'", [target_id]).fetchall()}


def _two(value: str | Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_t21_equals_the_truth_for_the_county_and_every_township_and_year(serving, published_truth):
    rows = _attainment(serving, "T21")
    expected = {(t["region"], str(t["year"])): _two(t["value"]) for t in _targets(published_truth, "T21")}
    assert {key: rows[key][0] for key in expected} == expected
    # every township with 社会散居孤儿 is measured, not only the county
    assert len({region for region, _ in expected}) > 3


def test_t21_compares_with_the_year_before_and_is_no_data_without_one(serving, published_truth):
    rows = _attainment(serving, "T21")
    county = {str(t["year"]): _two(t["value"]) for t in _targets(published_truth, "T21") if t["region"] == COUNTY}
    first, second = sorted(county)
    # the first year has a value but nothing a year earlier to compare with
    assert rows[(COUNTY, first)] == (county[first], None, "no_data")
    actual, target, status = rows[(COUNTY, second)]
    assert (actual, target) == (county[second], county[first])
    assert status == ("met" if county[second] > county[first] else "not_met")
    # a township with scattered orphans only in the second year is no_data there too
    for (region, period), (actual, target, status) in rows.items():
        if target is None:
            assert status == "no_data"


def test_t22_equals_the_truth_and_its_list_names_every_empty_post(serving, published_truth):
    rows = _attainment(serving, "T22")
    expected = {(t["region"], str(t["year"])): _two(Decimal(t["value"]) * 100) for t in _targets(published_truth, "T22")}
    assert {key: rows[key][0] for key in expected} == expected
    listed = serving.execute("select year, region_code from marts.mart_child_care_vacancies").fetchall()
    failing = sorted((t["year"], code) for t in _targets(published_truth, "T22") if t["region"] == COUNTY
                     for code in t["failing"])
    assert sorted(listed) == failing
    # villages (a director) and at least one township (a supervisor: the street the split created)
    assert any(code.endswith("000") for _, code in failing) and any(not code.endswith("000") for _, code in failing)


def test_a_village_whose_director_left_is_listed_as_not_replaced(serving):
    left = serving.execute("""
        select v.region_code from marts.mart_child_care_vacancies as v
        where v.post = '儿童主任' and v.vacancy = '离岗未补'
          and exists (select 1 from marts.fct_child_worker_snapshots as h
                      where h.snapshot_date = v.snapshot_date and h.region_code_on = v.region_code
                        and h.post = '儿童主任' and h.status = '离岗')""").fetchall()
    never = serving.execute("select count(*) from marts.mart_child_care_vacancies where vacancy = '未配备'").fetchone()
    assert left and never[0] > 0


def test_the_roll_by_township_and_category_equals_the_truth(serving, published_truth):
    expected = {(c["period"], c["township_code"], c["category"]): (c["children"], Decimal(c["amount_paid"]))
                for c in published_truth["child_welfare"]["monthly_by_township_and_category"]}
    got = {(p, t, c): (n, a) for p, t, c, n, a in serving.execute(
        "select period_month, township_code, child_category, children, amount_paid_yuan "
        "from marts.mart_child_welfare_monthly_by_township").fetchall()}
    assert got == expected and len(expected) > 100


def test_no_child_on_the_roll_has_left_or_turned_eighteen(published):
    """退出 rows never reach the fact, and children leave the month they turn 18 (年满18周岁)."""
    settings, _ = published
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        [(wrong,)] = con.execute("""
            select count(*)
            from marts.fct_monthly_child_welfare as f
            inner join staging.stg_child_welfare__roll_rows as s using (period_month, child_id)
            where s.status <> '在册'
               or cast(s.birth_month || '-01' as date) + interval 18 year <= cast(f.period_month || '-01' as date)
        """).fetchall()
        reasons = dict(con.execute("select exit_reason, count(*) from staging.stg_child_welfare__roll_rows "
                                   "where status = '退出' group by all").fetchall())
    assert wrong == 0
    assert reasons.get("年满18周岁", 0) > 0 and len(reasons) >= 2


def test_jzh01_children_rows_equal_the_truth(published, published_truth):
    settings, _ = published
    rows = {r.code: r for r in compute(settings.serving_path, COUNTY, "2024-12").rows}
    december = [c for c in published_truth["child_welfare"]["monthly_by_township_and_category"] if c["period"] == "2024-12"]
    year = [c for c in published_truth["child_welfare"]["monthly_by_township_and_category"] if c["period"].startswith("2024")]

    def children(category: str) -> int:
        return sum(c["children"] for c in december if c["category"] == category)

    def wan(categories: tuple[str, ...]) -> str:
        yuan = sum(Decimal(c["amount_paid"]) for c in year if c["category"] in categories)
        return str((yuan / 10000).quantize(Decimal("0.1"), ROUND_HALF_UP))

    assert rows["L08110"].value == str(children("集中养育孤儿"))
    assert rows["L08120"].value == str(children("社会散居孤儿"))
    assert rows["L08100"].value == str(children("集中养育孤儿") + children("社会散居孤儿"))
    assert rows["L08200"].value == str(children("事实无人抚养儿童"))
    t21 = next(t for t in _targets(published_truth, "T21") if t["region"] == COUNTY and t["year"] == 2024)
    assert rows["L08400"].value == str(_two(t21["value"]))
    assert rows["JZH011211101"].value == wan(("集中养育孤儿", "社会散居孤儿"))
    assert rows["JZH011211102"].value == wan(("事实无人抚养儿童",))
    in_post = {(s["year"], s["post"]): s["in_post"] for s in published_truth["child_workers"]["in_post_year_end"]}
    assert rows["L08600"].value == str(in_post[(2024, "儿童督导员")])
    assert rows["L08700"].value == str(in_post[(2024, "儿童主任")])
    # 社会福利 and 儿童福利 as a whole are not computed: their cells stay empty
    assert rows["JZH011211000"].value is None and rows["JZH011211100"].value is None
