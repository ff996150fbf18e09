"""The same pipeline on Spark: `civstat run --engine spark` (dbt-spark in
local `session` mode, its metastore and tables under the home) against the
DuckDB build of the same extracts, the suite's shared published home.

What must not depend on the engine: every published mart, row by row and
column by column, and the records every gate names."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from civstat.settings import REPO_ROOT, Settings
from expectations.exceptions import ExceptionRegister
from ingestion.store import RawStore
from orchestration.checks import SUITES
from warehouse.spark import session_conf

from conftest import ENGINE_DIFFERENCES, environ_without_settings, free_port

pytestmark = [pytest.mark.spark,
              pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java 17 (apt-get install openjdk-17-jre)")]

def _failing_records(home: Path) -> dict[str, dict[str, list[str]]]:
    """What each suite's rules named in a home's last run (quality/failing_records/), order aside."""
    return {path.stem: {rule: sorted(json.dumps(key, sort_keys=True) for key in keys)
                        for rule, keys in json.loads(path.read_text(encoding="utf-8")).items()}
            for path in sorted((home / "quality" / "failing_records").glob("*.json"))}


@pytest.fixture(scope="module")
def spark_published(spark_run):
    """The Spark run of the published home's extracts (started by conftest when
    the session began): (settings, exit code)."""
    if spark_run is None:
        pytest.skip("the Spark run was not started")
    spark_run.wait(timeout=2400)
    exit_code, log = spark_run.result("spark-run")
    assert exit_code in (0, 2), log[-4000:]
    return Settings.load({"home": spark_run.home}, environ={"CIVSTAT_ENGINE": "spark"}), exit_code


def _tables(con, database: str) -> dict[str, list[tuple[str, str]]]:
    rows = con.execute("select table_name, column_name, data_type from duckdb_columns() "
                       "where database_name = ? and schema_name = 'marts' order by table_name, column_name",
                       [database]).fetchall()
    out: dict[str, list[tuple[str, str]]] = {}
    for table, column, data_type in rows:
        out.setdefault(table, []).append((column, data_type))
    return out


def test_every_published_mart_is_the_same_on_spark_as_on_duckdb(published, spark_published):
    settings, summary = published
    spark_settings, exit_code = spark_published
    assert exit_code == (0 if summary.success else 2)
    # Spark's metastore and tables stay under the home, not in the working directory
    assert (spark_settings.spark_dir / "metastore_db").is_dir()
    con = duckdb.connect()
    con.execute("attach ? as on_duckdb (read_only)", [str(settings.serving_path)])
    con.execute("attach ? as on_spark (read_only)", [str(spark_settings.serving_path)])
    on_duckdb, on_spark = _tables(con, "on_duckdb"), _tables(con, "on_spark")
    assert len(on_duckdb) > 40 and set(on_spark) == set(on_duckdb)
    different = {}
    for table, columns in on_duckdb.items():
        if on_spark[table] != columns:
            different[table] = sorted(set(on_spark[table]) ^ set(columns))
            continue
        names = ", ".join(f'"{c}"' for c, _ in columns)
        rows = con.execute(f"select count(*) from on_duckdb.marts.{table}").fetchone()[0]
        only = [con.execute(f"select count(*) from (select {names} from {a}.marts.{table} "
                            f"except all select {names} from {b}.marts.{table})").fetchone()[0]
                for a, b in (("on_duckdb", "on_spark"), ("on_spark", "on_duckdb"))]
        if only != [0, 0]:
            different[table] = f"{rows} rows; only on DuckDB {only[0]}, only on Spark {only[1]}"
    assert different == {}


def test_the_gates_name_the_same_failing_records_on_spark_as_on_duckdb(published, spark_published):
    """Every suite ran on the tables of its engine (GX on DuckDB through SQL,
    on Spark through DataFrames) and named the same records."""
    settings, _ = published
    spark_settings, _ = spark_published
    on_duckdb, on_spark = _failing_records(settings.home), _failing_records(spark_settings.home)
    assert set(on_duckdb) == set(SUITES)
    assert sum(len(keys) for rules in on_duckdb.values() for keys in rules.values()) > 0   # some records fail
    assert on_spark == on_duckdb


def test_the_unit_tests_of_the_engine_differences_pass_on_spark(spark_run, spark_published):
    """conftest.ENGINE_DIFFERENCES, run on the Spark build after it (in the background)."""
    exit_code, log = spark_run.result("spark-unit-tests")
    assert exit_code == 0, log[-3000:]
    assert f"PASS={len(ENGINE_DIFFERENCES)} " in log


def test_civstat_opens_spark_as_dbt_does(tmp_path):
    """warehouse.spark.session_conf and the profile's server_side_parameters,
    rendered from the same settings, say the same: the gates and publication
    must open dbt's metastore, sized alike."""
    import jinja2
    import yaml

    profile = yaml.safe_load((REPO_ROOT / "dbt_project" / "profiles.yml").read_text(encoding="utf-8"))
    given = profile["civstat"]["outputs"]["spark"]["server_side_parameters"]
    settings = Settings.load({"home": tmp_path, "spark_shuffle_partitions": "7", "spark_driver_memory": "3g"},
                             environ={})
    env = settings.child_env()
    rendered = {key: jinja2.Template(value).render(env_var=lambda name, default=None: env.get(name, default))
                for key, value in given.items()}
    assert rendered == session_conf(settings)
    assert rendered["spark.sql.shuffle.partitions"] == "7" and rendered["spark.driver.memory"] == "3g"


@pytest.fixture
def thrift_server(tmp_path):
    """A Spark Thrift Server started from the installed pyspark (what a
    cluster exposes to dbt), its metastore in tmp_path: (host, port)."""
    import pyspark

    spark_home = Path(pyspark.__file__).parent
    port, folder = free_port(), tmp_path / "thrift-server"
    folder.mkdir()
    log = open(folder / "server.log", "w", encoding="utf-8")
    server = subprocess.Popen(
        [str(spark_home / "bin" / "spark-submit"), "--class",
         "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2",
         *[arg for key, value in session_conf(Settings.load({"spark_dir": folder}, environ={})).items()
           for arg in ("--conf", f"{key}={value}")],
         "--hiveconf", f"hive.server2.thrift.port={port}", "--hiveconf", "hive.server2.thrift.bind.host=127.0.0.1",
         "spark-internal"],
        env=environ_without_settings() | {"SPARK_HOME": str(spark_home)}, stdout=log, stderr=subprocess.STDOUT,
        cwd=folder, start_new_session=True)
    try:
        deadline = time.monotonic() + 240
        while True:
            assert server.poll() is None, (folder / "server.log").read_text()[-3000:]
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert time.monotonic() < deadline, "the Thrift server did not open its port"
            time.sleep(1)
        yield "127.0.0.1", port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:     # the server's JVM may hang in its shutdown hooks
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=20)
        log.close()


@pytest.mark.slow      # two minutes: `make test-slow`
def test_a_cluster_is_reached_through_thrift_with_civstat_settings(published, thrift_server, tmp_path):
    """spark_method = thrift: dbt connects with the host, port and user of
    civstat's settings, registers the sources on the server and builds a
    staging model with its tests there."""
    settings, _ = published
    host, port = thrift_server
    home = tmp_path / "home"
    shutil.copytree(settings.raw_dir, home / "raw")
    RawStore(home / "raw").write_footers()      # as a Spark build does before registering the sources
    ExceptionRegister(home).ensure()
    env = environ_without_settings() | {
        "CIVSTAT_HOME": str(home), "CIVSTAT_PSEUDONYM_KEY": "test-key",
        "CIVSTAT_ENGINE": "spark", "CIVSTAT_SPARK_METHOD": "thrift", "CIVSTAT_SPARK_HOST": host,
        "CIVSTAT_SPARK_PORT": str(port), "CIVSTAT_SPARK_USER": "civstat"}
    civstat = str(Path(sys.executable).parent / "civstat")

    def dbt(*args: str) -> str:
        done = subprocess.run([civstat, "dbt", *args], env=env, cwd=home, capture_output=True, text=True,
                              timeout=600)
        assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
        return done.stdout

    debug = dbt("debug")
    assert f"port: {port}" in debug and "OK connection ok" in debug
    assert "registered raw.assistance" in dbt("run-operation", "register_sources")
    built = dbt("build", "--select", "stg_assistance__roll_rows", "--exclude-resource-type", "unit_test")
    assert "ERROR=0" in built and "PASS=" in built
