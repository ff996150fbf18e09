import dagster as dg

from orchestration.assistance.assets import raw_assistance
from orchestration.assistance.checks import assistance_roll_validity

defs = dg.Definitions(assets=[raw_assistance], asset_checks=[assistance_roll_validity])
