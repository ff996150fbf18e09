"""The plan attainment report (`civstat targets`) over two published years: the
county's last year equals the generator's truth for every target it knows;
the workbook opens, has one row per target under the header, and has the
same bytes every time it is written; unknown regions and years are named."""

from __future__ import annotations

import datetime as dt
import io
import time
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from itertools import takewhile

import duckdb
import pytest
from python_calamine import CalamineWorkbook
from rich.console import Console

from warehouse.query import run_query
from warehouse.targets_report import attainment_rows, print_report, write_xlsx

SHEET = "十四五规划目标完成情况"
HEADER = ["编号", "指标名称", "单位", "要求", "目标值", "实际值", "完成情况", "差距", "趋势", "暂缓发布", "规划表述"]
PLAN = [f"T{n:02d}" for n in range(1, 23)]


@pytest.fixture(scope="module")
def serving(published):
    settings, summary = published
    assert summary.published, summary
    return settings.serving_path


@pytest.fixture(scope="module")
def county_truth(published_truth) -> tuple[str, str, dict[str, dict]]:
    """(county code, last year, target → the truth's county value that year)."""
    county = [t for t in published_truth["targets"] if t["region"].isdigit() and len(t["region"]) == 12
              and t["region"].endswith("000000")]
    (region,) = {t["region"] for t in county}
    year = max(t["year"] for t in county)
    return region, str(year), {t["target"]: t for t in county if t["year"] == year}


@pytest.fixture(scope="module")
def report(serving, county_truth):
    region, year, _ = county_truth
    return attainment_rows(serving, region, year)


def _expected(truth: dict, unit: str) -> Decimal | None:
    """The truth's value in the report's unit: a rate as a percentage, rounded half-up
    to 2 decimals from the truth's own numerator and denominator."""
    if truth["value"] is None:
        return None
    if unit != "%":
        return Decimal(str(truth["value"]))
    numerator, denominator = truth.get("numerator"), truth.get("denominator")
    if numerator is None or denominator is None:
        return Decimal(truth["value"]) * 100
    return (Decimal(str(numerator)) * 100 / Decimal(str(denominator))).quantize(Decimal("0.01"), ROUND_HALF_UP)


def test_the_county_report_of_the_last_year_equals_the_truth_for_every_target(report, county_truth):
    region, year, truth = county_truth
    assert [row.target_id for row in report] == PLAN          # every target, in catalogue order
    assert {(row.region_code, row.year) for row in report} == {(region, year)}
    by_id = {row.target_id: row for row in report}
    wrong = []
    for target_id, expected_truth in sorted(truth.items()):
        row = by_id[target_id]
        expected = _expected(expected_truth, row.unit)
        if expected is None:
            if (row.actual, row.status, row.status_zh) != (None, "no_data", "无数据"):
                wrong.append((target_id, row.actual, row.status, "expected no data"))
        elif row.actual != expected:
            wrong.append((target_id, row.actual, "expected", expected))
    assert not wrong, "\n".join(map(str, wrong))
    assert len(truth) == len(PLAN)
    assert {row.status_zh for row in report} <= {"达标", "未达标", "无数据", "无目标值"}


def test_the_printed_report_colours_statuses_and_ends_with_the_counts(serving, county_truth):
    # The first year: T21 has no year before it to compare with, so all three statuses occur.
    region, year, _ = county_truth
    report = attainment_rows(serving, region, str(int(year) - 1))
    console = Console(file=io.StringIO(), width=200, force_terminal=True, color_system="standard", record=True)
    print_report(report, console)
    text = console.export_text(styles=False, clear=False)
    met = sum(row.status == "met" for row in report)
    not_met = sum(row.status == "not_met" for row in report)
    no_data = sum(row.status == "no_data" for row in report)
    assert met and not_met and no_data
    assert text.rstrip().splitlines()[-1] == f"共 {len(report)} 项：达标 {met} 项 / 未达标 {not_met} 项 / 无数据 {no_data} 项"
    assert all(row.target_id in text for row in report)
    ansi = console.export_text(styles=True)
    assert "\x1b[32m达标" in ansi and "\x1b[31m未达标" in ansi


def test_the_workbook_has_one_row_per_target_under_the_header(report, tmp_path):
    path = tmp_path / "targets.xlsx"
    first = report[0]
    write_xlsx(report, path, first.region_name, first.year)
    book = CalamineWorkbook.from_path(str(path))
    assert book.sheet_names == [SHEET]
    cells = book.get_sheet_by_name(SHEET).to_python()
    assert first.region_name in cells[0][0] and first.year in cells[0][0]
    assert first.region_code in cells[1][0] and first.year in cells[1][0]
    header_at = next(i for i, row in enumerate(cells) if row[:len(HEADER)] == HEADER)
    body = list(takewhile(lambda row: any(v != "" for v in row), cells[header_at + 1:]))
    assert [row[0] for row in body] == [r.target_id for r in report]
    for row, cells_of_row in zip(report, body):
        assert cells_of_row[2] == row.unit and cells_of_row[6] == row.status_zh
        shown = cells_of_row[5]
        if row.actual is None:
            assert shown == ""
        else:   # a rate is a true percentage cell: 36.01 % is 0.3601
            assert shown == pytest.approx(float(row.actual / 100 if row.unit == "%" else row.actual), abs=1e-9)


def test_writing_the_workbook_twice_gives_identical_bytes(report, serving, tmp_path):
    first = report[0]
    write_xlsx(report, tmp_path / "a.xlsx", first.region_name, first.year)
    time.sleep(1.1)           # a clock in the file would now differ
    write_xlsx(report, tmp_path / "b.xlsx", first.region_name, first.year)
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.xlsx") as package:
        assert {info.date_time for info in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        core = package.read("docProps/core.xml").decode()
    published = run_query(serving, "select max(published_at) at time zone 'UTC' from meta.publication_log").rows[0][0]
    assert core.count(f"{published:%Y-%m-%dT%H:%M:%S}Z") == 2        # created and modified


def test_an_unknown_region_raises_a_value_error_listing_the_regions(serving, county_truth):
    region, year, _ = county_truth
    with pytest.raises(ValueError) as raised:
        attainment_rows(serving, region[:6] + "999000", year)
    message = str(raised.value)
    regions = [code for (code,) in run_query(serving, "select distinct region_code from "
                                                      "mart_target_attainment order by 1").rows]
    assert region[:6] + "999000" in message and region in regions and len(regions) > 1
    assert all(code in message for code in regions)


def test_a_year_without_figures_raises_a_value_error_listing_the_years(serving, county_truth):
    region, year, _ = county_truth
    with pytest.raises(ValueError, match=rf"1999.*years: {int(year) - 1}, {year}"):
        attainment_rows(serving, region, 1999)


def _serving_file(path, *, with_sources: bool):
    """A serving file written out by hand: four targets of one county in 2024,
    and withheld figures of assistance and marriage in 2024 and of cremation in 2023."""
    with duckdb.connect(str(path)) as con:
        con.execute("create schema marts")
        con.execute("create schema meta")
        con.execute("""
            create table marts.mart_target_attainment as
            select target_id, indicator_name, '370832000000' as region_code, '梁山县' as region_name,
                   'county' as region_level, '2024' as period, 'year' as period_type,
                   actual::decimal(18, 2) as actual_value, goal::decimal(18, 2) as target_value, comparator, unit,
                   status, (actual - goal)::decimal(18, 2) as gap, null as trend, written as value_as_written
            from (values
                ('D01', '护理型养老院建设（床位数在规定区间）', 1, 1, '>=', '所', 'met', '1所'),
                ('T14', '婚姻登记合格率', 89.13, 100, '=', '%', 'not_met', '100%'),
                ('T03', '城市低保平均标准', 880, 950, '>=', '元/人·月', 'not_met', '每人每月950元'),
                ('T13', '火化率', 96.37, 95, '>=', '%', 'met', '保持在95%以上')
            ) as t(target_id, indicator_name, actual, goal, comparator, unit, status, written)""")
        sources = ", gate_sources" if with_sources else ""
        con.execute(f"""
            create table marts.target_indicators as
            select target_id, measure{sources} from (values
                ('T03', 'mean', 'assistance'), ('T13', 'rate', 'cremation,deaths'),
                -- the 合格率 is published while the marriage counts are withheld
                ('T14', 'rate', ''), ('D01', 'value', 'elderly_care')
            ) as t(target_id, measure, gate_sources)""")
        con.execute("""
            create table meta.withheld_figures as
            select * from (values ('assistance', '2024-03'), ('marriage', '2024-05'), ('cremation', '2023-07'))
                as t(figures, period)""")
        con.execute("create table meta.publication_log as select timestamptz '2025-01-31 08:00:00.25+00' "
                    "as published_at")


def test_a_target_is_withheld_when_a_source_the_catalogue_names_is_withheld_that_year(tmp_path):
    _serving_file(tmp_path / "with.duckdb", with_sources=True)
    rows = attainment_rows(tmp_path / "with.duckdb", "370832", "2024")
    assert [row.target_id for row in rows] == ["T03", "T13", "T14", "D01"]
    assert [(row.withheld, row.withheld_periods) for row in rows] == [
        (True, ("2024-03",)), (False, ()), (False, ()), (False, ())]
    assert {row.published_at for row in rows} == {dt.datetime(2025, 1, 31, 8, 0, 0)}


def test_without_sources_in_the_catalogue_whether_a_figure_is_withheld_is_unknown(tmp_path):
    _serving_file(tmp_path / "without.duckdb", with_sources=False)
    rows = attainment_rows(tmp_path / "without.duckdb", "370832000000", 2024)
    assert {(row.withheld, row.withheld_periods) for row in rows} == {(None, ())}
