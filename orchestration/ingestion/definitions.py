import dagster as dg

from orchestration.ingestion.assets import INGESTION_ASSETS
from orchestration.ingestion.schedules import build_after_ingestion, monthly_routine
from orchestration.ingestion.sensors import landing_sensor

defs = dg.Definitions(assets=INGESTION_ASSETS, sensors=[landing_sensor, build_after_ingestion],
                      schedules=[monthly_routine])
