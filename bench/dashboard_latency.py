"""Dashboard query latency: every chart of every dashboard, asked of a real Superset.

    .venv/bin/python bench/dashboard_latency.py --serving /tmp/bench-county/civstat/serving --repeat 20

Starts Superset (its own virtualenv, `civstat superset setup`) with a scratch
state directory on a free local port, pointed at the given serving folder,
provisions the dashboards, then asks each chart's data (`GET
/api/v1/chart/<id>/data/?force=true`: Superset's cache is off, every call
runs the chart's SQL on the serving file) ``--repeat`` times, in turn, the
way a dashboard opening asks for all its charts. Reports the latency each
call took end to end (HTTP, Superset, DuckDB) as p50 / p95 / max per
dashboard and over all calls, and writes them to ``--out`` as JSON.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import secrets
import socket
import statistics
import tempfile
import time
from pathlib import Path

from civstat.settings import Settings
from superset import service
from superset.api import connect
from superset.provision import apply, load_definitions


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    settings = dataclasses.replace(
        Settings.load({"home": scratch, "serving_dir": args.serving.resolve()}),
        superset_url=f"http://127.0.0.1:{_free_port()}", superset_user="admin",
        superset_password=secrets.token_urlsafe(16), demo=False)
    os.environ.setdefault("SUPERSET_SECRET_KEY", secrets.token_urlsafe(48))
    service.up(settings)
    try:
        client = connect(settings.superset_url, settings.superset_user, settings.superset_password)
        definitions = load_definitions()
        report = apply(client, settings.serving_path, definitions)
        chart_ids = report.ids("chart")
        timings: dict[str, list[float]] = {}
        for _ in range(args.repeat):
            for dashboard in definitions.dashboards:
                for chart in dashboard["charts"]:
                    started = time.perf_counter()
                    client.chart_data(chart_ids[chart["name"]])
                    timings.setdefault(dashboard["slug"], []).append((time.perf_counter() - started) * 1000)
    finally:
        service.down(settings)

    every = [t for values in timings.values() for t in values]
    rows = {slug: {"calls": len(v), "p50_ms": round(statistics.median(v), 1),
                   "p95_ms": round(percentile(v, 0.95), 1), "max_ms": round(max(v), 1)}
            for slug, v in timings.items()}
    rows["all charts"] = {"calls": len(every), "p50_ms": round(statistics.median(every), 1),
                          "p95_ms": round(percentile(every, 0.95), 1), "max_ms": round(max(every), 1)}
    size_mb = settings.serving_path.stat().st_size / 2**20
    print(f"serving file {settings.serving_path} ({size_mb:,.0f} MB); {platform.machine()}, "
          f"{os.cpu_count()} cores; {args.repeat} rounds\n")
    print("| dashboard | calls | p50 ms | p95 ms | max ms |\n|---|---:|---:|---:|---:|")
    for slug, row in rows.items():
        print(f"| {slug} | {row['calls']} | {row['p50_ms']} | {row['p95_ms']} | {row['max_ms']} |")
    if args.out:
        args.out.write_text(json.dumps({"serving_mb": round(size_mb, 1), "repeat": args.repeat, "results": rows},
                                       ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
