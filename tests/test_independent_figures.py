"""civstat's published figures equal those of an independent program.

bench/baselines/duckdb_only computes the county's target attainment and JZH01
measures from the landing folder with one hand-written SQL script, sharing no
code with civstat. The benchmark times it against civstat; here it checks
civstat (and keeps the baseline honest) on the two generated years, with their
town merger, street split, re-deliveries and defects. The pandas baseline,
a second independent program, is compared in bench/ only.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

from figures import civstat_figures, compare, read  # noqa: E402
from province_serving import build as province_serving  # noqa: E402


def test_an_independent_sql_script_computes_every_published_figure_alike(published, published_landing,
                                                                           tmp_path):
    settings, _ = published
    expected = {(f, r, p): v for f, r, p, v in civstat_figures(settings.serving_path)}
    out = tmp_path / "figures.csv"
    proc = subprocess.run([sys.executable, str(BENCH / "baselines" / "duckdb_only" / "run.py"), "--landing",
                           str(published_landing), "--county", settings.county_code, "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]

    result = compare(expected, read(out))

    # Both years' targets and year-end measures, not a handful.
    assert len(expected) > 80 and {p[:4] for _, _, p in expected} == {"2023", "2024"}
    assert result.same, (result.summary(), result.different[:10], result.missing[:10], result.extra[:10])


def test_the_province_sized_serving_file_repeats_each_county_row_once_per_county(published, tmp_path):
    """bench/province_serving.py: the dashboards' benchmark input at province scale."""
    settings, _ = published
    counties = (settings.county_code, "371721", "370481")
    sizes = province_serving(settings.serving_dir, tmp_path, counties)

    con = duckdb.connect(str(tmp_path / "civstat.duckdb"), read_only=True)
    regions = con.execute("select left(region_code, 6), count(*) from marts.dim_region group by 1 order by 1").fetchall()
    persons = con.execute("select left(township_code, 6), sum(persons) "
                          "from public_marts.mart_assistance_monthly_by_township where township_code is not null "
                          "group by 1").fetchall()
    # Every county has the sample county's regions and figures, under its own code.
    assert regions == [(county, sizes["marts.dim_region"][0]) for county in sorted(counties)]
    assert len({total for _, total in persons}) == 1 and len(persons) == 3 and persons[0][1] > 0
    # Tables that carry no county code (the calendar, the catalogues) are copied once.
    assert sizes["marts.dim_date"][0] == sizes["marts.dim_date"][1] > 0
    # Rows that name no region (here the rows of withheld cells) are copied once too.
    read, written = sizes["public_marts.mart_assistance_monthly_by_township"]
    unnamed = con.execute("select count(*) from public_marts.mart_assistance_monthly_by_township "
                          "where township_code is null").fetchone()[0]
    assert written == 3 * (read - unnamed) + unnamed
