"""Bad deliveries, each built by corrupting a generated file: a clear message
naming the file (and row and field where there is one), the other files load,
and rows read = loaded + quarantined."""

import shutil
from pathlib import Path

import pytest

from ingestion.contract import CONTRACTS
from ingestion.load import ingest_source
from ingestion.store import RawStore


@pytest.fixture
def landing(tiny_landing, tmp_path) -> Path:
    target = tmp_path / "landing"
    shutil.copytree(tiny_landing, target)
    return target


def _ingest(landing: Path, raw: Path, source: str):
    results = ingest_source(RawStore(raw), landing, CONTRACTS[source], counties=["370832"], secret=b"k")
    for result in results:
        assert result.rows_read == result.rows_loaded + result.rows_quarantined
    return {r.period: r for r in results}


def _first(landing: Path, source: str, pattern: str = "*") -> Path:
    """The first file of a source that no correction replaces (so it is read)."""
    files = sorted((landing / source).glob(pattern))
    return next(p for p in files if "_v" not in p.name and not p.with_name(p.stem + "_v2" + p.suffix).exists())


def test_a_truncated_csv_quarantines_its_cut_row_and_loads_the_rest(landing, tmp_path):
    path = _first(landing, "assistance")
    data = path.read_bytes()
    path.write_bytes(data[: data.rindex(b"\r\n", 0, len(data) - 2) + 30])   # cut inside the last row
    result = _ingest(landing, tmp_path / "raw", "assistance")["2024-01"]
    assert result.outcome == "loaded" and result.rows_quarantined >= 1


def test_a_truncated_workbook_is_rejected_by_name_and_the_others_load(landing, tmp_path):
    path = _first(landing, "elderly_care")
    path.write_bytes(path.read_bytes()[:700])
    results = _ingest(landing, tmp_path / "raw", "elderly_care")
    rejected = [r for r in results.values() if r.outcome == "rejected"]
    assert len(rejected) == 1 and path.name in rejected[0].messages[0] and "Excel" in rejected[0].messages[0]
    assert sum(r.outcome == "loaded" for r in results.values()) == len(results) - 1


def test_a_csv_with_a_workbook_name_is_rejected(landing, tmp_path):
    path = _first(landing, "elderly_care")
    path.write_bytes("机构编号,机构名称\r\nA,B\r\n".encode("utf-8"))
    result = _ingest(landing, tmp_path / "raw", "elderly_care")[CONTRACTS["elderly_care"].period_key(
        path.stem.split("_")[3])]
    assert result.outcome == "rejected" and "不是有效的Excel" in result.messages[0]


def test_a_workbook_with_a_csv_name_is_rejected_as_binary(landing, tmp_path):
    path = _first(landing, "deaths")
    path.write_bytes(_first(landing, "elderly_care").read_bytes())
    result = next(iter(_ingest(landing, tmp_path / "raw", "deaths").values()))
    assert result.outcome == "rejected" and path.name in result.messages[0]


def test_bytes_that_are_neither_utf8_nor_gbk_are_rejected_naming_the_line(landing, tmp_path):
    path = _first(landing, "temporary_aid")
    lines = path.read_bytes().split(b"\r\n")
    lines[3] = lines[3] + b"\x80\xff\xfe"
    path.write_bytes(b"\r\n".join(lines))
    result = _ingest(landing, tmp_path / "raw", "temporary_aid")["2024-01"]
    assert result.outcome == "rejected" and "第4行编码无法识别" in result.messages[0]


def test_a_header_only_file_loads_nothing_and_says_so(landing, tmp_path):
    path = _first(landing, "donations")
    path.write_bytes(path.read_bytes().split(b"\n")[0] + b"\n")
    result = next(iter(_ingest(landing, tmp_path / "raw", "donations").values()))
    assert result.outcome == "loaded" and result.rows_read == 0
    assert any("只有表头" in m for m in result.messages)


def test_rows_with_too_many_or_too_few_fields_are_quarantined_by_line(landing, tmp_path):
    path = _first(landing, "cremation")
    lines = path.read_bytes().split(b"\r\n")
    lines[1] += b",extra"
    lines[2] = b",".join(lines[2].split(b",")[:3])
    path.write_bytes(b"\r\n".join(lines))
    raw = tmp_path / "raw"
    _ingest(landing, raw, "cremation")
    import duckdb
    rows = duckdb.sql(f"select source_row, reasons from read_parquet('{raw}/_quarantine/cremation/*/*.parquet') "
                      f"where source_file = '{path.name}' and fields = '(整行)' order by 1").fetchall()
    assert [r[0] for r in rows] == [2, 3] and "字段" in rows[0][1]


def test_duplicated_headers_reject_the_file(landing, tmp_path):
    path = _first(landing, "communities")
    text = path.read_bytes().decode("utf-8")
    header, rest = text.split("\r\n", 1)
    path.write_bytes((header + ",名称\r\n" + rest).encode("utf-8"))
    result = next(iter(_ingest(landing, tmp_path / "raw", "communities").values()))
    assert result.outcome == "rejected" and "重复" in result.messages[0]


def test_extra_columns_are_reported_not_refused(landing, tmp_path):
    path = _first(landing, "regions")
    text = path.read_bytes().decode("utf-8")
    lines = text.split("\r\n")
    path.write_bytes("\r\n".join([lines[0] + ",备注"] + [l + ",x" if l else l for l in lines[1:]]).encode("utf-8"))
    result = next(iter(_ingest(landing, tmp_path / "raw", "regions").values()))
    assert result.outcome == "loaded" and any("多余列" in m and "备注" in m for m in result.messages)
