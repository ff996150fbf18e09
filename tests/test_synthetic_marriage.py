"""The marriage generator: contract-shaped files, planted rule breaches, and a truth
that the files themselves confirm.

The rules of marriage-rules.md are implemented here again, independently of the
generator's model: T14 is recomputed from the clean rows of the final files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from synthetic import marriage, regions
from synthetic.world import GenerationContext

from conftest import assert_identical_trees, tiny_world

COUNTY6 = "370832"
FIRST, LAST = dt.date(2023, 1, 1), dt.date(2024, 12, 1)
# The contract's columns (extracts.md), written out again on purpose.
MARRIAGE_COLUMNS = ["登记机关代码", "登记类型", "登记日期", "证书字号", "男方姓名", "男方身份证号", "男方出生日期",
                    "男方户籍地区划代码", "男方国籍地区", "女方姓名", "女方身份证号", "女方出生日期",
                    "女方户籍地区划代码", "女方国籍地区", "原结婚证字号"]
ARCHIVE_COLUMNS = ["档案号", "登记类型", "登记日期", "登记机关", "男方姓名", "男方出生年月", "男方身份证号",
                   "女方姓名", "女方出生年月", "女方身份证号", "备注"]
TYPES = {"结婚", "离婚", "补领结婚证", "补领离婚证"}
NATIONALITIES = {"内地", "香港", "澳门", "台湾", "华侨", "外国"}
PROVINCES = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
             50, 51, 52, 53, 54, 61, 62, 63, 64, 65}
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
SIDES = ("男方", "女方")
CN = "〇一二三四五六七八九"


def make(out: Path) -> tuple[regions.County, GenerationContext]:
    county, ctx = tiny_world(out, FIRST, LAST)
    marriage.generate(county, ctx)
    return county, ctx


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    out = tmp_path_factory.mktemp("marriage")
    county, ctx = make(out)
    return out, county, ctx


# ---- reading the files, as ingestion would --------------------------------

def final_files(folder: Path) -> list[Path]:
    """The highest version of each period."""
    best: dict[str, tuple[int, Path]] = {}
    for path in sorted(folder.iterdir()):
        m = re.fullmatch(r"(.+?)(?:_v(\d+))?\.(csv|xlsx)", path.name)
        version = int(m.group(2) or 1)
        if m.group(1) not in best or best[m.group(1)][0] < version:
            best[m.group(1)] = (version, path)
    return [p for _, p in sorted(best.values(), key=lambda vp: vp[1].name)]


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), f"{path.name}: the contract says UTF-8 without BOM"
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8"))))


def read_xlsx(path: Path) -> tuple[str, list[str], list[dict[str, str]]]:
    table = [["" if c is None else str(c) for c in row]
             for row in load_workbook(path, read_only=True).active.iter_rows(values_only=True)]
    header = table[1]
    return table[0][0], header, [dict(zip(header, row)) for row in table[2:]]


def parse_date(text: str) -> dt.date | None:
    """The delivery date styles: 2024-03-07, 2024/3/7, 20240307; None when impossible."""
    m = re.fullmatch(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})|(\d{4})(\d{2})(\d{2})", text.strip())
    if not m:
        return None
    y, mo, d = (int(g) for g in (m.groups()[:3] if m.group(1) else m.groups()[3:]))
    try:
        return dt.date(y, mo, d)
    except ValueError:
        return None


def id_ok(value: str) -> bool:
    """GB 11643: check character, a real birth date, a known province."""
    if not re.fullmatch(r"\d{17}[\dX]", value):
        return False
    if "10X98765432"[sum(int(a) * w for a, w in zip(value[:17], WEIGHTS)) % 11] != value[17]:
        return False
    try:
        dt.datetime.strptime(value[6:14], "%Y%m%d")
    except ValueError:
        return False
    return int(value[:2]) in PROVINCES


def to18(value: str) -> str:
    if len(value) != 15:
        return value
    first17 = value[:6] + "19" + value[6:]
    return first17 + "10X98765432"[sum(int(a) * w for a, w in zip(first17, WEIGHTS)) % 11]


def rate(numerator: int, denominator: int) -> str:
    """A rate to four places, rounded half up (as the targets are reported)."""
    return str((Decimal(numerator) / Decimal(denominator)).quantize(Decimal("0.0001"), ROUND_HALF_UP))


def age(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def month_of(name: str) -> tuple[int, int]:
    period = re.search(r"_(\d{6})(?:_v\d+)?\.csv$", name).group(1)
    return int(period[:4]), int(period[4:])


def electronic_rows(out: Path, ctx) -> list[dict]:
    """Loaded rows of the final files: quarantined (planted defect) rows left out."""
    quarantined = {(d["file"], d["row"]) for d in ctx.defects.entries
                   if d["source"] == "marriage" and not d["rule"].startswith("M")}
    rows = []
    for path in final_files(out / "marriage"):
        for line, row in enumerate(read_csv(path), start=2):
            if (path.name, line) not in quarantined:
                rows.append({**row, "_file": path.name, "_line": line, "_date": parse_date(row["登记日期"])})
    return rows


# ---- the rules of marriage-rules.md, again ---------------------------------

def rule_breaches(rows: list[dict], archive: list[dict], deaths: dict[str, dt.date]) -> dict[tuple[str, int], set[str]]:
    """Each loaded row's broken rules, keyed by (file, line)."""
    broken: dict[tuple[str, int], set[str]] = defaultdict(set)
    certificates = Counter(r["证书字号"] for r in rows)
    index = {r["证书字号"]: r for r in rows}
    archive_index = {a["档案号"]: a for a in archive if a["登记类型"] == "结婚"}
    for r in rows:
        key, day = (r["_file"], r["_line"]), r["_date"]
        for rule in check_row(r, day, certificates, index, archive_index, deaths):
            broken[key].add(rule)
    for key in m05(rows, archive, deaths):
        broken[key].add("M05")
    return broken


def check_row(r, day, certificates, index, archive_index, deaths) -> set[str]:
    out = set()
    births = {}
    required = ["登记类型", "登记日期", "证书字号"] + [f"{s}{c}" for s in SIDES for c in ("姓名", "出生日期", "国籍地区", "身份证号")]
    if any(not r[c].strip() for c in required):
        out.add("M01")
    for side in SIDES:
        births[side] = parse_date(r[f"{side}出生日期"]) if r[f"{side}出生日期"] else None
        pid = r[f"{side}身份证号"]
        if r[f"{side}国籍地区"] != "内地" or not pid:
            continue
        if not id_ok(pid):
            out.add("M02")
            continue
        male_digit = int(pid[16]) % 2 == 1
        if (births[side] and pid[6:14] != births[side].strftime("%Y%m%d")) or male_digit != (side == "男方"):
            out.add("M03")
    if r["登记类型"] == "结婚" and births["男方"] and births["女方"]:
        if age(births["男方"], day) < 22 or age(births["女方"], day) < 20:
            out.add("M04")
    ref = r["原结婚证字号"]
    ids = (r["男方身份证号"], r["女方身份证号"])
    if r["登记类型"] == "离婚":
        target = index.get(ref)
        ok = target is not None and target["登记类型"] == "结婚" and target["_date"] < day \
            and (target["男方身份证号"], target["女方身份证号"]) == ids
        archived = archive_index.get(ref)
        ok = ok or (archived is not None and (to18(archived["男方身份证号"]), to18(archived["女方身份证号"])) == ids)
        if not ok:
            out.add("M06")
    if r["登记类型"] in ("补领结婚证", "补领离婚证"):
        kind = "结婚" if r["登记类型"] == "补领结婚证" else "离婚"
        target = index.get(ref)
        if target is None or target["登记类型"] != kind or (target["男方身份证号"], target["女方身份证号"]) != ids:
            out.add("M07")
    m = re.fullmatch(r"(J|L|BJ|BL)(\d{6})-(\d{4})-(\d{6})", r["证书字号"])
    expected_prefix = {"结婚": "J", "离婚": "L", "补领结婚证": "BJ", "补领离婚证": "BL"}[r["登记类型"]]
    if not m or m.group(1) != expected_prefix or int(m.group(3)) != day.year \
            or m.group(2) != r["登记机关代码"][:6] or certificates[r["证书字号"]] > 1:
        out.add("M08")
    year, month = month_of(r["_file"])
    last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
    if day > last or any(b and day < b for b in births.values()) \
            or any(deaths.get(pid, dt.date.max) < day for pid in ids):
        out.add("M09")
    return out


def m05(rows: list[dict], archive: list[dict], deaths: dict[str, dt.date]) -> set[tuple[str, int]]:
    """结婚 rows where a party is still married: archive marriages (IDs 1985+) and system
    marriages not ended by a registered divorce or the spouse's death before the date."""
    spouses: dict[str, dict[str, dt.date]] = defaultdict(dict)   # person → spouse → married on
    for a in archive:
        man, woman = to18(a["男方身份证号"]), to18(a["女方身份证号"])
        if not man or not woman:
            continue
        if a["登记类型"] == "结婚":
            spouses[man][woman] = spouses[woman][man] = dt.date(int(a["_year"]), 1, 1)
        else:
            spouses[man].pop(woman, None)
            spouses[woman].pop(man, None)
    failing = set()
    for r in sorted(rows, key=lambda r: r["_date"]):
        man, woman, day = r["男方身份证号"], r["女方身份证号"], r["_date"]
        if r["登记类型"] == "结婚":
            for person in (man, woman):
                if not person:      # an ID left empty is M01's, not a person to follow
                    continue
                live = [s for s, since in spouses[person].items() if since < day and deaths.get(s, dt.date.max) >= day]
                if live:
                    failing.add((r["_file"], r["_line"]))
            spouses[man][woman] = spouses[woman][man] = day
        elif r["登记类型"] == "离婚":
            spouses[man].pop(woman, None)
            spouses[woman].pop(man, None)
    return failing


def archive_rows(out: Path, first_year: int) -> list[dict]:
    """Archive records before the electronic system (the overlap year is kept once: in the system)."""
    rows = []
    for path in final_files(out / "marriage_archive"):
        year = int(re.search(r"_(\d{4})(?:_v\d+)?\.xlsx$", path.name).group(1))
        if year < first_year:
            rows += [{**r, "_year": year} for r in read_xlsx(path)[2]]
    return rows


# ---- tests -----------------------------------------------------------------

def test_the_same_arguments_give_byte_identical_files(tmp_path, world):
    out, _, ctx = world
    _, again = make(tmp_path)
    assert_identical_trees(out, tmp_path)
    assert again.truth == ctx.truth and again.defects == ctx.defects


def test_marriage_files_are_monthly_utf8_csv_with_the_contract_header(world):
    out, _, _ = world
    periods = set()
    for path in sorted((out / "marriage").iterdir()):
        m = re.fullmatch(rf"marriage_{COUNTY6}_(\d{{6}})(_v\d+)?\.csv", path.name)
        assert m, path.name
        periods.add(m.group(1))
        header = next(csv.reader(io.StringIO(path.read_bytes().decode("utf-8"))))
        assert set(MARRIAGE_COLUMNS) <= set(header), path.name
        assert set(header) - set(MARRIAGE_COLUMNS) <= {"备注", "经办人", "婚姻登记员"}
    assert periods == {f"{y}{m:02d}" for y in (2023, 2024) for m in range(1, 13)}


def test_archive_files_are_yearly_workbooks_with_a_title_row_and_two_years_missing(world):
    out, _, ctx = world
    years = set()
    for path in sorted((out / "marriage_archive").iterdir()):
        m = re.fullmatch(rf"marriage_archive_{COUNTY6}_(\d{{4}})(_v\d+)?\.xlsx", path.name)
        assert m, path.name
        title, header, _ = read_xlsx(path)
        assert title == f"梁山县{m.group(1)}年婚姻登记档案补录表"
        assert set(ARCHIVE_COLUMNS) <= set(header)
        years.add(int(m.group(1)))
    missing = set(range(1949, 2023)) - years
    assert len(missing) == 2 and 2023 in years and max(years) == 2023


def test_certificates_are_sequential_per_year_and_type_and_the_county_offices_register(world):
    out, _, ctx = world
    rows = electronic_rows(out, ctx)
    offices = Counter(r["登记机关代码"] for r in rows)
    assert set(offices) == {f"{COUNTY6}MZJ", f"{COUNTY6}BMZX"}
    assert {r["登记类型"] for r in rows if r["登记类型"] in TYPES} == TYPES
    for prefix in ("J", "L", "BJ"):
        for year in (2023, 2024):
            numbers = sorted(int(r["证书字号"][-6:]) for r in rows
                             if re.fullmatch(rf"{prefix}{COUNTY6}-{year}-\d{{6}}", r["证书字号"]) and int(r["证书字号"][-6:]) < 900000)
            # Quarantined rows used numbers too, so gaps are allowed, never repeats.
            assert numbers and len(numbers) == len(set(numbers)) and numbers[-1] < len(numbers) + 20


def test_ids_are_valid_and_agree_with_the_record_except_planted_breaches(world):
    out, county, ctx = world
    planted = {(d["file"], d["row"]) for d in ctx.defects.entries if d["source"] == "marriage"}
    checked = foreign = 0
    for r in electronic_rows(out, ctx):
        if (r["_file"], r["_line"]) in planted:
            continue
        for side in SIDES:
            pid = r[f"{side}身份证号"]
            assert r[f"{side}国籍地区"] in NATIONALITIES
            if r[f"{side}国籍地区"] != "内地":
                foreign += 1
                assert not re.fullmatch(r"\d{17}[\dX]", pid) and pid
                continue
            assert id_ok(pid), pid
            assert pid[6:14] == parse_date(r[f"{side}出生日期"]).strftime("%Y%m%d")
            assert int(pid[16]) % 2 == (1 if side == "男方" else 0)
            code = r[f"{side}户籍地区划代码"]
            if code.startswith(COUNTY6):
                # Villages of the county; an old code still resolves through its successors.
                village = next(v for t in county.townships for v in t.villages if v.code == code)
                assert village.valid_on(r["_date"]) or village.successor
            checked += 1
    assert checked > 200 and foreign >= 1


def test_fifteen_digit_ids_appear_only_in_archive_years_1985_to_1999(world):
    out, _, _ = world
    lengths = defaultdict(set)
    for path in final_files(out / "marriage_archive"):
        year = int(re.search(r"_(\d{4})", path.name[17:]).group(1))
        for r in read_xlsx(path)[2]:
            for side in SIDES:
                value = r[f"{side}身份证号"]
                lengths[year].add(len(value))
                if len(value) == 18:
                    assert id_ok(value)
    for year, seen in lengths.items():
        expected = {0} if year < 1985 else {15} if year <= 1999 else {18}
        assert seen == expected, year


def test_archive_dates_appear_in_every_transcribed_form_and_unparseable_ones_are_flagged(world):
    out, _, ctx = world
    forms = Counter()
    patterns = {"cn": r"\d{4}年\d{1,2}月\d{1,2}日", "dot": r"\d{4}\.\d{1,2}\.\d{1,2}", "iso": r"\d{4}-\d{2}-\d{2}",
                "hanzi": rf"[{CN}]{{4}}年[{CN}十]+月[{CN}十]+日", "month": r"\d{4}年\d{1,2}月"}
    flagged = {(d["file"], d["row"]) for d in ctx.defects.entries if d["rule"] == "unparseable_date"}
    assert flagged
    for path in final_files(out / "marriage_archive"):
        for line, r in enumerate(read_xlsx(path)[2], start=3):
            form = next((f for f, p in patterns.items() if re.fullmatch(p, r["登记日期"])), None)
            assert (form is None) == ((path.name, line) in flagged), (path.name, line, r["登记日期"])
            forms[form] += 1
    assert all(forms[f] for f in patterns), forms


def test_archive_ages_follow_the_law_in_force(world):
    out, _, _ = world
    for r in archive_rows(out, 2023):
        if r["登记类型"] != "结婚":
            continue
        minimum = (22, 20) if r["_year"] >= 1981 else (20, 18)
        for side, least in zip(SIDES, minimum):
            born = int(re.match(r"\d{4}", r[f"{side}出生年月"]).group())
            assert r["_year"] - born >= least, r


def test_every_planted_defect_is_in_its_file_line_and_column(world):
    out, _, ctx = world
    rules = Counter(d["rule"] for d in ctx.defects.entries)
    assert all(rules[f"M0{i}"] >= 1 for i in range(1, 10)), rules
    assert rules["impossible_date"] + rules["unknown_code"] + rules["unknown_region_code"] >= 1
    files = {p.name: read_csv(p) for p in (out / "marriage").iterdir()}
    archive = archive_rows(out, 2023)
    deaths = {d["id"]: dt.date.fromisoformat(d["death_date"]) for d in ctx.registry["deaths"]}
    loaded = electronic_rows(out, ctx)
    breaches = rule_breaches(loaded, archive, deaths)
    for d in ctx.defects.entries:
        if d["source"] != "marriage":
            continue
        row = files[d["file"]][d["row"] - 2]
        value = row[d["field"]]
        if d["rule"] == "impossible_date":
            assert parse_date(value) is None and value
        elif d["rule"] == "unknown_code":
            assert value not in TYPES | NATIONALITIES
        elif d["rule"] == "unknown_region_code":
            assert value == f"{COUNTY6}399999"
        else:
            # A planted breach breaks its rule, and only that one.
            assert breaches[(d["file"], d["row"])] == {d["rule"]}, (d, row)


def test_only_planted_rows_break_a_rule(world):
    out, _, ctx = world
    planted = {(d["file"], d["row"]) for d in ctx.defects.entries if d["rule"].startswith("M")}
    deaths = {d["id"]: dt.date.fromisoformat(d["death_date"]) for d in ctx.registry["deaths"]}
    breaches = rule_breaches(electronic_rows(out, ctx), archive_rows(out, 2023), deaths)
    assert {k for k, v in breaches.items() if v} == planted


def test_t14_recomputed_from_the_files_equals_the_truth(world):
    out, county, ctx = world
    rows = electronic_rows(out, ctx)
    deaths = {d["id"]: dt.date.fromisoformat(d["death_date"]) for d in ctx.registry["deaths"]}
    breaches = rule_breaches(rows, archive_rows(out, 2023), deaths)
    truth = {(t["region"], t["year"]): t for t in ctx.truth.targets if t["target"] == "T14"}
    for year in (2023, 2024):
        in_year = [r for r in rows if r["_date"].year == year]
        for region, selected in [(county.code12, in_year)] + [
                (office, [r for r in in_year if r["登记机关代码"] == office]) for office in (f"{COUNTY6}MZJ", f"{COUNTY6}BMZX")]:
            failing = sorted(r["证书字号"] for r in selected if breaches.get((r["_file"], r["_line"])))
            t = truth[(region, year)]
            assert (t["denominator"], t["numerator"], t["failing"]) == (len(selected), len(selected) - len(failing), failing)
            assert t["value"] == rate(len(selected) - len(failing), len(selected))
        section = ctx.truth.sections["marriage"][str(year)]
        listed = sorted((f["file"], f["line"], f["certificate"], f["rule"]) for f in section["failing"])
        found = sorted((r["_file"], r["_line"], r["证书字号"], rule) for r in in_year
                       for rule in breaches.get((r["_file"], r["_line"]), ()))
        assert listed == found
        assert section["counts"] == dict(sorted(Counter(r["登记类型"] for r in in_year).items()))


def test_t20_counts_the_delivered_archive_years_before_the_electronic_system(world):
    out, county, ctx = world
    years = {int(re.search(r"_(\d{4})(?:_v\d+)?\.xlsx$", p.name).group(1)) for p in (out / "marriage_archive").iterdir()}
    loaded = len([y for y in years if 1949 <= y < 2023])
    rows = [t for t in ctx.truth.targets if t["target"] == "T20"]
    assert [t["year"] for t in rows] == [2023, 2024]
    for t in rows:
        assert t["region"] == county.code12
        assert (t["numerator"], t["denominator"], t["value"]) == (loaded, 74, rate(loaded, 74))
        assert t["value"] != "1.0000"


def test_the_first_electronic_year_is_also_in_the_archive_for_a_few_marriages(world):
    out, _, ctx = world
    electronic = {(r["男方身份证号"], r["女方身份证号"], r["_date"]) for r in electronic_rows(out, ctx)
                  if r["登记类型"] == "结婚"}
    path = final_files(out / "marriage_archive")[-1]
    assert "_2023" in path.name
    overlap = read_xlsx(path)[2]
    assert overlap
    for r in overlap:
        day = parse_archive_date(r["登记日期"])
        assert (r["男方身份证号"], r["女方身份证号"], day) in electronic


def parse_archive_date(text: str) -> dt.date:
    for pattern in (r"(\d{4})年(\d{1,2})月(\d{1,2})日", r"(\d{4})\.(\d{1,2})\.(\d{1,2})", r"(\d{4})-(\d{2})-(\d{2})"):
        m = re.fullmatch(pattern, text)
        if m:
            return dt.date(*(int(g) for g in m.groups()))
    m = re.fullmatch(rf"([{CN}]{{4}})年([{CN}十]+)月([{CN}十]+)日", text)

    def number(s: str) -> int:
        if "十" in s:
            tens, _, units = s.partition("十")
            return (CN.index(tens) if tens else 1) * 10 + (CN.index(units) if units else 0)
        return int("".join(str(CN.index(c)) for c in s))
    return dt.date(number(m.group(1)), number(m.group(2)), number(m.group(3)))


def test_bigamy_comes_from_the_archive_and_widowed_spouses_remarry_lawfully(world):
    out, county, ctx = world
    archive = archive_rows(out, 2023)
    archived_people = {to18(r[f"{s}身份证号"]) for r in archive for s in SIDES if r[f"{s}身份证号"]}
    rows = electronic_rows(out, ctx)
    planted_m05 = {(d["file"], d["row"]) for d in ctx.defects.entries if d["rule"] == "M05"}
    from_archive = [r for r in rows if (r["_file"], r["_line"]) in planted_m05
                    and {r["男方身份证号"], r["女方身份证号"]} & archived_people]
    assert from_archive
    deaths = ctx.registry["deaths"]
    assert any(d["id"] in archived_people for d in deaths)
    for d in deaths:
        assert d["county6"] == COUNTY6 and d["sex"] in ("男", "女")
        day = dt.date.fromisoformat(d["death_date"])
        assert FIRST <= day <= ctx.end and d["id"][6:14] == d["birth"].replace("-", "")
        village = next(v for t in county.townships for v in t.villages if v.code == d["region_code"])
        assert village.valid_on(day)
    # A widowed archive spouse marries again and breaks no rule (test_only_planted_rows_break_a_rule).
    widowed = [r for r in rows if r["登记类型"] == "结婚" and (r["_file"], r["_line"]) not in planted_m05
               and {r["男方身份证号"], r["女方身份证号"]} & archived_people]
    assert widowed


def test_about_one_period_in_five_is_corrected_and_the_correction_differs_from_the_draft(world):
    out, _, _ = world
    names = {p.name for p in (out / "marriage").iterdir()}
    corrected = sorted(n for n in names if n.endswith("_v2.csv"))
    assert 3 <= len(corrected) <= 7          # 24 months, 15–25 %
    for name in corrected:
        draft = read_csv(out / "marriage" / name.replace("_v2", ""))
        final = read_csv(out / "marriage" / name)
        assert len(draft) == len(final) - 1
    archive = [p.name for p in (out / "marriage_archive").iterdir() if "_v2" in p.name]
    assert archive
