"""Every GX suite as a Dagster asset check on the model it validates.

A suite of validity rules that withholds nothing blocks: its failure stops
publication (the data are wrong). A suite whose failures only withhold some
figures (the marriage rules: the months' registration counts) and a suite of
plan findings never block: the measurement is published, with the withheld
figures and the findings listed beside it.
"""

import dagster as dg
from dagster_dbt import get_asset_key_for_model

from expectations.suites import all_suites
from orchestration.dbt.assets import civstat_dbt_models
from orchestration.dbt.project import dbt_project
from orchestration.quality import suite_check

SUITES = all_suites(dbt_project.manifest_path)

SUITE_CHECKS = [
    suite_check(suite, asset=get_asset_key_for_model([civstat_dbt_models], suite.relation.split(".")[-1]))
    for suite in SUITES.values()
]

defs = dg.Definitions(asset_checks=SUITE_CHECKS)
