"""Published targets against a generated landing's truth, at any scale.

The tests compare the truth with the marts on two tiny years; this runs the
same comparison on a county (or bigger) run, where it takes too long for a
test:

    .venv/bin/civstat generate --scale county --seed 11 --start 2019-01 --end 2025-12 --out L
    CIVSTAT_HOME=H .venv/bin/civstat run --landing L
    .venv/bin/python bench/truth_check.py --serving H/serving/civstat.duckdb --landing L [--targets T19,T21,T22]

Every truth value (county and township, each year) must equal
``mart_target_attainment``'s (rates in percent within 0.01, means exactly to
the fen; "no data" must be ``no_data``), and the lists behind the per-place
rules must equal the truth's ``failing`` places: T19's townships not served,
T22's villages and townships without a holder in post. Exits 1 on any
difference, listing the first ones.
"""

from __future__ import annotations

import argparse
import json
import sys
from decimal import Decimal
from pathlib import Path

import duckdb

# The marts listing a per-place rule's failing places: target → (query of (year, code)).
LISTS = {
    "T19": "select year, township_code from marts.mart_townships_without_public_cemetery",
    "T22": "select year, region_code from marts.mart_child_care_vacancies",
}


def compare(serving: Path, landing: Path, targets: set[str] | None) -> list[str]:
    truth = json.loads((landing / "_truth" / "truth.json").read_text(encoding="utf-8"))
    wanted = [t for t in truth["targets"] if len(t["region"]) == 12 and t["region"].isdigit()
              and (targets is None or t["target"] in targets)]
    with duckdb.connect(str(serving), read_only=True) as con:
        rates = {r for (r,) in con.execute("select target_id from marts.target_indicators where measure = 'rate'")
                 .fetchall()}
        rows = {(t, r, p): (v, s) for t, r, p, v, s in con.execute(
            "select target_id, region_code, period, actual_value, status from marts.mart_target_attainment "
            "where period_type = 'year'").fetchall()}
        listed = {target: sorted(con.execute(sql).fetchall()) for target, sql in LISTS.items()
                  if targets is None or target in targets}
    wrong = []
    for t in wanted:
        key = (t["target"], t["region"], str(t["year"]))
        got = rows.get(key)
        expected = None if t["value"] is None else Decimal(t["value"]) * (100 if t["target"] in rates else 1)
        if got is None:
            wrong.append(f"{key}: missing, truth {expected}")
        elif expected is None and got[1] != "no_data":
            wrong.append(f"{key}: {got[0]} {got[1]}, truth no data")
        elif expected is not None and (got[0] is None or abs(got[0] - expected) > Decimal("0.01")):
            wrong.append(f"{key}: {got[0]}, truth {expected}")
    for target, places in listed.items():
        expected = sorted((t["year"], code) for t in wanted if t["target"] == target
                          and t["region"].endswith("000000") for code in t.get("failing", []))
        if places != expected:
            wrong.append(f"{target} list: {len(places)} places listed, truth {len(expected)}; "
                         f"first differences {sorted(set(places) ^ set(expected))[:5]}")
        else:
            print(f"{target} list: {len(places)} places, equal to the truth")
    print(f"{len(wanted)} truth values compared, {len(wrong)} different")
    return wrong


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serving", type=Path, required=True, help="the serving file (…/serving/civstat.duckdb)")
    parser.add_argument("--landing", type=Path, required=True, help="the generated landing folder")
    parser.add_argument("--targets", help="comma-separated target ids (default: every one)")
    args = parser.parse_args()
    targets = set(args.targets.split(",")) if args.targets else None
    wrong = compare(args.serving, args.landing, targets)
    for line in wrong[:20]:
        print(line)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
