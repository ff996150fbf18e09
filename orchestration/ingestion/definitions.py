import dagster as dg

from orchestration.ingestion.assets import INGESTION_ASSETS

defs = dg.Definitions(assets=INGESTION_ASSETS)
