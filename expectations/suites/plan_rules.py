"""The plan's other 100 % rules (targets.md): each must hold in every place,
so each suite names every household group, street, community or village that
breaks it, in the latest period delivered. Not reaching a plan target is a
finding for leadership, not a data error: these never withhold a figure.
"""

from __future__ import annotations

import great_expectations as gx

from expectations.rules import Rule, Severity, Suite

E = gx.expectations


def _finding(rule_id: str, zh: str, en: str, query: str) -> Rule:
    return Rule(rule_id, zh, en, E.UnexpectedRowsExpectation(description=en, unexpected_rows_query=query),
                severity=Severity.FINDING)


# T05: among 特困 persons unable to care for themselves who want institutional
# care, everyone is in an institution (集中供养), on the latest roll.
T05_WILLING_DISABLED_PLACED = Suite(
    name="t05_willing_disabled_placed",
    relation="marts.fct_monthly_assistance_households",
    key_columns=("period_month", "household_id", "township_code"),
    rules=(_finding(
        "T05", "有意愿的失能特困人员全部集中供养", "every willing disabled 特困 person is in institutional care",
        "select period_month, household_id, township_code from {batch} "
        "where period_month = (select max(period_month) from {batch}) "
        "and assistance_kind = '特困' and self_care in ('半失能', '全失能') "
        "and willing_central_care = '是' and support_mode is distinct from '集中供养'"),),
)

T06_STREETS_WITH_CENTRE = Suite(
    name="t06_streets_with_centre",
    relation="marts.mart_streets_without_elderly_centre",
    key_columns=("period_month", "township_code"),
    rules=(_finding(
        "T06", "每个街道建有运营中的综合养老服务中心", "every street has an operating elderly-care centre",
        "select period_month, township_code from {batch} "
        "where period_month = (select max(period_month) from {batch})"),),
)

T08_URBAN_COMMUNITIES_WITH_FACILITY = Suite(
    name="t08_urban_communities_with_facility",
    relation="marts.mart_urban_communities_without_elderly_facility",
    key_columns=("year", "region_code"),
    rules=(_finding(
        "T08", "每个城市社区配建养老服务设施", "every urban community has an elderly-care facility",
        "select year, region_code from {batch} where year = (select max(year) from {batch})"),),
)

T11_VILLAGES_WITH_TWO_ORGS = Suite(
    name="t11_villages_with_two_community_orgs",
    relation="marts.mart_villages_below_two_community_orgs",
    key_columns=("year", "village_code"),
    rules=(_finding(
        "T11", "每个行政村至少2个社区社会组织", "every administrative village has at least two community organisations",
        "select year, village_code from {batch} where year = (select max(year) from {batch})"),),
)

T19_TOWNSHIPS_WITH_PUBLIC_CEMETERY = Suite(
    name="t19_townships_with_public_cemetery",
    relation="marts.mart_townships_without_public_cemetery",
    key_columns=("year", "township_code"),
    rules=(_finding(
        "T19", "每个乡镇（街道）有运营中的公益性公墓服务", "every township is served by an operating public-welfare cemetery",
        "select year, township_code from {batch} where year = (select max(year) from {batch})"),),
)

# T22: every village and community has an 在岗 儿童主任, and every township an
# 在岗 儿童督导员 (both listed in one mart, one row per empty post).
T22_CHILD_CARE_POSTS_FILLED = Suite(
    name="t22_child_care_posts_filled",
    relation="marts.mart_child_care_vacancies",
    key_columns=("year", "post", "region_code"),
    rules=(_finding(
        "T22", "每个村（社区）有在岗儿童主任，每个乡镇（街道）有在岗儿童督导员",
        "every village and community has a children's director, every township a supervisor, in post",
        "select year, post, region_code from {batch} where year = (select max(year) from {batch})"),),
)

T20_ARCHIVE_YEARS_LOADED = Suite(
    name="t20_archive_years_loaded",
    relation="marts.mart_marriage_archive_years",
    key_columns=("county_code", "archive_year"),
    rules=(_finding(
        "T20", "建国以来每一年的婚姻登记档案均已补录", "every archive year since 1949 is loaded",
        "select county_code, archive_year from {batch} where not is_loaded"),),
)

PLAN_RULE_SUITES = (T05_WILLING_DISABLED_PLACED, T06_STREETS_WITH_CENTRE, T08_URBAN_COMMUNITIES_WITH_FACILITY,
                    T11_VILLAGES_WITH_TWO_ORGS, T19_TOWNSHIPS_WITH_PUBLIC_CEMETERY, T20_ARCHIVE_YEARS_LOADED,
                    T22_CHILD_CARE_POSTS_FILLED)
