"""Social assistance: the 低保 / 特困 roll (T01–T05, JZH01 roll rows) and 临时救助.

The roll is a monthly snapshot of every household on benefits; only 在保 rows
are on the roll (停保 rows only say when a household left). A year's value of
the roll is its last delivered month (年末数); spending is summed from January.
"""

from __future__ import annotations

import pandas as pd
import sources
from checks import duck_round
from results import Figures, mean, rate, stock4

ROLL_MEASURES = {"城市低保": "dibao_urban", "农村低保": "dibao_rural", "城市特困": "tekun_urban", "农村特困": "tekun_rural"}


def roll_figures(landing, regions, townships: pd.DataFrame, figs: Figures) -> set[str]:
    """T01–T05 and the roll's JZH01 rows; returns the months the roll covers."""
    rows = sources.load(landing, "assistance", regions.division)
    rows["period_month"] = rows["period"]
    on_roll = rows[rows["status"] == "在保"].copy()
    # Each household on the village code in force at the month's end (a merged
    # town's villages count in the town that absorbed it).
    on_roll["code_on"] = regions.code_on(on_roll["region_code"], on_roll["period_month"])
    on_roll = on_roll[on_roll["code_on"].str[:6] == regions.county6].copy()
    on_roll["township_code"] = on_roll["code_on"].str[:9] + "000"
    on_roll["standard_x_persons"] = on_roll["standard_cents"] * on_roll["persons"]   # fen × persons

    county_rows = rows[rows["region_code"].str[:6] == regions.county6]
    year_ends = county_rows.groupby(county_rows["period_month"].str[:4])["period_month"].max()
    spending = _consumption_spending(landing, regions.county12)
    for year, month in year_ends.items():
        _year_targets(on_roll[on_roll["period_month"] == month], int(year), spending, figs)

    # The report form counts townships in force at the month's end only.
    placed = on_roll.merge(townships, on=["period_month", "township_code"])
    for month in sorted(placed["period_month"].unique()):
        if month.endswith("-12"):
            _roll_report(placed, month, figs)
    return set(on_roll["period_month"])


def _year_targets(roll: pd.DataFrame, year: int, spending: dict, figs: Figures) -> None:
    for target, spend_target, kind, indicator in (("T03", "T01", "城市低保", "城镇居民人均消费支出"),
                                                  ("T04", "T02", "农村低保", "农村居民人均消费支出")):
        part = roll[roll["assistance_type"] == kind]
        if part.empty:
            continue
        weighted_yuan, persons = int(part["standard_x_persons"].sum()) / 100, int(part["persons"].sum())
        figs.target(target, year, mean(weighted_yuan, persons))
        # yearly standard (mean monthly standard × 12) over last year's per-capita spending
        if persons:
            yearly_standard = duck_round(12 * weighted_yuan / persons, 10)
            figs.target(spend_target, year, rate(yearly_standard, spending.get((year - 1, indicator))))
    # T05: willing 半失能 / 全失能 特困 persons who are in 集中供养
    willing = roll[roll["assistance_type"].str.endswith("特困") & roll["self_care"].isin(["半失能", "全失能"])
                   & (roll["willing_central_care"] == "是")]
    figs.target("T05", year, rate(willing.loc[willing["support_mode"] == "集中供养", "persons"].sum(),
                                  willing["persons"].sum()))


def _consumption_spending(landing, county12: str) -> dict:
    """(year, indicator) -> the statistics bureau's per-capita consumption expenditure."""
    stats = sources.load(landing, "reference_stats")
    stats = stats[stats["region_code"] == county12]
    return stats.groupby(["year", "indicator"])["value"].max().to_dict()


def _roll_report(placed: pd.DataFrame, month: str, figs: Figures) -> None:
    """Persons, households, average standard (month end) and spending (from January), per roll."""
    now = placed[placed["period_month"] == month]
    for kind, prefix in ROLL_MEASURES.items():
        part = now[now["assistance_type"] == kind]
        if not part.empty:
            figs.measure(f"{prefix}_persons", month, stock4(part["persons"].sum()))
            figs.measure(f"{prefix}_households", month, stock4(len(part)))
            if kind.endswith("低保"):
                figs.measure(f"{prefix}_standard", month, _standard_over_townships(part))
    year_so_far = placed[(placed["period_month"].str[:4] == month[:4]) & (placed["period_month"] <= month)]
    for kind, cents in year_so_far.groupby("assistance_type")["paid_cents"].sum().items():
        figs.measure(f"{ROLL_MEASURES[kind]}_paid_ytd", month, stock4(int(cents) / 100 / 10000))


def _standard_over_townships(part: pd.DataFrame):
    """The county's average standard as the form computes it: each township's
    person-weighted standard (rounded to fen), weighted again by persons."""
    by_township = part.groupby("township_code").agg(sx=("standard_x_persons", "sum"), persons=("persons", "sum"))
    by_township = by_township[by_township["persons"] > 0]
    if by_township.empty:
        return None
    standard_fen = [round(mean(int(sx) / 100, int(p)) * 100) for sx, p in zip(by_township["sx"], by_township["persons"])]
    weighted_yuan = sum(f * int(p) for f, p in zip(standard_fen, by_township["persons"])) / 100
    return stock4(weighted_yuan / int(by_township["persons"].sum()))


def temporary_aid_figures(landing, regions, townships: pd.DataFrame, figs: Figures) -> None:
    """临时救助 grants, yuan and grants to vagrants from January (JZH01)."""
    grants = sources.load(landing, "temporary_aid", regions.division)
    # A grant counts in the month of its 救助日期, on the township in force then.
    grants["period_month"] = grants["aid_date"].dt.strftime("%Y-%m")
    grants["township_code"] = regions.township_on(grants["region_code"], grants["period_month"]).fillna(
        grants["region_code"].str[:9] + "000")
    grants = grants.merge(townships, on=["period_month", "township_code"])
    grants = grants[grants["township_code"].str[:6] == regions.county6]
    for year, part in grants.groupby(grants["period_month"].str[:4]):
        month = f"{year}-12"
        figs.measure("aid_grants_ytd", month, stock4(len(part)))
        figs.measure("aid_amount_ytd", month, stock4(int(part["amount_cents"].sum()) / 100 / 10000))
        figs.measure("vagrant_aid_grants_ytd", month, stock4((part["is_vagrant"] == "是").sum()))
