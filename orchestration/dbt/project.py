"""The dbt project, described once; its manifest is prepared at setup, not on import."""

from __future__ import annotations

from pathlib import Path

from dagster_dbt import DbtProject

from civstat.settings import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# `dagster dev` re-parses on load so edits show up; elsewhere the manifest
# comes from `civstat prepare` (run by `make setup`).
dbt_project.prepare_if_dev()


def manifest_path() -> Path:
    return dbt_project.manifest_path
