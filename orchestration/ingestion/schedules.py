"""The routine: the warehouse is rebuilt and published on the 5th of each month,
when the departments' monthly extracts are in."""

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG

from orchestration.dbt.assets import build_run_config, build_window
from orchestration.jobs import build_and_publish_job

monthly_routine = dg.ScheduleDefinition(
    name="monthly_build_and_publish",
    job=build_and_publish_job,
    cron_schedule="0 6 5 * *",
    execution_timezone="Asia/Shanghai",
    description="dbt build, quality suites and publication after the monthly deliveries.",
)


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    name="build_after_ingestion",
    request_job=build_and_publish_job,
    monitor_all_code_locations=False,
    description="After a successful ingestion run, rebuild and publish (runs the landing sensor requested).",
)
def build_after_ingestion(context: dg.RunStatusSensorContext):
    run = context.dagster_run
    if run.job_name == "ingest_monthly_extracts":
        # The incremental facts rebuild only the months this run loaded.
        months = [run.tags.get(ASSET_PARTITION_RANGE_START_TAG), run.tags.get(ASSET_PARTITION_RANGE_END_TAG)]
        months = [m for m in months if m] or ([run.tags["dagster/partition"]] if "dagster/partition" in run.tags else [])
        return dg.RunRequest(run_key=f"build-after-{run.run_id}",
                             run_config=build_run_config(build_window(months)) if months else {})
    if run.job_name.startswith("ingest_"):
        return dg.RunRequest(run_key=f"build-after-{run.run_id}")
    return dg.SkipReason(f"{context.dagster_run.job_name} is not an ingestion run")
