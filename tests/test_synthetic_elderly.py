"""The generator's ``elderly_care`` workbooks and their truth (T06, T07).

Figures are recomputed here from the workbooks alone (final versions, rows the
checks below find malformed left out), with the county's region history to
place re-coded communities.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from synthetic import elderly, regions
from synthetic.world import GenerationContext, month_end, ratio

from conftest import assert_identical_trees, tiny_world

COUNTY6 = "370832"
START, END = dt.date(2023, 1, 1), dt.date(2024, 12, 1)
COLUMNS = ["机构编号", "机构名称", "机构性质", "设施类型", "所在区划代码", "总床位数", "护理型床位数",
           "在住老人数", "其中失能老人数", "是否医养结合", "运营状态"]
SUMS = ["总床位数", "护理型床位数", "在住老人数", "其中失能老人数"]
NATURES = {"公办", "公建民营", "民办"}
KINDS = {"养老机构", "特困供养机构(敬老院)", "街道综合养老服务中心", "社区日间照料中心", "农村互助幸福院"}
STATUSES = {"运营", "停业", "在建"}
NAME = re.compile(r"^elderly_care_(\d{6})_(\d{4})(\d{2})(?:_v(\d+))?\.xlsx$")


def _county() -> regions.County:
    return tiny_world(Path("."), START, END)[0]


def _generate(out: Path) -> tuple[regions.County, GenerationContext]:
    county, ctx = tiny_world(out, START, END)
    elderly.generate(county, ctx)
    return county, ctx


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    out = tmp_path_factory.mktemp("elderly")
    county, ctx = _generate(out)
    return out, county, ctx


def _table(path: Path) -> list[list[str]]:
    rows = load_workbook(path, read_only=True).active.iter_rows(values_only=True)
    return [["" if c is None else str(c) for c in row] for row in rows]


def _records(path: Path) -> tuple[str, list[dict[str, str]], dict[str, str] | None]:
    """Title, data rows (line 3 onwards) and the 合计 row of a workbook."""
    table = _table(path)
    header = table[1]
    rows = [dict(zip(header, r)) for r in table[2:]]
    totals = rows.pop() if rows and "合计" in rows[-1].values() else None
    return table[0][0], rows, totals


def _final(folder: Path) -> dict[tuple[int, int], Path]:
    best: dict[tuple[int, int], tuple[int, Path]] = {}
    for path in sorted(folder.iterdir()):
        m = NAME.match(path.name)
        assert m, path.name
        key, version = (int(m.group(2)), int(m.group(3))), int(m.group(4) or 1)
        if key not in best or version > best[key][0]:
            best[key] = (version, path)
    return {k: p for k, (v, p) in best.items()}


def _problems(row: dict[str, str], known: set[str]) -> list[str]:
    """The columns of a row that break the contract."""
    bad = []
    for column, allowed in (("机构性质", NATURES), ("设施类型", KINDS), ("运营状态", STATUSES)):
        if row[column] not in allowed:
            bad.append(column)
    code = row["所在区划代码"]
    if code not in known:
        bad.append("所在区划代码")
    for column in SUMS:
        if not re.fullmatch(r"\d+", row[column]):
            bad.append(column)
    return bad


def _known(county: regions.County) -> set[str]:
    return {v.code for t in county.townships for v in t.villages}


def _clean(path: Path, county: regions.County) -> list[dict[str, str]]:
    known = _known(county)
    return [r for r in _records(path)[1] if not _problems(r, known)]


# --- tests ---------------------------------------------------------------------------

def test_the_same_arguments_give_byte_identical_workbooks(tmp_path):
    _generate(tmp_path / "a")
    _generate(tmp_path / "b")
    assert_identical_trees(tmp_path / "a", tmp_path / "b")


def test_one_workbook_per_month_with_a_title_the_contract_header_and_some_corrections(world):
    out, _, ctx = world
    final = _final(out / "elderly_care")
    assert set(final) == set(ctx.months())
    assert any("_v2" in p.name for p in (out / "elderly_care").iterdir())
    for (year, month), path in final.items():
        table = _table(path)
        assert [c for c in table[0] if c] == [f"梁山县{year}年{month}月养老机构情况表"]
        assert set(COLUMNS) <= set(table[1])


def test_the_totals_row_equals_the_column_sums(world):
    out, _, _ = world
    for path in sorted((out / "elderly_care").iterdir()):
        table = _table(path)
        assert table[-1][0] == "合计", path.name      # the label opens the row
        _, rows, totals = _records(path)
        assert totals is not None
        for column in SUMS:
            assert int(totals[column]) == sum(int(r[column]) for r in rows), (path.name, column)


def test_each_planted_defect_is_in_its_file_line_and_column_and_no_other_row_is_malformed(world):
    out, county, ctx = world
    known = _known(county)
    planted = {(d["file"], d["row"]): d["field"] for d in ctx.defects.entries}
    assert planted and {d["source"] for d in ctx.defects.entries} == {"elderly_care"}
    found = {}
    for path in _final(out / "elderly_care").values():
        for line, row in enumerate(_records(path)[1], start=3):   # title 1, header 2
            problems = _problems(row, known)
            if problems:
                found[(path.name, line)] = problems
    assert set(found) == set(planted)
    for key, column in planted.items():
        assert found[key] == [column], key


def test_clean_rows_are_consistent_beds_residents_and_statuses(world):
    out, county, _ = world
    for path in _final(out / "elderly_care").values():
        for row in _clean(path, county):
            beds, nursing = int(row["总床位数"]), int(row["护理型床位数"])
            residents, disabled = int(row["在住老人数"]), int(row["其中失能老人数"])
            assert nursing <= beds and residents <= beds and disabled <= residents
            if row["运营状态"] != "运营":
                assert residents == 0


def _township(county: regions.County, code: str, day: dt.date) -> str:
    return county.current_code(code, day)[:9] + "000"


def _recomputed(out: Path, county: regions.County, ctx: GenerationContext) -> dict[tuple, dict]:
    """T06 and T07 of each year from its last month's final workbook."""
    final = _final(out / "elderly_care")
    values = {}
    for year in ctx.years():
        month = max(m for y, m in final if y == year)
        day = month_end(year, month)
        rows = [r for r in _clean(final[(year, month)], county) if r["运营状态"] == "运营"]
        streets = [t.code for t in county.townships_on(day) if t.kind == "街道"]
        served = {_township(county, r["所在区划代码"], day) for r in rows if r["设施类型"] == "街道综合养老服务中心"}
        failing = sorted(s for s in streets if s not in served)
        values[("T06", year)] = {"value": ratio(len(streets) - len(failing), len(streets)), "failing": failing}
        institutions = [r for r in rows if r["设施类型"] in ("养老机构", "特困供养机构(敬老院)")]
        nursing = sum(int(r["护理型床位数"]) for r in institutions)
        beds = sum(int(r["总床位数"]) for r in institutions)
        values[("T07", year)] = {"value": ratio(nursing, beds)}
    return values


def test_t06_and_t07_recomputed_from_the_workbooks_equal_the_truth(world):
    out, county, ctx = world
    truth = {}
    for t in ctx.truth.targets:
        assert t["region"] == county.code12
        truth[(t["target"], t["year"])] = {k: t[k] for k in ("value", "failing") if k in t}
    assert truth == _recomputed(out, county, ctx)


def test_one_street_never_has_an_operating_centre_and_the_new_street_gets_one_later(world):
    out, county, ctx = world
    section = ctx.truth.sections["elderly_care"][COUNTY6]
    t06 = [t for t in ctx.truth.targets if t["target"] == "T06"]
    assert all(section["failing_street"] in t["failing"] for t in t06)
    new_street = next(t for t in county.townships if t.kind == "街道" and t.valid_from > START)
    opens = dt.date.fromisoformat(section["new_street_centre_opens"])
    assert opens > new_street.valid_from
    first = section["monthly"][f"{new_street.valid_from:%Y-%m}"]
    assert new_street.code in first["streets"] and new_street.code not in first["streets_with_centre"]


def test_the_nursing_bed_share_rises_over_the_years(world):
    _, _, ctx = world
    shares = [float(t["value"]) for t in sorted(ctx.truth.targets, key=lambda t: t["year"]) if t["target"] == "T07"]
    assert shares == sorted(shares) and 0.45 < shares[0] < 0.7
