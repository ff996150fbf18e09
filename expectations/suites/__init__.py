"""Every suite civstat runs, by name."""

from expectations.suites.assistance import ASSISTANCE_ROLL_VALIDITY

SUITES = {s.name: s for s in (ASSISTANCE_ROLL_VALIDITY,)}
