"""The marriage-registration rules M01–M09 (婚姻登记合格率 = 100 %).

The rules are written once, in SQL, in the dbt model
``int_marriage__rule_results`` (one row per electronic registration and rule,
with a plain-Chinese explanation when it fails), so the 合格率, the
correction list and this gate can never disagree. The suite holds one
expectation per rule: no registration may fail it unless the data team has
recorded an explained exception (``civstat exception add``).
"""

from __future__ import annotations

import great_expectations as gx

from expectations.rules import Rule, Suite

E = gx.expectations

# (rule, what it checks) as marriage-rules.md words them.
MARRIAGE_RULES = {
    "M01": ("必填项齐全", "required fields present"),
    "M02": ("身份证号码格式有效", "18-digit IDs well-formed"),
    "M03": ("身份证号码与登记信息一致", "ID agrees with the record (birth date, sex)"),
    "M04": ("达到法定婚龄", "legal age at marriage"),
    "M05": ("双方均无未解除的婚姻", "neither party already married"),
    "M06": ("离婚登记对应已有婚姻", "a divorce refers to an existing marriage"),
    "M07": ("补领对应已有证书", "a re-issue refers to an existing certificate"),
    "M08": ("证书字号合规且唯一", "certificate number well-formed, of its year and county, unique"),
    "M09": ("日期合理", "dates possible"),
}

FAILING_COLUMNS = "registration_id, certificate_no, office_code, registration_month, source_file, source_row"


def _rule(rule_id: str) -> Rule:
    zh, en = MARRIAGE_RULES[rule_id]
    return Rule(rule_id, zh, en, E.UnexpectedRowsExpectation(
        description=f"{rule_id}: {en}",
        unexpected_rows_query=(
            f"select {FAILING_COLUMNS} from {{batch}} "
            f"where rule_id = '{rule_id}' and is_applicable and not passed and not is_explained")))


MARRIAGE_REGISTRATION_RULES = Suite(
    name="marriage_registration_rules",
    relation="intermediate.int_marriage__rule_checks",
    key_columns=("registration_id", "certificate_no", "office_code", "registration_month",
                 "source_file", "source_row"),
    rules=tuple(_rule(rule_id) for rule_id in MARRIAGE_RULES),
    # While a rule fails, the month's registration counts are withheld from
    # the submission and shown unverified; the 合格率 and the correction list
    # are published all the same.
    withholds="marriage",
    period_column="registration_month",
)
