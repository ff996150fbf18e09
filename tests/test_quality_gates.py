"""The quality gates against the generator's ground truth: each suite reports
exactly the records (marriage rules) and places (plan 100 % rules) the
generator planted or knows to break them: 100 % precision, 100 % recall."""

from __future__ import annotations

import re

import duckdb
import pytest

from expectations.rules import Severity
from expectations.runner import run_suite
from expectations.suites import all_suites
from orchestration.quality import blocks_publication, latest_results
from warehouse.jzh01 import compute

SUITES = all_suites()


@pytest.fixture(scope="module")
def warehouse(published):
    settings, summary = published
    assert summary.steps[-1].success, summary
    return settings.warehouse_path


def _failing(warehouse, suite_name: str) -> dict[str, set[tuple]]:
    result = run_suite(SUITES[suite_name], warehouse)
    assert all(r.error is None for r in result.rules), [r.error for r in result.rules]
    return {r.rule_id: {tuple(k.values()) for k in r.failing_keys} for r in result.rules}


def test_the_marriage_suite_names_exactly_the_planted_registrations(warehouse, published_truth):
    failing = _failing(warehouse, "marriage_registration_rules")
    found = {(rule, file, line) for rule, keys in failing.items() for *_, file, line in keys}
    planted = {(f["rule"], f["file"], f["line"]) for year in published_truth["marriage"].values() for f in year["failing"]}
    assert planted, "the generator planted marriage defects"
    assert found == planted


def test_every_marriage_rule_is_in_the_suite():
    assert [r.id for r in SUITES["marriage_registration_rules"].rules] == [f"M0{n}" for n in range(1, 10)]


def _truth_failing(truth: dict, target: str, year: int) -> set[str]:
    rows = [t for t in truth["targets"] if t["target"] == target and t["year"] == year
            and t["region"].endswith("000000")]
    assert len(rows) == 1
    return set(rows[0]["failing"])


@pytest.mark.parametrize(("suite", "target", "key"), [
    ("t05_willing_disabled_placed", "T05", 1),
    ("t06_streets_with_centre", "T06", 1),
    ("t08_urban_communities_with_facility", "T08", 1),
    ("t11_villages_with_two_community_orgs", "T11", 1),
])
def test_each_plan_rule_names_the_places_that_break_it(warehouse, published_truth, suite, target, key):
    failing = _failing(warehouse, suite)[target]
    last_year = max(t["year"] for t in published_truth["targets"])
    assert {k[key] for k in failing} == _truth_failing(published_truth, target, last_year)


def test_the_archive_rule_names_every_missing_year(warehouse, published_truth):
    failing = _failing(warehouse, "t20_archive_years_loaded")["T20"]
    t20 = next(t for t in published_truth["targets"] if t["target"] == "T20")
    assert len(failing) == t20["denominator"] - t20["numerator"] > 0


def test_a_plan_rule_not_met_is_a_finding_not_a_data_error(warehouse):
    result = run_suite(SUITES["t06_streets_with_centre"], warehouse)
    assert not result.rules[0].success
    assert result.success       # no blocking failure: a finding for leadership


def _validity_suites() -> list[str]:
    return [name for name, suite in SUITES.items() if any(r.severity is Severity.VALIDITY for r in suite.rules)]


def test_every_fact_and_dimension_has_a_validity_suite():
    import json as _json

    from expectations.suites import MANIFEST_PATH

    manifest = _json.loads(MANIFEST_PATH.read_text(encoding="utf-8"))
    models = {n["name"] for n in manifest["nodes"].values()
              if n["resource_type"] == "model" and n["name"].startswith(("fct_", "dim_"))}
    assert {f"{m}_validity" for m in models} <= set(_validity_suites())
    # Facts withhold their source's figures by period; dimensions stop publication.
    for model in models:
        suite = SUITES[f"{model}_validity"]
        assert blocks_publication(suite) == model.startswith("dim_"), model
        assert model.startswith("dim_") or suite.period_column in suite.key_columns


def test_on_extracts_with_defects_only_the_marriage_rules_fail(published):
    """Malformed rows are quarantined at ingestion, so every validity suite
    passes but the marriage rules, which the generator breaks on purpose."""
    settings, _ = published
    results = latest_results(settings)
    assert set(results) == set(SUITES)
    failed = {name for name in _validity_suites() if not results[name]["success"]}
    assert failed == {"marriage_registration_rules"}
    # Every delivery slot of the landing folder (a source's file for one
    # period and issuer, whatever its versions) is accounted for.
    slots = {re.sub(r"(_v\d+)?\.\w+$", "", p.name) for p in settings.landing_dir.glob("*/*.*")
             if not p.parent.name.startswith("_")}
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        accounted = {s for (s,) in con.sql("select delivery_slot from intermediate.int_ingestion__file_accounting")
                     .fetchall()}
    assert accounted == slots


def test_on_extracts_without_defects_every_validity_suite_passes(clean_published):
    settings, summary = clean_published
    assert summary.published and summary.check_failures == []
    results = latest_results(settings)
    assert set(results) == set(SUITES)
    assert all(results[name]["success"] for name in _validity_suites())
    with duckdb.connect(str(settings.serving_path), read_only=True) as con:
        assert con.sql("select count(*) from meta.withheld_figures").fetchall() == [(0,)]
        assert con.sql("select count(*) from marts.fct_marriage_registrations").fetchall()[0][0] > 0


def test_a_broken_dimension_is_named_and_stops_publication(published, tmp_path):
    """A duplicated region row would double every figure joined through it."""
    import shutil

    settings, _ = published
    copy = tmp_path / "warehouse.duckdb"
    shutil.copy(settings.warehouse_path, copy)
    with duckdb.connect(str(copy)) as con:
        code = con.sql("select region_code from marts.dim_region where level = 'township' "
                       "order by region_code limit 1").fetchall()[0][0]
        con.execute("insert into marts.dim_region select * from marts.dim_region where region_code = ?", [code])
    suite = SUITES["dim_region_validity"]
    result = run_suite(suite, copy)
    failing = {r.rule_id: r for r in result.rules if not r.success}
    assert set(failing) == {"unique_combination_of_columns(region_code, _valid_from)"}
    assert {k["region_code"] for k in failing["unique_combination_of_columns(region_code, _valid_from)"].failing_keys} \
        == {code}
    assert not result.success and blocks_publication(suite)


def test_the_data_docs_show_every_suite(published):
    from orchestration.quality import data_docs_index

    settings, _ = published
    index = data_docs_index(settings).read_text(encoding="utf-8")
    assert all(name in index for name in SUITES)


def test_an_explained_exception_releases_the_withheld_month(published, tmp_path):
    """A month with failing registrations is withheld at publication; once the
    data team explains each failure (`civstat exception add`), the next run
    publishes it, the exceptions are listed beside the figures and the
    correction list keeps the records with their reason."""
    import os

    from civstat.cli import main
    from civstat.settings import Settings
    from orchestration.run import run_pipeline

    from conftest import copy_home, isolated_environ

    settings, _ = published
    home = tmp_path / "home"
    copy_home(settings.home, home)
    with duckdb.connect(str(home / "serving" / "civstat.duckdb"), read_only=True) as con:
        withheld = dict(con.sql("select period, failing_records from meta.withheld_figures "
                                "where suite = 'marriage_registration_rules'").fetchall())
        month = min(withheld)
        failing = con.sql("select certificate_no, rule_id from marts.mart_marriage_correction_list "
                          "where registration_month = ? and not is_explained", params=[month]).fetchall()
    assert failing and len(failing) == withheld[month]
    # The submission leaves the month's marriage counts out (the earliest
    # withheld month: nothing earlier in its year is withheld).
    county = settings.county_code + "000000"
    form = {r.code: r for r in compute(home / "serving" / "civstat.duckdb", county, month).rows}
    assert form["L04100"].value is None and form["L04100"].withheld

    with isolated_environ():
        os.environ["CIVSTAT_PSEUDONYM_KEY"] = "test-key"
        os.environ["CIVSTAT_HOME"] = str(home)
        for certificate, rule in failing:
            assert main(["exception", "add", "--rule", rule, "--record", certificate,
                         "--reason", "法院判决离婚，判决书已核验", "--by", "数据组"]) == 0
        assert main(["exception", "add", "--rule", "M99", "--record", "x", "--reason", "r", "--by", "b"]) == 2
        # Nothing new delivered (an empty landing folder): the run only rebuilds and re-checks.
        (tmp_path / "nothing-new").mkdir()
        summary = run_pipeline(Settings.load({"home": home, "landing_dir": tmp_path / "nothing-new"}))
    assert summary.published
    # Not a full build: what reads the exceptions, and the marriage suite again.
    assert summary.rebuilt is not None and "marriage_registration_rules" in summary.build_reason
    assert "marts/mart_marriage_correction_list" in summary.rebuilt
    assert "marts/fct_monthly_assistance_households" not in summary.rebuilt

    with duckdb.connect(str(home / "serving" / "civstat.duckdb"), read_only=True) as con:
        still = {p for (p,) in con.sql("select period from meta.withheld_figures "
                                       "where suite = 'marriage_registration_rules'").fetchall()}
        assert month not in still and still == set(withheld) - {month}
        recorded = con.sql("select rule_id, record_key, recorded_by from meta.explained_exceptions").fetchall()
        assert sorted((r, c) for r, c, _ in recorded) == sorted((r, c) for c, r in failing)
        explained = con.execute("select count(*) from marts.mart_marriage_correction_list "
                                "where registration_month = ? and is_explained "
                                "and exception_reason like '法院判决离婚%'", [month]).fetchall()[0][0]
        assert explained == len(failing)
    # … and once explained, the submission has them.
    form = {r.code: r for r in compute(home / "serving" / "civstat.duckdb", county, month).rows}
    assert form["L04100"].withheld is None and int(form["L04100"].value) > 0


def test_each_office_gets_a_workbook_of_exactly_its_failing_registrations(published, published_truth, tmp_path):
    from python_calamine import CalamineWorkbook

    from warehouse.corrections import write_correction_lists

    settings, _ = published
    written = write_correction_lists(settings.serving_path, tmp_path)
    expected: dict[str, set[str]] = {}
    for t in published_truth["targets"]:
        if t["target"] == "T14" and not t["region"].isdigit():
            expected.setdefault(t["region"], set()).update(t["failing"])
    assert set(written) == {office for office, certs in expected.items() if certs}
    for office in written:
        rows = CalamineWorkbook.from_path(tmp_path / f"{office}_婚姻登记更正清单.xlsx") \
            .get_sheet_by_index(0).to_python()
        assert rows[1][0] == "证书字号" and len(rows) == written[office] + 2
        assert {r[0] for r in rows[2:]} == expected[office]
