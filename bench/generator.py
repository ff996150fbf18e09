"""Measure the generator at a scale: wall time, CPU time, peak RSS, rows per source.

    .venv/bin/python bench/generator.py --scale county --start 2019-01 --end 2025-12 --out /tmp/county

Runs `civstat generate` as a child process (so its peak RSS is measured
alone), then counts the data rows of every file it wrote.
"""

from __future__ import annotations

import argparse
import platform
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path


def count_rows(path: Path) -> int:
    """Data rows: CSV lines after the header; XLSX rows after title and header, 合计 excluded."""
    if path.suffix == ".csv":
        with open(path, "rb") as fh:
            return max(0, sum(1 for line in fh if line.strip()) - 1)
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    body = sheet[2:]
    return len(body) - (1 if body and str(body[-1][0]).strip() == "合计" else 0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="county")
    parser.add_argument("--start", default="2019-01")
    parser.add_argument("--end", default="2025-12")
    parser.add_argument("--seed", default="1")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    command = [str(Path(sys.executable).parent / "civstat"), "generate", "--scale", args.scale,
               "--seed", args.seed, "--start", args.start, "--end", args.end, "--out", str(args.out)]
    began = time.perf_counter()
    subprocess.run(command, check=True)
    wall = time.perf_counter() - began
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    rows, files = Counter(), Counter()
    for path in sorted(args.out.glob("*/*")):
        if path.parent.name.startswith("_"):
            continue
        rows[path.parent.name] += count_rows(path)
        files[path.parent.name] += 1
    print(f"command: {' '.join(command[1:])}")
    print(f"machine: {platform.machine()}, {__import__('os').cpu_count()} cores, Python {platform.python_version()}")
    print(f"wall {wall:.1f} s, CPU {usage.ru_utime + usage.ru_stime:.1f} s, "
          f"peak RSS {usage.ru_maxrss / 1024:.0f} MB (largest child process)")
    print("| source | files | rows |\n|---|---:|---:|")
    for source in sorted(rows):
        print(f"| {source} | {files[source]:,} | {rows[source]:,} |")
    print(f"| **all** | {sum(files.values()):,} | {sum(rows.values()):,} |")


if __name__ == "__main__":
    main()
