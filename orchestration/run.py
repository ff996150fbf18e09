"""`civstat run`: every asset for what is in the landing folder, through Dagster, in process.

Runs recorded in the Dagster instance under ``DAGSTER_HOME`` like any other,
so the UI shows them: each ingestion job over the periods with new files (yearly
extracts with the division table first, the archive, monthly extracts,
snapshots), then the build-and-publish job. Only one `civstat run` at a time per state
directory: a second one is refused at once rather than queued silently.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import dagster as dg
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
)

from civstat.settings import Settings
from ingestion import landing
from ingestion.contract import CONTRACTS
from ingestion.store import RawStore
from orchestration import build_plan
from orchestration.quality import build_quality_docs, latest_results


class RunRefused(Exception):
    """Another run holds the state directory, or the landing folder is unusable."""


@dataclass
class StepOutcome:
    job: str
    run_id: str
    success: bool
    failures: list[str] = field(default_factory=list)


@dataclass
class RunSummary:
    steps: list[StepOutcome]
    published: bool
    check_failures: list[str]
    build_window: tuple[str, str] | None = None   # months the incremental facts rebuilt
    rebuilt: list[str] | None = None              # warehouse assets the build selected; None: all
    build_reason: str = ""                        # why those (build_plan.plan_build)

    @property
    def success(self) -> bool:
        return all(s.success for s in self.steps) and self.published


@contextmanager
def exclusive_run(settings: Settings) -> Iterator[None]:
    """A lock file under the state directory; released by the OS if we die."""
    path = settings.home / "run.lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "unknown"
            raise RunRefused(f"another civstat run is in progress (pid {holder}) on {settings.home}") from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()


def pending_periods(settings: Settings, job_sources: dict[str, list[str]]) -> dict[str, list[str]]:
    """Per ingestion job, the partition keys with a delivered file the ledger
    has not seen: new files and new bytes. Every file ingestion reads gets a
    ledger entry (loaded, superseded or rejected), so the rest are settled;
    running their partitions again would only write ~10 Dagster events each."""
    store = RawStore(settings.raw_dir)
    out = {}
    for job, sources in job_sources.items():
        periods = set()
        for source in sources:
            for delivered in landing.scan(settings.landing_dir, CONTRACTS[source], settings.counties).files:
                if delivered.period not in periods and not store.has_ledger_entry(
                        source, delivered.name, hashlib.sha256(delivered.path.read_bytes()).hexdigest()):
                    periods.add(delivered.period)
        out[job] = sorted(periods)
    return out


def ingestion_sources() -> dict[str, list[str]]:
    """Ingestion job → the sources it loads, in the order `civstat run` runs them."""
    from orchestration.ingestion.partitions import partitions_for
    from orchestration.jobs import INGESTION_JOBS

    return {name: [c.key for c in CONTRACTS.values() if partitions_for(c) is job.partitions_def]
            for name, job in INGESTION_JOBS.items()}


def prepare_dbt_manifest() -> None:
    """Parse the dbt project once if no manifest has been prepared (a fresh clone)."""
    from orchestration.dbt.project import dbt_project

    if not dbt_project.manifest_path.exists():
        dbt_project.preparer.prepare(dbt_project)


def run_pipeline(settings: Settings, *, log_level: str = "CRITICAL") -> RunSummary:
    if not settings.landing_dir.is_dir():
        raise RunRefused(f"landing folder {settings.landing_dir} does not exist")
    settings.pseudonym_key()     # refuse before any work when there is no secret
    settings.ensure_dirs()
    settings.export_env()
    with exclusive_run(settings):
        prepare_dbt_manifest()
        from orchestration.definitions import build_definitions

        defs = build_definitions(settings)
        instance = dg.DagsterInstance.get()
        run_config = {"loggers": {"console": {"config": {"log_level": log_level}}}}
        store = RawStore(settings.raw_dir)
        steps = []
        for job_name, periods in pending_periods(settings, ingestion_sources()).items():
            if not periods or not all(s.success for s in steps):
                continue
            job = defs.resolve_job_def(job_name)
            partitions = job.partitions_def
            if isinstance(partitions, dg.DynamicPartitionsDefinition):
                known = set(instance.get_dynamic_partitions(partitions.name))
                instance.add_dynamic_partitions(partitions.name, [p for p in periods if p not in known])
            order = {k: i for i, k in enumerate(partitions.get_partition_keys(dynamic_partitions_store=instance))}
            outside = [p for p in periods if p not in order]
            if outside:
                raise RunRefused(f"{job_name}: periods outside the partitions: {', '.join(outside)}")
            # One run over the range of pending periods (the assets' backfill policy
            # is a single run); settled keys inside the range are no-ops.
            first, last = min(periods, key=order.get), max(periods, key=order.get)
            result = job.execute_in_process(
                instance=instance, run_config=run_config, raise_on_error=False,
                tags={ASSET_PARTITION_RANGE_START_TAG: first, ASSET_PARTITION_RANGE_END_TAG: last})
            steps.append(_outcome(job_name, result))
        if all(s.success for s in steps) and not store.applied_versions():
            raise RunRefused(f"nothing to build: no extract has been loaded from {settings.landing_dir} "
                             f"(expected files like assistance/assistance_{settings.counties[0]}_YYYYMM.csv)")
        if not all(s.success for s in steps):
            return RunSummary(steps, False, [])
        result, plan = _build_and_publish(settings, defs, instance, run_config)
        steps.append(_outcome("build_and_publish", result))
        published = _materialized(result, dg.AssetKey("serving_marts"))
        if not published:       # publication builds the Data Docs; a refused run needs them most
            build_quality_docs(settings)
        rebuilt = None if plan.full else sorted(k.to_user_string() for k in plan.assets)
        failures = _failed_checks(result) + _standing_failures(settings, _evaluated_checks(result))
        return RunSummary(steps, published, failures, plan.window, rebuilt, plan.reason)


def _build_and_publish(settings: Settings, defs: dg.Definitions, instance: dg.DagsterInstance,
                       run_config: dict) -> tuple[dg.ExecuteInProcessResult, build_plan.BuildPlan]:
    """The build job over what changed since the last good build (build_plan.py);
    that state moves on only when dbt built everything it was asked to."""
    from orchestration.dbt.assets import build_run_config, civstat_dbt_models
    from orchestration.dbt.project import dbt_project

    job = defs.resolve_job_def("build_and_publish")
    now = build_plan.current_state(settings, dbt_project.manifest_path)
    build_keys = set(job.asset_layer.selected_asset_keys)
    plan = build_plan.plan_build(build_plan.read_state(settings), now, defs.resolve_asset_graph(), build_keys)
    builds_models = plan.full or bool(plan.assets & set(civstat_dbt_models.keys))
    if not plan.full:
        job = job.get_subset(asset_selection=set(plan.assets))
    if builds_models:
        run_config = {**run_config, **build_run_config(plan.window)}
    result = job.execute_in_process(instance=instance, run_config=run_config, raise_on_error=False)
    dbt_step = civstat_dbt_models.op.name
    if not builds_models or any(e.is_step_success and e.step_key == dbt_step for e in result.all_events):
        build_plan.write_state(settings, now)
    return result, plan


def _materialized(result: dg.ExecuteInProcessResult, key: dg.AssetKey) -> bool:
    return any(e.is_step_materialization and e.asset_key == key for e in result.all_events)


def _failed_checks(result: dg.ExecuteInProcessResult) -> list[str]:
    failed = []
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            # A dbt test configured `severity: warn` is reported, not a failure.
            if not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.ERROR:
                failed.append(f"{evaluation.asset_key.to_user_string()}: {evaluation.check_name}")
    return failed


def _evaluated_checks(result: dg.ExecuteInProcessResult) -> set[str]:
    return {e.event_specific_data.check_name for e in result.all_events
            if e.event_type_value == "ASSET_CHECK_EVALUATION"}


def _standing_failures(settings: Settings, evaluated: set[str]) -> list[str]:
    """Suites this run did not evaluate (nothing they read changed): their last
    result stands, and publication honours it, so the summary names it too."""
    from orchestration.checks import SUITE_CHECKS

    latest = latest_results(settings)
    return [f"{key.asset_key.to_user_string()}: {key.name}"
            for checks in SUITE_CHECKS for key in checks.check_keys
            if key.name not in evaluated and key.name in latest and not latest[key.name]["success"]]


def _root_cause(error) -> str:
    """The innermost error's first line: Dagster wraps the one that matters."""
    while error is not None and error.cause is not None:
        error = error.cause
    return error.message.strip().splitlines()[0] if error else "failed"


def _outcome(job: str, result: dg.ExecuteInProcessResult) -> StepOutcome:
    failures = []
    for event in result.all_events:
        if event.is_step_failure:
            failures.append(f"{event.step_key}: {_root_cause(event.event_specific_data.error)}")
    return StepOutcome(job, result.run_id, result.success, failures)
