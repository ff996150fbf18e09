"""Every quality suite against a built warehouse: time and outcome per suite.

    .venv/bin/python bench/quality_suites.py --warehouse var/warehouse/warehouse.duckdb

Prints, per suite, the wall time of its validation and the rules that did not
pass (validity, finding or warning, with the failing-record count), then the
total. Run it after `civstat run` (the dbt manifest and the warehouse must be
built); it opens the warehouse read-only.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from expectations.runner import run_suite
from expectations.suites import all_suites


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    args = parser.parse_args(argv)
    print(f"command: {' '.join([Path(sys.argv[0]).name, *(argv or sys.argv[1:])])}")
    started = time.perf_counter()
    for name, suite in all_suites().items():
        t0 = time.perf_counter()
        result = run_suite(suite, args.warehouse)
        broken = [f"{r.rule_id} ({r.severity.value}, {r.unexpected_count})" for r in result.rules if not r.success]
        print(f"{name:45s} {time.perf_counter() - t0:6.2f} s  {'ok' if not broken else '; '.join(broken)}")
    print(f"{'all suites':45s} {time.perf_counter() - started:6.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
