"""Low-income monitoring (低收入人口动态监测): the warehouse against the generator's truth.

The truth (synthetic/monitoring.py) follows monitoring.md month by month in
Python over the rows ingestion keeps; the warehouse computes the same in SQL
(dbt_project/models/*/monitoring). Two years with a town merged and a street
split, defects planted and _v2 corrections delivered.
"""

from __future__ import annotations

import json
import os
import re
from decimal import Decimal

import duckdb
import openpyxl
import pytest

from civstat.personal_data import delivered_names, is_citizen_id

from conftest import isolated_environ

DOMAIN_TABLES = ("marts.fct_verifications", "marts.fct_household_monitoring_months",
                 "marts.mart_low_income_monitoring", "marts.mart_monitoring_watchlist")


@pytest.fixture(scope="module")
def truth(published_truth) -> dict:
    return published_truth["monitoring"]


@pytest.fixture
def serving(published):
    settings, summary = published
    assert summary.published
    con = duckdb.connect(str(settings.serving_path), read_only=True)
    yield con
    con.close()


def test_every_indicator_of_every_region_and_period_equals_the_truth(serving, truth):
    got = {(i, b, r, p): v for i, b, r, p, v in serving.execute(
        "select indicator_id, breakdown, region_code, period, value from marts.mart_low_income_monitoring").fetchall()}
    want = {(t["indicator"], t["breakdown"], t["region"], t["period"]):
            None if t["value"] is None else Decimal(str(t["value"])) for t in truth["indicators"]}
    assert set(got) == set(want)
    assert {k: got[k] for k in want if got[k] != want[k]} == {}
    # the data are not trivial: every indicator has non-zero values somewhere
    assert all(any(v for (i, *_), v in want.items() if i == indicator) for indicator in
               ("I01", "I02", "I03", "I04", "I05", "I06"))
    assert {p for (_, _, _, p) in want} >= {"2023", "2024", "2023-09", "2024-05"}


def test_the_watchlist_holds_exactly_the_flagged_spells_and_breaches(serving, truth):
    spells = {(h, f, str(d), t, None if e is None else str(e), None if i is None else str(i))
              for h, f, d, t, e, i in serving.execute(
                  "select household_id, flag_type, flag_date, township_code, ended_on, intervened_on "
                  "from marts.mart_monitoring_watchlist where flag_type <> '黑名单违规'").fetchall()}
    expected = {(s["household_id"], s["flag_type"], s["flag_date"], s["township"], s["ended_on"],
                 s["intervened_on"]) for s in truth["spells"]}
    assert spells == expected
    assert {f for _, f, *_ in expected} == {"低保边缘", "返贫风险"}
    assert any(e is not None for *_, e, _ in expected) and any(i is not None for *_, i in expected)
    breaches = set(serving.execute("select household_id, opened_month, last_month from marts.mart_monitoring_watchlist "
                                   "where flag_type = '黑名单违规'").fetchall())
    assert breaches == {(b["household_id"], b["first_month"], b["last_month"]) for b in truth["breaches"]}
    assert breaches


def test_b01_lists_every_breaching_household_and_blocks_nothing(published, truth):
    settings, summary = published
    result = json.loads((settings.home / "quality" / "b01_blacklisted_off_the_roll.json").read_text(encoding="utf-8"))
    [rule] = result["rules"]
    assert (rule["rule_id"], rule["severity"], rule["success"]) == ("B01", "finding", False)
    assert rule["unexpected_count"] == len(truth["breaches"]) > 0
    assert result["blocks_publication"] is False and result["withheld_periods"] == []
    assert summary.published
    assert not any("b01" in failure for failure in summary.check_failures)
    # the run summary lists it among the open findings
    from orchestration.quality import open_findings
    assert {"suite": "b01_blacklisted_off_the_roll", "rule_id": "B01", "description_zh": rule["description_zh"],
            "records": len(truth["breaches"])} in open_findings(settings)


def test_no_clear_id_or_name_reaches_a_table_of_the_domain(published, published_landing):
    """Persons are matched across verification, roll and temporary aid by key only."""
    settings, _ = published
    names = delivered_names(published_landing)
    assert names
    for path in (settings.warehouse_path, settings.serving_path):
        con = duckdb.connect(str(path), read_only=True)
        try:
            tables = [*DOMAIN_TABLES, *[f"{s}.{t}" for s, t in con.execute(
                "select schema_name, table_name from duckdb_tables() where table_name like '%monitoring%' "
                "or table_name like '%verification%'").fetchall()]]
            for table in dict.fromkeys(t for t in tables if _exists(con, t)):
                for column, in con.execute(f"select column_name from duckdb_columns() where "
                                           f"schema_name || '.' || table_name = '{table}' and data_type = 'VARCHAR'").fetchall():
                    values = {v for v, in con.execute(f'select distinct "{column}" from {table}').fetchall() if v}
                    assert not any(is_citizen_id(d) for v in values for d in re.findall(r"\d{17}[\dXx]", v)), \
                        f"{path.name} {table}.{column}"
                    assert not values & names, f"{path.name} {table}.{column}"
        finally:
            con.close()


def _exists(con, table: str) -> bool:
    schema, name = table.split(".")
    return bool(con.execute("select 1 from duckdb_tables() where schema_name = ? and table_name = ?",
                            [schema, name]).fetchall())


def _civstat(settings, *args) -> int:
    from civstat.cli import main
    with isolated_environ():
        os.environ["CIVSTAT_HOME"] = str(settings.home)
        os.environ["CIVSTAT_PSEUDONYM_KEY"] = "test-key"
        return main(list(args))


def test_the_watchlist_command_lists_the_months_open_flags_longest_waiting_first(published, truth,
                                                                                tmp_path, capsys):
    settings, _ = published
    month, month_end = "2024-12", "2024-12-31"
    open_spells = {s["household_id"] for s in truth["spells"]
                   if s["opened_month"] <= month and (s["ended_on"] is None or s["ended_on"] > month_end)}
    breaching = {b["household_id"] for b in truth["breaches"] if b["first_month"] <= month <= b["last_month"]}
    out = tmp_path / "watchlist.xlsx"
    assert _civstat(settings, "watchlist", "--region", "370832000000", "--month", month, "--out", str(out)) == 0
    printed = capsys.readouterr().out
    assert f"{len(open_spells | breaching)} household(s) on the list" in printed
    book = openpyxl.load_workbook(out)
    rows = [row for sheet in book.worksheets for row in sheet.iter_rows(min_row=3, values_only=True)]
    assert {r[1] for r in rows} == open_spells | breaching
    for sheet in book.worksheets:
        waited = [r[5] for r in sheet.iter_rows(min_row=3, values_only=True)]
        assert waited == sorted(waited, reverse=True)
    township = next(s["township"] for s in truth["spells"] if s["household_id"] in open_spells)
    assert _civstat(settings, "watchlist", "--region", township, "--month", month) == 0
    listed = int(re.search(r"(\d+) household\(s\) on the list", capsys.readouterr().out).group(1))
    assert len({s["household_id"] for s in truth["spells"] if s["household_id"] in open_spells
                and s["township"] == township}) <= listed < len(open_spells | breaching)
    assert _civstat(settings, "watchlist", "--region", "370832999000", "--month", month) == 2
    assert "neither the county nor a township" in capsys.readouterr().err


def test_a_v2_verification_file_replaces_the_first(corrected_run, published):
    """The correction raises an edge household's income far above the band: in
    that month it is no longer an edge household, and I02 falls by one."""
    household, month = corrected_run.edge_household
    counts = []
    for settings in (published[0], corrected_run.settings):
        con = duckdb.connect(str(settings.serving_path), read_only=True)
        try:
            [[edge]] = con.execute("select is_edge from marts.fct_household_monitoring_months "
                                   "where household_id = ? and period_month = ?", [household, month]).fetchall()
            [[i02]] = con.execute("select value from marts.mart_low_income_monitoring where indicator_id = 'I02' "
                                  "and region_code = '370832000000' and period = ?", [month]).fetchall()
        finally:
            con.close()
        counts.append((edge, i02))
    assert counts[0][0] is True and counts[1][0] is False
    assert counts[1][1] == counts[0][1] - 1
