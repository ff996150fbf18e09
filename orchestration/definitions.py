"""All of civstat's Dagster definitions, merged from the domains in one place."""

from __future__ import annotations

import dagster as dg

from civstat.settings import Settings, dbt_executable


def build_definitions(settings: Settings) -> dg.Definitions:
    # Imported here so that loading settings comes first and nothing reads
    # the environment at import time.
    from orchestration.checks import defs as quality_checks
    from orchestration.dbt.definitions import defs as dbt
    from orchestration.dbt.project import dbt_project
    from orchestration.dbt.resource import CivstatDbtCli
    from orchestration.ingestion.definitions import defs as ingestion
    from orchestration.jobs import INGESTION_JOBS, build_and_publish_job
    from orchestration.resources import CivstatResource
    from orchestration.serving.definitions import defs as serving

    return dg.Definitions.merge(
        ingestion, quality_checks, dbt, serving,
        dg.Definitions(
            jobs=[*INGESTION_JOBS.values(), build_and_publish_job],
            resources={
                "civstat": CivstatResource(home=str(settings.home), landing_dir=str(settings.landing_dir)),
                "dbt": CivstatDbtCli(project_dir=dbt_project, dbt_executable=dbt_executable()),
            },
        ),
    )


@dg.definitions
def defs() -> dg.Definitions:
    """Entry point for `dagster dev -m orchestration`: settings from the environment."""
    settings = Settings.load()
    settings.ensure_dirs()
    settings.export_env()
    return build_definitions(settings)
