"""No citizen ID, no delivered name and no key in anything civstat writes.

The audit (civstat/personal_data.py) is first shown to find what it looks for
in every format it reads; then it reads everything a real run and its exports
wrote, and must find nothing.
"""

import datetime as dt
import random
import sqlite3
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from openpyxl import Workbook

from civstat.personal_data import PersonalDataAudit, delivered_names, is_citizen_id
from synthetic.ids import citizen_id

PLANTED_ID = citizen_id(random.Random(7), "370832", dt.date(1981, 3, 6), male=True)
PLANTED_NAME = "闫淑德"
PLANTED_KEY = "planted-secret-key"


def test_ids_are_told_from_other_long_numbers():
    assert is_citizen_id(PLANTED_ID) and is_citizen_id("11010519491231002X")
    assert is_citizen_id("370832560307123")                       # the old 15-digit form
    assert not is_citizen_id("110105194912310021")                # wrong check character
    assert not is_citizen_id("991231194912310027")                # no such province
    assert not is_citizen_id("370832" + "2026" + "1301" + "0000")  # month 13
    assert not is_citizen_id("173213243000000")                    # a timestamp in microseconds


@pytest.fixture
def planted(tmp_path):
    """The same ID, name and key in every format the audit reads, one file each."""
    row = f"登记人 {PLANTED_NAME}，证件 {PLANTED_ID}，密钥 {PLANTED_KEY}"
    (tmp_path / "run.log").write_text(row, encoding="utf-8")
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        con.execute("create schema marts")
        con.execute("create table marts.t (note varchar, n bigint)")
        con.execute("insert into marts.t values (?, ?)", [f"{PLANTED_NAME}", int(PLANTED_ID[:18]) if
                                                         PLANTED_ID[-1].isdigit() else 0])
        con.execute(f"copy (select '{PLANTED_ID}' as id) to '{tmp_path / 'q.parquet'}' (format parquet)")
        # A partitioned dataset (read as one relation): the name sits in one
        # partition's file only, beside a clean one of other columns.
        for period, note in (("2024-01", "无"), ("2024-02", f"联系人{PLANTED_NAME}")):
            folder = tmp_path / "raw" / f"period={period}"
            folder.mkdir(parents=True)
            con.execute(f"copy (select ? as note, 1 as n{period[-1]}) to '{folder / 'part.parquet'}' (format parquet)",
                        [note])
    with sqlite3.connect(tmp_path / "events.db") as con:
        con.execute("create table event_logs (event text)")
        con.execute("insert into event_logs values (?)", [f'{{"message": "{PLANTED_KEY}"}}'])
    book = Workbook()
    book.active.append([PLANTED_NAME, PLANTED_ID])
    book.save(tmp_path / "report.xlsx")
    return tmp_path


def test_the_audit_finds_what_is_planted_in_every_format_and_does_not_repeat_it(planted):
    audit = PersonalDataAudit({PLANTED_NAME, "王芳"}, (PLANTED_KEY,))
    findings = audit.scan([planted])
    found = {(f.path.rsplit("/", 1)[-1], f.kind) for f in findings}
    assert {("run.log", "citizen_id"), ("run.log", "name"), ("run.log", "key"),
            ("w.duckdb", "name"), ("q.parquet", "citizen_id"), ("events.db", "key"),
            ("report.xlsx", "citizen_id"), ("report.xlsx", "name")} <= found
    if PLANTED_ID[-1].isdigit():
        assert ("w.duckdb", "citizen_id") in found          # an ID stored as a number
    partitioned = [f.path for f in findings if f.path.endswith("part.parquet")]
    assert partitioned == [str(planted / "raw" / "period=2024-02" / "part.parquet")]
    printed = "\n".join(map(str, findings))
    assert PLANTED_ID not in printed and PLANTED_NAME not in printed and PLANTED_KEY not in printed


def test_a_run_and_its_exports_hold_no_personal_data(published, published_landing, tmp_path):
    """Everything under the home (warehouse, serving file, raw tables and
    quarantine, Dagster's event logs, dbt's artefacts, the Data Docs, the logs,
    stored submissions) and every export, against the names the extracts hold,
    the IDs' own pattern and the key."""
    settings, summary = published
    assert summary.published
    exports = tmp_path / "exports"
    exports.mkdir()
    env_run = [str(Path(sys.executable).parent / "civstat")]
    environ = {**settings.child_env(), "CIVSTAT_PSEUDONYM_KEY": "test-key", "CIVSTAT_HOME": str(settings.home)}
    from warehouse.query import run_query
    county = f"{settings.county_code}000000"
    [[month]] = run_query(settings.serving_path, "select max(period_month) from mart_report_measures_monthly").rows
    year = month[:4]
    for args in (["report", "jzh01", "--region", county, "--period", month, "--out", str(exports / "j.xlsx")],
                 ["report", "jzh01", "--region", county, "--period", month, "--out", str(exports / "j.csv")],
                 ["targets", "--region", county, "--year", year, "--out", str(exports / "t.xlsx")],
                 ["corrections", "--out", str(exports)],
                 ["sql", "select * from fct_marriage_registrations limit 2000", "--format", "csv"]):
        done = subprocess.run(env_run + args, env=environ, capture_output=True, text=True)
        assert done.returncode in (0, 1), done.stderr
        (exports / f"{args[0]}.out").write_text(done.stdout + done.stderr, encoding="utf-8")

    names = delivered_names(published_landing)
    assert len(names) > 500
    audit = PersonalDataAudit(names, ("test-key",))
    findings = audit.scan([settings.home, exports], exclude=(settings.landing_dir, settings.home / "secrets"))
    assert audit.files > 100
    assert findings == [], "\n".join(map(str, findings[:20]))


def test_digits_inside_digests_and_decimals_are_not_ids():
    audit = PersonalDataAudit()
    audit.scan_text(f'"md5": "de0234593749137105398692{PLANTED_ID}", "elapsed": 0.{PLANTED_ID}', "f", "text")
    assert audit.findings == []
    audit.scan_text(f"证件:{PLANTED_ID}。", "f", "text")
    assert [f.kind for f in audit.findings] == ["citizen_id"]
