"""One dbt model's SQL, alone, against a built warehouse: wall time and peak
RSS at a DuckDB memory limit and thread count, for two or more
versions of the model, and whether they produce the same rows.

Compile each version first (``civstat dbt compile --select MODEL`` with the
home's settings writes ``<home>/dbt/target/compiled/.../MODEL.sql``; check
out the other version and compile again). Each version runs in its own
process, the versions alternating, ``--repeat`` times; the warehouse is
attached read-only and the result written to a scratch database, so the
home is not touched:

    .venv/bin/python bench/model_alone.py --warehouse H/warehouse/warehouse.duckdb \\
        --memory 4GB --threads 2 --repeat 2 before.sql after.sql
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ONE_RUN = r"""
import json, resource, sys, time, duckdb
warehouse, sql_file, scratch, memory, threads = sys.argv[1:6]
con = duckdb.connect(scratch)
con.execute(f"set memory_limit='{memory}'; set threads={threads}; set enable_progress_bar=false")
con.execute(f"attach '{warehouse}' as warehouse (read_only)")
began = time.perf_counter()
con.execute("create or replace table model_rows as " + open(sql_file, encoding="utf-8").read())
seconds = time.perf_counter() - began
rows = con.execute("select count(*) from model_rows").fetchone()[0]
print(json.dumps({"seconds": round(seconds, 1), "rows": rows,
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))
"""


def run_once(warehouse: Path, sql: Path, scratch: Path, memory: str, threads: int) -> dict:
    scratch.unlink(missing_ok=True)
    done = subprocess.run([sys.executable, "-c", ONE_RUN, str(warehouse), str(sql), str(scratch), memory, str(threads)],
                          capture_output=True, text=True)
    if done.returncode:     # a process the kernel killed for memory writes nothing
        return {"error": (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]}
    return json.loads(done.stdout)


def same_rows(first: Path, second: Path) -> bool:
    import duckdb
    con = duckdb.connect()
    con.execute(f"attach '{first}' as a (read_only); attach '{second}' as b (read_only)")
    return all(con.execute(f"select count(*) from (select * from {x}.model_rows except all select * from {y}.model_rows)")
               .fetchone()[0] == 0 for x, y in (("a", "b"), ("b", "a")))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--memory", default="4GB")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("sql", type=Path, nargs="+", help="compiled SQL of each version of the model")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="civstat-model-") as scratch_dir:
        scratches = [Path(scratch_dir) / f"version{i}.duckdb" for i in range(len(args.sql))]
        timings: dict[str, list[dict]] = {str(sql): [] for sql in args.sql}
        for _ in range(args.repeat):
            for sql, scratch in zip(args.sql, scratches):
                timings[str(sql)].append(run_once(args.warehouse, sql, scratch, args.memory, args.threads))
        ok = [s for s, sql in zip(scratches, args.sql) if "error" not in timings[str(sql)][-1]]
        equal = all(same_rows(ok[0], other) for other in ok[1:]) if len(ok) > 1 else None
    print(f"DuckDB memory {args.memory}, {args.threads} threads, each version {args.repeat}x, alternating")
    base = None
    for sql, runs in timings.items():
        good = [r["seconds"] for r in runs if "error" not in r]
        best = min(good) if good else None
        base = base or best
        ratio = f"{best / base:.2f}x" if best and base else "-"
        print(f"  {sql}: {[r.get('seconds', r.get('error')) for r in runs]} s, best {best} s "
              f"({ratio} the first version that ran), "
              f"rows {runs[-1].get('rows')}, peak RSS {max(r.get('peak_rss_mb', 0) for r in runs)} MB")
    print(f"  same rows in every version: {equal}")


if __name__ == "__main__":
    main()
