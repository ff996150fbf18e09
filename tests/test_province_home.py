"""A province's home: several counties served by one home (the setting
``counties``), here two tiny neighbouring counties generated together
(梁山 370832 and 嘉祥 370829, six months, with their planted defects).

Each county's deliveries keep their own slot in the raw store, a county's
correction replaces its own month only, and every figure the generator's
truth knows, for both counties and their townships, equals the mart's.
"""

from __future__ import annotations

import json
import re
import shutil

import duckdb
import pytest

from civstat.settings import Settings, SettingsError
from ingestion import landing
from ingestion.contract import CONTRACTS, REGION_CHANGES, REGIONS
from ingestion.load import ingest_source
from ingestion.store import RawStore
from synthetic.generate import GenerateRequest, generate

from conftest import attainment_of, region_truth, run_in, truth_mismatches

COUNTIES = ("370832", "370829")
PAIR = dict(scale="pair", seed=7, start="2024-01", end="2024-06")
ASSISTANCE = CONTRACTS["assistance"]


@pytest.fixture(scope="module")
def pair_landing(tmp_path_factory):
    out = tmp_path_factory.mktemp("landing-pair")
    generate(GenerateRequest(out=out, **PAIR))
    return out, json.loads((out / "_truth" / "truth.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def province(tmp_path_factory, pair_landing):
    """One `civstat run` of both counties' extracts into one home."""
    landing_dir, _ = pair_landing
    return run_in(tmp_path_factory.mktemp("province-home"), landing_dir, counties=COUNTIES)


def _ingest_assistance(landing_dir, raw, counties):
    store = RawStore(raw)
    for contract in (REGIONS, REGION_CHANGES, ASSISTANCE):
        results = ingest_source(store, landing_dir, contract, counties=counties, secret=b"k")
    return store, results


def test_counties_are_a_list_and_county_code_names_one(tmp_path):
    env = {"CIVSTAT_HOME": str(tmp_path)}
    assert Settings.load(environ=env | {"CIVSTAT_COUNTIES": "370832, 370829"}).counties == COUNTIES
    assert Settings.load(environ=env | {"CIVSTAT_COUNTY_CODE": "370829"}).counties == ("370829",)
    (tmp_path / "civstat.toml").write_text('counties = ["370832", "370829"]\n', encoding="utf-8")
    province = Settings.load(environ=env)
    assert province.counties == COUNTIES
    with pytest.raises(SettingsError, match="serves 2 counties"):
        province.county_code                                    # code that assumes one county fails loudly
    # The environment beats the file, whichever of the two names it uses.
    assert Settings.load(environ=env | {"CIVSTAT_COUNTY_CODE": "370829"}).counties == ("370829",)
    for bad, says in (("370832,3708", "6-digit"), ("370832,370832", "twice"), ("", "6-digit")):
        with pytest.raises(SettingsError, match=says):
            Settings.load(environ=env | {"CIVSTAT_COUNTIES": bad})
    with pytest.raises(SettingsError, match="not both"):
        Settings.load({"counties": COUNTIES, "county_code": "370832"}, environ=env)


def test_each_county_keeps_its_own_file_for_every_period(pair_landing, tmp_path):
    landing_dir, _ = pair_landing
    store, results = _ingest_assistance(landing_dir, tmp_path / "raw", COUNTIES)
    scan = landing.scan(landing_dir, ASSISTANCE, COUNTIES)
    assert not scan.other_counties and {f.issuer for f in scan.files} == set(COUNTIES)
    for (period, county), files in scan.by_slot().items():
        assert store.applied("assistance", period, county)["source_file"] == files[0].name   # its highest version
    assert len(results) == len(scan.by_slot()) == 2 * len(scan.periods)
    totals = store.accounting()
    assert totals["read"] == totals["loaded"] + totals["quarantined"] > 0


def test_a_countys_correction_replaces_its_own_month_and_no_other(pair_landing, tmp_path):
    landing_dir, _ = pair_landing
    copy = tmp_path / "landing"
    for contract in (REGIONS, REGION_CHANGES, ASSISTANCE):
        shutil.copytree(landing_dir / contract.key, copy / contract.key)
    store, _ = _ingest_assistance(copy, tmp_path / "raw", COUNTIES)
    own = landing.scan(copy, ASSISTANCE, COUNTIES).by_slot()
    period = sorted(own)[0][0]
    neighbour_before = store.applied("assistance", period, "370832")
    delivered = own[(period, "370829")][0]
    correction = copy / "assistance" / f"assistance_370829_{period.replace('-', '')}_v9.csv"
    correction.write_bytes(b"".join(delivered.path.read_bytes().splitlines(keepends=True)[:-1]))  # a row less
    _, results = _ingest_assistance(copy, tmp_path / "raw", COUNTIES)
    outcome = {(r.period, r.file_name): r.outcome for r in results}
    assert outcome[(period, correction.name)] == "loaded"
    assert store.applied("assistance", period, "370829")["source_file"] == correction.name
    assert store.applied("assistance", period, "370832") == neighbour_before


def test_a_county_home_given_both_counties_extracts_reads_its_own_only(pair_landing, tmp_path):
    landing_dir, _ = pair_landing
    store, _ = _ingest_assistance(landing_dir, tmp_path / "raw", ["370832"])
    files = sorted(p.name for p in (tmp_path / "raw" / "assistance").glob("period=*/*.parquet"))
    assert files and all(name == "data_370832.parquet" for name in files)
    scan = landing.scan(landing_dir, ASSISTANCE, ["370832"])
    assert {f.issuer for f in scan.other_counties} == {"370829"}
    assert all("不是本库服务的370832" in message for message in scan.not_read())


def test_a_home_made_before_files_were_named_by_issuer_reads_as_it_did(clean_landing, tmp_path):
    """The store's layout before provinces held a county's period as
    data.parquet and rows.parquet: ingestion renames them to the issuer's
    names, finds them unchanged and loads nothing twice."""
    raw = tmp_path / "raw"
    store, _ = _ingest_assistance(clean_landing, raw, ["370832"])
    before = duckdb.sql(f"select count(*) from '{raw}/assistance/*/*.parquet'").fetchall()
    for data in raw.glob("assistance/period=*/data_370832.parquet"):
        data.rename(data.with_name("data.parquet"))
    for rows in raw.glob("_quarantine/assistance/period=*/rows_370832.parquet"):
        rows.rename(rows.with_name("rows.parquet"))
    _, results = _ingest_assistance(clean_landing, raw, ["370832"])
    assert {r.outcome for r in results} == {"unchanged"}
    assert not list(raw.glob("**/data.parquet")) and not list(raw.glob("**/rows.parquet"))
    assert duckdb.sql(f"select count(*) from '{raw}/assistance/*/*.parquet'").fetchall() == before


def test_every_truth_value_of_both_counties_equals_the_mart(province, pair_landing):
    settings, summary = province
    _, truth = pair_landing
    assert summary.success and summary.published, summary
    truth_targets = region_truth(truth)
    assert {t["region"][:6] for t in truth_targets} == set(COUNTIES)
    wrong = truth_mismatches(attainment_of(settings.warehouse_path), truth_targets)
    assert not wrong, "\n".join(map(str, wrong))


def test_every_delivery_of_both_counties_is_accounted_for(province):
    settings, _ = province
    slots = {re.sub(r"(_v\d+)?\.\w+$", "", p.name) for p in settings.landing_dir.glob("*/*.*")
             if not p.parent.name.startswith("_")}
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        accounted = {s for (s,) in con.sql("select delivery_slot from intermediate.int_ingestion__file_accounting")
                     .fetchall()}
        townships = dict(con.execute("select substr(region_code, 1, 6), count(*) from marts.dim_region "
                                     "where level = 'township' group by all").fetchall())
    assert accounted == slots
    assert set(townships) == set(COUNTIES)
