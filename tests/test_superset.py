"""Superset as a service: started for real, provisioned from superset/dashboards/, read back, screenshotted.

Needs `.venv-superset` (`civstat superset setup`, a few minutes) and, for the
screenshots, Debian's chromium with fonts-noto-cjk; skipped with the reason
otherwise. Run alone with `pytest -m superset tests/test_superset.py`.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import os
import secrets
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from superset import service
from superset.api import connect
from superset.provision import apply, load_definitions

from conftest import free_port

pytestmark = [
    pytest.mark.superset,
    pytest.mark.skipif(not service.venv_ready(),
                       reason=".venv-superset is absent or stale: run `civstat superset setup` (about 2 minutes)"),
]

RESOURCES = ("database", "dataset", "chart", "dashboard")



@pytest.fixture(scope="module")
def running(published, tmp_path_factory):
    """A real Superset on a free local port, its own state directory, reading a
    copy of the published serving file (a test publishes new versions of it)."""
    settings, _ = published
    home = tmp_path_factory.mktemp("superset-home")
    (home / "serving").mkdir()
    shutil.copy2(settings.serving_path, home / "serving" / settings.serving_path.name)
    settings = dataclasses.replace(settings, home=home, serving_dir=home / "serving",
                                   superset_url=f"http://127.0.0.1:{free_port()}", superset_user="admin",
                                   superset_password=secrets.token_urlsafe(16), demo=False)
    saved = os.environ.get("SUPERSET_SECRET_KEY")
    os.environ["SUPERSET_SECRET_KEY"] = secrets.token_urlsafe(48)
    try:
        service.up(settings)
        yield settings
    finally:
        service.down(settings)
        if saved is None:
            os.environ.pop("SUPERSET_SECRET_KEY", None)
        else:
            os.environ["SUPERSET_SECRET_KEY"] = saved


@pytest.fixture(scope="module")
def client(running):
    return connect(running.superset_url, running.superset_user, running.superset_password)


@pytest.fixture(scope="module")
def provisioned(running, client):
    """The first provisioning run: its report."""
    return apply(client, running.serving_path, load_definitions())


@pytest.fixture(scope="module")
def marts(running):
    con = duckdb.connect(str(running.serving_path), read_only=True)
    con.execute("set search_path = 'marts'")
    yield con
    con.close()


def _chart(provisioned, name: str) -> int:
    return provisioned.ids("chart")[name]


def _number(value) -> float:
    return float(value) if isinstance(value, Decimal) else value


def _decimal(value) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _month(epoch_ms: float) -> str:
    """A temporal axis value (milliseconds since 1970, UTC) as 'YYYY-MM'."""
    return dt.datetime.fromtimestamp(epoch_ms / 1000, dt.timezone.utc).strftime("%Y-%m")


# ------------------------------------------------------------------ lifecycle
def test_superset_answers_on_localhost_only_and_a_second_up_reuses_it(running):
    assert service.is_up(running)
    assert service.up(running) == running.superset_url
    assert running.superset_url.startswith("http://127.0.0.1:")


def test_without_a_password_outside_demo_mode_superset_refuses_to_start(running):
    from civstat.settings import SettingsError

    with pytest.raises(SettingsError, match="CIVSTAT_SUPERSET_PASSWORD"):
        service.admin_credentials(dataclasses.replace(running, superset_password=None, demo=False))


def test_the_serving_file_is_opened_read_only(client, provisioned):
    db_id = provisioned.ids("database")["civstat 发布库（只读）"]
    assert client.sql(db_id, "select current_setting('access_mode') as mode") == [{"mode": "read_only"}]


# ---------------------------------------------------------------- idempotence
def test_provisioning_twice_creates_and_changes_nothing(client, running, provisioned):
    defs = load_definitions()
    assert provisioned.count("created") == 1 + len(defs.datasets) + sum(1 + len(d["charts"]) for d in defs.dashboards)
    before = {r: client.count(r) for r in RESOURCES}

    again = apply(client, running.serving_path, defs)

    assert again.count("created") == 0 and again.count("updated") == 0
    assert {r: client.count(r) for r in RESOURCES} == before
    assert again.ids("chart") == provisioned.ids("chart")


def test_a_changed_chart_definition_updates_that_chart_only(client, running, provisioned):
    defs = load_definitions()
    changed = copy.deepcopy(defs)
    chart = next(c for d in changed.dashboards for c in d["charts"] if c["name"] == "临时救助人次")
    chart["metric"] = {"label": "临时救助金额", "sql": "SUM(amount_yuan)"}
    try:
        report = apply(client, running.serving_path, changed)
        assert [n for n, (a, _) in report.objects["chart"].items() if a == "updated"] == ["临时救助人次"]
        assert report.count("created") == 0
        [[row]] = client.chart_data(_chart(provisioned, "临时救助人次"))
        assert "临时救助金额" in row
    finally:
        apply(client, running.serving_path, defs)
    [[row]] = client.chart_data(_chart(provisioned, "临时救助人次"))
    assert list(row) == ["临时救助人次"]


def test_a_chart_edited_in_superset_is_put_back_with_its_query(client, running, provisioned):
    """Someone saves a chart from the UI (its params without civstat's digest,
    another query): the next provisioning finds it in the chart list and
    puts it back, query and all."""
    chart_id = _chart(provisioned, "临时救助人次")
    before = client.fetch("chart", chart_id)
    params = json.loads(before["params"])
    params.pop("civstat_query_context_sha256")
    client.update("chart", chart_id, {"params": json.dumps({**params, "row_limit": 5}), "query_context": "{}"})

    report = apply(client, running.serving_path, load_definitions())

    assert [n for n, (a, _) in report.objects["chart"].items() if a == "updated"] == ["临时救助人次"]
    after = client.fetch("chart", chart_id)
    assert json.loads(after["params"]) == json.loads(before["params"])
    assert json.loads(after["query_context"]) == json.loads(before["query_context"])


def test_the_targets_dashboard_opens_on_the_county_and_the_latest_year(client, provisioned, marts):
    """Default filter values go in the data mask, so the charts are filtered
    (Superset's "first value" option only marks the value in the filter bar)."""
    county, year = marts.sql("""select (select region_name from mart_target_attainment where region_level = 'county'
                                        limit 1),
                                       (select max(period) from mart_target_attainment where period_type = 'year')"""
                             ).fetchall()[0]
    meta = json.loads(client.fetch("dashboard", provisioned.ids("dashboard")["civstat-targets"])["json_metadata"])
    masks = {f["name"]: f["defaultDataMask"] for f in meta["native_filter_configuration"]}
    assert masks["地区"]["extraFormData"]["filters"] == [{"col": "region_name", "op": "IN", "val": [county]}]
    assert masks["年度"]["filterState"]["value"] == [year]
    assert masks["年度"]["extraFormData"]["filters"][0]["val"] == [year]


# -------------------------------------------------------- figures = the marts
def test_target_attainment_counts_equal_the_mart(client, provisioned, marts):
    expected = dict(marts.sql("select status, count(*) from mart_target_attainment group by 1").fetchall())
    for chart, label, status in (("已达标目标数", "已达标", "met"), ("未达标目标数", "未达标", "not_met"),
                                 ("暂无数据目标数", "暂无数据", "no_data")):
        [[row]] = client.chart_data(_chart(provisioned, chart))
        assert row[label] == expected.get(status, 0), chart


def test_the_places_breaking_a_100_percent_rule_are_those_of_the_mart(client, provisioned, marts):
    expected = marts.sql("""select region_name, period, target_id from mart_target_attainment
                            where is_all_records_rule and status = 'not_met' and region_level = 'township'
                            order by all""").fetchall()
    [rows] = client.chart_data(_chart(provisioned, "未达到百分之百规则的地方"))
    assert sorted((r["region_name"], r["period"], r["target_id"]) for r in rows) == expected


def test_every_chart_answers_its_saved_query_and_detail_tables_are_not_grouped(client, provisioned):
    """The saved query (what the chart-data API, reports and caches run), not
    the one the browser builds: a detail table must list rows as they are."""
    for dashboard in load_definitions().dashboards:
        for chart in dashboard["charts"]:
            chart_id = _chart(provisioned, chart["name"])
            assert all(isinstance(rows, list) for rows in client.chart_data(chart_id)), chart["name"]
            if chart["viz"] == "table" and "columns" in chart:
                [query] = client.api("GET", f"chart/{chart_id}/data/", params={"type": "query"})["result"]
                assert "GROUP BY" not in query["query"].upper(), chart["name"]


def test_each_target_row_of_the_progress_table_equals_the_mart(client, provisioned, marts):
    expected = {(t, r, p): (_number(a), _number(v)) for t, r, p, a, v in marts.sql(
        "select target_id, region_name, period, actual_value, target_value from mart_target_attainment").fetchall()}
    [rows] = client.chart_data(_chart(provisioned, "各项目标进度"))
    got = {(r["target_id"], r["region_name"], r["period"]): (r["actual_value"], r["target_value"]) for r in rows}
    assert got == expected


def test_assistance_key_figures_equal_the_mart(client, provisioned, marts):
    latest, dibao, tekun = marts.sql("""
        select period_month,
               sum(persons) filter (where assistance_type in ('城市低保', '农村低保')),
               sum(persons) filter (where assistance_type in ('城市特困', '农村特困'))
        from mart_assistance_monthly_by_township group by 1 order by 1 desc limit 1""").fetchall()[0]
    for chart, label, value in (("低保对象人数（最近一月）", "低保人数", dibao), ("特困人员人数（最近一月）", "特困人数", tekun)):
        [rows] = client.chart_data(_chart(provisioned, chart))
        last = max(rows, key=lambda r: r["month_start"])
        assert last[label] == value, chart
        assert len(rows) == marts.sql("select count(distinct period_month) from "
                                      "mart_assistance_monthly_by_township").fetchall()[0][0]

    [[row]] = client.chart_data(_chart(provisioned, "低保特困资金发放"))
    paid = marts.sql("select sum(amount_paid_yuan) from mart_assistance_monthly_by_township").fetchall()[0][0]
    assert Decimal(str(row["发放金额（元）"])) == paid

    [[row]] = client.chart_data(_chart(provisioned, "临时救助人次"))
    assert row["临时救助人次"] == marts.sql("select sum(grants) from mart_temporary_aid_monthly_by_township").fetchall()[0][0]

    [rows] = client.chart_data(_chart(provisioned, "低保特困月度明细"))
    expected = marts.sql("""select period_month, assistance_type, sum(households), sum(persons)
                            from mart_assistance_monthly_by_township group by all order by all""").fetchall()
    assert sorted((r["period_month"], r["assistance_type"], r["户数"], r["人数"]) for r in rows) == expected


def _latest(rows: list[dict], axis: str) -> dict:
    return max(rows, key=lambda r: r[axis])


def test_children_key_figures_equal_the_mart(client, provisioned, marts):
    """The big numbers and the line read the public table: its remainder row
    keeps the county's children exact, so they equal the marts."""
    orphans, unsupported = marts.sql("""
        select sum(children) filter (where child_category in ('集中养育孤儿', '社会散居孤儿')),
               sum(children) filter (where child_category = '事实无人抚养儿童')
        from mart_child_welfare_monthly_by_township group by period_month order by period_month desc limit 1
        """).fetchall()[0]
    [[months]] = marts.sql("select count(distinct period_month) from mart_child_welfare_monthly_by_township").fetchall()
    for chart, label, value in (("孤儿人数（最近一月）", "孤儿人数", orphans),
                                ("事实无人抚养儿童人数（最近一月）", "事实无人抚养儿童人数", unsupported)):
        [rows] = client.chart_data(_chart(provisioned, chart))
        assert _latest(rows, "month_start")[label] == value > 0, chart
        assert len(rows) == months, chart

    [rows] = client.chart_data(_chart(provisioned, "孤儿和事实无人抚养儿童人数（按月）"))
    expected = marts.sql("""select period_month, child_category, sum(children)
                            from mart_child_welfare_monthly_by_township group by all order by all""").fetchall()
    assert sorted((_month(r["month_start"]), r["child_category"], r["儿童人数"]) for r in rows) == expected


def test_the_places_without_a_childrens_director_or_supervisor_are_those_of_the_mart(client, provisioned, marts):
    [rows] = client.chart_data(_chart(provisioned, "儿童主任、儿童督导员空缺（T22）"))
    expected = marts.sql("select cast(year as varchar), post, region_name, vacancy from mart_child_care_vacancies "
                         "order by all").fetchall()
    assert expected
    assert sorted((r["period_year"], r["post"], r["region_name"], r["vacancy"]) for r in rows) == expected
    assert all(r["township_name"] for r in rows)


def test_the_t21_and_t22_tables_equal_the_target_mart(client, provisioned, marts):
    labels = {"met": "达标", "not_met": "未达标", "no_data": "无数据"}
    for chart, target in (("孤儿基本生活费标准（T21，元/人·月）", "T21"), ("基层儿童关爱服务队伍覆盖率（T22，%）", "T22")):
        expected = [(p, _number(a), _number(t), labels[s]) for p, a, t, s in marts.sql("""
            select period, actual_value, target_value, status from mart_target_attainment
            where target_id = ? and region_level = 'county' and period_type = 'year' order by period""",
            params=[target]).fetchall()]
        [rows] = client.chart_data(_chart(provisioned, chart))
        assert expected and [(r["period"], r["actual_value"], r["target_value"], r["status_label"])
                             for r in rows] == expected, chart


def test_elderly_care_key_figures_equal_the_mart_and_t07(client, provisioned, marts):
    homes = "facility_type in ('养老机构', '特困供养机构(敬老院)')"
    month, institutions, beds, share = marts.sql(f"""
        select period_month, sum(facilities_operating), sum(beds), round(100.0 * sum(nursing_beds) / sum(beds), 2)
        from mart_elderly_care_monthly_by_township where {homes} group by 1 order by 1 desc limit 1""").fetchall()[0]
    for chart, label, value in (("养老机构数（最近一月）", "运营机构数", institutions),
                                ("养老机构床位数（最近一月）", "床位数", beds),
                                ("护理型床位占比（最近一月）", "护理型床位占比（%）", share)):
        [rows] = client.chart_data(_chart(provisioned, chart))
        assert _number(_latest(rows, "month_start")[label]) == _number(value), chart
    # The dashboard's share is the county's T07 for that month.
    [[t07]] = marts.sql("select actual_value from mart_target_attainment where target_id = 'T07' "
                        "and region_level = 'county' and period = ?", params=[month]).fetchall()
    assert _number(share) == _number(t07)

    [rows] = client.chart_data(_chart(provisioned, "未建成运营综合养老服务中心的街道（年末）"))
    expected = marts.sql("select period_month, township_name from mart_streets_without_elderly_centre "
                         "where is_year_end order by all").fetchall()
    assert sorted((r["period_month"], r["township_name"]) for r in rows) == expected


def test_marriage_key_figures_equal_the_mart(client, provisioned, marts):
    marriages, divorces = marts.sql("""
        select sum(acts) filter (where registration_type = '结婚'), sum(acts) filter (where registration_type = '离婚')
        from mart_marriage_registrations_monthly where record_source = 'electronic'""").fetchall()[0]
    [[row]] = client.chart_data(_chart(provisioned, "结婚登记件数"))
    assert row["结婚登记"] == marriages
    [[row]] = client.chart_data(_chart(provisioned, "离婚登记件数"))
    assert row["离婚登记"] == divorces

    [[rate]] = marts.sql("select round(100.0 * sum(qualified_acts) / sum(acts), 2) "
                         "from mart_marriage_quality_monthly").fetchall()
    [[row]] = client.chart_data(_chart(provisioned, "婚姻登记合格率"))
    assert row["合格率（%）"] == _number(rate)

    [[open_count]] = marts.sql("select count(distinct registration_id) from mart_marriage_correction_list "
                               "where not is_explained").fetchall()
    [[row]] = client.chart_data(_chart(provisioned, "待更正登记记录数"))
    assert row["待更正记录"] == open_count

    [[explained]] = marts.sql("select count(*) from meta.explained_exceptions "
                              "where suite = 'marriage_registration_rules' and not is_withdrawn").fetchall()
    [[row]] = client.chart_data(_chart(provisioned, "已说明的例外数（婚姻登记）"))
    assert row["已说明例外"] == explained

    [rows] = client.chart_data(_chart(provisioned, "历史档案补录（按年代）"))
    expected = marts.sql("""select archive_year // 10 * 10, count(*) filter (where is_loaded),
                                   count(*) filter (where not is_loaded)
                            from mart_marriage_archive_years group by 1 order by 1""").fetchall()
    assert sorted((int(r["decade"][:4]), r["已补录年数"], r["未补录年数"]) for r in rows) == expected


def test_funeral_rates_by_year_equal_the_mart_and_t12_t13(client, provisioned, marts):
    [rows] = client.chart_data(_chart(provisioned, "各年度火化率与节地生态安葬率"))
    got = {r["period_year"]: (r["火化率（%）"], r["节地生态安葬率（%）"]) for r in rows}
    expected = {y: (_number(c), _number(e)) for y, c, e in marts.sql("""
        select period_year, round(100.0 * sum(cremated) / sum(deaths_registered), 2),
               round(100.0 * sum(eco_burials) / sum(burials_given), 2)
        from mart_funeral_yearly_by_township group by 1""").fetchall()}
    assert got == expected
    targets = {(t, p): _number(v) for t, p, v in marts.sql("""
        select target_id, period, actual_value from mart_target_attainment
        where target_id in ('T12', 'T13') and region_level = 'county' and period_type = 'year'""").fetchall()}
    assert {y: (targets[("T13", y)], targets[("T12", y)]) for y in got} == got

    # By township the chart reads the public table: small cells hidden, their
    # townships summed in the remainder row 其他（已隐去） (the published two
    # years have none in their yearly funeral counts; the monthly roll has).
    [rows] = client.chart_data(_chart(provisioned, "各乡镇（街道）火化率"))
    expected = {(y, t): _number(v) for y, t, v in marts.sql("""
        select period_year, township_name, round(100.0 * sum(cremated) / nullif(sum(deaths_registered), 0), 2)
        from public_marts.mart_funeral_yearly_by_township group by all""").fetchall()}
    assert {(r["period_year"], r["township_name"]): r["火化率（%）"] for r in rows} == expected


def test_the_townships_without_a_public_cemetery_are_those_of_the_mart(client, provisioned, marts):
    [rows] = client.chart_data(_chart(provisioned, "未被公益性公墓覆盖的乡镇（T19）"))
    expected = marts.sql("select cast(year as varchar), township_code from mart_townships_without_public_cemetery "
                         "order by all").fetchall()
    assert sorted((r["period_year"], r["township_code"]) for r in rows) == expected


def test_organisation_key_figures_equal_the_mart(client, provisioned, marts):
    year, orgs, volunteers, workers = marts.sql("""
        select year, active_orgs, volunteers, social_workers from mart_organisations_yearly
        where region_level = 'county' order by year desc limit 1""").fetchall()[0]
    for chart, label, value in (("社会组织数（最近一年）", "社会组织", orgs), ("注册志愿者（最近一年）", "注册志愿者", volunteers),
                                ("持证社会工作者（最近一年）", "社会工作者", workers)):
        [rows] = client.chart_data(_chart(provisioned, chart))
        assert _latest(rows, "year_start")[label] == value, chart
        assert len(rows) == marts.sql("select count(distinct year) from mart_organisations_yearly").fetchall()[0][0]

    [rows] = client.chart_data(_chart(provisioned, "社会组织年度概况"))
    expected = marts.sql("""select cast(year as varchar), region_name, active_orgs, community_orgs, volunteers,
                                   social_workers, donations_amount_yuan
                            from public_marts.mart_organisations_yearly order by all""").fetchall()
    assert sorted((r["period_year"], r["region_name"], r["active_orgs"], r["community_orgs"], r["volunteers"],
                   r["social_workers"], _decimal(r["donations_amount_yuan"])) for r in rows) == expected

    [rows] = client.chart_data(_chart(provisioned, "社区社会组织不足两个的行政村"))
    expected = marts.sql("select cast(year as varchar), village_name from mart_villages_below_two_community_orgs "
                         "order by all").fetchall()
    assert sorted((r["period_year"], r["village_name"]) for r in rows) == expected


def test_monitoring_key_figures_equal_the_mart_and_the_watchlist(client, provisioned, marts):
    [[month, low_income]] = marts.sql("""
        select period, value from mart_low_income_monitoring
        where indicator_id = 'I01' and region_code like '%000000' and length(period) = 7
        order by period desc limit 1""").fetchall()
    [rows] = client.chart_data(_chart(provisioned, "低收入人口数（最近一月）"))
    assert _number(_latest(rows, "month_start")["低收入人口数"]) == _number(low_income)
    [[listed]] = marts.sql(f"""
        select count(*) from mart_monitoring_watchlist
        where opened_month <= '{month}'
          and case when flag_type = '黑名单违规' then last_month >= '{month}'
                   else ended_on is null or ended_on > last_day(cast('{month}-01' as date)) end""").fetchall()
    [rows] = client.chart_data(_chart(provisioned, "监测名单上的家庭（最近一月）"))
    assert _latest(rows, "month_start")["名单家庭数"] == listed > 0
    # By township the lines read the public table: no count of 1–4 persons or households.
    [rows] = client.chart_data(_chart(provisioned, "低保边缘家庭户数（按乡镇）"))
    values = [v for r in rows for k, v in r.items()
              if k not in ("month_start", "__timestamp") and isinstance(v, (int, float))]
    assert values and not any(1 <= v <= 4 for v in values)


# -------------------------------------------------------- disclosure control
DISCLOSURE_TABLES = {
    "数据保护：社会救助隐去的单元格": ("civstat-assistance", ("mart_assistance_monthly_by_township",
                                                     "mart_temporary_aid_monthly_by_township",
                                                     "mart_child_welfare_monthly_by_township")),
    "数据保护：养老服务隐去的单元格": ("civstat-elderly-care", ("mart_elderly_care_monthly_by_township",)),
    "数据保护：殡葬隐去的单元格": ("civstat-funeral", ("mart_funeral_yearly_by_township",
                                                "mart_funeral_monthly_by_township")),
    "数据保护：社会组织隐去的单元格": ("civstat-organisations", ("mart_organisations_yearly",)),
    "数据保护：低收入人口动态监测隐去的单元格": ("civstat-monitoring", ("mart_low_income_monitoring",)),
}


@pytest.mark.parametrize("chart", list(DISCLOSURE_TABLES))
def test_a_dashboard_with_township_counts_says_what_it_hid(client, provisioned, marts, chart):
    slug, tables = DISCLOSURE_TABLES[chart]
    expected = marts.sql(f"""select table_label, count_label, small_cells, complementary_cells, exposed_cells
                             from meta.disclosure_control where enabled
                             and table_name in ({", ".join(repr(t) for t in tables)}) order by all""").fetchall()
    [rows] = client.chart_data(_chart(provisioned, chart))
    assert sorted((r["table_label"], r["count_label"], r["small_cells"], r["complementary_cells"],
                   r["exposed_cells"]) for r in rows) == expected
    assert {r["control"] for r in rows} == {"已隐去"}
    position = json.loads(client.fetch("dashboard", provisioned.ids("dashboard")[slug])["position_json"])
    notes = [v["meta"]["code"] for v in position.values() if isinstance(v, dict) and v.get("type") == "MARKDOWN"]
    assert len(notes) == 1 and "1–4" in notes[0]
    # where hidden cells go into a remainder row, the note says where to find them
    from warehouse.disclosure import REMAINDER_NAME, protected_table
    assert (REMAINDER_NAME in notes[0]) == any(protected_table(t).remainder for t in tables)


def test_township_assistance_figures_are_those_of_the_public_table(client, provisioned, marts):
    """Per township and month the chart shows blanks where the public table hides a
    count; summed over townships, with the remainder, it still equals the marts."""
    [rows] = client.chart_data(_chart(provisioned, "各乡镇（街道）资金发放"))
    expected = {(t, k): _number(v) for t, k, v in marts.sql("""
        select coalesce(r.region_name, '其他（已隐去）'), m.assistance_type, sum(m.amount_paid_yuan)
        from public_marts.mart_assistance_monthly_by_township as m
        left join dim_region as r on r.region_code = m.township_code group by all""").fetchall()}
    got = {(r["township_name"], r["assistance_type"]): r["发放金额（元）"] for r in rows}
    assert got == expected
    assert any(name == "其他（已隐去）" for name, _ in got)      # small cells were hidden


# ------------------------------------------------------- withheld figures
WITHHELD_TABLES = {
    "未核实（暂缓发布）的数据：全部": None,
    "未核实（暂缓发布）的数据：社会救助": ("assistance", "temporary_aid", "child_welfare", "child_workers"),
    "未核实（暂缓发布）的数据：养老服务": ("elderly_care", "communities"),
    "未核实（暂缓发布）的数据：婚姻登记": ("marriage", "marriage_archive"),
    "未核实（暂缓发布）的数据：殡葬": ("cremation", "deaths"),
    "未核实（暂缓发布）的数据：社会组织、志愿服务与社会工作": ("social_orgs", "volunteers", "social_workers", "donations",
                                                "communities"),
    "未核实（暂缓发布）的数据：低收入人口动态监测": ("verification", "assistance", "temporary_aid"),
}


def test_every_dashboard_shows_its_withheld_figures(client, provisioned):
    dashboards = {c["name"]: d["slug"] for d in load_definitions().dashboards for c in d["charts"]}
    assert sorted(dashboards[name] for name in WITHHELD_TABLES) == sorted(provisioned.ids("dashboard"))


@pytest.mark.parametrize("chart", list(WITHHELD_TABLES))
def test_a_withheld_figures_table_lists_exactly_the_withheld_figures_of_its_sources(client, provisioned, marts, chart):
    sources = WITHHELD_TABLES[chart]
    where = "" if sources is None else f"where figures in ({', '.join(repr(s) for s in sources)})"
    expected = marts.sql(f"select period, failing_rules, failing_records from meta.withheld_figures {where} "
                         "order by all").fetchall()
    [rows] = client.chart_data(_chart(provisioned, chart))
    assert sorted((r["period"], r["failing_rules"], r["failing_records"]) for r in rows) == expected
    assert all(r["figures_label"] and not r["figures_label"].isascii() for r in rows)


# ---------------------------------------------------------------- chart cache
def _publish_copy(serving_path: Path, change_sql: str | None = None) -> None:
    """A new version of the serving file swapped in the way publication does it
    (a new file, os.replace), optionally with a figure changed."""
    building = serving_path.with_name(".next.duckdb")
    shutil.copy2(serving_path, building)
    if change_sql:
        with duckdb.connect(str(building)) as con:
            con.execute(change_sql)
    os.replace(building, serving_path)


RACE = """
import os, sys, importlib.util
from pathlib import Path
spec = importlib.util.spec_from_file_location("serving_cache", sys.argv[1])
module = importlib.util.module_from_spec(spec); spec.loader.exec_module(module)
from flask_caching.backends.filesystemcache import FileSystemCache
work = Path(sys.argv[2]); serving = work / "civstat.duckdb"; serving.write_text("version 1")
cache = module.ServingVersionCache(FileSystemCache(str(work / "cache")), str(serving))
assert cache.get("chart") is None                  # looked up under version 1, the query starts ...
(work / "next").write_text("version 2"); os.replace(work / "next", serving)   # ... a publication swaps ...
cache.set("chart", "figures of version 1")         # ... and the query stores what it read
print(repr(cache.get("chart")))                    # a view after the publication
cache.set("chart", "figures of version 2")
print(repr(cache.get("chart")))
print(repr(cache.set("unasked", 1)))
"""


def test_figures_read_before_a_publication_are_never_served_after_it(tmp_path):
    """The race the cache closes: a query that read the old file stores its
    result under the version it looked up, which no later view asks for."""
    done = subprocess.run([str(service.VENV / "bin" / "python"), "-c", RACE,
                           str(Path(service.__file__).with_name("serving_cache.py")), str(tmp_path)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split("\n")[:3] == ["None", "'figures of version 2'", "False"]


def test_a_chart_is_answered_from_the_cache_until_a_new_version_is_published(client, running, provisioned):
    chart = _chart(provisioned, "已达标目标数")
    [first] = client.chart_results(chart, force=False)
    [again] = client.chart_results(chart, force=False)
    assert not first["is_cached"] and again["is_cached"] is True      # a miss says None
    assert again["data"] == first["data"]
    [[row]] = [first["data"]]
    original = running.serving_path.with_name("original.duckdb")
    os.link(running.serving_path, original)
    try:
        _publish_copy(running.serving_path, """update marts.mart_target_attainment set status = 'met'
            where rowid = (select min(rowid) from marts.mart_target_attainment where status <> 'met')""")
        [after] = client.chart_results(chart, force=False)
        assert not after["is_cached"]
        assert after["data"] == [{"已达标": row["已达标"] + 1}]
        [cached] = client.chart_results(chart, force=False)
        assert cached["is_cached"] is True and cached["data"] == after["data"]
    finally:
        os.replace(original, running.serving_path)     # back to the published figures, a version of its own
    [restored] = client.chart_results(chart, force=False)
    assert restored["data"] == first["data"]


# ---------------------------------------------------------------- screenshots
@pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed (apt-get install "
                                                         "chromium fonts-noto-cjk)")
def test_each_dashboard_renders_its_charts_without_an_error_banner(running, provisioned, tmp_path):
    slugs = list(provisioned.ids("dashboard"))
    results = service.screenshots(running, tmp_path, slugs)
    assert [r["slug"] for r in results] == slugs
    assert sorted(slugs) == sorted(["civstat-targets", "civstat-assistance", "civstat-elderly-care", "civstat-marriage",
                                    "civstat-funeral", "civstat-organisations", "civstat-monitoring"])
    for result in results:
        assert result["errors"] == [], result
        assert result["charts"] > 0 and result["rendered"] == result["charts"], result
        assert Path(result["file"]).stat().st_size > 20_000


# ----------------------------------------------------------- personal data
def test_superset_state_holds_no_personal_data_after_the_dashboards_were_queried(running, provisioned, published_landing):
    """Superset's metadata database, query log and logs, after every chart above was queried."""
    from civstat.personal_data import PersonalDataAudit, delivered_names
    audit = PersonalDataAudit(delivered_names(published_landing), ("test-key",))
    findings = audit.scan([running.home])
    assert audit.files > 0
    assert findings == [], "\n".join(map(str, findings[:20]))
