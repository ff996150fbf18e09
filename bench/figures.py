"""The figures a benchmark compares: what civstat publishes, and a check that another program got the same.

A benchmark's baselines (bench/baselines/) are only worth timing if they
compute the same outputs. The outputs are the county's

- target attainment per year: ``target:T01`` … the ``actual_value`` of
  ``mart_target_attainment`` (county level, period type year, non-null), and
- the JZH01 measures at each year end: ``measure:dibao_urban_persons`` … the
  ``value`` of ``mart_report_measures_monthly`` for the county's December,

written as rows ``figure, region_code, period, value`` (CSV with that header,
``value`` a decimal string). Two figures are equal when they agree to two
decimals (every published figure is rounded to two at most).

    .venv/bin/python bench/figures.py --serving var/serving/civstat.duckdb --out civstat.csv
    .venv/bin/python bench/figures.py --compare civstat.csv other.csv
"""

from __future__ import annotations

import argparse
import csv
import sys
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb

HEADER = ("figure", "region_code", "period", "value")

CIVSTAT_FIGURES_SQL = """
    select 'target:' || target_id, region_code, period, actual_value
    from marts.mart_target_attainment
    where region_level = 'county' and period_type = 'year' and actual_value is not null
    union all
    select 'measure:' || measure, region_code, period_month, value
    from marts.mart_report_measures_monthly
    where region_code = (select min(region_code) from marts.mart_target_attainment where region_level = 'county')
      and period_month like '%-12' and value is not null
    order by 1, 2, 3
"""


def civstat_figures(serving: Path) -> list[tuple[str, str, str, Decimal]]:
    """The figures as civstat published them in a serving file."""
    con = duckdb.connect(str(serving), read_only=True)
    try:
        return [(f, r, p, Decimal(v)) for f, r, p, v in con.execute(CIVSTAT_FIGURES_SQL).fetchall()]
    finally:
        con.close()


def write(rows, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(HEADER)
        out.writerows((f, r, p, str(v)) for f, r, p, v in rows)


def read(path: Path) -> dict[tuple[str, str, str], Decimal]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        if tuple(reader.fieldnames or ()) != HEADER:
            raise ValueError(f"{path}: header must be {','.join(HEADER)}, not {reader.fieldnames}")
        return {(r["figure"], r["region_code"], r["period"]): Decimal(r["value"]) for r in reader}


def _two_decimals(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass
class Comparison:
    equal: list[tuple]
    different: list[tuple]       # (key, expected, got)
    missing: list[tuple]         # in expected, not in got
    extra: list[tuple]           # in got, not in expected

    @property
    def same(self) -> bool:
        return not (self.different or self.missing or self.extra)

    def summary(self) -> str:
        return (f"{len(self.equal)} equal, {len(self.different)} different, {len(self.missing)} missing, "
                f"{len(self.extra)} extra")


def compare(expected: dict, got: dict) -> Comparison:
    equal, different = [], []
    for key in sorted(expected.keys() & got.keys()):
        if _two_decimals(expected[key]) == _two_decimals(got[key]):
            equal.append(key)
        else:
            different.append((key, expected[key], got[key]))
    return Comparison(equal, different, sorted(expected.keys() - got.keys()), sorted(got.keys() - expected.keys()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--serving", type=Path, help="a published serving file: write its figures to --out")
    parser.add_argument("--out", type=Path)
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("EXPECTED", "GOT"))
    args = parser.parse_args()
    if args.serving and args.out:
        write(civstat_figures(args.serving), args.out)
        return 0
    if args.compare:
        result = compare(read(args.compare[0]), read(args.compare[1]))
        for key, want, got in result.different:
            print(f"different {'/'.join(key)}: expected {want}, got {got}")
        for key in result.missing:
            print(f"missing {'/'.join(key)}")
        for key in result.extra:
            print(f"extra {'/'.join(key)}")
        print(result.summary())
        return 0 if result.same else 1
    parser.error("give --serving and --out, or --compare EXPECTED GOT")
    return 2


if __name__ == "__main__":
    sys.exit(main())
