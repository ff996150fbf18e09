"""Jobs: ingestion per partitions definition, then the warehouse build and publication."""

import dagster as dg

from ingestion.contract import CONTRACTS
from orchestration.ingestion.assets import raw_asset_key
from orchestration.ingestion.partitions import (
    archive_partitions,
    monthly_partitions,
    partitions_for,
    snapshot_partitions,
    yearly_partitions,
)


def _ingestion_job(name: str, partitions: dg.PartitionsDefinition, description: str):
    keys = [raw_asset_key(c.key) for c in CONTRACTS.values() if partitions_for(c) is partitions]
    return dg.define_asset_job(name, selection=dg.AssetSelection.assets(*keys), partitions_def=partitions,
                               description=description)


# Dagster runs one partitions definition per job; `civstat run` runs them in
# this order (the division table, in the yearly job, first).
INGESTION_JOBS = {
    "ingest_yearly_extracts": _ingestion_job(
        "ingest_yearly_extracts", yearly_partitions, "Yearly extracts: division table, registers, counts."),
    "ingest_marriage_archive": _ingestion_job(
        "ingest_marriage_archive", archive_partitions, "The marriage archive, one partition per year since 1949."),
    "ingest_monthly_extracts": _ingestion_job(
        "ingest_monthly_extracts", monthly_partitions, "Monthly extracts: rolls and events."),
    "ingest_snapshots": _ingestion_job(
        "ingest_snapshots", snapshot_partitions,
        "Dated snapshots: organisations, volunteers, social workers, children's supervisors and directors."),
}

build_and_publish_job = dg.define_asset_job(
    "build_and_publish",
    selection=dg.AssetSelection.all() - dg.AssetSelection.key_prefixes("raw"),
    description="dbt build (models and tests), the quality suites, then publication of the marts.",
)
