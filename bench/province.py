"""The province scale: one home per county, or the province's own home.

    .venv/bin/python bench/province.py --counties 370829 370881 371721 --work /tmp/bench-province
    .venv/bin/python bench/province.py --work /tmp/bench-province               # 26 homes (hours)
    .venv/bin/python bench/province.py --one-home --work /tmp/bench-province    # the province's home

For each county asked this benchmark generates that county's extracts as the
province scale does (same seed streams: ``civstat generate --scale province``
writes the same files), into WORK/<county>/extracts, or reuses them. Then:

- by default, **one home per county** (``CIVSTAT_COUNTIES`` the county), county
  after county: each home's **full build** and **one-month update**, timed
  exactly as ``bench/pipeline.py`` does (same helpers, same stages from
  Dagster's event log), then summed. With a sample of counties the report
  also projects the province (26 × the sample's mean), marked as a projection.
  Peak memory is per county: homes run one at a time.
- with ``--one-home``, **the province's home**: every county's extracts (hard
  links, the last month held back) in one landing folder, one home serving
  all the counties asked (``CIVSTAT_COUNTIES``), its full build, then the
  last month of every county delivered and its update, timed the same way.

``--engine spark`` builds on Spark (bench/engines.py compares the engines on
one county). No baselines here: ``bench/pipeline.py`` compares them at
county scale.
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

from pipeline import before_last_month, full_build, held_back_landing, incremental, link_tree, machine, rows_read  # noqa: E402

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
    os.environ.pop("CIVSTAT_COUNTY_CODE", None)
    os.environ["CIVSTAT_COUNTIES"] = county       # inherited by the civstat commands
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


def province_home_run(args) -> dict:
    """Full build and one-month update of one home serving every county asked."""
    home = args.work / f"province-home-{len(args.counties)}"
    landing = home / "landing"
    shutil.rmtree(home, ignore_errors=True)
    held_back, kept = [], before_last_month(args.end)
    for county in args.counties:
        extracts = args.work / county / "extracts"
        # every county's extracts have a _truth folder: none goes to the landing
        left = link_tree(extracts, landing, lambda path: kept(path) and "_truth" not in path.parts)
        held_back += [(extracts, path) for path in left if "_truth" not in path.parts]
    os.environ.pop("CIVSTAT_COUNTY_CODE", None)
    os.environ["CIVSTAT_COUNTIES"] = ",".join(args.counties)
    full = full_build(home, landing, args.engine)
    for extracts, path in held_back:
        os.link(path, landing / path.relative_to(extracts))
    update = incremental(home, landing, args.work, [], args.engine)
    update["files_delivered"] = len(held_back)
    return {"counties": args.counties, "source_rows": rows_read(home), "full": full, "incremental": update,
            "disk_mb": {part: round(_size(home / part) / 2**20) for part in ("raw", "warehouse", "serving")}}


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def province_home_summary(results: dict) -> str:
    run = results["province_home"]
    lines = [f"province home on {results['engine']}: {len(run['counties'])} counties in one home, "
             f"{results['start']} → {results['end']}, {run['source_rows']:,} source rows", "",
             "| run | stage | wall s | CPU s | peak RSS MB |", "|---|---|---:|---:|---:|"]
    for label in ("full", "incremental"):
        total = run[label]["total"]
        lines.append(f"| {label} | **total** | {total['wall_s']:.1f} | {total['cpu_s'] or 0:.1f} | "
                     f"{total['peak_rss_mb']:,} |")
        for stage, figures in run[label]["stages"].items():
            cpu = "" if figures.get("cpu_s") is None else f"{figures['cpu_s']:.1f}"
            peak = "" if figures.get("peak_rss_mb") is None else f"{figures['peak_rss_mb']:,}"
            lines.append(f"| | {stage} | {figures['wall_s']:.1f} | {cpu} | {peak} |")
    lines.append("")
    lines.append(f"disk: {run['disk_mb']}")
    return "\n".join(lines)


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
    parser.add_argument("--one-home", action="store_true", help="one home serving every county asked")
    args = parser.parse_args()
    args.work = args.work.resolve()
    results = {"scale": "province", "engine": args.engine, "seed": args.seed, "start": args.start, "end": args.end,
               "machine": machine(), "began": time.strftime("%Y-%m-%dT%H:%M:%S")}
    with ProcessPoolExecutor(max_workers=2) as pool:       # two counties at a time, as the generator does
        results["generate"] = list(pool.map(generate_one, [args.work / c / "extracts" for c in args.counties],
                                            args.counties, [args.seed] * len(args.counties),
                                            [args.start] * len(args.counties), [args.end] * len(args.counties)))
    if args.one_home:
        results["province_home"] = province_home_run(args)
        (args.work / f"province-home-{len(args.counties)}.json").write_text(
            json.dumps(results, ensure_ascii=False, indent=2))
        print(province_home_summary(results))
        return
    results["counties"] = []
    for county in args.counties:
        results["counties"].append(county_run(args, county))
        (args.work / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(summary(results))


if __name__ == "__main__":
    main()
