"""mart_target_attainment against the generator's ground truth, over two years
with a town merger and a street split: every value the truth knows, for the
county and each township it lists, equals the mart's (exact for counts and
means, within 0.01 percentage points for rates); no data is `no_data`."""

from __future__ import annotations

import duckdb
import pytest

from conftest import attainment_of, region_truth, truth_mismatches


@pytest.fixture(scope="module")
def attainment(published):
    settings, summary = published
    assert summary.success, summary
    return attainment_of(settings.warehouse_path)


@pytest.fixture(scope="module")
def truth_targets(published_truth) -> list[dict]:
    return region_truth(published_truth)


def test_every_target_of_the_plan_is_in_the_truth_and_the_mart(attainment, truth_targets):
    rows, _ = attainment
    in_truth = {t["target"] for t in truth_targets}
    assert in_truth == {f"T{n:02d}" for n in range(1, 23)}
    assert {key[0] for key in rows} >= in_truth


def test_every_truth_value_equals_the_mart(attainment, truth_targets):
    wrong = truth_mismatches(attainment, truth_targets)
    assert not wrong, "\n".join(map(str, wrong))
    assert len(truth_targets) >= 90


def test_a_measured_year_is_one_the_truth_knows(attainment, truth_targets):
    """No figure appears for a region or year the truth has no value for."""
    rows, _ = attainment
    known = {(t["target"], t["region"], str(t["year"])) for t in truth_targets if t["value"] is not None}
    extra = [key for key, row in rows.items() if row[3] == "year" and row[5] is not None and key not in known]
    assert not extra, extra


def test_status_follows_the_catalogue(attainment):
    rows, _ = attainment
    for (target_id, region, period), row in rows.items():
        actual, status, target_value, gap = row[5], row[6], row[7], row[8]
        if actual is None:
            assert status == "no_data"
        elif target_id == "T13":          # 火化率 ≥ 95 %
            assert target_value == 95
            assert status == ("met" if actual >= 95 else "not_met")
            assert gap == actual - 95


def test_the_dashboards_long_table_counts_the_roll_as_the_truth(published, published_truth):
    """mart_kpi_monthly's households and persons on the roll, per township in
    force and month, equal the truth's roll (which follows mergers too)."""
    settings, _ = published
    expected: dict[tuple, int] = {}
    for cell in published_truth["assistance"]["monthly_by_township_and_type"]:
        for indicator, field in (("V_ROLL_HOUSEHOLDS", "households"), ("V_ROLL_PERSONS", "persons")):
            for region in (cell["township_code"], cell["township_code"][:6] + "000000"):
                key = (cell["period"], region, indicator)
                expected[key] = expected.get(key, 0) + cell[field]
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        got = {(p, r, i): int(v) for p, r, i, v in con.sql(
            "select period_month, region_code, indicator_id, value from marts.mart_kpi_monthly"
            " where indicator_id in ('V_ROLL_HOUSEHOLDS', 'V_ROLL_PERSONS')").fetchall()}
    assert got == expected
    assert len(expected) > 200
