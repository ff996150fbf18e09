"""Dashboard query latency: every chart of every dashboard, asked of a real Superset.

    .venv/bin/python bench/dashboard_latency.py --serving /tmp/bench-county/civstat/serving --repeat 20

Starts Superset (its own virtualenv, `civstat superset setup`) with a scratch
state directory on a free local port, pointed at a copy of the given serving
file, provisions the dashboards, then asks each chart's data (``GET
/api/v1/chart/<id>/data/``) the way dashboards opening ask for all their
charts, in three kinds of call:

- **no cache** (``?force=true``): every call runs the chart's SQL on the
  serving file, ``--repeat`` rounds;
- **first view after a publication**: a new version of the serving file is
  swapped in (as publication does), and each chart is asked once: the cache
  has nothing for this version, the SQL runs and its result is kept;
- **later views**: the same charts asked ``--repeat`` rounds more, answered
  from the cache until the next publication (superset/serving_cache.py).

Reports the latency each call took end to end (HTTP, Superset, DuckDB) as
p50 / p95 / max per kind of call and over all calls, and writes them to
``--out`` as JSON.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import secrets
import shutil
import socket
import statistics
import tempfile
import time
from pathlib import Path

from civstat.settings import Settings
from superset import service
from superset.api import connect
from superset.provision import apply, load_definitions

KINDS = ("no cache", "first view after a publication", "later views")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def republish(serving_path: Path) -> None:
    """A new version of the serving file, swapped in as publication does (a new file, os.replace)."""
    building = serving_path.with_name(".next.duckdb")
    shutil.copy2(serving_path, building)
    os.replace(building, serving_path)


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, int(-(-share * len(ordered) // 1)) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--serving", type=Path, required=True, help="a serving folder (holds civstat.duckdb)")
    parser.add_argument("--repeat", type=int, default=20, help="times each chart is asked")
    parser.add_argument("--out", type=Path, help="results as JSON")
    args = parser.parse_args()

    scratch = Path(tempfile.mkdtemp(prefix="civstat-dashboards-"))
    (scratch / "serving").mkdir()
    shutil.copy2(args.serving / "civstat.duckdb", scratch / "serving" / "civstat.duckdb")
    settings = dataclasses.replace(
        Settings.load({"home": scratch, "serving_dir": scratch / "serving"}),
        superset_url=f"http://127.0.0.1:{_free_port()}", superset_user="admin",
        superset_password=secrets.token_urlsafe(16), demo=False)
    os.environ.setdefault("SUPERSET_SECRET_KEY", secrets.token_urlsafe(48))
    service.up(settings)
    timings: dict[str, list[float]] = {kind: [] for kind in KINDS}
    try:
        client = connect(settings.superset_url, settings.superset_user, settings.superset_password)
        definitions = load_definitions()
        report = apply(client, settings.serving_path, definitions)
        charts = [report.ids("chart")[chart["name"]] for dashboard in definitions.dashboards
                  for chart in dashboard["charts"]]

        def ask(chart_id: int, kind: str, force: bool) -> None:
            started = time.perf_counter()
            results = client.chart_results(chart_id, force=force)
            timings[kind].append((time.perf_counter() - started) * 1000)
            if not force and all(r["is_cached"] for r in results) != (kind == "later views"):
                raise SystemExit(f"chart {chart_id}: a {kind} call was answered "
                                 f"{'from' if kind != 'later views' else 'without'} the cache")

        for _ in range(args.repeat):
            for chart_id in charts:
                ask(chart_id, "no cache", force=True)
        republish(settings.serving_path)
        for chart_id in charts:
            ask(chart_id, "first view after a publication", force=False)
        for _ in range(args.repeat):
            for chart_id in charts:
                ask(chart_id, "later views", force=False)
    finally:
        service.down(settings)

    every = [t for values in timings.values() for t in values]
    rows = {kind: {"calls": len(v), "p50_ms": round(statistics.median(v), 1),
                   "p95_ms": round(percentile(v, 0.95), 1), "max_ms": round(max(v), 1)}
            for kind, v in timings.items()}
    rows["all calls"] = {"calls": len(every), "p50_ms": round(statistics.median(every), 1),
                         "p95_ms": round(percentile(every, 0.95), 1), "max_ms": round(max(every), 1)}
    size_mb = settings.serving_path.stat().st_size / 2**20
    print(f"serving file {settings.serving_path} ({size_mb:,.0f} MB); {platform.machine()}, "
          f"{os.cpu_count()} cores; {args.repeat} rounds\n")
    print(f"{len(charts)} charts\n")
    print("| call | calls | p50 ms | p95 ms | max ms |\n|---|---:|---:|---:|---:|")
    for kind, row in rows.items():
        print(f"| {kind} | {row['calls']} | {row['p50_ms']} | {row['p95_ms']} | {row['max_ms']} |")
    if args.out:
        args.out.write_text(json.dumps({"serving_mb": round(size_mb, 1), "repeat": args.repeat, "results": rows},
                                       ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
