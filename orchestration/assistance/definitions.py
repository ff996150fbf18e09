import dagster as dg

from orchestration.assistance.checks import assistance_roll_validity

defs = dg.Definitions(asset_checks=[assistance_roll_validity])
