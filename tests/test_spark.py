"""The dbt project on Spark (dbt-spark, `session` method: Spark inside dbt's
process, its metastore under a scratch home), beside DuckDB.

So far: the Parquet files the models read as sources (the raw files
ingestion writes, the exceptions register) are the same tables on both
engines. Spark registers them as external tables (`dbt run-operation
register_sources`); DuckDB reads them where they lie (each source's
`external_location`)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import duckdb
import pytest
import yaml

from civstat.settings import DBT_PROJECT_DIR
from expectations.exceptions import ExceptionRegister

from conftest import environ_without_settings

pytestmark = [pytest.mark.spark,
              pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs Java 17 (apt-get install openjdk-17-jre)")]

# Runs in a child process: Spark's JVM stays out of the test process.
REGISTER_AND_COUNT = """
import json, sys
from dbt.cli.main import dbtRunner
project, target = sys.argv[1], sys.argv[2]
result = dbtRunner().invoke(["run-operation", "register_sources", "--project-dir", project,
                             "--profiles-dir", project, "--target-path", target, "--log-path", target])
if not result.success:
    raise SystemExit(f"dbt run-operation register_sources failed: {result.exception}")
from pyspark.sql import SparkSession
spark = SparkSession.builder.getOrCreate()      # the session dbt opened
tables = {}
for schema in ("raw", "quality"):
    for table in spark.catalog.listTables(schema):
        frame = spark.table(f"{schema}.{table.name}")
        tables[f"{schema}.{table.name}"] = {"rows": frame.count(), "columns": sorted(frame.columns)}
print("TABLES " + json.dumps(tables))
"""


def _duckdb_sources(home, raw_dir) -> dict[str, str]:
    """Each Parquet source's relation as DuckDB reads it (its external_location, rendered)."""
    out = {}
    for path in ((DBT_PROJECT_DIR / "models" / "staging").glob("**/_*sources.yml")):
        for source in yaml.safe_load(path.read_text("utf-8"))["sources"]:
            for table in source["tables"]:
                location = table.get("meta", {}).get("external_location")
                if location:
                    out[f"{source['name']}.{table['name']}"] = (
                        location.replace("{{ env_var('CIVSTAT_RAW_DIR') }}", str(raw_dir))
                                .replace("{{ env_var('CIVSTAT_HOME', '.') }}", str(home)))
    return out


@pytest.fixture(scope="module")
def spark_sources(published, tmp_path_factory) -> dict[str, dict]:
    settings, _ = published
    home = tmp_path_factory.mktemp("spark-home")
    ExceptionRegister(settings.home).ensure()     # as a build does before dbt reads it
    env = environ_without_settings()
    env.update(CIVSTAT_ENGINE="spark", CIVSTAT_HOME=str(settings.home), CIVSTAT_RAW_DIR=str(settings.raw_dir),
               CIVSTAT_SPARK_DIR=str(home / "spark"), CIVSTAT_WAREHOUSE_PATH=str(home / "unused.duckdb"),
               DBT_SEND_ANONYMOUS_USAGE_STATS="False")
    done = subprocess.run([sys.executable, "-c", REGISTER_AND_COUNT, str(DBT_PROJECT_DIR), str(home / "dbt")],
                          cwd=home, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, (done.stdout + done.stderr)[-3000:]
    [line] = [x for x in done.stdout.splitlines() if x.startswith("TABLES ")]
    # Spark's metastore and tables stay under the home, not in the working directory
    assert (home / "spark" / "metastore_db").is_dir() and not (home / "metastore_db").exists()
    return json.loads(line.removeprefix("TABLES "))


def test_every_parquet_source_has_the_same_rows_and_columns_on_spark_as_on_duckdb(published, spark_sources):
    settings, _ = published
    on_duckdb = _duckdb_sources(settings.home, settings.raw_dir)
    read_in_place = {name for name, rel in on_duckdb.items() if rel.startswith("read_parquet(")}
    assert set(spark_sources) == read_in_place and "quality.exceptions" in read_in_place
    con = duckdb.connect()
    for name in sorted(read_in_place):
        relation = on_duckdb[name]
        rows = con.execute(f"select count(*) from {relation}").fetchone()[0]
        columns = sorted(c for c in con.sql(f"select * from {relation}").columns
                         if c != "filename")      # the quarantine's file name: DuckDB's filename = true
        assert rows > 0 or name == "quality.exceptions", name
        assert spark_sources[name] == {"rows": rows, "columns": columns}, name


def test_the_sources_duckdb_reads_from_parquet_footers_are_not_on_spark_yet(published, spark_sources):
    """loaded_files and loaded_file_provenance read the files' Parquet
    metadata, which Spark SQL cannot: the file accounting is DuckDB's for now."""
    settings, _ = published
    footers = {name for name, rel in _duckdb_sources(settings.home, settings.raw_dir).items()
               if not rel.startswith("read_parquet(")}
    assert footers == {"raw.loaded_files", "raw.loaded_file_provenance"}
    assert not footers & set(spark_sources)
