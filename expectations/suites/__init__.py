"""Every suite civstat runs, by name."""

from expectations.suites.assistance import ASSISTANCE_ROLL_VALIDITY
from expectations.suites.marriage import MARRIAGE_REGISTRATION_RULES
from expectations.suites.plan_rules import PLAN_RULE_SUITES

SUITES = {s.name: s for s in (ASSISTANCE_ROLL_VALIDITY, MARRIAGE_REGISTRATION_RULES, *PLAN_RULE_SUITES)}
