"""orchestration/dbt/resource.py answers two of dagster-dbt's start-up questions
locally. These tests say when that stops being right or stops having effect."""

import inspect
import re
import subprocess

from dagster_dbt import DbtCliResource

from civstat.settings import dbt_executable
from orchestration.dbt.project import dbt_project
from orchestration.dbt.resource import CivstatDbtCli


def test_dagster_dbt_still_asks_both_questions_before_running_dbt():
    """If a dagster-dbt release stops calling these hooks, the override is dead
    code: remove it (and this test)."""
    cli = inspect.getsource(DbtCliResource.cli)
    assert "self._cli_version" in cli
    assert "self._initialize_dbt_core_adapter(" in cli


def test_the_version_given_is_the_dbt_that_runs():
    printed = subprocess.run([dbt_executable(), "--version"], capture_output=True, text=True, check=True).stdout
    assert str(CivstatDbtCli(project_dir=dbt_project, dbt_executable=dbt_executable())._cli_version) == re.search(r"(\d+\.\d+\.\d+)", printed)[1]


def test_no_adapter_is_opened_in_the_dagster_process():
    assert CivstatDbtCli(project_dir=dbt_project, dbt_executable=dbt_executable())._initialize_dbt_core_adapter(["build"]) is None
