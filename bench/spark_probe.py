"""Spark's fixed costs next to DuckDB's, on a home a Spark build left.

    .venv/bin/python bench/spark_probe.py --home WORK/spark

Prints one line, ``PROBE {json}``: per measure, (DuckDB ms, Spark ms).

- starting: a Spark session with the home's metastore (the JVM, Hive's
  Derby metastore), against connecting to the DuckDB warehouse file;
- a trivial statement (``select 1``), the median of 20;
- a small aggregate over the largest raw table (rows per period), the
  median of 5: planning, file listing and a job, against DuckDB reading the
  same Parquet files.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from civstat.settings import Settings  # noqa: E402


def timed(action, repeat: int = 1) -> float:
    """Median milliseconds of ``repeat`` calls."""
    runs = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        runs.append((time.perf_counter() - began) * 1000)
    return statistics.median(runs)


def largest_raw_source(raw_dir: Path) -> str:
    sizes = {p.name: sum(f.stat().st_size for f in p.rglob("data*.parquet"))
             for p in raw_dir.iterdir() if p.is_dir() and not p.name.startswith("_")}
    return max(sizes, key=sizes.get)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--home", type=Path, required=True)
    home = parser.parse_args().home.resolve()
    import duckdb

    from warehouse.spark import spark_session

    settings = Settings.load({"home": home}, environ={"CIVSTAT_ENGINE": "spark", "CIVSTAT_DEMO": "1"})
    source = largest_raw_source(settings.raw_dir)
    aggregate = "select period, count(*) from {} group by period"
    files = f"read_parquet('{settings.raw_dir}/{source}/*/data*.parquet', union_by_name = true)"
    out = {}

    holder = {}
    out["start (session, metastore / open file)"] = (
        timed(lambda: holder.setdefault("duck", duckdb.connect())),
        timed(lambda: holder.setdefault("spark", spark_session(settings).sql("select 1").collect())))
    spark, duck = spark_session(settings), holder["duck"]
    out["select 1 (median of 20)"] = (timed(lambda: duck.execute("select 1").fetchall(), 20),
                                      timed(lambda: spark.sql("select 1").collect(), 20))
    out[f"rows per period of raw.{source} (median of 5)"] = (
        timed(lambda: duck.execute(aggregate.format(files)).fetchall(), 5),
        timed(lambda: spark.sql(aggregate.format(f"raw.{source}")).collect(), 5))
    print("PROBE " + json.dumps({k: [round(a, 1), round(b, 1)] for k, (a, b) in out.items()}))


if __name__ == "__main__":
    main()
