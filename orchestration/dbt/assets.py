"""dbt models, tests and seeds as Dagster assets and checks."""

import os
import shutil
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from expectations.exceptions import ExceptionRegister
from expectations.suites.model_rules import gated_test_names
from ingestion.contract import CONTRACTS
from ingestion.store import RawStore
from orchestration.dbt.project import dbt_project
from orchestration.resources import CivstatResource

# The whole history: what a build without a narrower window rebuilds.
ALL_MONTHS = ("1949-01", "9999-12")

# dbt's artefacts (run_results.json, logs) of the last few runs are kept.
DBT_RUNS_KEPT = 5
# The build window as the incremental models read it (env_var in their SQL).
WINDOW_ENV = ("CIVSTAT_BUILD_PERIOD_START", "CIVSTAT_BUILD_PERIOD_END")
PARTIAL_PARSE = "partial_parse.msgpack"


class CivstatDbtTranslator(DagsterDbtTranslator):
    """Models grouped by domain (the folder under their layer), so the UI shows
    each domain's lineage from extract to mart together."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        fqn = dbt_resource_props.get("fqn", [])
        # fqn: ["civstat", "<layer>", "<domain>", "<model>"]
        return fqn[2] if len(fqn) > 3 else "warehouse"


class DbtBuildConfig(dg.Config):
    """The months incremental facts rebuild: [period_start, period_end), 'YYYY-MM'.
    The defaults cover everything; an ingestion run narrows them to the months
    it loaded (see `build_window`)."""

    period_start: str = ALL_MONTHS[0]
    period_end: str = ALL_MONTHS[1]
    full_refresh: bool = False


# The tests declared on facts and dimensions are run by the GX gate, which
# withholds the figures they touch instead of stopping the build
# (expectations/suites/model_rules.py).
GATED_TESTS = gated_test_names(dbt_project.manifest_path)


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project,
            dagster_dbt_translator=CivstatDbtTranslator(), exclude=" ".join(GATED_TESTS))
def civstat_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, civstat: CivstatResource,
                       config: DbtBuildConfig):
    """`dbt build`: models, then their tests; a failing test stops what depends on it."""
    settings = civstat.settings()
    ExceptionRegister(settings.home).ensure()      # dbt reads it as a source
    RawStore(settings.raw_dir).ensure_every_source(CONTRACTS.values())   # … and every raw source
    runs = settings.home / "dbt" / "runs"
    # Unit tests check the SQL, not the data: the test suite runs them once
    # (tests/test_dbt_unit_tests.py), a data run does not repeat them.
    # dagster-dbt drops the definition's `exclude` when it runs a subset (it
    # selects the models and lets dbt pick up all their tests), so say it again.
    args = ["build", "--exclude-resource-type", "unit_test", "--exclude", " ".join(GATED_TESTS)]
    if config.full_refresh:
        args.append("--full-refresh")
    target = runs / context.run.run_id
    if settings.engine == "spark":
        # Spark reads the raw Parquet files through its metastore's external
        # tables, and the files' footers (for the file accounting) as a table.
        RawStore(settings.raw_dir).write_footers()
        dbt.cli(["run-operation", "register_sources"], target_path=target, manifest=dbt_project.manifest_path).wait()
    with build_window_env(config.period_start, config.period_end):
        yield from dbt.cli(args, context=context, target_path=target).stream()
    keep_partial_parse(target, settings.home / "dbt" / "target")
    _prune(runs, DBT_RUNS_KEPT)


@contextmanager
def build_window_env(start: str, end: str) -> Iterator[None]:
    """The window reaches the incremental models as environment variables, not
    `--vars`: dbt re-parses the whole project when a var changes, but only the
    files that read an environment variable when its value does."""
    saved = {name: os.environ.get(name) for name in WINDOW_ENV}
    os.environ.update(dict(zip(WINDOW_ENV, (start, end))))
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def keep_partial_parse(run_target: Path, home_target: Path) -> None:
    """Keep the run's parsed project where the next run (dagster-dbt copies it
    from ``DBT_TARGET_PATH``) and `civstat dbt` look for it: with the same
    warehouse path and no vars, dbt then parses only the files that changed."""
    parsed = run_target / PARTIAL_PARSE
    if parsed.exists():
        home_target.mkdir(parents=True, exist_ok=True)
        temporary = home_target / (PARTIAL_PARSE + ".tmp")
        shutil.copyfile(parsed, temporary)
        os.replace(temporary, home_target / PARTIAL_PARSE)


def _prune(runs: Path, keep: int) -> None:
    done = sorted((p for p in runs.iterdir() if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for old in done[:-keep]:
        shutil.rmtree(old, ignore_errors=True)


def build_window(months: list[str]) -> tuple[str, str]:
    """[first, month after last) of the months a run loaded, for the incremental facts."""
    if not months:
        return ALL_MONTHS[1], ALL_MONTHS[1]      # nothing monthly changed: rebuild no month
    last_year, last_month = (int(x) for x in max(months).split("-"))
    after = f"{last_year + last_month // 12}-{last_month % 12 + 1:02d}"
    return min(months), after


def build_run_config(window: tuple[str, str]) -> dict:
    """Run config of the build job for a window of months."""
    return {"ops": {"civstat_dbt_models": {"config": {"period_start": window[0], "period_end": window[1]}}}}
