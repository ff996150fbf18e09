"""dbt models, tests and seeds as Dagster assets and checks."""


from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.dbt.project import dbt_project


class CivstatDbtTranslator(DagsterDbtTranslator):
    """Models grouped by domain (the folder under their layer), so the UI shows
    each domain's lineage from extract to mart together."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        # fqn: ["civstat", "<layer>", "<domain>", "<model>"]
        return fqn[2] if len(fqn) > 3 else "warehouse"


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project,
            dagster_dbt_translator=CivstatDbtTranslator())
def civstat_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource):
    """`dbt build`: models, then their tests; a failing test stops what depends on it."""
    yield from dbt.cli(["build"], context=context).stream()
