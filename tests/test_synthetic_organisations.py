"""The organisations generator (social_orgs, donations, volunteers, social_workers,
temporary_aid): contract shape, valid identifiers, planted defects, and targets
T09–T11, T15–T18 recomputed from the files exactly as ingestion would see them.

Everything here is re-implemented independently of ``synthetic``: the check
characters, the date styles, the code lists, and the counting rules.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

import pytest
from openpyxl import load_workbook

from synthetic import organisations, regions
from synthetic.world import GenerationContext

from conftest import tiny_world

START, LAST = dt.date(2023, 1, 1), dt.date(2024, 12, 1)
YEARS = (2023, 2024)

CONTRACT = {
    "social_orgs": ["统一社会信用代码", "组织名称", "组织类型", "登记日期", "住所区划代码", "是否慈善组织",
                    "慈善认定日期", "是否社区社会组织", "是否志愿服务组织", "是否社会工作服务机构",
                    "登记状态", "年检结论"],
    "donations": ["捐赠日期", "受赠组织信用代码", "捐赠方类型", "金额", "是否慈善信托"],
    "volunteers": ["志愿者编号", "身份证号", "姓名", "注册日期", "所属区划代码", "累计服务时长",
                   "所属组织信用代码", "状态"],
    "social_workers": ["证书编号", "身份证号", "姓名", "证书等级", "取得日期", "执业机构信用代码",
                       "所属区划代码", "状态"],
    "temporary_aid": ["行政区划代码", "身份证号", "姓名", "救助日期", "救助类别", "救助金额", "是否流浪乞讨人员"],
}
NAME = {
    "social_orgs": re.compile(r"^social_orgs_370832_(\d{8})(?:_v(\d+))?\.xlsx$"),
    "donations": re.compile(r"^donations_370832_(\d{4})(?:_v(\d+))?\.csv$"),
    "volunteers": re.compile(r"^volunteers_370832_(\d{8})(?:_v(\d+))?\.csv$"),
    "social_workers": re.compile(r"^social_workers_370832_(\d{8})(?:_v(\d+))?\.csv$"),
    "temporary_aid": re.compile(r"^temporary_aid_370832_(\d{6})(?:_v(\d+))?\.csv$"),
}
CODE_LISTS = {
    "组织类型": {"社会团体", "社会服务机构", "基金会"},
    "是否慈善组织": {"是", "否"}, "是否社区社会组织": {"是", "否"}, "是否志愿服务组织": {"是", "否"},
    "是否社会工作服务机构": {"是", "否"}, "是否慈善信托": {"是", "否"}, "是否流浪乞讨人员": {"是", "否"},
    "登记状态": {"正常", "注销", "撤销"},
    "年检结论": {"合格", "基本合格", "不合格", "未参检"},
    "捐赠方类型": {"个人", "企业", "其他"},
    "证书等级": {"助理社会工作师", "社会工作师", "高级社会工作师"},
    "救助类别": {"急难型", "支出型"},
}
STATUS = {"volunteers": {"正常", "注销"}, "social_workers": {"有效", "注销"}}
DATES = {"登记日期", "慈善认定日期", "捐赠日期", "注册日期", "取得日期", "救助日期"}
AMOUNTS = {"金额", "救助金额"}
REGIONS = {"住所区划代码", "所属区划代码", "行政区划代码"}


# ----------------------------------------------------------------- independent checks

def id_valid(value: str) -> bool:
    """GB 11643-1999: ISO 7064 MOD 11-2 over the first 17 digits."""
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    total = sum(int(value[i]) * (2 ** (17 - i) % 11) for i in range(17))
    return "10X98765432"[total % 11] == value[17]


USCC = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def credit_valid(value: str) -> bool:
    """GB 32100-2015: weights 3^i mod 31, check = 31 - sum mod 31."""
    if len(value) != 18 or any(c not in USCC for c in value):
        return False
    total = sum(USCC.index(c) * pow(3, i, 31) for i, c in enumerate(value[:17]))
    return USCC[(31 - total % 31) % 31] == value[17]


def organisation_code_valid(code9: str) -> bool:
    """GB 11714: weights 3 7 9 10 5 8 4 2, check 11 - sum mod 11 (10 → X, 11 → 0)."""
    total = sum(int(c) * w for c, w in zip(code9[:8], (3, 7, 9, 10, 5, 8, 4, 2)))
    check = (11 - total % 11) % 11
    return code9[8] == ("X" if check == 10 else str(check))


def parse_date(text: str) -> dt.date | None:
    for pattern in (r"(\d{4})-(\d{2})-(\d{2})", r"(\d{4})/(\d{1,2})/(\d{1,2})", r"(\d{4})(\d{2})(\d{2})"):
        m = re.fullmatch(pattern, text)
        if m:
            try:
                return dt.date(*map(int, m.groups()))
            except ValueError:
                return None
    return None


def parse_amount(text: str) -> Decimal | None:
    try:
        value = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    return value if value >= 0 else None


# ----------------------------------------------------------------- the world and its files

def make_world(out: Path, defect_rate: float = 0.02) -> tuple[regions.County, GenerationContext]:
    county, ctx = tiny_world(out, START, LAST, defect_rate)
    organisations.generate(county, ctx)
    return county, ctx


# The brief's rate, and a heavy one so that every source and rule gets defects
# and the truth is shown to leave every defective row out.
@pytest.fixture(scope="module", params=[0.02, 0.2], ids=["usual-defects", "many-defects"])
def world(request, tmp_path_factory):
    out = tmp_path_factory.mktemp("organisations")
    county, ctx = make_world(out, request.param)
    return out, county, ctx


def read_table(path: Path) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and (line, row) pairs; lines count as the defect log does."""
    if path.suffix == ".xlsx":
        table = [[("" if c is None else str(c)) for c in row]
                 for row in load_workbook(path, read_only=True).active.iter_rows(values_only=True)]
        header, body, first = table[1], table[2:], 3
    else:
        encoding = "gbk" if path.parent.name == "temporary_aid" else "utf-8"
        table = list(csv.reader(io.StringIO(path.read_bytes().decode(encoding))))
        header, body, first = table[0], table[1:], 2
    return header, [(first + i, dict(zip(header, row))) for i, row in enumerate(body)]


def files(out: Path, source: str) -> list[Path]:
    return sorted((out / source).iterdir())


def final_files(out: Path, source: str) -> dict[str, Path]:
    """The highest version of each period."""
    best: dict[str, tuple[int, Path]] = {}
    for path in files(out, source):
        period, version = NAME[source].match(path.name).groups()
        version = int(version or 1)
        if period not in best or best[period][0] < version:
            best[period] = (version, path)
    return {period: path for period, (version, path) in sorted(best.items())}


def snapshot_of_year(out: Path, source: str, year: int) -> tuple[dt.date, Path]:
    """The year's last delivered snapshot (a stock's year value)."""
    period, path = [(p, f) for p, f in final_files(out, source).items() if p.startswith(str(year))][-1]
    return dt.date(int(period[:4]), int(period[4:6]), int(period[6:])), path


_VALID: dict[tuple[int, dt.date], frozenset[str]] = {}


def region_ok(county: regions.County, code: str, day: dt.date, outside_allowed: bool) -> bool:
    """Known to the county's division table on ``day``, after following changes."""
    if not code.startswith(county.code6):
        return outside_allowed and bool(re.fullmatch(r"\d{12}", code))
    try:
        current = county.current_code(code, day)
    except (KeyError, StopIteration):
        return False
    key = (id(county), day)
    if key not in _VALID:
        _VALID[key] = frozenset(v.code for v in county.villages_on(day))
    return current in _VALID[key]


def bad_columns(source: str, row: dict[str, str], county: regions.County, day: dt.date | None) -> set[str]:
    """Columns of a row that ingestion must reject."""
    bad = set()
    for column, value in row.items():
        if column in CONTRACT[source] and not value and column not in {"慈善认定日期", "所属组织信用代码"}:
            bad.add(column)
        elif not value:
            continue
        elif "身份证号" in column and not id_valid(value):
            bad.add(column)
        elif "信用代码" in column and not credit_valid(value):
            bad.add(column)
        elif column in DATES and parse_date(value) is None:
            bad.add(column)
        elif column in AMOUNTS and parse_amount(value) is None:
            bad.add(column)
        elif column in CODE_LISTS and value not in CODE_LISTS[column]:
            bad.add(column)
        elif column == "状态" and value not in STATUS[source]:
            bad.add(column)
    for column in REGIONS & set(row):
        when = day or parse_date(row.get("救助日期", "")) or dt.date(2024, 12, 31)
        if column not in bad and not region_ok(county, row[column], when, source == "social_workers"):
            bad.add(column)
    return bad


def period_day(source: str, path: Path) -> dt.date | None:
    period = NAME[source].match(path.name).group(1)
    return dt.date(int(period[:4]), int(period[4:6]), int(period[6:])) if len(period) == 8 else None


def clean_rows(out: Path, county: regions.County, source: str, path: Path) -> list[dict[str, str]]:
    day = period_day(source, path)
    return [row for _, row in read_table(path)[1] if not bad_columns(source, row, county, day)]


def truth_of(ctx: GenerationContext, *targets: str) -> dict[tuple[str, str, int], dict]:
    return {(t["target"], t["region"], t["year"]): t for t in ctx.truth.targets if t["target"] in targets}


# ----------------------------------------------------------------- tests

def test_the_same_arguments_give_byte_identical_files(world, tmp_path):
    out, _, ctx = world
    _, again = make_world(tmp_path, ctx.defect_rate)
    for source in organisations.SOURCES:
        first = {p.name: p.read_bytes() for p in files(out, source)}
        second = {p.name: p.read_bytes() for p in files(tmp_path, source)}
        assert first == second, source
    assert again.truth == ctx.truth
    assert again.defects.entries == ctx.defects.entries


def test_every_period_of_the_contract_is_delivered(world):
    out, _, _ = world
    assert list(final_files(out, "social_orgs")) == ["20230630", "20231231", "20240630", "20241231"]
    assert list(final_files(out, "volunteers")) == ["20231231", "20241231"]
    assert list(final_files(out, "social_workers")) == ["20231231", "20241231"]
    assert list(final_files(out, "donations")) == ["2023", "2024"]
    assert list(final_files(out, "temporary_aid")) == [f"{y}{m:02d}" for y in YEARS for m in range(1, 13)]


def test_each_file_has_the_contract_name_encoding_and_header(world):
    out, _, _ = world
    for source in organisations.SOURCES:
        for path in files(out, source):
            assert NAME[source].match(path.name), path.name
            raw = path.read_bytes()
            if source == "temporary_aid":
                raw.decode("gbk")
                with pytest.raises(UnicodeDecodeError):
                    raw.decode("utf-8")
            elif source != "social_orgs":
                assert not raw.startswith(b"\xef\xbb\xbf")
                raw.decode("utf-8")
            header, rows = read_table(path)
            assert set(CONTRACT[source]) <= set(header), path.name
            assert len(header) == len(set(header)) <= len(CONTRACT[source]) + 1
            assert rows, path.name


def test_workbooks_have_a_single_title_cell_above_the_header(world):
    out, _, _ = world
    for path in files(out, "social_orgs"):
        first = next(load_workbook(path, read_only=True).active.iter_rows(values_only=True))
        assert sum(1 for c in first if c) == 1 and "社会组织" in first[0]


def test_some_periods_are_corrected_by_a_second_version_that_differs(world):
    out, _, _ = world
    corrected = [p for s in organisations.SOURCES for p in files(out, s) if "_v2" in p.name]
    assert corrected
    for v2 in corrected:
        v1 = v2.with_name(v2.name.replace("_v2", ""))
        assert v1.exists() and read_table(v1)[1] != read_table(v2)[1]


def test_ids_and_credit_codes_are_valid_except_the_planted_defects(world):
    out, county, ctx = world
    logged = {(d["file"], d["row"]): d for d in ctx.defects.entries}
    finals = {p.name for s in organisations.SOURCES for p in final_files(out, s).values()}
    for source in organisations.SOURCES:
        for path in files(out, source):
            day = period_day(source, path)
            for line, row in read_table(path)[1]:
                bad = bad_columns(source, row, county, day)
                if path.name in finals:
                    assert bool(bad) == ((path.name, line) in logged), (path.name, line, bad)
                else:
                    assert not bad, (path.name, line, bad)       # drafts are wrong, not malformed


def test_each_planted_defect_is_in_its_file_line_and_column(world):
    out, county, ctx = world
    assert ctx.defects.entries
    if ctx.defect_rate >= 0.2:
        assert {d["source"] for d in ctx.defects.entries} == set(organisations.SOURCES)
        assert {d["rule"] for d in ctx.defects.entries} == {
            "id_check_character", "credit_code_check_character", "impossible_date",
            "unknown_code", "negative_amount", "unknown_region"}
    for defect in ctx.defects.entries:
        path = out / defect["source"] / defect["file"]
        rows = dict(read_table(path)[1])
        row = rows[defect["row"]]
        assert defect["field"] in bad_columns(defect["source"], row, county, period_day(defect["source"], path))
        assert defect["rule"] in {"id_check_character", "credit_code_check_character", "impossible_date",
                                  "unknown_code", "negative_amount", "unknown_region"}


def test_credit_codes_are_civil_affairs_codes_of_the_county_with_the_right_category(world):
    out, county, _ = world
    digit = {"社会团体": "1", "社会服务机构": "2", "基金会": "3"}
    for path in final_files(out, "social_orgs").values():
        for row in clean_rows(out, county, "social_orgs", path):
            code = row["统一社会信用代码"]
            assert code[0] == "5" and code[1] == digit[row["组织类型"]] and code[2:8] == county.code6
            assert organisation_code_valid(code[8:17])


def test_donations_go_to_charities_of_the_register(world):
    out, county, _ = world
    charities = {row["统一社会信用代码"] for path in files(out, "social_orgs")
                 for row in clean_rows(out, county, "social_orgs", path) if row["是否慈善组织"] == "是"}
    for path in final_files(out, "donations").values():
        for row in clean_rows(out, county, "donations", path):
            assert row["受赠组织信用代码"] in charities


def test_some_people_are_counted_once_despite_two_registrations_or_certificates(world):
    out, _, _ = world
    for source in ("volunteers", "social_workers"):
        _, path = snapshot_of_year(out, source, 2024)
        ids = [row["身份证号"] for _, row in read_table(path)[1]]
        assert len(ids) > len(set(ids)), source


def test_community_organisation_targets_T09_T10_T11_recomputed_from_the_files_equal_the_truth(world):
    out, county, ctx = world
    expected = {}
    for year in YEARS:
        day, path = snapshot_of_year(out, "social_orgs", year)
        per_village: dict[str, set[str]] = {}
        for row in clean_rows(out, county, "social_orgs", path):
            if row["登记状态"] == "正常" and row["是否社区社会组织"] == "是":
                village = county.current_code(row["住所区划代码"], day)
                per_village.setdefault(village, set()).add(row["统一社会信用代码"])
        regions_on = [(county.code12, county.villages_on(day))]
        regions_on += [(t.code, t.villages_on(day)) for t in county.townships_on(day)]
        for region, villages in regions_on:
            expected.update(community_expectations(region, year, villages, per_village))
    assert truth_of(ctx, "T09", "T10", "T11") == expected
    assert any(t["failing"] for t in expected.values() if t["target"] == "T11")


def community_expectations(region: str, year: int, villages: list, per_village: dict[str, set[str]]) -> dict:
    found = {}
    for target, kind in (("T09", "城市社区"), ("T10", "农村社区")):
        codes = [v.code for v in villages if v.community_type == kind]
        if codes:
            count = sum(len(per_village.get(c, ())) for c in codes)
            value = str((Decimal(count) / len(codes)).quantize(Decimal("0.01"), ROUND_HALF_UP))
            found[(target, region, year)] = {"target": target, "region": region, "year": year, "value": value,
                                             "numerator": count, "denominator": len(codes)}
    rural = [v.code for v in villages if v.community_type == "行政村"]
    if rural:
        counts = {c: len(per_village.get(c, ())) for c in rural}
        failing = sorted(c for c, n in counts.items() if n < 2)
        found[("T11", region, year)] = {"target": "T11", "region": region, "year": year,
                                        "value": str(min(counts.values())), "failing": failing,
                                        "numerator": len(rural) - len(failing), "denominator": len(rural)}
    return found


def test_T16_and_T18_count_active_social_work_and_volunteer_organisations_once_per_code(world):
    out, county, ctx = world
    truth = truth_of(ctx, "T16", "T18")
    for year in YEARS:
        _, path = snapshot_of_year(out, "social_orgs", year)
        rows = [r for r in clean_rows(out, county, "social_orgs", path) if r["登记状态"] == "正常"]
        social = {r["统一社会信用代码"] for r in rows if r["是否社会工作服务机构"] == "是"}
        volunteer = {r["统一社会信用代码"] for r in rows if r["是否志愿服务组织"] == "是"}
        assert truth[("T16", county.code12, year)]["value"] == str(len(social))
        assert truth[("T18", county.code12, year)]["value"] == str(len(volunteer))


def test_T17_counts_active_volunteers_once_per_id(world):
    out, county, ctx = world
    truth = truth_of(ctx, "T17")
    for year in YEARS:
        _, path = snapshot_of_year(out, "volunteers", year)
        active = {r["身份证号"] for r in clean_rows(out, county, "volunteers", path) if r["状态"] == "正常"}
        assert truth[("T17", county.code12, year)]["value"] == str(len(active))


def test_T15_counts_valid_certificate_holders_registered_in_the_county_once_per_id(world):
    out, county, ctx = world
    truth = truth_of(ctx, "T15")
    outside = 0
    for year in YEARS:
        _, path = snapshot_of_year(out, "social_workers", year)
        rows = [r for r in clean_rows(out, county, "social_workers", path) if r["状态"] == "有效"]
        holders = {r["身份证号"] for r in rows if r["所属区划代码"].startswith(county.code6)}
        outside += sum(1 for r in rows if not r["所属区划代码"].startswith(county.code6))
        assert truth[("T15", county.code12, year)]["value"] == str(len(holders))
    assert outside


def test_donation_and_grant_totals_recomputed_from_the_files_equal_the_truth(world):
    out, county, ctx = world
    for year in YEARS:
        donations = [r for p, f in final_files(out, "donations").items() if p == str(year)
                     for r in clean_rows(out, county, "donations", f)]
        section = ctx.truth.sections["donations"][str(year)]
        assert section["count"] == len(donations)
        assert Decimal(section["amount"]) == sum(parse_amount(r["金额"]) for r in donations)
        grants = [r for p, f in final_files(out, "temporary_aid").items() if p.startswith(str(year))
                  for r in clean_rows(out, county, "temporary_aid", f)]
        aid = ctx.truth.sections["temporary_aid"][str(year)]
        assert aid["grants"] == len(grants)
        assert Decimal(aid["amount"]) == sum(parse_amount(r["救助金额"]) for r in grants)
        assert aid["vagrants"] == sum(1 for r in grants if r["是否流浪乞讨人员"] == "是")
        for category, cell in aid["by_category"].items():
            assert cell["grants"] == sum(1 for r in grants if r["救助类别"] == category)


def test_records_after_a_region_change_use_new_codes_and_a_few_keep_the_old_ones(world):
    out, county, _ = world
    retired = {v.code for t in county.townships for v in t.villages if v.successor}
    codes = [r["行政区划代码"] for f in final_files(out, "temporary_aid").values()
             for r in clean_rows(out, county, "temporary_aid", f)
             if parse_date(r["救助日期"]) >= dt.date(2024, 6, 1)]
    for source, column in (("social_orgs", "住所区划代码"), ("volunteers", "所属区划代码")):
        _, path = snapshot_of_year(out, source, 2024)
        codes += [r[column] for r in clean_rows(out, county, source, path)]
    old = [c for c in codes if c in retired]
    assert old and len(old) < len(codes) / 5
