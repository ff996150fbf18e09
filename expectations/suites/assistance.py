"""Validity of the 低保 / 特困 roll fact."""

from __future__ import annotations

import great_expectations as gx
from great_expectations.expectations.row_conditions import Column

from expectations.rules import Rule, Suite

E = gx.expectations

ASSISTANCE_ROLL_VALIDITY = Suite(
    name="assistance_roll_validity",
    relation="marts.fct_monthly_assistance_households",
    key_columns=("period_month", "household_id"),
    rules=(
        Rule("A01", "每户每月在名册中只出现一次", "one row per household and month",
             E.ExpectCompoundColumnsToBeUnique(column_list=["period_month", "household_id"])),
        Rule("A02", "户主假名键不为空", "every household has a pseudonymous head key",
             E.ExpectColumnValuesToNotBeNull(column="head_person_key")),
        Rule("A03", "救助类型在代码表内", "assistance type is in the code list",
             E.ExpectColumnValuesToBeInSet(column="assistance_type",
                                           value_set=["城市低保", "农村低保", "城市特困", "农村特困"])),
        Rule("A04", "保障人口数在1至30之间", "persons covered between 1 and 30",
             E.ExpectColumnValuesToBeBetween(column="persons_covered", min_value=1, max_value=30)),
        Rule("A05", "月保障金额不为负", "amount paid is not negative",
             E.ExpectColumnValuesToBeBetween(column="amount_paid_yuan", min_value=0)),
        Rule("A06", "特困人员填写了自理能力", "特困 persons have a self-care level",
             E.ExpectColumnValuesToNotBeNull(column="self_care",
                                             row_condition=Column("assistance_kind") == "特困")),
        Rule("A07", "月保障金额不超过保障标准×保障人口数的两倍（含分类施保加发）",
             "amount paid at most twice the standard times persons (supplements included)",
             E.UnexpectedRowsExpectation(
                 description="amount_paid_yuan <= 2 * standard * persons",
                 unexpected_rows_query=(
                     "select period_month, household_id from {batch} "
                     "where amount_paid_yuan > 2 * standard_yuan_per_person_month * persons_covered"))),
    ),
)
