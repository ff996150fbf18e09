"""The dbt stage over several counties at once, against one county, on either engine.

    .venv/bin/python bench/province_dbt.py --counties 370829 371721 370481 --engine duckdb --work /tmp/bench-province
    .venv/bin/python bench/province_dbt.py --counties 370829 371721 370481 --engine spark --work /tmp/bench-province

civstat serves one county per home, and ``bench/province.py`` times a province
as one home per county. A province platform would rather build all its
counties' rows in one dbt run, paying dbt's start, its per-statement and
per-test costs once instead of once per county. That is where Spark is meant
to pay. The dbt project keeps the county in its keys (region codes, the
delivering county in file names), so it builds several counties' raw data
as it builds one; this measures what that costs:

1. each county's extracts (``bench/province.py``'s: WORK/<county>/extracts,
   generated or reused) are ingested by civstat's ingestion into a raw store of
   their own (WORK/<county>/raw-store), all with one pseudonymisation key;
2. the stores are laid side by side as one (hard links: each period's file
   is named for its county, ``data_<county>.parquet``, as in a province's
   home), in WORK/counties-<N>/raw;
3. ``civstat dbt build`` (the data tests included, the unit tests apart, as a
   run does) over the combined store, and the same over the first county's
   store alone, each in a fresh home, measured (wall, CPU, peak RSS of the
   process tree) with dbt's own summary from run_results.json.

Reports one county's build, the N counties' build, and their ratio against N:
under N means the shared build costs less per county than N homes' builds.
Ingestion is not what is compared (it is per file, whatever the home).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import run_measured  # noqa: E402
from pipeline import BIN, REPO, machine  # noqa: E402
from province import PROVINCE_COUNTIES, generate_one  # noqa: E402

KEY = "bench-province-key"      # one key for every county: a person keeps one key across counties


def ingest_county(work: Path, county: str, seed: int, start: str, end: str) -> dict:
    """The county's extracts ingested into WORK/<county>/raw-store (reused when made from the same extracts)."""
    from ingestion.load import ingest_landing
    from ingestion.store import RawStore

    extracts, store_dir = work / county / "extracts", work / county / "raw-store"
    made = {"county": county, "seed": seed, "start": start, "end": end, "key": KEY}
    marker = store_dir / "_made.json"
    if marker.exists() and json.loads(marker.read_text()) == made:
        return {"county": county, "seconds": 0.0, "reused": True}
    generate_one(extracts, county, seed, start, end)
    shutil.rmtree(store_dir, ignore_errors=True)
    began = time.perf_counter()
    results = ingest_landing(RawStore(store_dir), extracts, counties=[county], secret=KEY.encode())
    marker.write_text(json.dumps(made))
    return {"county": county, "seconds": round(time.perf_counter() - began, 1), "periods": len(results),
            "rows_loaded": sum(r.rows_loaded for r in results),
            "rows_quarantined": sum(r.rows_quarantined for r in results)}


def side_by_side(stores: dict[str, Path], target: Path) -> int:
    """Hard-link each county's raw store into one; returns the files linked.

    Every file of a store is named for its issuer (a period's
    ``data_<county>.parquet``, a funeral home's ``data_<home>.parquet``, the
    ledger's by delivered file), so the counties' files sit side by side as
    they would in a province's home. The empty schema files of sources never
    delivered are the same for every county: one is kept."""
    from ingestion.contract import CONTRACTS
    from ingestion.store import RawStore

    shutil.rmtree(target, ignore_errors=True)
    linked = 0
    for store in stores.values():
        raw_store = RawStore(store)
        for contract in CONTRACTS.values():     # a store made before files were named by issuer
            raw_store.name_files_by_issuer(contract)
        for path in sorted(store.rglob("*.parquet")):
            relative = path.relative_to(store)
            if relative.parts[0] == "_footers":     # written for the combined store itself (Spark)
                continue
            dest = target / relative
            if dest.exists():
                if relative.parts[1] == "_schema":
                    continue
                raise FileExistsError(f"{dest}: two counties' stores hold {relative}")
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, dest)
            linked += 1
    return linked


def dbt_build(home: Path, raw: Path, engine: str) -> dict:
    """``civstat dbt build`` over a raw store in a fresh home, as a run builds (unit tests apart)."""
    shutil.rmtree(home, ignore_errors=True)
    env = os.environ | {"CIVSTAT_HOME": str(home), "CIVSTAT_RAW_DIR": str(raw), "CIVSTAT_DEMO": "1",
                        "CIVSTAT_ENGINE": engine, "CIVSTAT_PSEUDONYM_KEY": KEY}
    if engine == "spark":
        # Spark reads the raw files through its metastore's external tables (as a run registers them).
        from ingestion.store import RawStore

        RawStore(raw).write_footers()
        registered = run_measured([str(BIN / "civstat"), "dbt", "run-operation", "register_sources"], env=env, cwd=REPO)
        if registered.returncode != 0:
            raise SystemExit(f"register_sources failed:\n{registered.output[-3000:]}")
    measured = run_measured([str(BIN / "civstat"), "dbt", "build", "--exclude-resource-type", "unit_test"],
                            env=env, cwd=REPO)
    results = json.loads((home / "dbt" / "target" / "run_results.json").read_text())["results"]
    statuses = dict(Counter(node["status"] for node in results))
    failing = sorted(n["unique_id"] for n in results if n["status"] in ("fail", "error"))
    return {**measured.totals(), "exit": measured.returncode, "nodes": len(results), "statuses": statuses,
            "failing": failing, "node_seconds": round(sum(n["execution_time"] for n in results), 1)}


def raw_rows(raw: Path) -> int:
    """Rows loaded in a raw store (the quarantine apart), from the files' footers."""
    import pyarrow.parquet as pq

    return sum(pq.read_metadata(p).num_rows for p in raw.glob("*/period=*/data*.parquet"))


def markdown(results: dict) -> str:
    one, many = results["one county"], results["counties"]
    n = len(results["county_codes"])
    lines = [f"dbt build on {results['engine']}, {results['start']} → {results['end']}, seed {results['seed']}; "
             f"{results['machine']['cores']} cores, {results['machine']['memory_gb']} GB", "",
             "| build | raw rows | nodes | wall s | CPU s | peak RSS MB | dbt node time s | not passed |",
             "|---|---:|---:|---:|---:|---:|---:|---|"]
    for label, row in ((f"one county ({results['county_codes'][0]})", one), (f"{n} counties at once", many)):
        lines.append(f"| {label} | {row['raw_rows']:,} | {row['nodes']} | {row['wall_s']:.1f} | {row['cpu_s']:.1f} | "
                     f"{row['peak_rss_mb']:,} | {row['node_seconds']:.1f} | {', '.join(row['failing']) or 'none'} |")
    lines += ["", f"{n} counties at once / one county: **{many['wall_s'] / one['wall_s']:.2f}×** the wall time "
                  f"for {many['raw_rows'] / one['raw_rows']:.2f}× the rows ({n} homes would take {n}×)"]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counties", nargs="+", choices=PROVINCE_COUNTIES, required=True, metavar="CODE",
                        help="6-digit county codes; the first is also built alone")
    parser.add_argument("--engine", default="duckdb", choices=("duckdb", "spark"))
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--start", default="2019-01")
    parser.add_argument("--end", default="2025-12")
    parser.add_argument("--work", type=Path, required=True)
    args = parser.parse_args()
    work = args.work.resolve()
    results = {"engine": args.engine, "county_codes": args.counties, "seed": args.seed, "start": args.start,
               "end": args.end, "machine": machine(), "began": time.strftime("%Y-%m-%dT%H:%M:%S")}
    results["ingestion"] = [ingest_county(work, c, args.seed, args.start, args.end) for c in args.counties]
    stores = {c: work / c / "raw-store" for c in args.counties}
    combined = work / f"counties-{len(args.counties)}"
    results["files_linked"] = side_by_side(stores, combined / "raw")
    for label, raw, home in (("one county", stores[args.counties[0]], work / args.counties[0] / f"dbt-home-{args.engine}"),
                             ("counties", combined / "raw", combined / f"dbt-home-{args.engine}")):
        results[label] = dbt_build(home, raw, args.engine) | {"raw_rows": raw_rows(raw)}
        (work / f"province-dbt-{args.engine}.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    print(markdown(results))


if __name__ == "__main__":
    main()
