import dagster as dg

from orchestration.dbt.assets import civstat_dbt_models

defs = dg.Definitions(assets=[civstat_dbt_models])
