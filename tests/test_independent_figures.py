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

BENCH = Path(__file__).resolve().parent.parent / "bench"
sys.path.insert(0, str(BENCH))

from figures import civstat_figures, compare, read  # noqa: E402


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
