"""The warehouse on Spark: the session civstat opens, and the marts brought
home to DuckDB.

When ``engine = spark``, dbt builds the tables in Spark (dbt-spark, the
``spark`` target of dbt_project/profiles.yml). The gates (GX) then validate
them in Spark, and publication reads the marts from Spark. It writes them
into the same DuckDB file a DuckDB build leaves, so everything after it
(serving file, SQL, JZH01, dashboards) is the same whatever the engine.

``session`` method: Spark runs inside the process that asks for it, with the
metastore and tables under ``settings.spark_dir``, configured as dbt's
profile configures it. The metastore (Derby) admits one process at a time:
dbt's process has ended before civstat opens its own session.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from civstat.settings import Settings, SettingsError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

MARTS_SCHEMA = "marts"


def session_conf(settings: Settings) -> dict[str, str]:
    """The session's configuration: dbt's profile sets the same
    (``server_side_parameters``; tests/test_spark.py checks they agree)."""
    spark_dir = settings.spark_dir
    return {
        "spark.sql.warehouse.dir": f"{spark_dir}/warehouse",
        "spark.hadoop.javax.jdo.option.ConnectionURL":
            f"jdbc:derby:;databaseName={spark_dir}/metastore_db;create=true",
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={spark_dir}",
        "spark.sql.session.timeZone": "UTC",
        "spark.ui.enabled": "false",
        # no progress bar: it shares the line with dbt's JSON events, which Dagster reads
        "spark.ui.showConsoleProgress": "false",
        "spark.log.level": "ERROR",
        "spark.sql.shuffle.partitions": str(settings.spark_shuffle_partitions),
        "spark.driver.memory": settings.spark_driver_memory,
        # no limit on a recursive CTE's levels and rows (the profile says why)
        "spark.sql.cteRecursionLevelLimit": "-1",
        "spark.sql.cteRecursionRowLimit": "-1",
    }


def spark_session(settings: Settings) -> SparkSession:
    """The Spark session holding the build's tables (``session`` method)."""
    if settings.spark_method != "session":
        raise SettingsError(
            "the gates and publication read Spark through a local session; with spark_method = "
            f"{settings.spark_method!r} run them where the cluster's metastore is reachable as a session")
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName("civstat").enableHiveSupport()
    for key, value in session_conf(settings).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def mirror_marts(spark: SparkSession, warehouse_path: Path, manifest_path: Path) -> dict[str, int]:
    """Copy every table of Spark's ``marts`` schema into the DuckDB file at
    ``warehouse_path`` (schema ``marts``, replaced whole), columns in the order
    the dbt project declares them. Returns the rows copied per table."""
    order = _declared_columns(manifest_path)
    tables = sorted(t.name for t in spark.catalog.listTables(MARTS_SCHEMA) if not t.isTemporary)
    if not tables:
        raise RuntimeError(f"Spark has no tables in schema {MARTS_SCHEMA}: was dbt built with engine spark?")
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = warehouse_path.with_suffix(".spark-copy.duckdb")
    tmp.unlink(missing_ok=True)
    copied = {}
    with duckdb.connect(str(tmp)) as con:
        con.execute(f"create schema {MARTS_SCHEMA}")
        for name in tables:
            frame = spark.table(f"{MARTS_SCHEMA}.{name}")
            declared = [c for c in order.get(name, []) if c in frame.columns]
            if sorted(declared) == sorted(frame.columns):
                frame = frame.select(*declared)        # Spark puts partition columns last
            arrow = frame.toArrow()
            con.register("incoming", arrow)
            con.execute(f"create table {MARTS_SCHEMA}.{name} as select * from incoming")
            con.unregister("incoming")
            copied[name] = arrow.num_rows
    os.replace(tmp, warehouse_path)
    return copied


def _declared_columns(manifest_path: Path) -> dict[str, list[str]]:
    manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    return {node["name"]: list(node.get("columns") or {})
            for node in manifest["nodes"].values()
            if node["resource_type"] in ("model", "seed") and node["schema"] == MARTS_SCHEMA}
