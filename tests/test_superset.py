"""Superset as a service: started for real, provisioned from superset/dashboards/, read back, screenshotted.

Needs `.venv-superset` (`civstat superset setup`, a few minutes) and, for the
screenshots, Debian's chromium with fonts-noto-cjk; skipped with the reason
otherwise. Run alone with `pytest -m superset tests/test_superset.py`.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import os
import secrets
import shutil
import socket
import subprocess
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from superset import service
from superset.api import connect

REPO = Path(__file__).resolve().parent.parent
from superset.provision import apply, load_definitions  # noqa: E402

pytestmark = [
    pytest.mark.superset,
    pytest.mark.skipif(not service.venv_ready(),
                       reason=".venv-superset is absent or stale: run `civstat superset setup` (about 2 minutes)"),
]

SCREENSHOTS = REPO / "docs" / "dashboards"
RESOURCES = ("database", "dataset", "chart", "dashboard")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def running(published, tmp_path_factory):
    """A real Superset on a free local port, its own state directory, reading the published serving file."""
    settings, _ = published
    settings = dataclasses.replace(settings, home=tmp_path_factory.mktemp("superset-home"),
                                   superset_url=f"http://127.0.0.1:{_free_port()}", superset_user="admin",
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


# ---------------------------------------------------------------- screenshots
@pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed (apt-get install "
                                                         "chromium fonts-noto-cjk)")
def test_each_dashboard_renders_its_charts_without_an_error_banner(running, provisioned):
    slugs = list(provisioned.ids("dashboard"))
    env = os.environ | {"SUPERSET_URL": running.superset_url, "SUPERSET_USER": running.superset_user,
                        "SUPERSET_PASSWORD": running.superset_password}
    proc = subprocess.run([str(service.VENV / "bin" / "python"), str(REPO / "superset" / "screenshot.py"),
                           str(SCREENSHOTS), *slugs], env=env, capture_output=True, text=True, timeout=600)
    assert proc.stdout.strip(), proc.stderr[-3000:]
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    assert [r["slug"] for r in results] == slugs
    for result in results:
        assert result["errors"] == [], result
        assert result["charts"] > 0 and result["rendered"] == result["charts"], result
        assert Path(result["file"]).stat().st_size > 20_000
    assert proc.returncode == 0, proc.stderr[-3000:]
