"""Publication of the marts to the serving file that every reader opens."""


import json

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from expectations.suites import SUITES
from ingestion.store import RawStore
from orchestration.dbt.assets import civstat_dbt_models
from orchestration.dbt.project import dbt_project
from orchestration.quality import latest_results
from orchestration.resources import CivstatResource
from warehouse.publish import publish


def mart_asset_keys() -> list[dg.AssetKey]:
    """Every model under models/marts, read from the prepared manifest."""
    manifest = json.loads(dbt_project.manifest_path.read_text(encoding="utf-8"))
    names = sorted(node["name"] for node in manifest["nodes"].values()
                   if node["resource_type"] == "model" and node["fqn"][1] == "marts")
    return [get_asset_key_for_model([civstat_dbt_models], name) for name in names]


class PublicationBlocked(Exception):
    pass


@dg.asset(key="serving_marts", deps=mart_asset_keys(), group_name="serving", kinds={"duckdb"},
          description="The marts published to the read-only serving file (and nothing else).")
def serving_marts(context: dg.AssetExecutionContext, civstat: CivstatResource) -> dg.MaterializeResult:
    settings = civstat.settings()
    results = latest_results(settings)
    missing = sorted(set(SUITES) - set(results))
    failed = sorted(name for name, body in results.items() if not body["success"])
    if missing or failed:
        # Blocking checks stop this asset within a run; this guards a publication
        # requested on its own after a failed or never-run suite.
        raise PublicationBlocked(f"not published: suites failed {failed}, never run {missing}")
    publication = publish(
        settings.warehouse_path, settings.serving_dir, run_id=context.run_id,
        data_versions=RawStore(settings.raw_dir).applied_versions(),
        check_results=list(results.values()), keep=settings.serving_versions_kept,
    )
    return dg.MaterializeResult(metadata={
        "serving_file": dg.MetadataValue.path(str(publication.serving_path)),
        "version_file": publication.path.name,
        "tables": dg.MetadataValue.json(publication.tables),
    })
