"""Cemeteries (公墓台账) and T19 公益性公墓覆盖城乡居民 against the generator's truth."""

from __future__ import annotations

import os
import shutil

import duckdb

from civstat.cli import main

from conftest import isolated_environ


def test_t19_lists_exactly_the_townships_the_truth_says_are_not_served(published, published_truth):
    settings, _ = published
    truth = {t["year"]: t for t in published_truth["targets"]
             if t["target"] == "T19" and t["region"].endswith("000000")}
    with duckdb.connect(str(settings.serving_path), read_only=True) as con:
        listed = con.execute("select year, township_code from marts.mart_townships_without_public_cemetery").fetchall()
        measured = dict(con.execute("select period, actual_value from marts.mart_target_attainment "
                                    "where target_id = 'T19' and region_level = 'county'").fetchall())
    assert sorted(listed) == sorted((year, code) for year, t in truth.items() for code in t["failing"])
    assert {int(p): v for p, v in measured.items()} == {y: round(100 * float(t["value"]), 2) for y, t in truth.items()}
    # the street created by the split (2024) has no cemetery yet: the list is not trivial
    assert any(t["failing"] for t in truth.values()) and all(0 < float(t["value"]) < 1 for t in truth.values())


def test_without_a_cemetery_register_t19_is_no_data_never_zero(published, tmp_path):
    """A copy of a built home whose raw area has no register, and dbt rebuilding
    what follows from it (not a whole run: the rest does not depend on it)."""
    settings, _ = published
    home = tmp_path / "home"
    shutil.copytree(settings.home, home, ignore=shutil.ignore_patterns("cemeteries", "run.lock"))
    with isolated_environ():
        os.environ["CIVSTAT_HOME"] = str(home)
        os.environ["CIVSTAT_PSEUDONYM_KEY"] = "test-key"
        code = main(["dbt", "build", "--select", "stg_cemeteries__register+", "--exclude", "test_type:unit"])
    assert code == 0
    with duckdb.connect(str(home / "warehouse" / "warehouse.duckdb"), read_only=True) as con:
        rows = con.execute("select period, status, actual_value from marts.mart_target_attainment "
                           "where target_id = 'T19'").fetchall()
        listed = con.execute("select count(*) from marts.mart_townships_without_public_cemetery").fetchall()
        others = con.execute("select count(*) from marts.mart_target_attainment "
                             "where target_id <> 'T19' and actual_value is not null").fetchall()
    assert rows and all(status == "no_data" and value is None for _, status, value in rows)
    assert listed == [(0,)] and others[0][0] > 0
