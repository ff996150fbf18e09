"""Form JZH01 from the published marts: figures against the generator's truth,
the layout of report-forms.md, withheld figures, audit relations, and
reproducible revisions."""

from __future__ import annotations

import os
import shutil
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest
from python_calamine import CalamineWorkbook

from civstat.cli import main as civstat
from warehouse.jzh01 import AUDIT_SUITE, audit, compute
from warehouse.submissions import SubmissionStore

from conftest import isolated_environ

COUNTY = "370832000000"


@pytest.fixture(scope="module")
def serving(published) -> Path:
    settings, summary = published
    assert summary.published
    return settings.serving_path


def _rows(submission) -> dict:
    return {r.code: r for r in submission.rows}


def _wan(yuan: Decimal) -> str:
    return str((yuan / 10000).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def test_the_year_end_figures_equal_the_generators_truth(serving, published_truth):
    rows = _rows(compute(serving, COUNTY, "2024-12"))
    roll = [t for t in published_truth["assistance"]["monthly_by_township_and_type"] if t["period"] == "2024-12"]

    def on_roll(kind: str, field: str) -> str:
        return str(sum(t[field] for t in roll if t["assistance_type"] == kind))

    assert rows["L02110"].value == on_roll("城市低保", "persons")
    assert rows["L02120"].value == on_roll("城市低保", "households")
    assert rows["L02210"].value == on_roll("农村低保", "persons")
    assert rows["L02220"].value == on_roll("农村低保", "households")
    paid = [t for t in published_truth["assistance"]["monthly_by_township_and_type"] if t["period"].startswith("2024")]
    assert rows["JZH011212111"].value == _wan(sum(Decimal(t["amount_paid"]) for t in paid
                                                  if t["assistance_type"] == "城市低保"))
    assert rows["JZH011212121"].value == _wan(sum(Decimal(t["amount_paid"]) for t in paid
                                                  if t["assistance_type"] == "农村低保"))
    target = {t["target"]: t for t in published_truth["targets"] if t["region"] == COUNTY and t["year"] == 2024}
    assert rows["L05200"].value == str((Decimal(target["T13"]["value"]) * 100).quantize(Decimal("0.01")))
    assert rows["L05100"].value == str(target["T13"]["numerator"])
    assert rows["L07100"].value == target["T17"]["value"]
    assert rows["L07200"].value == target["T15"]["value"]
    # No code is invented: a row the warehouse cannot compute stays empty.
    assert rows["JZH011310000"].value is None and rows["JZH011212110"].value is None


def test_marriage_counts_are_withheld_while_the_marriage_rules_fail(serving, published_truth):
    """The generated registrations carry planted breaches of M01–M09, so the
    year's cumulative marriage and divorce rows are left out, with the reason;
    the measure itself equals the truth."""
    rows = _rows(compute(serving, COUNTY, "2024-12"))
    for code in ("L04100", "L04200"):
        assert rows[code].value is None and "M0" in rows[code].withheld
    assert rows["L02110"].withheld is None
    with duckdb.connect(str(serving), read_only=True) as con:
        measured = dict(con.execute("select measure, value from marts.mart_report_measures_monthly "
                                    "where region_code = ? and period_month = '2024-12' "
                                    "and measure in ('marriages_ytd', 'divorces_ytd')", [COUNTY]).fetchall())
    assert measured == {"marriages_ytd": published_truth["marriage"]["2024"]["counts"]["结婚"],
                        "divorces_ytd": published_truth["marriage"]["2024"]["counts"]["离婚"]}


def test_the_workbook_has_the_layout_of_the_form(serving, tmp_path):
    path = tmp_path / "jzh01.xlsx"
    produced = SubmissionStore(tmp_path / "home").produce(compute(serving, COUNTY, "2024-12"), path, "xlsx")
    sheet = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()
    assert sheet[0][0] == "民政统计季报表"
    assert sheet[1][0].startswith("表    号: JZH01") and sheet[1][4] == "制表机关: 民 政 部"
    assert sheet[3][0] == f"地区编码: {COUNTY}" and sheet[3][2] == "2024年12月"
    assert sheet[4] == ["指标名称", "单位", "代码", "数量", "上年同期", "同比(%)"]
    assert sheet[5] == ["甲", "乙", "丙", "1", "2", "3"]
    body = {r[2]: r for r in sheet[6:] if len(r) > 2 and r[2]}
    assert body["JZH011110000"][0] == "(一)乡级行政区划" and body["JZH011110000"][1] == "个"
    assert body["JZH011212111"][0] == "*I 城市低保金" and body["JZH011212111"][1] == "万元"
    assert body["JZH011310000"][3] == ""                       # empty, not zero
    assert all(code.startswith(("JZH01", "L")) for code in body)
    assert produced.revision == 1


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed here")
def test_libreoffice_opens_the_workbook(serving, tmp_path):
    path = tmp_path / "jzh01.xlsx"
    SubmissionStore(tmp_path / "home").produce(compute(serving, COUNTY, "2024-06"), path, "xlsx")
    done = subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                          capture_output=True, text=True, timeout=180,
                          env={**os.environ, "HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "jzh01.pdf").stat().st_size > 1000


def test_an_old_submission_is_produced_again_byte_for_byte(serving, tmp_path):
    store = SubmissionStore(tmp_path / "home")
    first = store.produce(compute(serving, COUNTY, "2024-06"), tmp_path / "a.xlsx", "xlsx")
    again = store.produce(compute(serving, COUNTY, "2024-06"), tmp_path / "b.xlsx", "xlsx")
    assert (first.revision, again.revision, again.is_new) == (1, 1, False)
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    # Rendering anew from the stored figures gives the same bytes.
    for stored in first.folder.glob("*.xlsx"):
        stored.unlink()
    store.render(COUNTY, "2024-06", 1, tmp_path / "c.xlsx", "xlsx")
    assert (tmp_path / "c.xlsx").read_bytes() == (tmp_path / "a.xlsx").read_bytes()

    # Newer data: a corrected figure makes revision 2, with the change listed;
    # revision 1 is still produced exactly as it was.
    corrected = compute(serving, COUNTY, "2024-06")
    row = _rows(corrected)["L02110"]
    row.value = str(int(row.value) + 1)
    second = store.produce(corrected, tmp_path / "d.xlsx", "xlsx")
    assert second.revision == 2 and [c["code"] for c in second.changes] == ["L02110"]
    assert (second.folder / "changes_from_r1.csv").exists()
    store.render(COUNTY, "2024-06", 1, tmp_path / "e.xlsx", "xlsx")
    assert (tmp_path / "e.xlsx").read_bytes() == (tmp_path / "a.xlsx").read_bytes()


def test_a_cumulative_row_that_decreases_fails_the_audit_until_explained(serving):
    submission = compute(serving, COUNTY, "2024-06")
    rows = _rows(submission)
    before = {"L02410": str(int(rows["L02410"].value) + 5)}      # last month's cumulative was higher
    failures = audit(submission, before, [], {})
    assert [(f.rule_id, f.code) for f in failures if f.rule_id == "C01"] == [("C01", "L02410")]
    released = audit(submission, before, [], {("C01", f"{COUNTY}/2024-06/L02410"): "上月数据重复计入，已更正"})
    assert all(f.explanation for f in released if f.rule_id == "C01")


def test_a_failing_audit_relation_stops_the_submission_and_names_it(published, tmp_path, capsys):
    """The relations are data: a relation that cannot hold (persons ≤ households)
    stops the submission, lists the failure, and an explained exception releases it."""
    settings, _ = published
    home = tmp_path / "home"
    (home / "serving").mkdir(parents=True)
    shutil.copy(settings.serving_path, home / "serving" / "civstat.duckdb")
    with duckdb.connect(str(home / "serving" / "civstat.duckdb")) as con:
        con.execute("insert into marts.jzh01_audit_relations values "
                    "('R99', '城市低保人数不多于户数（测试）', 'L02110', '<=', 'L02120')")
    out = tmp_path / "jzh01.xlsx"
    with isolated_environ():
        os.environ["CIVSTAT_HOME"] = str(home)
        os.environ["CIVSTAT_PSEUDONYM_KEY"] = "test-key"
        code = civstat(["report", "jzh01", "--region", COUNTY, "--period", "2024-06", "--out", str(out)])
        assert code == 1 and not out.exists()
        assert "R99 L02110" in capsys.readouterr().err
        assert civstat(["exception", "add", "--suite", AUDIT_SUITE, "--rule", "R99",
                        "--record", f"{COUNTY}/2024-06/L02110", "--reason", "测试用关系", "--by", "数据组"]) == 0
        assert civstat(["report", "jzh01", "--region", COUNTY, "--period", "2024-06", "--out", str(out)]) == 0
    assert out.exists()
    sheet = CalamineWorkbook.from_path(out).get_sheet_by_index(0).to_python()
    assert any("审核说明：R99 L02110" in str(r[0]) for r in sheet)
