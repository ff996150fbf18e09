"""The routine: the warehouse is rebuilt and published on the 5th of each month,
when the departments' monthly extracts are in."""

import dagster as dg

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
    if context.dagster_run.job_name.startswith("ingest_"):
        return dg.RunRequest(run_key=f"build-after-{context.dagster_run.run_id}")
    return dg.SkipReason(f"{context.dagster_run.job_name} is not an ingestion run")
