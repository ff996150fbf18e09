import dagster as dg

from orchestration.serving.assets import serving_marts

defs = dg.Definitions(assets=[serving_marts])
