"""Quality gates on the roll: GX suites as blocking asset checks."""

from dagster_dbt import get_asset_key_for_model

from expectations.suites import SUITES
from orchestration.dbt.assets import civstat_dbt_models
from orchestration.quality import suite_check

assistance_roll_validity = suite_check(
    SUITES["assistance_roll_validity"],
    asset=get_asset_key_for_model([civstat_dbt_models], "fct_monthly_assistance_households"),
)
