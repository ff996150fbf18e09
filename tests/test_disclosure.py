"""Disclosure control: small cells by township hidden in public_marts, totals kept exact."""

from __future__ import annotations

import csv
import os

import duckdb
import openpyxl
import pytest

from warehouse.disclosure import (
    NOT_CONTROLLED,
    POLICY,
    PUBLIC_SCHEMA,
    REMAINDER_NAME,
    SMALL_CELL_MAX,
    build_public_marts,
)

from conftest import isolated_environ


def _assistance(con, cells: dict[str, tuple[int, int]], month: str = "2024-01", kind: str = "农村低保") -> None:
    """marts.mart_assistance_monthly_by_township with one row per township: (households, persons)."""
    con.execute("create schema if not exists marts")
    con.execute("""create table if not exists marts.mart_assistance_monthly_by_township (
        period_month varchar, township_code varchar, assistance_type varchar, households bigint,
        persons bigint, amount_paid_yuan decimal(18,2), standard_person_weighted_yuan decimal(18,2))""")
    for code, (households, persons) in cells.items():
        con.execute("insert into marts.mart_assistance_monthly_by_township values (?, ?, ?, ?, ?, ?, 600)",
                    [month, code, kind, households, persons, persons * 600])


def _public(con, table: str = "mart_assistance_monthly_by_township") -> dict:
    rows = con.execute(f"select township_code, households, persons, amount_paid_yuan, disclosure_note "
                       f"from {PUBLIC_SCHEMA}.{table} order by township_code nulls last").fetchall()
    return {r[0]: r[1:] for r in rows}


@pytest.fixture
def con():
    connection = duckdb.connect()
    yield connection
    connection.close()


def test_a_small_cell_and_its_complement_are_hidden_and_the_remainder_keeps_the_county_total(con):
    _assistance(con, {"t1": (2, 3), "t2": (10, 20), "t3": (30, 60), "t4": (40, 80)})
    build_public_marts(con, enabled=True)
    public = _public(con)
    assert public["t1"][:3] == (None, None, None)              # 3 persons: small, with its amount
    assert "救助人数已隐去（小数）" in public["t1"][3]
    assert public["t2"][:3] == (None, None, None)              # the smallest other: complementary
    assert "互补隐去" in public["t2"][3]
    assert public["t3"][:2] == (30, 60) and public["t3"][3] is None
    assert public[None][:3] == (12, 23, 23 * 600)               # the remainder: what was hidden
    assert public[None][3].startswith(REMAINDER_NAME)
    total = "select sum(persons), sum(amount_paid_yuan) from {}.mart_assistance_monthly_by_township"
    assert con.execute(total.format("marts")).fetchall() == con.execute(total.format(PUBLIC_SCHEMA)).fetchall()


def test_two_small_cells_whose_sum_would_give_them_away_get_a_third(con):
    # Hidden 1 + 1 = 2: a reader who knows zeros are shown knows both are 1.
    _assistance(con, {"t1": (1, 1), "t2": (1, 1), "t3": (50, 90), "t4": (60, 100)})
    build_public_marts(con, enabled=True)
    public = _public(con)
    assert public["t1"][1] is None and public["t2"][1] is None
    assert public["t3"][1] is None and "互补隐去" in public["t3"][3]
    assert public["t4"][1] == 100


def test_two_small_cells_with_enough_between_them_need_no_complement(con):
    _assistance(con, {"t1": (4, 4), "t2": (4, 4), "t3": (50, 90)})
    build_public_marts(con, enabled=True)
    public = _public(con)
    assert public["t1"][1] is None and public["t2"][1] is None     # 8 = 4 + 4, each in [1, 7]
    assert public["t3"][1] == 90


def test_a_lone_small_cell_among_zeros_hides_the_zeros(con):
    # The county total is 3: the only question left is which township.
    _assistance(con, {"t1": (0, 0), "t2": (2, 3), "t3": (0, 0)})
    meta = build_public_marts(con, enabled=True)
    public = _public(con)
    assert [public[t][1] for t in ("t1", "t2", "t3")] == [None, None, None]
    assert public[None][1] == 3
    assert next(m for m in meta if m["count_column"] == "persons")["exposed_cells"] == 0


def test_a_cell_alone_in_its_total_is_counted_as_exposed(con):
    _assistance(con, {"t1": (2, 3)})
    meta = build_public_marts(con, enabled=True)
    persons = next(m for m in meta if m["count_column"] == "persons")
    assert (persons["small_cells"], persons["complementary_cells"], persons["exposed_cells"]) == (1, 0, 1)
    [[recorded]] = con.execute("select exposed_cells from meta.disclosure_control "
                               "where count_column = 'persons'").fetchall()
    assert recorded == 1


def test_each_month_is_its_own_total(con):
    _assistance(con, {"t1": (2, 3), "t2": (10, 20), "t3": (30, 60)}, month="2024-01")
    _assistance(con, {"t1": (20, 30), "t2": (10, 20), "t3": (30, 60)}, month="2024-02")
    build_public_marts(con, enabled=True)
    feb = con.execute(f"select count(*) from {PUBLIC_SCHEMA}.mart_assistance_monthly_by_township "
                      "where period_month = '2024-02' and persons is null").fetchall()
    assert feb == [(0,)]


def test_switched_off_the_public_tables_are_exact_copies_and_say_so(con):
    _assistance(con, {"t1": (2, 3), "t2": (10, 20), "t3": (30, 60)})
    meta = build_public_marts(con, enabled=False)
    assert con.execute(f"select township_code, households, persons from {PUBLIC_SCHEMA}.mart_assistance_monthly_by_township "
                       "order by 1").fetchall() == [("t1", 2, 3), ("t2", 10, 20), ("t3", 30, 60)]
    assert all(not m["enabled"] and m["small_cells"] == 0 for m in meta)
    notes = con.execute(f"select distinct disclosure_note from {PUBLIC_SCHEMA}.mart_assistance_monthly_by_township")
    assert notes.fetchall() == [(NOT_CONTROLLED,)]


def test_a_township_year_hidden_hides_its_months(con):
    """The monthly funeral table adds up to the yearly one, which is public too."""
    con.execute("create schema marts")
    con.execute("""create table marts.mart_funeral_yearly_by_township as
        select * from (values ('2024', 't1', 'A', 'c', 3, 3, 3, 3, 3, 300.00, 100.00, 100.00),
                              ('2024', 't2', 'B', 'c', 40, 40, 40, 40, 40, 4000.00, 100.00, 100.00),
                              ('2024', 't3', 'C', 'c', 50, 50, 50, 50, 50, 5000.00, 100.00, 100.00))
        t(period_year, township_code, township_name, county_code, deaths_registered, deaths_handled, cremated,
          burials_given, eco_burials, subsidy_yuan, cremation_rate_pct, eco_burial_rate_pct)""")
    con.execute("""create table marts.mart_funeral_monthly_by_township as
        select * from (values ('2024-01', 't1', 'A', 'c', 2, 2, 2, 2, 200.00, 100.00, 100.00),
                              ('2024-02', 't1', 'A', 'c', 1, 1, 1, 1, 100.00, 100.00, 100.00),
                              ('2024-01', 't2', 'B', 'c', 20, 20, 20, 20, 2000.00, 100.00, 100.00),
                              ('2024-02', 't2', 'B', 'c', 20, 20, 20, 20, 2000.00, 100.00, 100.00))
        t(period_month, township_code, township_name, county_code, deaths_handled, cremated, burials_given,
          eco_burials, subsidy_yuan, cremated_share_of_handled_pct, eco_burial_rate_pct)""")
    build_public_marts(con, enabled=True)
    yearly = dict(con.execute(f"select township_code, cremated from {PUBLIC_SCHEMA}.mart_funeral_yearly_by_township "
                              "where township_code is not null").fetchall())
    assert yearly["t1"] is None and yearly["t2"] is None and yearly["t3"] == 50
    rates = con.execute(f"select cremation_rate_pct from {PUBLIC_SCHEMA}.mart_funeral_yearly_by_township "
                        "where township_code in ('t1', 't2') or township_code is null").fetchall()
    assert rates == [(None,)] * 3     # a rate reveals its counts; the remainder has none
    monthly = con.execute(f"select township_code, count(*) filter (where cremated is null) "
                          f"from {PUBLIC_SCHEMA}.mart_funeral_monthly_by_township where township_code = 't1' "
                          "group by 1").fetchall()
    assert monthly == [("t1", 2)]


# ------------------------------------------------------------------ on a real publication
def assert_protected(con: duckdb.DuckDBPyConnection) -> int:
    """Every published township cell is 0 or ≥ 5 or hidden; every county total of a
    count equals the marts'; every total with hidden persons is safe or recorded
    as exposed. Returns the number of hidden cells seen."""
    hidden_cells = 0
    for table in POLICY:
        for count in table.counts:
            column = count.column
            totals = f"and not ({table.totals_where})" if table.totals_where else ""
            visible_small = con.execute(
                f"select count(*) from {PUBLIC_SCHEMA}.{table.name} where {column} between 1 and {SMALL_CELL_MAX} "
                f"and {table.township} is not null {totals}").fetchall()[0][0]
            assert visible_small == 0, f"{table.name}.{column}: {visible_small} small cells shown"
            if table.remainder:
                assert con.execute(f"select sum({column}) from marts.{table.name}").fetchall() == \
                    con.execute(f"select sum({column}) from {PUBLIC_SCHEMA}.{table.name}").fetchall(), \
                    f"{table.name}.{column}: the county total changed"
            group = [k for k in table.keys if k != table.township]
            unsafe = con.execute(f"""
                with m as (select * from marts.{table.name} where true {totals}),
                cells as (
                    select {", ".join(f"m.{k}" for k in group)}, m.{column} as value, p.{column} is null as hidden
                    from m join {PUBLIC_SCHEMA}.{table.name} p using ({", ".join(table.keys)})
                )
                select count(*) from (
                    select count(*) filter (where hidden and value > 0) as n,
                           sum(value) filter (where hidden and value > 0) as s,
                           count(*) filter (where hidden and value = 0) as zeros
                    from cells group by all having n > 0)
                where zeros = 0 and (n = 1 or s - n + 1 <= {SMALL_CELL_MAX})""").fetchall()[0][0]
            [[exposed]] = con.execute("select coalesce(sum(exposed_cells), 0) from meta.disclosure_control "
                                      "where table_name = ? and count_column = ?", [table.name, column]).fetchall()
            assert unsafe <= exposed, f"{table.name}.{column}: {unsafe} totals give hidden cells away"
            # what would give a hidden count back (its yuan, a mean over it) is hidden with it
            for linked in count.linked:
                shown = con.execute(f"select count(*) from {PUBLIC_SCHEMA}.{table.name} where {column} is null "
                                    f"and {linked} is not null and {table.township} is not null").fetchall()[0][0]
                assert shown == 0, f"{table.name}.{linked}: shown where {column} is hidden"
            hidden_cells += con.execute(f"select count(*) from {PUBLIC_SCHEMA}.{table.name} "
                                        f"where {column} is null and {table.township} is not null").fetchall()[0][0]
    return hidden_cells


def test_a_publication_hides_every_small_township_cell_and_keeps_county_totals(published):
    settings, _ = published
    con = duckdb.connect(str(settings.serving_path), read_only=True)
    try:
        tables = {r[0] for r in con.execute("select table_name from duckdb_tables() "
                                            f"where schema_name = '{PUBLIC_SCHEMA}'").fetchall()}
        assert tables == {t.name for t in POLICY}
        assert assert_protected(con) > 0
        [[enabled, small]] = con.execute("select bool_and(enabled), sum(small_cells) "
                                         "from meta.disclosure_control").fetchall()
        assert enabled and small > 0
    finally:
        con.close()


# ------------------------------------------------------------------ public exports
def _civstat_export(settings, *args) -> int:
    from civstat.cli import main
    with isolated_environ():
        os.environ["CIVSTAT_HOME"] = str(settings.home)
        os.environ["CIVSTAT_PSEUDONYM_KEY"] = "test-key"
        return main(["export", *args])


def test_a_public_export_is_the_public_table_and_says_what_it_hid(published, tmp_path, capsys):
    settings, _ = published
    out = tmp_path / "aid.csv"
    assert _civstat_export(settings, "mart_temporary_aid_monthly_by_township", "--out", str(out)) == 0
    with open(out, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    con = duckdb.connect(str(settings.serving_path), read_only=True)
    try:
        expected = con.execute(f"select count(*), count(*) filter (where persons is null), sum(persons) "
                               f"from {PUBLIC_SCHEMA}.mart_temporary_aid_monthly_by_township").fetchall()
        [[exact_persons]] = con.execute("select sum(persons) from marts.mart_temporary_aid_monthly_by_township").fetchall()
    finally:
        con.close()
    assert [(len(rows), sum(r["persons"] == "" for r in rows), sum(int(r["persons"] or 0) for r in rows))] == expected
    assert expected[0][1] > 0 and expected[0][2] == exact_persons
    assert not any(1 <= int(r["persons"] or 0) <= SMALL_CELL_MAX for r in rows if r["township_code"])
    assert all("已隐去" in r["disclosure_note"] for r in rows if r["persons"] == "")
    assert "已隐去" in capsys.readouterr().out

    workbook = tmp_path / "aid.xlsx"
    assert _civstat_export(settings, "mart_temporary_aid_monthly_by_township", "--out", str(workbook)) == 0
    sheet = openpyxl.load_workbook(workbook).active
    values = [row for row in sheet.iter_rows(values_only=True)]
    assert len(values) == len(rows) + 3 and values[-1][0].startswith("数据保护")


def test_a_table_without_a_disclosure_policy_is_not_exported(published, tmp_path, capsys):
    settings, _ = published
    assert _civstat_export(settings, "dim_person", "--out", str(tmp_path / "persons.csv")) == 2
    assert "no disclosure policy" in capsys.readouterr().err
    assert not (tmp_path / "persons.csv").exists()
