"""Baseline "what an office would write": civstat's published figures, recomputed
by a plain pandas script straight from the landing folder.

For the benchmark (bench/, issue 10): the county's plan targets T01–T22 per
year (the ``actual_value`` of mart_target_attainment) and the JZH01 report
measures at each year end (mart_report_measures_monthly), from the same
extracts and with the same rules: the highest ``_vN`` of a period replaces the
earlier delivery, quarantined rows count in no figure, codes retired by a
merger or a split count on their successor.

    .venv/bin/python bench/baselines/pandas_office/run.py --landing DIR --county 370832 --out FIGURES.csv
    .venv/bin/python bench/figures.py --compare civstat_figures.csv FIGURES.csv

Modules: landing (files and versions), sources + checks (which rows count),
regions (divisions through time), results (collected figures, rounding), then one
module per domain: assistance, funeral, elderly, organisations, children, marriage.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))   # the sibling modules

import assistance  # noqa: E402
import children  # noqa: E402
import elderly  # noqa: E402
import funeral  # noqa: E402
import marriage  # noqa: E402
import organisations  # noqa: E402
import sources  # noqa: E402
from regions import Regions  # noqa: E402
from results import Figures, stock4  # noqa: E402

DIVISION_MEASURES = {"towns": "镇", "xiangs": "乡", "streets": "街道"}


def compute(landing: Path, county6: str) -> Figures:
    regions = Regions(sources.load(landing, "regions"), sources.load(landing, "region_changes"), county6)
    townships = regions.townships_in_force()
    figs = Figures(regions.county12)

    # The report form has a month wherever the roll, the funeral homes, the
    # elderly-care register or the children's welfare roll delivered one.
    months = assistance.roll_figures(landing, regions, townships, figs)
    assistance.temporary_aid_figures(landing, regions, townships, figs)
    bodies = funeral.load_bodies(landing, regions)
    months |= funeral.cremation_figures(bodies, landing, regions, townships, figs)
    months |= elderly.elderly_figures(landing, regions, townships, figs)
    elderly.community_facility_figures(landing, regions, figs)
    months |= children.child_welfare_figures(landing, regions, townships, figs)
    funeral.cemetery_figures(landing, regions, townships, figs)
    report_years = sorted({m[:4] for m in months if m.endswith("-12")})

    organisations.organisation_figures(landing, regions, report_years, figs)
    organisations.volunteer_figures(landing, regions, report_years, figs)
    organisations.social_worker_figures(landing, regions, report_years, figs)
    children.child_worker_figures(landing, regions, report_years, figs)
    marriage.marriage_figures(landing, regions, bodies, figs)
    _division_figures(townships, regions.county6, report_years, figs)

    # Only December of a year the report form has (a year-to-date sum of a
    # year without a December report month is not published).
    report_months = {f"{y}-12" for y in report_years}
    figs.values = {key: v for key, v in figs.values.items()
                   if key[0].startswith("target:") or key[1] in report_months}
    return figs


def _division_figures(townships, county6: str, report_years, figs: Figures) -> None:
    """乡级行政区划 in force at the year's end: all, 镇, 乡, 街道."""
    for year in report_years:
        now = townships[(townships["period_month"] == f"{year}-12") & (townships["township_code"].str[:6] == county6)]
        if len(now):
            figs.measure("townships", f"{year}-12", stock4(len(now)))
        for measure, kind in DIVISION_MEASURES.items():
            n = (now["township_kind"] == kind).sum()
            if n:
                figs.measure(measure, f"{year}-12", stock4(n))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--county", default="370832", help="six-digit county code")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    started = time.perf_counter()
    figs = compute(args.landing, args.county)
    with args.out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(("figure", "region_code", "period", "value"))
        writer.writerows(figs.rows())
    print(f"{len(figs.values)} figures written to {args.out}; wall time {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
