"""The generator: deterministic, in the contract's formats, with its defects really planted."""

import csv
import io
import json
from pathlib import Path

import pytest

from civstat.settings import REPO_ROOT
from ingestion.identity import InvalidId, parse_citizen_id
from synthetic.generate import GenerateRequest, generate

from conftest import assert_identical_trees

SAMPLE = REPO_ROOT / "samples" / "landing"


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_bytes().decode("gbk"))))


def test_the_same_arguments_give_byte_identical_files(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    for out in (a, b):
        generate(GenerateRequest(out=out, scale="tiny", seed=3, start="2024-01", end="2024-04"))
    assert_identical_trees(a, b)


def test_another_seed_gives_another_world(tmp_path):
    generate(GenerateRequest(out=tmp_path / "a", seed=3, start="2024-01", end="2024-01"))
    generate(GenerateRequest(out=tmp_path / "b", seed=4, start="2024-01", end="2024-01"))
    name = "assistance/assistance_370832_202401.csv"
    assert (tmp_path / "a" / name).read_bytes() != (tmp_path / "b" / name).read_bytes()


def test_the_committed_sample_is_what_the_generator_writes(tmp_path):
    generate(GenerateRequest(out=tmp_path, scale="tiny", seed=1, start="2024-01", end="2024-03"))
    committed = sorted(p.relative_to(SAMPLE) for p in SAMPLE.rglob("*") if p.is_file())
    regenerated = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert committed == regenerated
    for rel in committed:
        assert (SAMPLE / rel).read_bytes() == (tmp_path / rel).read_bytes(), rel
    assert any("assistance" in str(p) and "_v2" in str(p) for p in committed), \
        "the sample must hold a correction of the roll"


def test_roll_files_are_gbk_as_the_contract_says(tiny_landing):
    for path in (tiny_landing / "assistance").glob("*.csv"):
        data = path.read_bytes()
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
        header = data.decode("gbk").splitlines()[0].split(",")
        assert {"行政区划代码", "户主身份证号", "救助类型"} <= set(header)


def test_every_id_is_valid_except_the_planted_ones(tiny_landing, tiny_truth):
    planted = {(d["file"], d["row"]) for d in tiny_truth["defects"] if d["field"] == "户主身份证号"}
    for path in (tiny_landing / "assistance").glob("*.csv"):
        for line, row in enumerate(_rows(path), start=2):
            if (path.name, line) in planted:
                with pytest.raises(InvalidId):
                    parse_citizen_id(row["户主身份证号"])
            else:
                parse_citizen_id(row["户主身份证号"])


def test_each_planted_defect_of_the_roll_is_in_its_file_row_and_field(tiny_landing, tiny_truth):
    """Each source's own test checks its defects; this one the roll's."""
    defects = [d for d in tiny_truth["defects"] if d["source"] == "assistance"]
    assert defects, "the tiny world plants defects by default"
    valid_types = {"城市低保", "农村低保", "城市特困", "农村特困"}
    for defect in defects:
        rows = _rows(tiny_landing / defect["source"] / defect["file"])
        value = rows[defect["row"] - 2][defect["field"]]
        if defect["rule"] == "unknown_code":
            assert value not in valid_types
        elif defect["rule"] == "negative_amount":
            assert value.startswith("-")
        elif defect["rule"] == "impossible_date":
            assert value.endswith("-02-30")


def test_the_manifest_lists_every_file_written(tiny_landing, tiny_truth):
    on_disk = sorted(str(p.relative_to(tiny_landing)) for p in tiny_landing.glob("*/*")
                     if p.parent.name != "_truth")
    assert tiny_truth["files"] == on_disk
    assert json.dumps(tiny_truth, ensure_ascii=False)  # serialisable as written


def test_an_unknown_scale_or_an_inverted_period_is_a_usage_error(tmp_path):
    with pytest.raises(ValueError, match="scale"):
        generate(GenerateRequest(out=tmp_path, scale="galaxy"))
    with pytest.raises(ValueError, match="before"):
        generate(GenerateRequest(out=tmp_path, start="2024-05", end="2024-01"))
