"""The server deployment's Dagster instance (orchestration/deploy/): Postgres
storage, queued runs, the Docker run launcher; loaded for real against a
Postgres server started for the session (conftest.py's ``deployment_postgres``:
pgserver, PostgreSQL's own binaries from PyPI)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from civstat.settings import REPO_ROOT

from conftest import environ_without_settings, isolated_environ

DEPLOY = REPO_ROOT / "orchestration" / "deploy"


def test_the_definitions_validate_on_the_deployment_instance(deployment_env, tmp_path):
    env = environ_without_settings()
    env.update(deployment_env, CIVSTAT_HOME=str(tmp_path / "home"))
    done = subprocess.run([sys.executable, "-m", "dagster", "definitions", "validate", "-m", "orchestration"],
                          cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "passed validation" in done.stderr + done.stdout


def test_the_instance_keeps_runs_in_postgres_and_launches_them_in_containers(deployment_env):
    import dagster as dg
    from dagster._core.run_coordinator import QueuedRunCoordinator
    from dagster_docker import DockerRunLauncher
    from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage, PostgresScheduleStorage

    with isolated_environ():
        os.environ.update(deployment_env)
        instance = dg.DagsterInstance.get()
        assert isinstance(instance.run_storage, PostgresRunStorage)
        assert isinstance(instance.event_log_storage, PostgresEventLogStorage)
        assert isinstance(instance.schedule_storage, PostgresScheduleStorage)
        assert isinstance(instance.run_coordinator, QueuedRunCoordinator)
        assert instance.run_coordinator.get_run_queue_config().max_concurrent_runs == 1
        launcher = instance.run_launcher
        assert isinstance(launcher, DockerRunLauncher)
        assert (launcher.image, launcher.networks) == ("civstat:test", ["civstat"])
        assert "CIVSTAT_PSEUDONYM_KEY" in launcher.env_vars      # passed through, never written in the file
    # the connection, with its password, comes from the environment, never from the file
    storage = yaml.safe_load((DEPLOY / "dagster.yaml").read_text(encoding="utf-8"))["storage"]
    assert storage == {"postgres": {"postgres_url": {"env": "CIVSTAT_DAGSTER_PG_URL"}}}


def test_civstat_runs_with_its_runs_recorded_in_postgres(clean_published, deployment_env, deployment_postgres):
    """The suite's run over extracts without defects runs on this instance
    (conftest.py's ``clean_published``): every step is a run in Postgres."""
    settings, summary = clean_published
    assert settings.dagster_home == Path(deployment_env["CIVSTAT_DAGSTER_HOME"])
    assert summary.published, summary
    recorded = deployment_postgres.psql("select run_id, status from runs;")
    for step in summary.steps:
        assert step.run_id in recorded and step.success
    assert recorded.count("SUCCESS") == len(summary.steps)
    events = int(deployment_postgres.psql("select count(*) from event_logs;").split()[2])
    assert events > 100 * len(summary.steps)      # each step's events, not just the runs
    # nothing fell back to SQLite under the Dagster home, nor under civstat's home
    assert not list(Path(deployment_env["CIVSTAT_DAGSTER_HOME"]).rglob("*.db"))
    assert not list(settings.home.rglob("*.db"))


def test_the_workspace_points_the_services_at_the_code_location_server():
    from dagster._core.workspace.config_schema import ensure_workspace_config

    path = DEPLOY / "workspace.yaml"
    config = ensure_workspace_config(yaml.safe_load(path.read_text(encoding="utf-8")), str(path))
    [location] = config["load_from"]
    assert location["grpc_server"]["port"] == 4000
    assert location["grpc_server"]["location_name"] == "civstat"


def test_a_run_worker_process_loads_the_definitions_and_gx():
    """A Dagster run worker (launched from the UI, a sensor or a schedule)
    starts a process whose ``__main__`` has no file. GX imports
    pyspark.sql.connect when pyspark is installed, and pyspark, missing its
    `connect` packages in such a process, printed "Skipping doctests" and
    exited 0 at import: every such run died before its first step."""
    done = subprocess.run(
        [sys.executable, "-c", "import great_expectations, orchestration.definitions; print('loaded')"],
        capture_output=True, text=True, cwd=REPO_ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("loaded"), done.stdout[-2000:]
