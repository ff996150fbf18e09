"""Ingestion throughput: rows per second per source and per format (CSV, XLSX).

    .venv/bin/python bench/ingestion_throughput.py --landing /tmp/county --raw /tmp/county-raw [--workers 1]

Reads a generated landing folder (see bench/generator.py) into a fresh raw
directory with civstat's ingestion, source by source, the division table first.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import time
from pathlib import Path

import duckdb

from ingestion.contract import CONTRACTS
from ingestion.load import ingest_source
from ingestion.store import RawStore


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--landing", type=Path, required=True)
    parser.add_argument("--raw", type=Path, required=True)
    parser.add_argument("--county", default="370832")
    parser.add_argument("--workers", type=int, default=os.cpu_count(), help="processes per large source")
    args = parser.parse_args()
    shutil.rmtree(args.raw, ignore_errors=True)
    store = RawStore(args.raw)
    by_format: dict[str, list[float]] = {"csv": [0, 0.0], "xlsx": [0, 0.0]}
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print("| source | format | files read | rows read | seconds | rows/s |\n|---|---|---:|---:|---:|---:|")
    for contract in CONTRACTS.values():
        began = time.perf_counter()
        results = ingest_source(store, args.landing, contract, counties=[args.county], secret=b"bench-key",
                                workers=args.workers)
        seconds = time.perf_counter() - began
        rows = sum(r.rows_read for r in results)
        by_format[contract.file_format][0] += rows
        by_format[contract.file_format][1] += seconds
        print(f"| {contract.key} | {contract.file_format} | {len(results)} | {rows:,} | {seconds:.1f} | "
              f"{rows / seconds if seconds else 0:,.0f} |")
    for fmt, (rows, seconds) in by_format.items():
        print(f"| **all {fmt}** | {fmt} | | {rows:,} | {seconds:.1f} | {rows / seconds if seconds else 0:,.0f} |")
    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024
    print(f"peak RSS {peak:.0f} MB (the largest process)")
    compare_with_truth(args.raw, args.landing)


# Rules the generator plants that ingestion must quarantine (the marriage rules
# are loaded and scored; unreadable archive dates are kept and flagged).
QUARANTINE_RULES = {"id_check_character", "unknown_code", "negative_amount", "impossible_date",
                    "credit_code_check_character", "unknown_region", "unknown_region_code"}


def compare_with_truth(raw: Path, landing: Path) -> None:
    """The quarantine against the generator's manifest, and the ledger's counts."""
    truth_path = landing / "_truth" / "truth.json"
    if not truth_path.exists():
        return
    planted = {(d["file"], d["row"]) for d in json.loads(truth_path.read_text(encoding="utf-8"))["defects"]
               if d["rule"] in QUARANTINE_RULES}
    quarantined = set(duckdb.sql(f"select source_file, source_row from "
                                 f"read_parquet('{raw}/_quarantine/*/*/*.parquet')").fetchall())
    totals = RawStore(raw).accounting()
    print(f"manifest: {len(planted):,} malformed rows planted; quarantined {len(quarantined):,}; "
          f"missing {len(planted - quarantined):,}; extra {len(quarantined - planted):,}")
    print(f"ledger: {totals['files']:,} files, {totals['read']:,} rows read = {totals['loaded']:,} loaded "
          f"+ {totals['quarantined']:,} quarantined")


if __name__ == "__main__":
    main()
