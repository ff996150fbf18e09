"""The slice end to end on the real stack: extract → Dagster → dbt → GX → publish → SQL."""

import re
from decimal import Decimal

import duckdb
import pytest

from civstat.cli import main as civstat
from ingestion.identity import InvalidId, parse_citizen_id
from ingestion.records import credit_code_is_valid
from orchestration.run import RunRefused, exclusive_run, run_pipeline
from warehouse.query import QueryRefused, run_query

from conftest import copy_home, run_in
from test_ingestion import personal_values


def test_the_run_ingests_builds_checks_and_publishes(published):
    settings, summary = published
    assert [s.job for s in summary.steps] == ["ingest_yearly_extracts", "ingest_marriage_archive",
                                              "ingest_monthly_extracts", "ingest_snapshots", "build_and_publish"]
    assert summary.success, [s.failures for s in summary.steps]
    # The generated registrations carry planted rule breaches: the marriage
    # gate fails and withholds those months' counts; everything is published.
    assert summary.published and summary.check_failures == [
        "intermediate/int_marriage__rule_checks: marriage_registration_rules"]
    withheld = run_query(settings.serving_path, "select distinct figures from meta.withheld_figures").rows
    assert withheld == [("marriage",)]


def test_the_mart_equals_the_generators_truth(published, published_truth):
    settings, _ = published
    rows = run_query(settings.serving_path, """
        select period_month, township_code, assistance_type, households, persons,
               amount_paid_yuan, standard_person_weighted_yuan
        from mart_assistance_monthly_by_township order by all""").rows
    expected = sorted(
        (t["period"], t["township_code"], t["assistance_type"], t["households"], t["persons"],
         Decimal(t["amount_paid"]), Decimal(t["standard_person_weighted"]))
        for t in published_truth["assistance"]["monthly_by_township_and_type"])
    assert rows == expected


def test_the_serving_file_holds_marts_only_and_says_where_it_came_from(published):
    settings, summary = published
    con = duckdb.connect(str(settings.serving_path), read_only=True)
    try:
        schemas = {r[0] for r in con.execute(
            "select distinct schema_name from duckdb_tables() where database_name = 'civstat'").fetchall()}
        run_id, versions, checks = con.execute(
            "select run_id, data_versions, check_results from meta.publication_log").fetchone()
    finally:
        con.close()
    # the marts, their township tables with small cells hidden, and the quality tables
    assert schemas == {"marts", "public_marts", "meta"}
    assert run_id == summary.steps[-1].run_id
    assert '"source_file"' in versions and '"fct_monthly_assistance_households_validity"' in checks


@pytest.mark.parametrize("database", ["serving", "warehouse"])
def test_nothing_personal_is_published_or_warehoused(published, published_landing, database):
    settings, _ = published
    names, ids = personal_values(published_landing)
    path = settings.serving_path if database == "serving" else settings.warehouse_path
    con = duckdb.connect(str(path), read_only=True)
    text_columns = con.execute("""
        select table_schema, table_name, column_name from information_schema.columns
        where data_type = 'VARCHAR'""").fetchall()
    id_like = []
    for schema, table, column in text_columns:
        values = {v for (v,) in con.execute(f'select distinct "{column}" from "{schema}"."{table}"').fetchall()}
        assert not values & (names | ids), (table, column)
        # Beyond the landing's own IDs: anything that reads as a real ID (18
        # characters, a real birth date, a valid check character). Credit
        # codes and body numbers have the shape, and now and then a date and
        # check that fit too: a valid credit code is an organisation's.
        id_like += [(table, column) for v in values
                    if v and _reads_as_citizen_id(v) and not credit_code_is_valid(v)]
    con.close()
    assert id_like == []


def test_civstat_sql_prints_the_mart(published, capsys, monkeypatch):
    settings, _ = published
    monkeypatch.setenv("CIVSTAT_HOME", str(settings.home))
    assert civstat(["sql", "select * from mart_assistance_monthly_by_township limit 5"]) == 0
    out = capsys.readouterr().out
    assert "township_code" in out and "5 rows" in out and "370832" in out
    assert civstat(["sql", "select period_month, households from mart_assistance_monthly_by_township "
                           "order by 1 limit 2", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "period_month,households"
    assert civstat(["sql", "select 1.50::decimal(4,2) as x", "--format", "json"]) == 0
    assert '"x": "1.50"' in capsys.readouterr().out


@pytest.mark.parametrize("statement", [
    "drop table marts.mart_assistance_monthly_by_township",
    "create table marts.t as select 1",
    "copy (select 1) to '/tmp/civstat-leak.csv'",
    "select * from read_csv('/etc/passwd')",
])
def test_statements_that_write_or_reach_out_are_refused(published, statement, capsys, monkeypatch):
    settings, _ = published
    with pytest.raises(QueryRefused):
        run_query(settings.serving_path, statement)
    monkeypatch.setenv("CIVSTAT_HOME", str(settings.home))
    assert civstat(["sql", statement]) == 2
    assert "read-only" in capsys.readouterr().err


def test_a_second_run_on_the_same_files_changes_no_data_and_publishes_again(published, tmp_path):
    shared, first = published
    home = tmp_path / "home"          # the shared home stays as it was published
    copy_home(shared.home, home)
    before = run_query(home / "serving" / "civstat.duckdb",
                       "select * from mart_assistance_monthly_by_township order by all").rows
    settings, again = run_in(home, shared.landing_dir)
    assert again.success
    # Every file is in the ledger already: no ingestion run. Nothing changed since
    # the last good build: nothing is rebuilt, the marts are published again.
    assert [step.job for step in again.steps] == ["build_and_publish"]
    assert first.rebuilt is None and again.rebuilt == ["serving_marts"]
    assert run_query(settings.serving_path, "select * from mart_assistance_monthly_by_township order by all").rows == before
    runs = run_query(settings.serving_path, "select run_id from meta.publication_log order by published_at").rows
    assert [r[0] for r in runs] == [first.steps[-1].run_id, again.steps[-1].run_id]


def test_failing_validity_rules_withhold_the_figures_they_touch_and_publish_the_rest(corrected_run):
    """The absurd amount withholds its assistance month; the rejected
    temporary-aid file withholds its month; everything else is published."""
    run = corrected_run
    assert run.summary.published
    assert {"marts/fct_monthly_assistance_households: fct_monthly_assistance_households_validity",
            "intermediate/int_ingestion__file_accounting: ingestion_accounting"} <= set(run.summary.check_failures)
    serving = run.settings.serving_path
    withheld = run_query(serving, "select figures, period, suite, failing_rules, failing_records "
                                  "from meta.withheld_figures where figures <> 'marriage' order by all").rows
    assert withheld == [
        ("assistance", run.assistance_period, "fct_monthly_assistance_households_validity",
         "expression_is_true(amount_paid_yuan <= 2 * standard_yuan_per_person_month * persons_covered)", 1),
        ("temporary_aid", run.aid_period, "ingestion_accounting", "I01", 1),
    ]
    # The month keeps the version it had; its figures are marked withheld.
    kept = run_query(serving, "select count(*) from fct_temporary_aid_grants "
                              f"where period_month = '{run.aid_period}'").rows[0][0]
    assert kept > 0


def test_two_runs_at_once_are_refused_cleanly(settings):
    settings.landing_dir.mkdir(parents=True)
    with exclusive_run(settings):
        with pytest.raises(RunRefused, match="another civstat run"):
            run_pipeline(settings)


def test_an_empty_landing_folder_is_a_clear_usage_error(settings, capsys, monkeypatch):
    settings.landing_dir.mkdir(parents=True)
    monkeypatch.setenv("CIVSTAT_HOME", str(settings.home))
    assert civstat(["run"]) == 2
    assert "nothing to build" in capsys.readouterr().err


def _reads_as_citizen_id(value: str) -> bool:
    for candidate in re.findall(r"\d{17}[\dX]", value):
        try:
            parse_citizen_id(candidate)
        except InvalidId:
            continue
        return True
    return False
