"""Jobs: ingestion per partitions definition, then the warehouse build and publication."""

import dagster as dg

from orchestration.partitions import monthly_partitions

# One job per partitions definition, as Dagster requires; `civstat run` runs
# each over the partitions found in the landing folder.
ingest_monthly_job = dg.define_asset_job(
    "ingest_monthly_extracts",
    selection=dg.AssetSelection.groups("assistance") & dg.AssetSelection.key_prefixes("raw"),
    partitions_def=monthly_partitions,
    description="Load the monthly extracts of the selected months from the landing folder.",
)

build_and_publish_job = dg.define_asset_job(
    "build_and_publish",
    selection=dg.AssetSelection.all() - dg.AssetSelection.key_prefixes("raw"),
    description="dbt build (models and tests), the quality suites, then publication of the marts.",
)
