"""Rule B01 of the low-income monitoring (monitoring.md): no household on the
核对黑名单 is on the roll. A breach is a finding for the assistance office, not
a data error: every breaching household is listed, with the first month it
was found on the roll and its township, and nothing is withheld."""

from __future__ import annotations

import great_expectations as gx

from expectations.rules import Rule, Severity, Suite

B01_BLACKLISTED_OFF_THE_ROLL = Suite(
    name="b01_blacklisted_off_the_roll",
    relation="marts.fct_household_monitoring_months",
    key_columns=("household_id", "period_month", "township_code"),
    rules=(Rule(
        "B01", "列入核对黑名单的家庭不在保", "no blacklisted household is on the roll",
        gx.expectations.UnexpectedRowsExpectation(
            description="no blacklisted household is on the roll",
            unexpected_rows_query=(
                "select household_id, min(period_month) as period_month, "
                "min_by(township_code, period_month) as township_code "
                "from {batch} where is_blacklist_breach group by household_id")),
        severity=Severity.FINDING),),
)
