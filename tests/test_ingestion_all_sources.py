"""Every source of the generated world through the door: the acceptance of ingestion
on the tiny world (the county-scale run is in bench/)."""

import csv
import datetime as dt
import io
import re
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from openpyxl import load_workbook

from ingestion.contract import CONTRACTS
from ingestion.load import ingest_landing
from ingestion.store import RawStore
from synthetic.ids import check_character

# Rules the generator plants that ingestion must quarantine; the marriage
# rules (M01–M09) are loaded and scored, unreadable archive dates kept and flagged.
QUARANTINE_RULES = {"id_check_character", "unknown_code", "negative_amount", "impossible_date",
                    "credit_code_check_character", "unknown_region", "unknown_region_code", "negative_count",
                    "served_code_mistyped"}


@pytest.fixture(scope="module")
def ingested(tiny_landing, tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw-all")
    results = ingest_landing(RawStore(raw), tiny_landing, counties=["370832"], secret=b"test-key")
    return raw, results


def test_every_delivered_file_of_every_source_is_read(ingested, tiny_landing):
    raw, results = ingested
    assert {r.source for r in results} == set(CONTRACTS)
    assert {r.outcome for r in results} == {"loaded"}, [r.messages for r in results if r.outcome != "loaded"]


def test_the_quarantine_is_exactly_the_malformed_rows_of_the_manifest(ingested, tiny_truth):
    raw, _ = ingested
    quarantined = {(f, r): fields.split("、") for f, r, fields in duckdb.sql(
        f"select source_file, source_row, fields from read_parquet('{raw}/_quarantine/*/*/*.parquet')").fetchall()}
    planted = {(d["file"], d["row"]): d["field"] for d in tiny_truth["defects"] if d["rule"] in QUARANTINE_RULES}
    assert set(quarantined) == set(planted)
    assert all(planted[k] in quarantined[k] for k in planted)


def test_ledger_counts_reconcile_for_every_file(ingested):
    raw, results = ingested
    store = RawStore(raw)
    for result in results:
        assert result.rows_read == result.rows_loaded + result.rows_quarantined
    for source in CONTRACTS:
        for entry in store.ledger(source).to_pylist():
            if entry["status"] == "loaded":
                assert entry["rows_read"] == entry["rows_loaded"] + entry["rows_quarantined"], entry["file_name"]
    totals = store.accounting()
    assert totals["read"] == totals["loaded"] + totals["quarantined"] == sum(r.rows_read for r in results)


def test_marriage_rule_breaches_are_loaded_for_scoring_not_quarantined(ingested, tiny_truth):
    raw, _ = ingested
    breaches = {(d["file"], d["row"]) for d in tiny_truth["defects"] if d["rule"].startswith("M0")}
    loaded = set(duckdb.sql(f"select _source_file, _source_row from read_parquet('{raw}/marriage/*/*.parquet')")
                 .fetchall())
    assert breaches and breaches <= loaded
    invalid = duckdb.sql(f"select count(*) from read_parquet('{raw}/marriage/*/*.parquet') "
                         "where man_id_valid = false or woman_id_valid = false").fetchall()[0][0]
    assert invalid >= 1   # an M02 breach: kept, flagged, pseudonymised


def test_unreadable_archive_dates_are_kept_and_flagged(ingested, tiny_truth):
    raw, _ = ingested
    flagged = {(d["file"], d["row"]) for d in tiny_truth["defects"] if d["rule"] == "unparseable_date"}
    kept = set(duckdb.sql(f"select _source_file, _source_row from read_parquet('{raw}/marriage_archive/*/*.parquet') "
                          "where registered_on is null and registered_on_as_written is not null").fetchall())
    assert flagged and kept == flagged


def _personal_values(landing: Path) -> set[str]:
    """Every name and ID number written in any delivered file, read without civstat's code."""
    values = set()
    for contract in CONTRACTS.values():
        personal = set(contract.personal_columns)
        for path in (landing / contract.key).glob("*"):
            if path.suffix == ".xlsx":
                rows = list(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
                header, body = list(rows[1]), rows[2:]
                records = [dict(zip(header, r)) for r in body]
            else:
                data = path.read_bytes()
                text = data.decode("gbk") if contract.expected_encoding == "gbk" else data.decode("utf-8-sig")
                records = list(csv.DictReader(io.StringIO(text, newline="")))
            for record in records:
                values.update(str(record[c]).strip() for c in personal if record.get(c))
    return {v for v in values if v and v != "None"}


def _is_citizen_id(text: str) -> bool:
    """A real ID by GB 11643 (an independent implementation): a real birth date
    and, for 18 digits, the right check character. An 18-digit credit code or
    record number is not one."""
    first17 = text[:6] + "19" + text[6:] if len(text) == 15 else text[:17]
    try:
        dt.date(int(first17[6:10]), int(first17[10:12]), int(first17[12:14]))
    except ValueError:
        return False
    return len(text) == 15 or text[17].upper() == check_character(first17)


def test_no_name_or_id_number_of_any_source_reaches_raw_or_quarantine(ingested, tiny_landing):
    raw, _ = ingested
    personal = _personal_values(tiny_landing)
    assert len(personal) > 500
    id_like = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")
    for path in raw.rglob("*.parquet"):
        for row in pq.read_table(path).to_pylist():
            for value in row.values():
                if isinstance(value, str):
                    assert value not in personal, path
                    assert not any(_is_citizen_id(m) for m in id_like.findall(value)), (path, value)


def test_worker_processes_load_exactly_what_one_process_loads(ingested, tiny_landing, tmp_path):
    """Large sources are read by several processes (ingest_source's ``workers``):
    forced here on the tiny monthly roll, the store holds the same rows,
    quarantine and ledger counts as the one-process load."""
    from ingestion.load import division_table, ingest_source

    raw, _ = ingested
    parallel = RawStore(tmp_path / "raw")
    for reference in ("regions", "region_changes"):
        ingest_source(parallel, tiny_landing, CONTRACTS[reference], counties=["370832"], secret=b"test-key")
    assert division_table(parallel) == division_table(RawStore(raw))
    results = ingest_source(parallel, tiny_landing, CONTRACTS["assistance"], counties=["370832"],
                            secret=b"test-key", workers=2, parallel_min_bytes=0)
    assert len(results) > 1 and {r.outcome for r in results} == {"loaded"}
    assert [r.period for r in results] == sorted(r.period for r in results)
    for kind in ("assistance", "_quarantine/assistance"):
        query = f"select * exclude (filename) from read_parquet('{{}}/{kind}/*/*.parquet', filename=true) order by all"
        assert duckdb.sql(query.format(parallel.raw_dir)).fetchall() == duckdb.sql(query.format(raw)).fetchall()
    assert parallel.ledger("assistance").num_rows == RawStore(raw).ledger("assistance").num_rows
