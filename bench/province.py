"""The province scale as civstat runs it today: one home per county, county after county.

    .venv/bin/python bench/province.py --counties 370829 370881 371721 --work /tmp/bench-province
    .venv/bin/python bench/province.py --work /tmp/bench-province          # all 26 counties (hours)

A home serves one county (``CIVSTAT_COUNTY_CODE``): a province running civstat
runs one home per county. For each county asked this benchmark

1. generates that county's extracts as the province scale does (same seed
   streams: ``civstat generate --scale province`` writes the same files), into
   WORK/<county>/extracts, or reuses them;
2. times its **full build** and its **one-month update** exactly as
   ``bench/pipeline.py`` does (same helpers, same stages from Dagster's event log);

then sums the counties. With every county of the province asked, the sum is
the province's figure; with a sample, the report gives the sample's figures
and the province projected from them (26 × the sample's mean per county),
marked as a projection. ``--engine spark`` builds each home on Spark
(bench/engines.py compares the engines on one county). Peak memory is per county: homes run one at a time.
No baselines here: ``bench/pipeline.py`` compares them at county scale.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pipeline import full_build, held_back_landing, incremental, machine, rows_read  # noqa: E402

from synthetic.generate import COUNTY_NAMES, GenerateRequest, generate_county  # noqa: E402

PROVINCE_COUNTIES = tuple(COUNTY_NAMES)
MADE = Path("_truth") / "generated.json"     # what a county's extracts were generated with


def generate_one(out: Path, county: str, seed: int, start: str, end: str) -> dict:
    wanted = {"county": county, "seed": seed, "start": start, "end": end}
    marker = out / MADE
    if marker.exists() and json.loads(marker.read_text()) == wanted:
        return {"county": county, "seconds": 0.0, "reused": True}
    shutil.rmtree(out, ignore_errors=True)      # files of other arguments must not stay behind
    began = time.perf_counter()
    generate_county(GenerateRequest(out=out, scale="province", seed=seed, start=start, end=end), county)
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps(wanted))
    return {"county": county, "seconds": round(time.perf_counter() - began, 1), "reused": False}


def county_run(args, county: str) -> dict:
    """Full build and one-month update of one county's own home."""
    work = args.work / county
    extracts, home = work / "extracts", work / "civstat"
    os.environ["CIVSTAT_COUNTY_CODE"] = county    # inherited by the civstat commands
    shutil.rmtree(home, ignore_errors=True)
    held_back = held_back_landing(args, extracts, home / "landing")
    full = full_build(home, home / "landing", args.engine)
    update = incremental(home, home / "landing", extracts, held_back, args.engine)
    result = {"county": county, "name": COUNTY_NAMES[county], "source_rows": rows_read(home),
              "full": full, "incremental": update}
    if not args.keep_homes:
        shutil.rmtree(home / "warehouse", ignore_errors=True)
        shutil.rmtree(home / "raw", ignore_errors=True)
        shutil.rmtree(home / "spark", ignore_errors=True)
    return result


def summary(results: dict) -> str:
    counties = results["counties"]
    sample = len(counties) < len(PROVINCE_COUNTIES)
    lines = [f"province on {results['engine']}: {len(counties)} of {len(PROVINCE_COUNTIES)} counties, {results['start']} → "
             f"{results['end']}, seed {results['seed']}; {results['machine']['cores']} cores, "
             f"{results['machine']['memory_gb']} GB", "",
             "| county | source rows | full build s | CPU s | peak RSS MB | update s | update peak RSS MB |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for c in counties:
        full, upd = c["full"]["total"], c["incremental"]["total"]
        lines.append(f"| {c['county']} {c['name']} | {c['source_rows']:,} | {full['wall_s']:.1f} | "
                     f"{full['cpu_s']:.1f} | {full['peak_rss_mb']:,} | {upd['wall_s']:.1f} | "
                     f"{upd['peak_rss_mb']:,} |")
    rows = sum(c["source_rows"] for c in counties)
    full = sum(c["full"]["total"]["wall_s"] for c in counties)
    update = sum(c["incremental"]["total"]["wall_s"] for c in counties)
    peak = max(max(c["full"]["total"]["peak_rss_mb"], c["incremental"]["total"]["peak_rss_mb"]) for c in counties)
    lines.append(f"| **the {len(counties)} count{'y' if len(counties) == 1 else 'ies'}** | {rows:,} | {full:.1f} | | {peak:,} | {update:.1f} | |")
    if sample:
        k = len(PROVINCE_COUNTIES) / len(counties)
        lines.append(f"| *province projected (26 × mean)* | *{rows * k:,.0f}* | *{full * k:.0f}* | | *{peak:,}* | "
                     f"*{update * k:.0f}* | |")
        spread = [c["full"]["total"]["wall_s"] for c in counties]
        if len(spread) > 1:
            lines.append("")
            lines.append(f"- full build per county: mean {statistics.mean(spread):.1f} s, "
                         f"spread {min(spread):.1f}–{max(spread):.1f} s")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counties", nargs="+", choices=PROVINCE_COUNTIES, default=list(PROVINCE_COUNTIES),
                        metavar="CODE", help="6-digit county codes (default: all 26)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--start", default="2019-01")
    parser.add_argument("--end", default="2025-12")
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--engine", default="duckdb", choices=("duckdb", "spark"))
    parser.add_argument("--keep-homes", action="store_true", help="keep each county's warehouse and raw files")
    args = parser.parse_args()
    args.work = args.work.resolve()
    results = {"scale": "province", "engine": args.engine, "seed": args.seed, "start": args.start, "end": args.end,
               "machine": machine(), "began": time.strftime("%Y-%m-%dT%H:%M:%S")}
    with ProcessPoolExecutor(max_workers=2) as pool:       # two counties at a time, as the generator does
        results["generate"] = list(pool.map(generate_one, [args.work / c / "extracts" for c in args.counties],
                                            args.counties, [args.seed] * len(args.counties),
                                            [args.start] * len(args.counties), [args.end] * len(args.counties)))
    results["counties"] = []
    for county in args.counties:
        results["counties"].append(county_run(args, county))
        (args.work / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(summary(results))


if __name__ == "__main__":
    main()
