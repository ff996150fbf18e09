"""Incremental facts: a later run that loads a correction of an old month
rebuilds only that month's window, and ends with exactly the rows a full
rebuild of the facts has."""

from __future__ import annotations

import os
import re
import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from civstat.cli import main
from orchestration.dbt.project import dbt_project

from conftest import copy_home, deliver_correction, isolated_environ, run_in

BENCH = Path(__file__).resolve().parent.parent / "bench"
LATE_MONTH = "2024-03"     # an old month a department corrects after the build


def _incremental_models() -> list[str]:
    import json

    manifest = json.loads(Path(dbt_project.manifest_path).read_text(encoding="utf-8"))
    return sorted(f"{n['schema']}.{n['name']}" for n in manifest["nodes"].values()
                  if n["resource_type"] == "model" and n["config"]["materialized"] == "incremental")


def _deliver_late_corrections(landing_dir: Path, out: Path) -> None:
    """A `_v9` of LATE_MONTH's roll (one household paid 10 yuan less) and of
    one funeral home's cremations (its last row withdrawn)."""
    yyyymm = LATE_MONTH.replace("-", "")
    roll = sorted((landing_dir / "assistance").glob(f"assistance_370832_{yyyymm}*.csv"))[-1]

    def paid_less(header, rows):
        amount = header.index("月保障金额")
        # A row ingestion loads (some carry planted malformed values).
        row = next(r for r in rows if r[header.index("状态")] == "在保"
                   and re.fullmatch(r"\d+\.\d{2}", r[amount]) and Decimal(r[amount]) > 10)
        row[amount] = f"{Decimal(row[amount]) - 10:.2f}"
        return header, rows

    deliver_correction(roll, out / "assistance", f"assistance_370832_{yyyymm}_v9.csv", paid_less)
    cremations = max((landing_dir / "cremation").glob(f"cremation_*_{yyyymm}*.csv"), key=lambda p: p.stat().st_size)
    issuer = cremations.name.split("_")[1]
    deliver_correction(cremations, out / "cremation", f"cremation_{issuer}_{yyyymm}_v9.csv",
                       lambda header, rows: (header, rows[:-1]))


def _rows(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple]:
    return con.sql(f"select * from {table} order by all").fetchall()


@pytest.fixture(scope="module")
def late_correction_run(published, tmp_path_factory):
    """A copy of the published two years, then a run that loads the late
    corrections: (home, the landing folder as it now stands, the run's summary)."""
    settings, _ = published
    root = tmp_path_factory.mktemp("late-correction")
    home, late, landing = root / "home", root / "late", root / "landing"
    copy_home(settings.home, home)
    _deliver_late_corrections(settings.landing_dir, late)
    _, run = run_in(home, late)
    # Everything delivered so far, in one folder: what an independent program reads.
    shutil.copytree(settings.landing_dir, landing, copy_function=os.symlink)
    for path in late.rglob("*.csv"):
        os.symlink(path, landing / path.parent.name / path.name)
    return home, landing, run


def test_a_late_correction_rebuilds_its_window_only_and_equals_a_full_refresh(published,
                                                                               late_correction_run, tmp_path):
    """From the published two years, a correction of an old month arrives: the
    run rebuilds that window of the incremental facts, and the result equals
    rebuilding those facts from scratch (--full-refresh) on the same data."""
    models = _incremental_models()
    assert "marts.fct_monthly_assistance_households" in models
    settings, _ = published
    home, _, run = late_correction_run
    reference = tmp_path / "reference"
    assert run.published
    # Only the corrected month was rebuilt, and only what reads the two sources.
    next_month = f"{LATE_MONTH[:5]}{int(LATE_MONTH[5:]) + 1:02d}"
    assert run.build_window == (LATE_MONTH, next_month)
    assert {"marts/fct_monthly_assistance_households", "marts/fct_cremations", "serving_marts"} <= set(run.rebuilt)
    assert not {"marts/fct_donations", "marts/fct_organisation_snapshots", "marts/dim_region"} & set(run.rebuilt)

    # The reference: the same state, the incremental facts rebuilt from scratch.
    copy_home(home, reference)
    with isolated_environ():
        os.environ["CIVSTAT_PSEUDONYM_KEY"] = "test-key"
        os.environ["CIVSTAT_HOME"] = str(reference)
        names = [m.split(".")[1] for m in models]
        assert main(["dbt", "run", "--full-refresh", "--select", *names]) == 0
    with duckdb.connect(str(home / "warehouse" / "warehouse.duckdb"), read_only=True) as inc, \
            duckdb.connect(str(reference / "warehouse" / "warehouse.duckdb"), read_only=True) as full, \
            duckdb.connect(str(settings.warehouse_path), read_only=True) as before:
        for table in models:
            rows = _rows(inc, table)
            assert rows, table
            assert rows == _rows(full, table), table
        # … and the corrections are in: the roll and the cremations of that month changed.
        for table in ("marts.fct_monthly_assistance_households", "marts.fct_cremations"):
            assert _rows(inc, table) != _rows(before, table), table


def test_what_the_partial_build_published_equals_an_independent_full_computation(late_correction_run, tmp_path):
    """The run above rebuilt a few assets; every published figure still equals
    what the independent SQL script computes from the whole landing folder,
    corrections included."""
    import subprocess
    import sys

    sys.path.insert(0, str(BENCH))
    from figures import civstat_figures, compare, read

    home, landing, _ = late_correction_run
    out = tmp_path / "figures.csv"
    proc = subprocess.run([sys.executable, str(BENCH / "baselines" / "duckdb_only" / "run.py"), "--landing",
                           str(landing), "--county", "370832", "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    expected = {(f, r, p): v for f, r, p, v in civstat_figures(home / "serving" / "civstat.duckdb")}
    result = compare(expected, read(out))
    assert len(expected) > 80 and result.same, (result.summary(), result.different[:10])
