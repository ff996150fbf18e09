"""Cost of the marriage gate: GX's run_suite against a DuckDB scan of the same table and the same SQL without GX.

    nice -n 19 .venv/bin/python bench/marriage_gate.py --warehouse /tmp/county/warehouse/warehouse.duckdb \\
        --label county --repeat 5
    nice -n 19 .venv/bin/python bench/marriage_gate.py --warehouse /tmp/county/warehouse/warehouse.duckdb \\
        --replicate 26 --label "province: 26 x the county relation" --repeat 5
    nice -n 19 .venv/bin/python bench/marriage_gate.py --build-province /tmp/bench_marriage/landing \\
        --home /tmp/bench_marriage/province --label province

Measures, in the same process, on the same warehouse file, one first (cold)
call each and then ``--repeat`` interleaved repetitions (median):

- **gate**: ``expectations.runner.run_suite(MARRIAGE_REGISTRATION_RULES, warehouse)``;
- **scan**: one read-only DuckDB query over the suite's relation that reads
  every value of every column the rule SQL names (``count(*)`` and a
  ``bit_xor`` of their ``hash``);
- **plain SQL**: the suite's nine ``unexpected_rows_query`` texts, ``{batch}``
  replaced by the relation, run one after another and fetched;
- **GX's SQL replayed**: the statements GX sent during the gate (captured
  through SQLAlchemy), run again directly, so gate minus replay is GX's own work;
- **connection only**: opening and closing a read-only connection, which
  every other measure pays once.

The gate reads one relation, ``intermediate.int_marriage__rule_checks`` (a
table dbt materialises; the script prints its kind), so the scan is of that
table only.

Province scale. The pipeline serves one county per state directory
(``county_code``; a monthly source's period holds one file, so 26 counties'
files in one landing folder would replace one another). ``--build-province
LANDING`` ingests each county's marriage, marriage archive and cremation
files (with its division table) with civstat's ingestion into its own raw
directory under ``HOME/counties/<code>``, puts all counties' raw Parquet side
by side under ``HOME/raw`` and has dbt build ``+int_marriage__rule_checks``
(tests excluded) into ``HOME/warehouse``. That is slow (``docs/quality.md``);
``--replicate K`` is the cheap way to a province-sized gate: a new warehouse
whose rule table is K copies of the given one, keys prefixed per copy.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parent.parent

# What the relation's models read (dbt ls --select +int_marriage__rule_checks):
# raw marriage, marriage_archive and cremation; regions and region_changes are
# ingested first because the others' region codes are checked against them.
PROVINCE_SOURCES = ("regions", "region_changes", "marriage_archive", "marriage", "cremation")
BENCH_SECRET = b"bench-marriage-gate"   # one key for all counties: a person keeps one key province-wide


# --------------------------------------------------------------------------- province build
def _county_files(landing: Path, county6: str) -> dict[str, list[Path]]:
    """The files county ``county6`` would find in its own landing folder."""
    from ingestion import landing as landing_scan
    from ingestion.contract import CONTRACTS
    from synthetic.funeral import neighbour_of

    # Funeral homes deliver per home: the county's own (<county>01) and the
    # neighbour's second home (<neighbour>02), which takes some of its residents.
    homes = {f"{county6}01", f"{neighbour_of(county6)}02"}
    out = {}
    for source in PROVINCE_SOURCES:
        issuers = homes if CONTRACTS[source].issuer == "funeral_home" else {county6}
        out[source] = [f.path for f in landing_scan.scan(landing, CONTRACTS[source]).files if f.issuer in issuers]
    return out


def ingest_county(landing: Path, county_home: Path, county6: str) -> dict:
    """Ingest one county's marriage-related sources into its own raw directory."""
    from ingestion.contract import CONTRACTS
    from ingestion.load import ingest_source
    from ingestion.store import RawStore

    shutil.rmtree(county_home, ignore_errors=True)
    own_landing = county_home / "landing"
    for source, paths in _county_files(landing, county6).items():
        (own_landing / source).mkdir(parents=True, exist_ok=True)
        for path in paths:
            (own_landing / source / path.name).symlink_to(path.resolve())
    store = RawStore(county_home / "raw")
    began, rows = time.perf_counter(), {}
    for source in PROVINCE_SOURCES:
        results = ingest_source(store, own_landing, CONTRACTS[source], counties=[county6], secret=BENCH_SECRET)
        rows[source] = sum(r.rows_loaded for r in results)
    return {"county": county6, "rows": rows, "seconds": time.perf_counter() - began}


def build_province(landing: Path, home: Path, jobs: int, counties: list[str] | None, dbt_project: Path) -> dict:
    """Ingest every county on its own, put the raw Parquet side by side, build the marriage models."""
    from expectations.exceptions import ExceptionRegister
    from ingestion import landing as landing_scan
    from ingestion.contract import CONTRACTS

    codes = counties or sorted({f.issuer for f in landing_scan.scan(landing, CONTRACTS["marriage"]).files})
    began = time.perf_counter()
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        ingested = list(pool.map(ingest_county, [landing] * len(codes),
                                 [home / "counties" / c for c in codes], codes))
    ingest_seconds = time.perf_counter() - began

    raw = home / "raw"
    shutil.rmtree(raw, ignore_errors=True)
    for county6 in codes:
        for path in (home / "counties" / county6 / "raw").glob("*/period=*/data*.parquet"):
            # data_<county>.parquet, data_<home>.parquet: each county's own names
            target = raw / path.parent.parent.name / path.parent.name / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
    ExceptionRegister(home).ensure()      # no explained exceptions: an empty register

    warehouse = home / "warehouse" / "warehouse.duckdb"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    warehouse.unlink(missing_ok=True)
    env = {**os.environ, "CIVSTAT_HOME": str(home), "CIVSTAT_RAW_DIR": str(raw),
           "CIVSTAT_WAREHOUSE_PATH": str(warehouse), "CIVSTAT_DUCKDB_THREADS": "2",
           "DBT_SEND_ANONYMOUS_USAGE_STATS": "False"}
    dbt_command = [str(Path(sys.executable).parent / "dbt"), "build", "--select", "+int_marriage__rule_checks",
                   "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test",
                   "--project-dir", str(dbt_project), "--profiles-dir", str(dbt_project),
                   "--target-path", str(home / "dbt" / "target"), "--log-path", str(home / "dbt" / "logs")]
    began = time.perf_counter()
    subprocess.run(dbt_command, check=True, env=env, stdout=subprocess.DEVNULL)
    dbt_seconds = time.perf_counter() - began
    rows: dict[str, int] = {}
    for county in ingested:
        for source, n in county["rows"].items():
            rows[source] = rows.get(source, 0) + n
    return {"counties": codes, "rows": rows, "ingest_seconds": ingest_seconds,
            "ingest_cpu_seconds": sum(c["seconds"] for c in ingested), "dbt_seconds": dbt_seconds,
            "dbt_command": " ".join(dbt_command[1:]), "warehouse": warehouse}


def replicate(source: Path, out: Path, relation: str, copies: int) -> int:
    """A warehouse whose ``relation`` is ``copies`` copies of the source's, keys made distinct.

    Copy k's registration_id, certificate_no and source_file are prefixed
    with k, so no two copies share a failing key; the rest is as built.
    Nothing else is copied: the gate reads this one table."""
    schema, table = relation.split(".")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    with duckdb.connect(str(out)) as connection:
        connection.execute(f"attach '{source}' as source (read_only)")
        connection.execute(f"create schema {schema}")
        connection.execute(f"create table {relation} as select * from source.{relation} limit 0")
        for k in range(copies):
            connection.execute(
                f"insert into {relation} select * replace ("
                f"'{k:02d}-' || registration_id as registration_id, '{k:02d}-' || certificate_no as certificate_no, "
                f"'{k:02d}-' || source_file as source_file) from source.{relation}")
        connection.execute("checkpoint")
        return connection.execute(f"select count(*) from {relation}").fetchone()[0]


# --------------------------------------------------------------------------- measures
class StatementLog:
    """Every SQL statement GX sends through SQLAlchemy, to replay them without GX.

    (Timing them in place would not do: DuckDB streams a result, so a
    cursor's execute returns before the rows are computed.)"""

    def __init__(self) -> None:
        import sqlalchemy
        from sqlalchemy import event

        self.statements: list[tuple[str, object]] = []
        event.listen(sqlalchemy.engine.Engine, "before_cursor_execute", self._before)

    def _before(self, conn, cursor, statement, parameters, context, executemany) -> None:
        self.statements.append((statement, parameters))


def rule_queries(suite) -> list[tuple[str, str]]:
    return [(rule.id, rule.expectation.unexpected_rows_query.replace("{batch}", suite.relation))
            for rule in suite.rules]


def columns_named(connection, relation: str, queries: list[str]) -> list[str]:
    """The relation's columns the rule SQL names (as whole words)."""
    schema, table = relation.split(".")
    columns = [c for (c,) in connection.execute(
        "select column_name from information_schema.columns where table_schema = ? and table_name = ? "
        "order by ordinal_position", [schema, table]).fetchall()]
    text = " ".join(queries)
    return [c for c in columns if re.search(rf"\b{re.escape(c)}\b", text)]


def timed(function: Callable[[], object]) -> tuple[float, object]:
    began = time.perf_counter()
    value = function()
    return time.perf_counter() - began, value


def read_only(path: Path):
    return duckdb.connect(str(path), read_only=True)


def scan(path: Path, sql: str) -> list:
    with read_only(path) as connection:
        return connection.execute(sql).fetchall()


def plain_sql(path: Path, queries: list[tuple[str, str]]) -> dict[str, int]:
    with read_only(path) as connection:
        return {rule: len(connection.execute(sql).fetchall()) for rule, sql in queries}


def replay(path: Path, statements: list[tuple[str, object]]) -> None:
    with read_only(path) as connection:
        for sql, parameters in statements:
            connection.execute(sql, parameters or None).fetchall()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--warehouse", type=Path, help="measure this DuckDB file (read-only)")
    parser.add_argument("--label", default="", help="scale shown in the output (county, province)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--build-province", type=Path, metavar="LANDING",
                        help="first build HOME/warehouse/warehouse.duckdb from a province landing folder")
    parser.add_argument("--home", type=Path, help="work directory of --build-province")
    parser.add_argument("--counties", type=lambda text: text.split(","),
                        help="only these counties of the landing folder (codes, comma-separated)")
    parser.add_argument("--jobs", type=int, default=2, help="counties ingested at once")
    parser.add_argument("--replicate", type=int, metavar="K",
                        help="measure instead a copy of --warehouse whose relation is K copies of its own")
    parser.add_argument("--replica", type=Path, default=Path("/tmp/bench_marriage/replica/warehouse.duckdb"),
                        help="where --replicate writes its warehouse")
    parser.add_argument("--dbt-project", type=Path, default=REPO / "dbt_project")
    parser.add_argument("--profile", action="store_true", help="also print where one warm gate run spends its time")
    args = parser.parse_args()
    if args.build_province and not args.home:
        parser.error("--build-province needs --home")
    if not (args.warehouse or args.build_province):
        parser.error("give --warehouse or --build-province")

    print(f"command: nice -n {os.nice(0)} .venv/bin/python {shlex.join(sys.argv)}")
    began = time.perf_counter()
    import great_expectations as gx

    from expectations.runner import run_suite
    from expectations.suites.marriage import MARRIAGE_REGISTRATION_RULES as suite

    import_seconds = time.perf_counter() - began
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"DuckDB {duckdb.__version__}, GX {gx.__version__}, nice {os.nice(0)}")

    build = None
    if args.build_province:
        build = build_province(args.build_province, args.home, args.jobs, args.counties, args.dbt_project)
        print(f"province build: {len(build['counties'])} counties ({', '.join(build['counties'])}); "
              f"ingestion {build['ingest_seconds']:.0f} s wall ({build['ingest_cpu_seconds']:.0f} s summed "
              f"over counties, {args.jobs} at a time), dbt {build['dbt_seconds']:.0f} s")
        print("  raw rows loaded: " + ", ".join(f"{s} {n:,}" for s, n in build["rows"].items()))
        print(f"  dbt: {build['dbt_command']}")
    warehouse = args.warehouse or build["warehouse"]
    if args.replicate:
        began = time.perf_counter()
        copied = replicate(warehouse, args.replica, suite.relation, args.replicate)
        print(f"replicated: {suite.relation} of {warehouse} x {args.replicate} -> {args.replica} "
              f"({copied:,} rows, {time.perf_counter() - began:.0f} s); keys prefixed with the copy's number")
        warehouse = args.replica

    queries = rule_queries(suite)
    with read_only(warehouse) as connection:
        schema, table = suite.relation.split(".")
        (kind,) = connection.execute("select table_type from information_schema.tables "
                                     "where table_schema = ? and table_name = ?", [schema, table]).fetchone()
        used = columns_named(connection, suite.relation, [sql for _, sql in queries])
        rows, registrations = connection.execute(
            f"select count(*), count(distinct registration_id) from {suite.relation}").fetchone()
    scan_sql = f"select count(*), bit_xor(hash({', '.join(used)})) from {suite.relation}"

    log = StatementLog()
    measures: dict[str, list[float]] = {"gate": [], "scan": [], "plain SQL": [], "GX's SQL replayed": [],
                                        "connection only": []}
    gate_result = plain_counts = None
    for _ in range(args.repeat + 1):         # the first round is the cold one
        log.statements.clear()
        seconds, gate_result = timed(lambda: run_suite(suite, warehouse))
        measures["gate"].append(seconds)
        sent = list(log.statements)
        measures["scan"].append(timed(lambda: scan(warehouse, scan_sql))[0])
        seconds, plain_counts = timed(lambda: plain_sql(warehouse, queries))
        measures["plain SQL"].append(seconds)
        measures["GX's SQL replayed"].append(timed(lambda: replay(warehouse, sent))[0])
        measures["connection only"].append(timed(lambda: read_only(warehouse).close())[0])

    median = {name: statistics.median(values[1:]) for name, values in measures.items()}
    statements = len(sent)
    sql_in_gate = median["GX's SQL replayed"]
    size = Path(warehouse).stat().st_size
    print(f"warehouse: {warehouse} ({size / 1e6:.0f} MB){', ' + args.label if args.label else ''}")
    print(f"relation: {suite.relation} ({kind.lower()}), {rows:,} rows checked "
          f"(= {registrations:,} electronic registrations x {len(suite.rules)} rules)")
    print(f"scan: {scan_sql}")
    print(f"plain SQL: the suite's {len(queries)} unexpected_rows_query texts, {{batch}} -> {suite.relation}, "
          "fetched one after another on one read-only connection")
    print(f"import of GX and expectations.runner {import_seconds:.1f} s, once per process, not counted below")
    print("each call opens and closes its own read-only connection, as run_suite does; "
          "'connection only' is that open and close alone")
    print(f"\n| measure | first call (cold) s | median of {args.repeat} s | x scan | x plain SQL |")
    print("|---|---:|---:|---:|---:|")
    for name, values in measures.items():
        print(f"| {name} | {values[0]:.3f} | {median[name]:.3f} | {median[name] / median['scan']:.1f} | "
              f"{median[name] / median['plain SQL']:.1f} |")
    print(f"\ninside the gate: GX sends {statements} SQL statements per run (for each rule a count and the "
          f"failing rows); replayed on a read-only connection of their own they take {sql_in_gate:.3f} s, "
          f"which leaves {median['gate'] - sql_in_gate:.3f} s ({(median['gate'] - sql_in_gate) / median['gate']:.0%}"
          " of the gate) to GX itself (context, datasource, validation graph, result serialisation)")

    print("\n| rule | failing records (gate) | failing records (plain SQL) | gate error |\n|---|---:|---:|---|")
    for rule in gate_result.rules:
        print(f"| {rule.rule_id} | {rule.unexpected_count} | {plain_counts[rule.rule_id]} | {rule.error or ''} |")
    print(f"| **all** | {sum(r.unexpected_count or 0 for r in gate_result.rules):,} | "
          f"{sum(plain_counts.values()):,} | |")

    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(run_suite, suite, warehouse)
        print("\none warm gate run under cProfile (times inflated by the profiler):")
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
