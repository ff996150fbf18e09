"""dbt models, tests and seeds as Dagster assets and checks."""

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.dbt.project import dbt_project
from orchestration.resources import CivstatResource

# dbt's artefacts (run_results.json, logs) of the last few runs are kept.
DBT_RUNS_KEPT = 5


class CivstatDbtTranslator(DagsterDbtTranslator):
    """Models grouped by domain (the folder under their layer), so the UI shows
    each domain's lineage from extract to mart together."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        # fqn: ["civstat", "<layer>", "<domain>", "<model>"]
        return fqn[2] if len(fqn) > 3 else "warehouse"


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project,
            dagster_dbt_translator=CivstatDbtTranslator())
def civstat_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, civstat: CivstatResource):
    """`dbt build`: models, then their tests; a failing test stops what depends on it."""
    runs = civstat.settings().home / "dbt" / "runs"
    yield from dbt.cli(["build"], context=context, target_path=runs / context.run.run_id).stream()
    _prune(runs, DBT_RUNS_KEPT)


def _prune(runs: Path, keep: int) -> None:
    done = sorted((p for p in runs.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for old in done[:-keep]:
        shutil.rmtree(old, ignore_errors=True)
