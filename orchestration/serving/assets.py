"""Publication of the marts to the serving file that every reader opens."""


import json

import dagster as dg
import pyarrow as pa
from dagster_dbt import get_asset_key_for_model

from civstat.settings import Settings
from expectations.exceptions import SCHEMA as EXCEPTION_SCHEMA
from expectations.exceptions import ExceptionRegister
from ingestion.store import RawStore
from orchestration.checks import SUITES
from orchestration.dbt.assets import civstat_dbt_models
from orchestration.dbt.project import dbt_project
from orchestration.quality import HISTORY_SCHEMA, build_quality_docs, latest_results, quality_history
from orchestration.resources import CivstatResource
from warehouse.publish import publish

WITHHELD_SCHEMA = pa.schema([("figures", pa.string()), ("period", pa.string()), ("suite", pa.string()),
                             ("failing_rules", pa.string()), ("failing_records", pa.int64())])


def mart_asset_keys() -> list[dg.AssetKey]:
    """Every model under models/marts, read from the prepared manifest."""
    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    names = sorted(node["name"] for node in manifest["nodes"].values()
                   if node["resource_type"] == "model" and node["fqn"][1] == "marts")
    return [get_asset_key_for_model([civstat_dbt_models], name) for name in names]


class PublicationBlocked(Exception):
    pass


@dg.asset(key="serving_marts", deps=mart_asset_keys(), group_name="serving", kinds={"duckdb"},
          description="The marts published to the read-only serving file (and nothing else), with the "
                      "figures withheld by failing validity rules, the explained exceptions and the "
                      "quality history in meta.")
def serving_marts(context: dg.AssetExecutionContext, civstat: CivstatResource) -> dg.MaterializeResult:
    settings = civstat.settings()
    docs = build_quality_docs(settings)     # also when publication is refused: the failures are on it
    results = latest_results(settings)
    missing = sorted(set(SUITES) - set(results))
    blocked = sorted(name for name, body in results.items()
                     if not body["success"] and body.get("blocks_publication", True))
    if missing or blocked:
        # Blocking checks stop this asset within a run; this guards a publication
        # requested on its own after a failed or never-run suite.
        raise PublicationBlocked(f"not published: suites failed {blocked}, never run {missing}")
    withheld = withheld_figures(results)
    if settings.engine == "spark":
        # The marts come home from Spark into the DuckDB file a DuckDB build leaves.
        from warehouse.spark import mirror_marts, spark_session

        copied = mirror_marts(spark_session(settings), settings.warehouse_path, dbt_project.manifest_path)
        context.log.info(f"{len(copied)} marts copied from Spark ({sum(copied.values())} rows)")
    publication = publish(
        settings.warehouse_path, settings.serving_dir, run_id=context.run_id,
        data_versions=RawStore(settings.raw_dir).applied_versions(),
        check_results=list(results.values()), keep=settings.serving_versions_kept,
        quality=quality_tables(settings, withheld), disclosure_control=settings.disclosure_control,
    )
    return dg.MaterializeResult(metadata={
        "serving_file": dg.MetadataValue.path(str(publication.serving_path)),
        "version_file": publication.path.name,
        "tables": dg.MetadataValue.json(publication.tables),
        "withheld_figures": dg.MetadataValue.json(withheld),
        "data_docs": dg.MetadataValue.path(str(docs)),
    })


def withheld_figures(results: dict[str, dict]) -> list[dict]:
    """Per figure and period, what a failing validity rule withholds (the
    submission leaves them out; dashboards show them as unverified)."""
    return [{"suite": name, **cell}
            for name, body in sorted(results.items()) for cell in body.get("withheld_periods") or []]


def quality_tables(settings: Settings, withheld: list[dict]) -> dict[str, pa.Table]:
    return {
        "withheld_figures": pa.Table.from_pylist(withheld, schema=WITHHELD_SCHEMA),
        "explained_exceptions": pa.Table.from_pylist(ExceptionRegister(settings.home).statements(),
                                                     schema=EXCEPTION_SCHEMA),
        "quality_history": pa.Table.from_pylist(quality_history(settings), schema=HISTORY_SCHEMA),
    }
