"""Ingestion of the assistance roll: versions, accounting, quarantine, pseudonymisation."""

import csv
import io
import re
import shutil
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from ingestion import landing
from ingestion.contract import ASSISTANCE
from ingestion.load import ingest_period, ingest_source
from ingestion.store import RawStore

SECRET = b"test-key"


def _ingest_all(landing_dir: Path, raw_dir: Path) -> dict:
    store = RawStore(raw_dir)
    return {period: ingest_period(store, files, counties=["370832"], secret=SECRET)
            for period, files in landing.scan(landing_dir, ASSISTANCE).by_period().items()}


def _rewrite(path: Path, transform) -> None:
    """Rewrite a GBK CSV delivery row by row: transform(list of rows) -> list of rows."""
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("gbk"), newline="")))
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(transform(rows))
    path.write_bytes(buffer.getvalue().encode("gbk"))


@pytest.fixture
def landing_copy(tiny_landing, tmp_path) -> Path:
    target = tmp_path / "landing"
    shutil.copytree(tiny_landing, target)
    return target


def test_every_row_read_is_loaded_or_quarantined(tiny_landing, tmp_path):
    results = _ingest_all(tiny_landing, tmp_path / "raw")
    for result in results.values():
        assert result.outcome == "loaded"
        assert result.rows_read == result.rows_loaded + result.rows_quarantined > 0
    accounting = RawStore(tmp_path / "raw").accounting()
    assert accounting["read"] == accounting["loaded"] + accounting["quarantined"]
    assert accounting["files"] == len(results)


def test_the_quarantine_holds_exactly_the_planted_defects(tiny_landing, tiny_truth, tmp_path):
    _ingest_all(tiny_landing, tmp_path / "raw")
    quarantined = duckdb.sql(
        f"select source_file, source_row, fields from read_parquet('{tmp_path}/raw/_quarantine/*/*/*.parquet')"
    ).fetchall()
    planted = {(d["file"], d["row"], d["field"]) for d in tiny_truth["defects"] if d["source"] == "assistance"}
    assert {(f, r, fields) for f, r, fields in quarantined} == planted


def test_a_v2_replaces_v1_for_its_period(tiny_landing, tmp_path):
    corrected = [f for f in landing.scan(tiny_landing, ASSISTANCE).files if f.version == 2]
    assert corrected, "the tiny world re-delivers some month"
    results = _ingest_all(tiny_landing, tmp_path / "raw")
    period = corrected[0].period
    assert results[period].file_name == corrected[0].name
    files = duckdb.sql(f"select distinct _source_file from read_parquet("
                       f"'{tmp_path}/raw/assistance/period={period}/data_*.parquet')").fetchall()
    assert files == [(corrected[0].name,)]
    ledger = {r["file_name"]: r["status"] for r in RawStore(tmp_path / "raw").ledger("assistance").to_pylist()}
    assert ledger[corrected[0].name.replace("_v2", "")] == "superseded"


def test_a_v2_arriving_after_v1_was_loaded_replaces_it(landing_copy, tmp_path):
    v2 = next(p for p in landing_copy.glob("assistance/*_v2.csv"))
    parked = tmp_path / v2.name
    v2.rename(parked)
    first = _ingest_all(landing_copy, tmp_path / "raw")
    parked.rename(v2)
    second = _ingest_all(landing_copy, tmp_path / "raw")
    changed = [p for p in second if second[p].outcome == "loaded"]
    assert len(changed) == 1
    assert first[changed[0]].file_name == v2.name.replace("_v2", "")
    assert second[changed[0]].file_name == v2.name
    assert all(second[p].outcome == "unchanged" for p in second if p not in changed)


def test_redelivering_identical_bytes_changes_nothing(tiny_landing, tmp_path):
    _ingest_all(tiny_landing, tmp_path / "raw")
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "raw").rglob("*.parquet")}
    again = _ingest_all(tiny_landing, tmp_path / "raw")
    assert {r.outcome for r in again.values()} == {"unchanged"}
    assert {p: p.stat().st_mtime_ns for p in (tmp_path / "raw").rglob("*.parquet")} == before


def test_columns_are_matched_by_name_whatever_their_order(tiny_landing, landing_copy, tmp_path):
    path = sorted(landing_copy.glob("assistance/*.csv"))[0]
    _rewrite(path, lambda rows: [list(reversed(row)) for row in rows])
    shuffled = _ingest_all(landing_copy, tmp_path / "raw-shuffled")
    straight = _ingest_all(tiny_landing, tmp_path / "raw-straight")
    period = landing.scan(landing_copy, ASSISTANCE).files[0].period
    assert shuffled[period].rows_loaded == straight[period].rows_loaded > 0
    assert shuffled[period].rows_quarantined == straight[period].rows_quarantined


def test_a_file_missing_a_required_column_is_rejected_and_the_earlier_version_stands(landing_copy, tmp_path):
    raw = tmp_path / "raw"
    _ingest_all(landing_copy, raw)
    latest = landing.scan(landing_copy, ASSISTANCE).by_period()
    period, files = sorted(latest.items())[-1]
    current = files[0]
    v9 = current.path.with_name(f"assistance_370832_{period.replace('-', '')}_v9.csv")
    shutil.copy(current.path, v9)
    _rewrite(v9, lambda rows: [[c for c, h in zip(row, rows[0]) if h != "救助类型"] for row in rows])
    results = _ingest_all(landing_copy, raw)
    rejected = [r for r in results.values() if r.messages and "救助类型" in r.messages[0]]
    assert rejected and v9.name in rejected[0].messages[0] and "缺少必需列" in rejected[0].messages[0]
    assert RawStore(raw).applied("assistance", period, "370832")["source_file"] == current.name
    ledger = {r["file_name"]: r for r in RawStore(raw).ledger("assistance").to_pylist()}
    assert ledger[v9.name]["status"] == "rejected" and "救助类型" in ledger[v9.name]["reason"]


def test_a_file_of_another_county_is_set_apart_and_never_takes_the_countys_place(landing_copy, tmp_path):
    own = landing.scan(landing_copy, ASSISTANCE).by_period()
    period, files = sorted(own.items())[0]
    month = period.replace("-", "")
    # Another county's roll for the same month, first in name order, and a later version of it.
    foreign = [landing_copy / "assistance" / f"assistance_370481_{month}.csv",
               landing_copy / "assistance" / f"assistance_370481_{month}_v3.csv"]
    for path in foreign:
        shutil.copy(files[0].path, path)

    scan = landing.scan(landing_copy, ASSISTANCE, ["370832"])
    results = ingest_source(RawStore(tmp_path / "raw"), landing_copy, ASSISTANCE, counties=["370832"], secret=SECRET)

    assert sorted(f.path for f in scan.other_counties) == sorted(foreign)
    assert not {f.path for f in scan.files} & set(foreign)
    assert {r.period: r.file_name for r in results}[period] == files[0].name
    ledger = {r["file_name"] for r in RawStore(tmp_path / "raw").ledger("assistance").to_pylist()}
    assert files[0].name in ledger and not ledger & {p.name for p in foreign}
    # Without a county (the personal-data audit reads every file), they are deliveries like the rest.
    assert set(foreign) <= {f.path for f in landing.scan(landing_copy, ASSISTANCE).files}


def personal_values(landing_dir: Path) -> tuple[set[str], set[str]]:
    """Every head-of-household name and ID number in the delivered roll files."""
    names, ids = set(), set()
    for path in (landing_dir / "assistance").glob("*.csv"):
        for row in csv.DictReader(io.StringIO(path.read_bytes().decode("gbk"), newline="")):
            names.add(row["户主姓名"])
            ids.add(row["户主身份证号"])
    return names, ids


def test_no_name_or_id_number_reaches_the_raw_files(tiny_landing, tmp_path):
    _ingest_all(tiny_landing, tmp_path / "raw")
    names, ids = personal_values(tiny_landing)
    assert len(ids) > 100 and len(names) > 50
    id_pattern = re.compile(r"\d{17}[\dX]")
    for path in (tmp_path / "raw").rglob("*.parquet"):
        for row in pq.read_table(path).to_pylist():
            for value in row.values():
                if isinstance(value, str):
                    assert not id_pattern.search(value), (path, value)
                    assert value not in ids and value not in names, path


def test_an_empty_file_or_binary_file_is_rejected_by_name(landing_copy, tmp_path):
    (landing_copy / "assistance" / "assistance_370832_202412.csv").write_bytes(b"")
    (landing_copy / "assistance" / "assistance_370832_202411.csv").write_bytes(b"\x00\x01PK\x03\x04" * 50)
    results = _ingest_all(landing_copy, tmp_path / "raw")
    assert results["2024-12"].outcome == "rejected" and "文件为空" in results["2024-12"].messages[0]
    assert results["2024-11"].outcome == "rejected" and "二进制" in results["2024-11"].messages[0]
    assert results["2024-01"].outcome == "loaded"


def test_the_footers_table_holds_every_loaded_file_as_its_footer_says(published, tmp_path):
    """What a Spark build's file accounting reads (RawStore.write_footers): one
    row per loaded data file, a file without rows too, with the row count and
    delivered file DuckDB reads from the same footers."""
    settings, _ = published
    raw = tmp_path / "raw"
    shutil.copytree(settings.raw_dir, raw)
    footers = pq.read_table(RawStore(raw).write_footers()).to_pylist()
    con = duckdb.connect()
    files = f"'{raw}/*/period=*/data*.parquet'"
    expected = con.execute(
        f"select split_part(f.file_name, '/', -3), f.file_name, decode(p.value), f.num_rows "
        f"from parquet_file_metadata({files}) f join parquet_kv_metadata({files}) p using (file_name) "
        f"where decode(p.key) = 'civstat.source_file' order by 2").fetchall()
    got = sorted((r["source"], r["data_file"], r["source_file"], r["rows_on_file"]) for r in footers)
    assert got == sorted(expected)
    assert any(rows == 0 for *_, rows in got)       # the world has deliveries without a row
