"""The whole pipeline, stage by stage, against two baselines on the same extracts.

    .venv/bin/python bench/pipeline.py --scale county --start 2019-01 --end 2025-12 --work /tmp/bench-county

For one scale it

1. generates the extracts into WORK/extracts, or reuses them when their
   truth.json says they were generated with the same scale, seed and months;
2. times a **full build** (`civstat run` in a fresh home) of every extract but
   the last month's monthly files, and splits it into stages from the Dagster
   event log: ingestion, dbt build, quality suites, publication, and what is
   left (start-up, loading the definitions);
3. times the **one-month incremental update**: the last month's files arrive
   and `civstat run` runs again, so the warehouse now holds every extract;
4. times the **JZH01 year-end report** and the **target report** on the
   published marts;
5. times the two **baselines** on the same (complete) extracts, computing the
   same figures (bench/figures.py): a hand-written DuckDB SQL script (the
   engine's limit) and a plain pandas script (what an office would write), and
   checks their figures equal civstat's — a comparison of programs that
   disagree is void.

Every timing is wall time, CPU time and peak resident memory of the command's
whole process tree (bench/measure.py). Results go to WORK/results.json and a
Markdown table on standard output (docs/benchmarks.md keeps them).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import sys
import time
from importlib import metadata
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import civstat_figures, compare, read  # noqa: E402
from measure import Measured, run_measured  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
BIN = REPO / ".venv" / "bin"
BASELINES = {
    "DuckDB SQL only": REPO / "bench" / "baselines" / "duckdb_only" / "run.py",
    "pandas": REPO / "bench" / "baselines" / "pandas_office" / "run.py",
}
# A monthly extract's name ends in its month: assistance_370832_202512.csv, …_202512_v2.csv
MONTHLY_FILE = re.compile(r"_(\d{6})(?:_v\d+)?\.(?:csv|xlsx)$")


# ------------------------------------------------------------------ helpers
def civstat(*args: str, home: Path, engine: str = "duckdb") -> Measured:
    env = os.environ | {"CIVSTAT_HOME": str(home), "CIVSTAT_DEMO": "1", "CIVSTAT_ENGINE": engine}
    measured = run_measured([str(BIN / "civstat"), *args], env=env, cwd=REPO)
    if measured.returncode not in (0, 1):       # 1: published with findings or withheld figures
        raise SystemExit(f"civstat {' '.join(args)} failed ({measured.returncode}):\n{measured.output[-3000:]}")
    return measured


def extracts_ready(extracts: Path, scale: str, seed: int, start: str, end: str) -> bool:
    truth = extracts / "_truth" / "truth.json"
    if not truth.exists():
        return False
    made = json.loads(truth.read_text(encoding="utf-8"))["generator"]
    return (made["scale"], made["seed"], made["start"], made["end"]) == (scale, seed, start, end)


def link_tree(source: Path, target: Path, keep) -> list[Path]:
    """Hard-link the files of ``source`` for which ``keep(path)`` holds into ``target``; the others are returned."""
    left = []
    for path in sorted(source.rglob("*")):
        if path.is_file():
            if keep(path):
                dest = target / path.relative_to(source)
                dest.parent.mkdir(parents=True, exist_ok=True)
                os.link(path, dest)
            else:
                left.append(path)
    return left


def stages(measured: Measured, dagster_home: Path) -> dict[str, dict]:
    """The run's stages as time windows from Dagster's event log, each with its wall, CPU and peak memory."""
    import dagster as dg
    from dagster._core.instance.ref import InstanceRef

    # A home's instance takes its directory from DAGSTER_HOME (civstat.settings.HOME_INSTANCE_YAML).
    os.environ["DAGSTER_HOME"] = str(dagster_home)
    instance = dg.DagsterInstance.from_ref(InstanceRef.from_dir(str(dagster_home)))
    windows: dict[str, list[tuple[float, float]]] = {"ingestion": [], "dbt build": [], "quality suites": [],
                                                      "publication": []}
    for record in instance.get_run_records():
        if not (measured.started <= record.start_time <= measured.ended):
            continue
        if record.dagster_run.job_name.startswith("ingest_"):
            windows["ingestion"].append((record.start_time, record.end_time))
            continue
        for key, (begin, end) in _step_windows(instance, record.dagster_run.run_id).items():
            stage = ("dbt build" if key == "civstat_dbt_models" else "publication" if key == "serving_marts"
                     else "quality suites")
            windows[stage].append((begin, end))
    out, accounted = {}, 0.0
    for stage, spans in windows.items():
        if spans:
            # Steps of a stage run one after another in process: their span is the stage.
            figures = measured.samples.window(min(b for b, _ in spans), max(e for _, e in spans))
            figures["wall_s"] = round(sum(e - b for b, e in spans), 2)
            out[stage] = figures
            accounted += figures["wall_s"]
    total = measured.totals()
    out["start-up and the rest"] = {"wall_s": round(total["wall_s"] - accounted, 2), "cpu_s": None,
                                    "peak_rss_mb": None}
    return out


def _step_windows(instance, run_id: str) -> dict[str, tuple[float, float]]:
    spans: dict[str, list[float]] = {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event and event.event_type_value in ("STEP_START", "STEP_SUCCESS", "STEP_FAILURE"):
            spans.setdefault(entry.step_key, []).append(entry.timestamp)
    return {key: (min(times), max(times)) for key, times in spans.items()}


def machine() -> dict:
    meminfo = Path("/proc/meminfo").read_text().split("\n", 1)[0]
    versions = {}
    for name in ("dagster", "dagster-dbt", "dbt-core", "dbt-duckdb", "duckdb", "great-expectations", "pandas",
                 "pyarrow", "dbt-spark", "pyspark"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:       # the Spark extra is optional
            pass
    return {"machine": platform.machine(), "cores": os.cpu_count(),
            "memory_gb": round(int(meminfo.split()[1]) / 2**20, 1), "python": platform.python_version(),
            "versions": versions, "load_average_at_start": os.getloadavg()}


# ------------------------------------------------------------------- stages
def generate(args, extracts: Path) -> dict | None:
    if extracts_ready(extracts, args.scale, args.seed, args.start, args.end):
        return None
    shutil.rmtree(extracts, ignore_errors=True)
    measured = civstat("generate", "--scale", args.scale, "--seed", str(args.seed), "--start", args.start,
                       "--end", args.end, "--out", str(extracts), home=args.work / "generate-home")
    return measured.totals()


def before_last_month(end: str):
    """A test for ``link_tree``: a file is kept unless it is a monthly file of the month ``end`` (YYYY-MM)."""
    last = end.replace("-", "")

    def keep(path: Path) -> bool:
        match = MONTHLY_FILE.search(path.name)
        return not (match and match.group(1) == last)
    return keep


def held_back_landing(args, extracts: Path, landing: Path) -> list[Path]:
    """The extracts without the last month's monthly files (hard links); those files are returned."""
    shutil.rmtree(landing, ignore_errors=True)
    return link_tree(extracts, landing, before_last_month(args.end))


def full_build(home: Path, landing: Path, engine: str = "duckdb") -> dict:
    measured = civstat("run", "--landing", str(landing), home=home, engine=engine)
    return {"total": measured.totals(), "exit": measured.returncode, "stages": stages(measured, home / "dagster")}


def incremental(home: Path, landing: Path, extracts: Path, held_back: list[Path], engine: str = "duckdb") -> dict:
    """The last month's files arrive in the landing folder; `civstat run` updates the warehouse."""
    for path in held_back:
        os.link(path, landing / path.relative_to(extracts))
    measured = civstat("run", "--landing", str(landing), home=home, engine=engine)
    return {"files_delivered": len(held_back), "total": measured.totals(), "exit": measured.returncode,
            "stages": stages(measured, home / "dagster")}


def reports(args, home: Path) -> dict:
    county = f"{args.county}000000"
    out = args.work / "reports"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    jzh01 = civstat("report", "jzh01", "--region", county, "--period", args.end, "--out",
                    str(out / "jzh01.xlsx"), home=home)
    targets = civstat("targets", "--region", county, "--year", args.end[:4], "--out", str(out / "targets.xlsx"),
                      home=home)
    return {"JZH01 report": jzh01.totals(), "target report": targets.totals()}


def baselines(args, extracts: Path, expected: dict) -> dict:
    results = {}
    for name, script in BASELINES.items():
        out = args.work / f"figures-{script.parent.name}.csv"
        measured = run_measured([str(BIN / "python"), str(script), "--landing", str(extracts), "--county",
                                 args.county, "--out", str(out)], cwd=REPO)
        if measured.returncode != 0:
            results[name] = {"error": measured.output[-2000:]}
            continue
        comparison = compare(expected, read(out))
        results[name] = {**measured.totals(), "figures": comparison.summary(), "same_figures": comparison.same,
                         "different": [f"{'/'.join(k)}: civstat {want}, baseline {got}"
                                       for k, want, got in comparison.different][:20],
                         "missing": ["/".join(k) for k in comparison.missing][:20]}
    return results


# ------------------------------------------------------------------- report
def markdown(results: dict) -> str:
    lines = [f"scale {results['scale']}, {results['start']} → {results['end']}, seed {results['seed']}, "
             f"{results['source_rows']:,} source rows; {results['machine']['cores']} cores, "
             f"{results['machine']['memory_gb']} GB", "",
             "| what | wall s | CPU s | peak RSS MB |", "|---|---:|---:|---:|"]

    def row(name, fig):
        cpu = "" if fig.get("cpu_s") is None else f"{fig['cpu_s']:.1f}"
        rss = "" if fig.get("peak_rss_mb") is None else f"{fig['peak_rss_mb']:,}"
        lines.append(f"| {name} | {fig['wall_s']:.1f} | {cpu} | {rss} |")

    row("**civstat full build**", results["full"]["total"])
    for stage, fig in results["full"]["stages"].items():
        row(f"  {stage}", fig)
    for name, fig in results["reports"].items():
        row(name, fig)
    for name, fig in results["baselines"].items():
        if "error" in fig:
            lines.append(f"| {name} | failed | | |")
        else:
            row(f"{name} ({fig['figures']})", fig)
    row(f"**one-month update** ({results['incremental']['files_delivered']} files)", results["incremental"]["total"])
    for stage, fig in results["incremental"]["stages"].items():
        row(f"  {stage}", fig)
    full = results["full"]["total"]["wall_s"]
    lines.append("")
    for name, fig in results["baselines"].items():
        if fig.get("same_figures"):
            lines.append(f"- civstat / {name}: {full / fig['wall_s']:.1f}× ({name} / civstat: "
                         f"{fig['wall_s'] / full:.2f}×)")
        elif "error" not in fig:
            lines.append(f"- {name}: figures differ, comparison void ({fig['figures']})")
    return "\n".join(lines)


def rows_read(home: Path) -> int:
    """Rows read from the extracts, as ingestion's ledger counts them."""
    import duckdb

    ledger = str(home / "raw" / "_ledger" / "*" / "*.parquet")
    return duckdb.sql(f"select sum(rows_read) from read_parquet('{ledger}', union_by_name => true)").fetchall()[0][0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="county", choices=("tiny", "county", "province"))
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--start", default="2019-01")
    parser.add_argument("--end", default="2025-12", help="YYYY-12: the year end the reports are made for")
    parser.add_argument("--county", default="370832")
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--skip-baselines", action="store_true")
    args = parser.parse_args()
    args.work = args.work.resolve()
    args.work.mkdir(parents=True, exist_ok=True)
    extracts = args.work / "extracts"
    results = {"scale": args.scale, "seed": args.seed, "start": args.start, "end": args.end, "machine": machine(),
               "began": time.strftime("%Y-%m-%dT%H:%M:%S")}
    results["generate"] = generate(args, extracts)
    home = args.work / "civstat"
    shutil.rmtree(home, ignore_errors=True)
    held_back = held_back_landing(args, extracts, home / "landing")
    results["full"] = full_build(home, home / "landing")
    results["incremental"] = incremental(home, home / "landing", extracts, held_back)
    results["source_rows"] = rows_read(home)
    results["reports"] = reports(args, home)
    expected = {(f, r, p): v for f, r, p, v in civstat_figures(home / "serving" / "civstat.duckdb")}
    results["civstat_figures"] = len(expected)
    results["baselines"] = {} if args.skip_baselines else baselines(args, extracts, expected)
    (args.work / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(markdown(results))


if __name__ == "__main__":
    main()
