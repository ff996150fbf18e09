"""`civstat run`: every asset for what is in the landing folder, through Dagster, in process.

Two runs, recorded in the Dagster instance under ``DAGSTER_HOME`` like any
other, so the UI shows them: the ingestion job over the months delivered,
then the build-and-publish job. Only one `civstat run` at a time per state
directory: a second one is refused at once rather than queued silently.
"""

from __future__ import annotations

import fcntl
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


def delivered_months(settings: Settings) -> list[str]:
    months: set[str] = set()
    for contract in CONTRACTS.values():
        if contract.period_kind == "month":
            months.update(landing.scan(settings.landing_dir, contract).periods)
    return sorted(months)


def prepare_dbt_manifest() -> None:
    """Parse the dbt project once if no manifest has been prepared (a fresh clone)."""
    from orchestration.dbt.project import dbt_project

    if not dbt_project.manifest_path.exists():
        dbt_project.preparer.prepare(dbt_project)


def run_pipeline(settings: Settings, *, log_level: str = "CRITICAL") -> RunSummary:
    if not settings.landing_dir.is_dir():
        raise RunRefused(f"landing folder {settings.landing_dir} does not exist")
    settings.ensure_dirs()
    settings.export_env()
    with exclusive_run(settings):
        prepare_dbt_manifest()
        from orchestration.definitions import build_definitions
        from orchestration.partitions import monthly_partitions

        defs = build_definitions(settings)
        instance = dg.DagsterInstance.get()
        run_config = {"loggers": {"console": {"config": {"log_level": log_level}}}}
        steps = []
        months = delivered_months(settings)
        if months:
            valid = set(monthly_partitions.get_partition_keys())
            outside = [m for m in months if m not in valid]
            if outside:
                raise RunRefused(f"months outside the partitions ({monthly_partitions.start:%Y-%m} onwards): "
                                 f"{', '.join(outside)}")
            job = defs.resolve_job_def("ingest_monthly_extracts")
            result = job.execute_in_process(
                instance=instance, run_config=run_config, raise_on_error=False,
                tags={ASSET_PARTITION_RANGE_START_TAG: months[0], ASSET_PARTITION_RANGE_END_TAG: months[-1]})
            steps.append(_outcome("ingest_monthly_extracts", result))
        if all(s.success for s in steps) and not RawStore(settings.raw_dir).applied_versions():
            raise RunRefused(f"nothing to build: no extract has been loaded from {settings.landing_dir} "
                             f"(expected files like assistance/assistance_{settings.county_code}_YYYYMM.csv)")
        if all(s.success for s in steps):
            job = defs.resolve_job_def("build_and_publish")
            result = job.execute_in_process(instance=instance, run_config=run_config, raise_on_error=False)
            steps.append(_outcome("build_and_publish", result))
            published = _materialized(result, dg.AssetKey("serving_marts"))
            check_failures = _failed_checks(result)
        else:
            published, check_failures = False, []
        return RunSummary(steps, published, check_failures)


def _materialized(result: dg.ExecuteInProcessResult, key: dg.AssetKey) -> bool:
    return any(e.is_step_materialization and e.asset_key == key for e in result.all_events)


def _failed_checks(result: dg.ExecuteInProcessResult) -> list[str]:
    failed = []
    for event in result.all_events:
        if event.event_type_value == "ASSET_CHECK_EVALUATION":
            evaluation = event.event_specific_data
            if not evaluation.passed:
                failed.append(f"{evaluation.asset_key.to_user_string()}: {evaluation.check_name}")
    return failed


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
