"""The same pipeline on both engines, and where Spark's fixed cost lies.

    .venv/bin/python bench/engines.py --scale county --start 2019-01 --end 2025-12 --work /tmp/bench-engines

On the same extracts (generated or reused as bench/pipeline.py does), for
``duckdb`` and ``spark`` (dbt-spark, local ``session`` mode) in turn: a full
build of every extract but the last month's, then the one-month update,
each split into stages from Dagster's event log (bench/pipeline.py), and the
published marts of the two engines compared table by table.

Then Spark's fixed cost, measured apart (bench/spark_probe.py, in its own
process): starting the JVM and the session with the metastore, one trivial
statement, and one small aggregate over a raw table, each repeated, against
the same statements on DuckDB. Results go to WORK/engines.json and a
Markdown table on standard output (docs/benchmarks.md keeps them).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pipeline import BIN, REPO, full_build, generate, held_back_landing, incremental, machine, rows_read  # noqa: E402
from province import PROVINCE_COUNTIES  # noqa: E402

ENGINES = ("duckdb", "spark")
PROVINCE_HOMES = len(PROVINCE_COUNTIES)     # one home per county, as bench/province.py runs a province


def same_marts(a: Path, b: Path) -> dict:
    """Tables of the marts schema in two serving files: how many, and which differ."""
    import duckdb

    con = duckdb.connect()
    con.execute("attach ? as a (read_only)", [str(a)])
    con.execute("attach ? as b (read_only)", [str(b)])
    tables = [t for (t,) in con.execute("select table_name from duckdb_tables() where database_name = 'a' "
                                        "and schema_name = 'marts' order by 1").fetchall()]
    different = []
    for table in tables:
        try:
            only = con.execute(f"select (select count(*) from (from a.marts.{table} except all "
                               f"from b.marts.{table})) + (select count(*) from (from b.marts.{table} "
                               f"except all from a.marts.{table}))").fetchone()[0]
        except duckdb.Error as exc:
            different.append(f"{table}: {str(exc).splitlines()[0]}")
            continue
        if only:
            different.append(f"{table}: {only} rows")
    return {"tables": len(tables), "different": different}


def probe(home: Path) -> dict:
    done = subprocess.run([str(BIN / "python"), str(REPO / "bench" / "spark_probe.py"), "--home", str(home)],
                          capture_output=True, text=True, cwd=REPO)
    lines = [x for x in done.stdout.splitlines() if x.startswith("PROBE ")]
    if done.returncode != 0 or not lines:
        return {"error": (done.stdout + done.stderr)[-2000:]}
    return json.loads(lines[0].removeprefix("PROBE "))


def markdown(results: dict) -> str:
    lines = [f"scale {results['scale']}, {results['start']} → {results['end']}, seed {results['seed']}, "
             f"{results['source_rows']:,} source rows; {results['machine']['cores']} cores, "
             f"{results['machine']['memory_gb']} GB", "",
             "| what | " + " | ".join(f"{e} wall s" for e in ENGINES) + " | spark / duckdb | "
             + " | ".join(f"{e} peak RSS MB" for e in ENGINES) + " |",
             "|---|" + "---:|" * (2 * len(ENGINES) + 1)]

    def row(name, figures):
        walls = [f.get("wall_s") if f else None for f in figures]
        peaks = [f.get("peak_rss_mb") if f else None for f in figures]
        ratio = f"{walls[1] / walls[0]:.1f}×" if all(walls) and walls[0] else ""
        lines.append(f"| {name} | " + " | ".join("" if w is None else f"{w:.1f}" for w in walls) + f" | {ratio} | "
                     + " | ".join("" if m is None else f"{m:,}" for m in peaks) + " |")

    for run in ("full", "incremental"):
        label = "full build" if run == "full" else "one-month update"
        row(f"**{label}**", [results[e][run]["total"] for e in ENGINES])
        for stage in results["duckdb"][run]["stages"]:
            row(f"· {stage}", [results[e][run]["stages"].get(stage) for e in ENGINES])
    if results["scale"] == "county":
        # civstat runs a province as one home per county (bench/province.py)
        walls = [[results[e][run]["total"]["wall_s"] * PROVINCE_HOMES for e in ENGINES] for run in ("full", "incremental")]
        lines += ["", f"Province projected as civstat runs it, {PROVINCE_HOMES} homes of this county's size one "
                  "after another: full build " + ", ".join(f"{e} {w / 60:.0f} min" for e, w in zip(ENGINES, walls[0]))
                  + "; one-month update " + ", ".join(f"{e} {w / 60:.0f} min" for e, w in zip(ENGINES, walls[1]))
                  + " (a projection, not a measurement)."]
    marts = results["same_marts"]
    lines += ["", f"Published marts: {marts['tables']} tables, "
              + ("identical on both engines." if not marts["different"] else f"different: {marts['different']}")]
    spark = results.get("spark_fixed_cost", {})
    if "error" not in spark:
        lines += ["", "Spark's fixed cost (bench/spark_probe.py):", "",
                  "| what | DuckDB ms | Spark ms |", "|---|---:|---:|"]
        for name, (duck, spark_ms) in spark.items():
            lines.append(f"| {name} | {duck:,.1f} | {spark_ms:,.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="county", choices=("tiny", "county", "province"))
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--start", default="2019-01")
    parser.add_argument("--end", default="2025-12")
    parser.add_argument("--work", type=Path, required=True)
    args = parser.parse_args()
    args.work = args.work.resolve()
    args.work.mkdir(parents=True, exist_ok=True)
    extracts = args.work / "extracts"
    results = {"scale": args.scale, "seed": args.seed, "start": args.start, "end": args.end, "machine": machine(),
               "began": time.strftime("%Y-%m-%dT%H:%M:%S"), "generate": generate(args, extracts)}
    # One pseudonymisation key for both homes (a demo home would make its own),
    # or every person key differs and the marts cannot be compared.
    os.environ["CIVSTAT_PSEUDONYM_KEY"] = secrets.token_hex(32)
    for engine in ENGINES:
        home = args.work / engine
        shutil.rmtree(home, ignore_errors=True)
        held_back = held_back_landing(args, extracts, home / "landing")
        results[engine] = {"full": full_build(home, home / "landing", engine)}
        results[engine]["incremental"] = incremental(home, home / "landing", extracts, held_back, engine)
        print(f"{engine}: full {results[engine]['full']['total']['wall_s']:.0f} s, "
              f"update {results[engine]['incremental']['total']['wall_s']:.0f} s", file=sys.stderr)
    results["source_rows"] = rows_read(args.work / "duckdb")
    results["same_marts"] = same_marts(*(args.work / e / "serving" / "civstat.duckdb" for e in ENGINES))
    results["spark_fixed_cost"] = probe(args.work / "spark")
    (args.work / "engines.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(markdown(results))


if __name__ == "__main__":
    main()
