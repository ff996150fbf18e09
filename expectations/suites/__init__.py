"""Every suite civstat runs, by name.

The hand-written suites (the marriage rules, ingestion accounting, the
plan's 100 % rules, the monitoring's blacklist rule B01) and one validity suite per fact and dimension, built
from the rules declared in the dbt project (see ``model_rules``).
"""

from pathlib import Path

from civstat.settings import DBT_PROJECT_DIR
from expectations.rules import Suite
from expectations.suites.ingestion import INGESTION_ACCOUNTING
from expectations.suites.marriage import MARRIAGE_REGISTRATION_RULES
from expectations.suites.model_rules import model_suites
from expectations.suites.monitoring import B01_BLACKLISTED_OFF_THE_ROLL
from expectations.suites.plan_rules import PLAN_RULE_SUITES

WRITTEN_SUITES = (INGESTION_ACCOUNTING, MARRIAGE_REGISTRATION_RULES, *PLAN_RULE_SUITES, B01_BLACKLISTED_OFF_THE_ROLL)


# Where `civstat prepare` writes the dbt manifest (orchestration/dbt/project.py).
MANIFEST_PATH = DBT_PROJECT_DIR / "target" / "manifest.json"


def all_suites(manifest_path: Path = MANIFEST_PATH) -> dict[str, Suite]:
    return {s.name: s for s in (*WRITTEN_SUITES, *model_suites(manifest_path))}
